"""Where the project keeps its own files (lexicon, models, policy)."""

from pathlib import Path
from typing import Final

PACKAGE_DIR: Final = Path(__file__).resolve().parent
REPO_DIR: Final = PACKAGE_DIR.parent
DATA_DIR: Final = REPO_DIR / "data"
LEXICON_DIR: Final = DATA_DIR / "lexicon"
MODELS_DIR: Final = REPO_DIR / "models"
DEFAULT_POLICY: Final = PACKAGE_DIR / "policy.toml"
