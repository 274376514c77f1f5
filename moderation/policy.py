"""The policy: per-label thresholds and actions, read from one TOML file, turned into a decision."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from moderation.detect.spans import Span
from moderation.edits import Edit, apply_edits, plan_edits
from moderation.labels import LABELS

DECISIONS: Final = ("publish", "publish_edited", "hold", "reject")
EDIT_ACTIONS: Final = {"redact": "personal_info", "strip": "spam", "mask": None}
ACTIONS: Final = frozenset({"redact", "strip", "mask", "hold", "reject"})
_KEYS: Final = frozenset(
    {"threshold", "action", "hold_at", "hold_severity", "reject_at", "legal_hold"}
)
DEFAULT_THRESHOLD: Final = 0.5
LABEL_FA: Final = {
    "insult": "توهین یا ناسزا",
    "hate": "نفرت‌پراکنی",
    "sexual": "محتوای جنسی",
    "threat": "تهدید",
    "spam": "تبلیغات و لینک",
    "personal_info": "اطلاعات شخصی",
    "criminal": "محتوای غیرقانونی",
}


class PolicyError(ValueError):
    """The policy file is missing a label, has an unknown key or a value out of range."""


@dataclass(frozen=True, slots=True)
class LabelRule:
    """What one label does: its threshold and action, and when to escalate."""

    label: str
    action: str
    threshold: float | None = None  # None: the model's own threshold
    hold_at: float | None = None
    hold_severity: int | None = None
    reject_at: float | None = None
    legal_hold: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    """A versioned set of label rules."""

    version: str
    rules: Mapping[str, LabelRule]


@dataclass(frozen=True, slots=True)
class Applied:
    """One flagged label and what the policy did about it."""

    label: str
    score: float
    threshold: float
    action: str
    outcome: str  # publish_edited, hold or reject
    detected: bool
    links_removed: bool = False  # strip: links or handles went (not only contact details)

    def reason_fa(self) -> str:
        """A short Persian sentence the storefront can show the author."""
        name = LABEL_FA[self.label]
        if self.label == "criminal":
            # The author of criminal content is not told why: that would tip them off.
            return "نظر شما برای بررسی بیشتر نگه داشته شد."
        if self.outcome == "publish_edited":
            return {
                "redact": f"{name} از متن نظر حذف شد تا از حریم خصوصی محافظت شود.",
                "strip": "لینک‌ها و شناسه‌های تبلیغاتی از متن نظر حذف شد."
                if self.links_removed
                else "راه‌های تماس بیرون از فروشگاه از متن نظر حذف شد.",
                "mask": "واژه‌های نامناسب در متن نظر پوشانده شد.",
            }[self.action]
        if self.outcome == "reject":
            return f"نظر شما به دلیل {name} منتشر نمی‌شود."
        return f"نظر شما به دلیل احتمال {name} پیش از انتشار بررسی می‌شود."


@dataclass(frozen=True, slots=True)
class Outcome:
    """The decision for one review."""

    decision: str
    flags: list[str]
    edits: list[Edit]
    published_text: str | None
    legal_hold: bool
    applied: list[Applied] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        """Persian sentences for the author, one per distinct reason."""
        return list(dict.fromkeys(a.reason_fa() for a in self.applied))


def _number(label: str, key: str, value: Any, lo: float = 0.0, hi: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise PolicyError(f"labels.{label}.{key} must be a number in [{lo}, {hi}], got {value!r}")
    return float(value)


def parse_policy(data: Mapping[str, Any]) -> Policy:
    """Validate the parsed TOML of a policy file."""
    labels = data.get("labels")
    if not isinstance(labels, dict):
        raise PolicyError("the policy needs a [labels.<name>] table for every label")
    unknown = set(labels) - set(LABELS)
    if unknown:
        raise PolicyError(f"unknown labels in policy: {sorted(unknown)}")
    rules: dict[str, LabelRule] = {}
    for label in LABELS:
        raw = labels.get(label)
        if not isinstance(raw, dict):
            raise PolicyError(f"the policy has no [labels.{label}] table")
        extra = set(raw) - _KEYS
        if extra:
            raise PolicyError(f"labels.{label} has unknown keys {sorted(extra)}")
        action = raw.get("action")
        if action not in ACTIONS:
            raise PolicyError(f"labels.{label}.action must be one of {sorted(ACTIONS)}")
        threshold = raw.get("threshold", "model")
        severity = raw.get("hold_severity")
        rules[label] = LabelRule(
            label=label,
            action=action,
            threshold=None if threshold == "model" else _number(label, "threshold", threshold),
            hold_at=None if "hold_at" not in raw else _number(label, "hold_at", raw["hold_at"]),
            hold_severity=None
            if severity is None
            else int(_number(label, "hold_severity", severity, 1, 3)),
            reject_at=None
            if "reject_at" not in raw
            else _number(label, "reject_at", raw["reject_at"]),
            legal_hold=bool(raw.get("legal_hold", False)),
        )
    return Policy(version=str(data.get("version", "unversioned")), rules=rules)


def load_policy(path: Path) -> Policy:
    """Read and validate a policy file."""
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PolicyError(f"cannot read policy {path}: {exc}") from exc
    return parse_policy(data)


def _label_spans(spans: Sequence[Span], rule: LabelRule) -> list[Span]:
    if rule.action == "mask":
        return [s for s in spans if s.kind == "profanity" and s.label == rule.label]
    if rule.action == "redact":
        return [s for s in spans if s.label == "personal_info"]
    if rule.action == "strip":
        # Spam leads readers off the platform through links, handles or contact details;
        # with those removed (personal data is redacted anyway) the review can be published.
        return [s for s in spans if s.kind in ("link", "handle") or s.label == "personal_info"]
    return []


def decide(
    policy: Policy,
    text: str,
    scores: Mapping[str, float],
    spans: Sequence[Span],
    model_thresholds: Mapping[str, float],
) -> Outcome:
    """Turn per-label scores and detector spans into a decision and automatic edits."""
    applied: list[Applied] = []
    to_edit: list[Span] = []
    detected = {s.label for s in spans if s.decisive}
    for label in LABELS:
        rule = policy.rules[label]
        threshold = rule.threshold
        if threshold is None:
            threshold = model_thresholds.get(label, DEFAULT_THRESHOLD)
        score = scores[label]
        if score < threshold and label not in detected:
            continue
        outcome = "hold"
        editable: list[Span] = []
        if rule.action in EDIT_ACTIONS:
            editable = _label_spans(spans, rule)
            too_severe = rule.hold_severity is not None and any(
                s.severity >= rule.hold_severity for s in editable
            )
            if editable and not too_severe and (rule.hold_at is None or score < rule.hold_at):
                outcome = "publish_edited"
            to_edit.extend(editable)
        elif rule.action == "reject":
            outcome = "reject"
        if rule.reject_at is not None and score >= rule.reject_at:
            outcome = "reject"
        links = any(s.kind in ("link", "handle") for s in editable)
        applied.append(
            Applied(
                label, round(score, 4), threshold, rule.action, outcome, label in detected, links
            )
        )
    decision = max((a.outcome for a in applied), key=DECISIONS.index, default="publish")
    edits = plan_edits(text, to_edit)
    if decision == "publish":
        published: str | None = text
    elif decision == "publish_edited":
        published = apply_edits(text, edits)
    else:
        published = None
    legal = decision in ("hold", "reject") and any(
        policy.rules[a.label].legal_hold for a in applied
    )
    return Outcome(decision, [a.label for a in applied], edits, published, legal, applied)
