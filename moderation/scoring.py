"""Score reviews: detectors and the classifier give per-label scores, the policy decides."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Protocol

from moderation.detect.all import detect
from moderation.detect.lexicon import Lexicon, load_lexicon
from moderation.detect.spans import Span
from moderation.labels import LABELS
from moderation.policy import Outcome, Policy, decide

RULES_ONLY: Final = "rules-only"
# How strongly one detector hit alone speaks for its label. A validated کد ملی or phone number
# is near-certain; a mild word like احمق less so.
_SEVERITY_EVIDENCE: Final = {1: 0.6, 2: 0.85, 3: 0.95}
_KIND_EVIDENCE: Final = {"link": 0.9, "handle": 0.9, "repeat": 0.9}
_PERSONAL_EVIDENCE: Final = 0.99


class LabelModel(Protocol):
    """What the scorer needs of a trained classifier."""

    @property
    def version(self) -> str:
        """The version decisions are recorded with."""
        ...

    @property
    def thresholds(self) -> Mapping[str, float]:
        """Per-label thresholds chosen on validation data."""
        ...

    def predict_scores(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """One calibrated score per label for each text."""
        ...


def detector_evidence(spans: Sequence[Span]) -> dict[str, float]:
    """The score each label gets from the detectors alone."""
    evidence = dict.fromkeys(LABELS, 0.0)
    for s in spans:
        if s.label == "personal_info":
            value = _PERSONAL_EVIDENCE
        elif s.kind in _KIND_EVIDENCE:
            value = _KIND_EVIDENCE[s.kind]
        else:
            value = _SEVERITY_EVIDENCE.get(s.severity, 0.5)
        evidence[s.label] = max(evidence[s.label], value)
    return evidence


def combine(model: Mapping[str, float], evidence: Mapping[str, float]) -> dict[str, float]:
    """Noisy-OR of the model's score and the detectors' evidence, label by label."""
    return {k: 1.0 - (1.0 - model.get(k, 0.0)) * (1.0 - evidence.get(k, 0.0)) for k in LABELS}


@dataclass(frozen=True, slots=True)
class Scored:
    """Everything known about one scored review."""

    id: Any
    text: str
    scores: dict[str, float]
    spans: list[Span]
    outcome: Outcome
    model_version: str

    def result(self) -> dict[str, Any]:
        """The result shape of DESIGN.md."""
        return {
            "id": self.id,
            "decision": self.outcome.decision,
            "published_text": self.outcome.published_text,
            "labels": {k: round(v, 4) for k, v in self.scores.items()},
            "flags": self.outcome.flags,
            "edits": [e.as_dict() for e in self.outcome.edits],
            "legal_hold": self.outcome.legal_hold,
            "model_version": self.model_version,
        }


class Scorer:
    """Detectors + optional classifier + policy; no I/O, safe to share between threads."""

    def __init__(
        self, policy: Policy, model: LabelModel | None = None, lexicon: Lexicon | None = None
    ) -> None:
        self.policy = policy
        self.model = model
        self.lexicon = lexicon if lexicon is not None else load_lexicon()

    @property
    def model_version(self) -> str:
        """The version decisions are recorded with."""
        return self.model.version if self.model is not None else RULES_ONLY

    def score_many(self, items: Sequence[tuple[Any, str]]) -> list[Scored]:
        """Score a batch of (id, text); the classifier runs once over the whole batch."""
        texts = [text for _, text in items]
        model = self.model
        model_scores = model.predict_scores(texts) if model is not None else [{} for _ in texts]
        thresholds = model.thresholds if model is not None else {}
        out: list[Scored] = []
        for (rid, text), predicted in zip(items, model_scores, strict=True):
            spans = detect(text, self.lexicon)
            scores = combine(predicted, detector_evidence(spans))
            outcome = decide(self.policy, text, scores, spans, thresholds)
            out.append(Scored(rid, text, scores, spans, outcome, self.model_version))
        return out

    def score(self, rid: Any, text: str) -> Scored:
        """Score one review."""
        return self.score_many([(rid, text)])[0]
