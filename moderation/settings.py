"""Service settings, read from the environment once and passed to `create_app`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from moderation.paths import DEFAULT_POLICY, MODELS_DIR


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the service is configured by; tests build their own."""

    database_url: str = "sqlite+aiosqlite:///moderation.db"
    model: str | None = None
    models_dir: Path = MODELS_DIR
    policy: Path = DEFAULT_POLICY
    max_text_chars: int = 5000
    max_body_bytes: int = 2 * 1024 * 1024
    max_batch: int = 500

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Settings from MODERATION_* environment variables, defaults for the rest."""
        env = os.environ if env is None else env
        default = cls()
        return cls(
            database_url=env.get("MODERATION_DATABASE_URL", default.database_url),
            model=env.get("MODERATION_MODEL") or None,
            models_dir=Path(env.get("MODERATION_MODELS_DIR", str(default.models_dir))),
            policy=Path(env.get("MODERATION_POLICY", str(default.policy))),
            max_text_chars=int(env.get("MODERATION_MAX_TEXT", default.max_text_chars)),
        )
