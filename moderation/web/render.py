"""What the page shows of an item: highlighted spans, edits as a diff, scores, rules.

Everything here returns plain text pieces; the templates (autoescape on) turn them into HTML,
so no review text is ever concatenated into markup.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from moderation.labels import LABELS
from moderation.storage.models import Review
from moderation.web import persian


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of the submitted text and the labels of the spans that cover it."""

    text: str
    labels: tuple[str, ...] = ()

    @property
    def classes(self) -> str:
        """CSS classes: the labels themselves (only known ones; others are 'other')."""
        return " ".join(label if label in LABELS else "other" for label in self.labels)

    @property
    def names(self) -> str:
        """The Persian names of the labels."""
        return "، ".join(persian.LABEL_NAMES.get(label, label) for label in self.labels)


@dataclass(frozen=True, slots=True)
class Change:
    """A run of the diff between the submitted and the automatically edited text."""

    kind: str  # same | del | ins
    text: str


def _order(label: str) -> int:
    return LABELS.index(label) if label in LABELS else len(LABELS)


def highlight(text: str, spans: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """Cut the text at span edges (code-point offsets, as Python indexes str) into pieces."""
    n = len(text)
    valid = [
        (s["start"], s["end"], str(s["label"]))
        for s in spans
        if type(s.get("start")) is int
        and type(s.get("end")) is int
        and 0 <= s["start"] < s["end"] <= n
        and s.get("label")
    ]
    cuts = sorted({0, n, *(s for s, _, _ in valid), *(e for _, e, _ in valid)})
    pieces: list[Piece] = []
    for a, b in itertools.pairwise(cuts):
        labels = tuple(sorted({lb for s, e, lb in valid if s <= a and b <= e}, key=_order))
        if pieces and pieces[-1].labels == labels:
            pieces[-1] = Piece(pieces[-1].text + text[a:b], labels)
        else:
            pieces.append(Piece(text[a:b], labels))
    return pieces


def diff(text: str, edits: Sequence[Mapping[str, Any]]) -> list[Change]:
    """The automatic edits as kept / deleted / inserted runs of text."""
    out: list[Change] = []
    pos = 0
    for e in sorted(edits, key=lambda e: int(e["start"])):
        start, end = int(e["start"]), int(e["end"])
        if start < pos or end > len(text) or start > end:
            continue  # an edit that overlaps or lies outside would misplace the rest
        if start > pos:
            out.append(Change("same", text[pos:start]))
        if end > start:
            out.append(Change("del", text[start:end]))
        if e["replacement"]:
            out.append(Change("ins", str(e["replacement"])))
        pos = end
    if pos < len(text):
        out.append(Change("same", text[pos:]))
    return out


def edited_text(changes: Sequence[Change]) -> str:
    """The text after the automatic edits (what 'approve with edits' publishes)."""
    return "".join(c.text for c in changes if c.kind != "del")


def scores(view: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per label: Persian name, score, threshold when a rule applied, flagged or not."""
    thresholds = {r["label"]: r["threshold"] for r in view["rules"]}
    return [
        {
            "label": label,
            "name": persian.LABEL_NAMES[label],
            "score": persian.score(float(view["labels"].get(label, 0.0))),
            "threshold": persian.score(thresholds[label]) if label in thresholds else "",
            "flagged": label in view["flags"],
        }
        for label in LABELS
    ]


def rules(view: Mapping[str, Any]) -> list[dict[str, str]]:
    """The policy rules that held the item, in Persian."""
    return [
        {
            "name": persian.LABEL_NAMES.get(r["label"], r["label"]),
            "score": persian.score(r["score"]),
            "threshold": persian.score(r["threshold"]),
            "action": persian.RULE_ACTIONS.get(r["action"], r["action"]),
            "outcome": persian.DECISIONS.get(r["outcome"], r["outcome"]),
            "detected": "بله" if r.get("detected") else "خیر",
        }
        for r in view["rules"]
    ]


def minutes_between(start: str | None, end: str | datetime | None) -> int:
    """Whole minutes from one time to another, ISO strings or datetimes (0 when unknown)."""
    if not start or not end:
        return 0
    end = datetime.fromisoformat(end) if isinstance(end, str) else end
    return max(0, int((end - datetime.fromisoformat(start)).total_seconds() // 60))


def item_link(review_id: str) -> str:
    """The page URL that opens (and claims) an item."""
    return "/queue?" + urlencode({"item": review_id})


def item(view: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The template context of the current item (the moderator view: no submitter identity)."""
    changes = diff(view["text"], view["edits"])
    return {
        "id": view["id"],
        "product_id": view["product_id"],
        "pieces": highlight(view["text"], view["spans"]),
        "changes": changes,
        "edited_text": edited_text(changes),
        "has_edits": bool(view["edits"]),
        "scores": scores(view),
        "rules": rules(view),
        "flags": [persian.LABEL_NAMES.get(f, f) for f in view["flags"]],
        "model_version": view["model_version"],
        "policy_version": view["policy_version"],
        "legal_hold": view["legal_hold"],
        "decision": persian.DECISIONS.get(view["decision"], view["decision"]),
        "rejected": view["decision"] == "reject",
        "age": persian.digits(minutes_between(view["created_at"], now)),
        "lease": persian.digits(minutes_between(now.isoformat(), view["claim_expires_at"])),
        "pseudonym": view["author"]["pseudonym"],
        "history": [
            (persian.HISTORY[k], persian.digits(n)) for k, n in view["author"]["history"].items()
        ],
    }


def row(review: Review, current: str | None) -> dict[str, Any]:
    """One line of the queue list."""
    text = review.text
    return {
        "id": review.review_id,
        "link": item_link(review.review_id),
        "flags": "، ".join(persian.LABEL_NAMES.get(f, f) for f in review.flags),
        "severity": persian.score(review.severity),
        "snippet": text if len(text) <= 70 else text[:70] + "…",
        "current": review.review_id == current,
    }
