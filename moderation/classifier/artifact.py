"""Persisted models: saved with their card, loaded only from our own models/ directory."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import joblib
import sklearn

from moderation.classifier.pipeline import pipeline_scores
from moderation.labels import LABELS
from moderation.paths import MODELS_DIR

_VERSION: Final = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")


class ModelError(ValueError):
    """A model artifact that must not be loaded (wrong place, wrong library version, damaged)."""


@dataclass(slots=True)
class Model:
    """A fitted scikit-learn pipeline with its per-label thresholds and card."""

    version: str
    pipeline: Any
    thresholds: dict[str, float]
    card: dict[str, Any] = field(default_factory=dict)

    def predict_scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """One calibrated score per label for each text."""
        if not texts:
            return []
        proba = pipeline_scores(self.pipeline, list(texts))
        return [dict(zip(LABELS, map(float, row), strict=True)) for row in proba]


def check_version_name(version: str) -> str:
    """A model version is a safe file name: letters, digits, dot, dash, underscore."""
    if not _VERSION.match(version):
        raise ModelError(f"invalid model version {version!r}")
    return version


def save_model(model: Model, directory: Path = MODELS_DIR) -> Path:
    """Write `<version>.joblib` and its JSON card `<version>.json`; return the artifact path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{check_version_name(model.version)}.joblib"
    card = dict(model.card)
    card.update(
        version=model.version, thresholds=model.thresholds, sklearn_version=sklearn.__version__
    )
    payload = {
        "version": model.version,
        "pipeline": model.pipeline,
        "thresholds": model.thresholds,
        "card": card,
    }
    joblib.dump(payload, path, compress=3)
    (directory / f"{model.version}.json").write_text(
        json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return path


def resolve(name: str, directory: Path = MODELS_DIR) -> Path:
    """The artifact path for a version or file name, refusing anything outside `directory`."""
    base = directory.resolve()
    try:
        if not name.isprintable():  # NUL, control characters, lone surrogates
            raise ValueError(name)
        candidate = Path(name)
        if candidate.suffix != ".joblib":
            candidate = candidate.with_name(candidate.name + ".joblib")  # "" and "/": ValueError
        path = (candidate if candidate.is_absolute() else base / candidate).resolve()
        found = path.parent == base and path.is_file()
    except (ValueError, OSError):  # OSError: a name too long for the file system
        raise ModelError(f"no model artifact named {name[:100]!r} in {base}") from None
    if path.parent != base:
        # A joblib file is code: only our own models/ directory is trusted (STYLE.md).
        raise ModelError(f"refusing to load {name!r}: models are loaded only from {base}")
    if not found:
        raise ModelError(f"no model artifact {path.name} in {base}")
    return path


def load_model(name: str, directory: Path = MODELS_DIR) -> Model:
    """Load and check one artifact from `directory`."""
    path = resolve(name, directory)
    card_path = path.with_suffix(".json")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model card {card_path.name} is missing or unreadable: {exc}") from exc
    # Check the card before unpickling: an artifact from another scikit-learn may load and
    # then predict wrongly, which is worse than refusing.
    built_with = card.get("sklearn_version")
    if built_with != sklearn.__version__:
        raise ModelError(
            f"model {path.name} was built with scikit-learn {built_with}, "
            f"this environment has {sklearn.__version__}; retrain it"
        )
    payload = joblib.load(path)
    if not isinstance(payload, dict) or set(payload) != {
        "version",
        "pipeline",
        "thresholds",
        "card",
    }:
        raise ModelError(f"{path.name} is not a Negahban model artifact")
    thresholds = payload["thresholds"]
    if set(thresholds) != set(LABELS):
        raise ModelError(f"{path.name} has thresholds for {sorted(thresholds)}, not the 7 labels")
    return Model(payload["version"], payload["pipeline"], dict(thresholds), payload["card"])


def available(directory: Path = MODELS_DIR) -> list[str]:
    """Versions of the artifacts in `directory`, oldest first by version name."""
    if not directory.is_dir():
        return []
    # Natural order, so 2026-11-24.10 comes after 2026-11-24.9.
    return sorted((p.stem for p in directory.glob("*.joblib")), key=_natural)


def _natural(version: str) -> list[tuple[int, int | str]]:
    return [(0, int(part)) if part.isdigit() else (1, part)
            for part in re.split(r"(\d+)", version) if part]


def load_default_model(name: str | None, directory: Path = MODELS_DIR) -> Model | None:
    """The named model, else the newest in `directory`, else None (detectors only)."""
    if name:
        return load_model(name, directory)
    versions = available(directory)
    return load_model(versions[-1], directory) if versions else None
