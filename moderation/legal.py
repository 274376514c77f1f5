"""Legal follow-up: cases with an evidence digest fixed at intake, gated reveal, access log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from moderation.intake import storable
from moderation.storage import audit
from moderation.storage.audit import canonical
from moderation.storage.models import LegalAccess, LegalCase, Review, utcnow

BUNDLE_FORMAT: Final = "negahban-legal-bundle/1"
MIN_REASON: Final = 3


class LegalError(Exception):
    """A legal operation that cannot be done; `code` maps to an HTTP status in the web layer."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def evidence_digest(evidence: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of the evidence (what `legal verify` recomputes)."""
    return hashlib.sha256(canonical(evidence)).hexdigest()


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def build_evidence(review: Review, opened_by: str, opened_at: datetime) -> dict[str, Any]:
    """Everything the case rests on, as received: text, scoring, model, submitter record."""
    sub = review.submitter
    return {
        "review_id": review.review_id,
        "product_id": review.product_id,
        "text": review.text,
        "text_sha256": review.text_sha256,
        "submitted_at": _iso(review.submitted_at),
        "scoring": {
            "decision": review.auto_decision,
            "labels": review.labels,
            "flags": review.flags,
            "rules": review.rules,
            "edits": review.edit_dicts(),
            "model_version": review.model_version,
            "policy_version": review.policy_version,
        },
        "submitter": None
        if sub is None
        else {
            "user_id": sub.user_id,
            "ip": sub.ip,
            "user_agent": sub.user_agent,
            "submitted_at": _iso(sub.submitted_at),
        },
        "opened_by": opened_by,
        "opened_at": _iso(opened_at),
    }


async def open_case(session: AsyncSession, review: Review, opened_by: str) -> LegalCase:
    """Open (or return the open) case of a review; needs `review.edits` and `.submitter` loaded."""
    existing = await session.scalar(select(LegalCase).where(LegalCase.review_pk == review.id))
    if existing is not None:
        return existing
    now = utcnow()
    evidence = build_evidence(review, opened_by, now)
    case = LegalCase(
        case_id="case-" + secrets.token_hex(8),
        review_pk=review.id,
        opened_at=now,
        opened_by=opened_by,
        evidence=evidence,
        evidence_sha256=evidence_digest(evidence),
        status="open",
    )
    session.add(case)
    await session.flush()
    await audit.append(
        session,
        opened_by,
        "legal.case_opened",
        review.review_id,
        {"case_id": case.case_id, "evidence_sha256": case.evidence_sha256},
    )
    return case


async def log_access(
    session: AsyncSession, case: LegalCase | None, actor: str, action: str, reason: str | None
) -> None:
    """Write one line of the access log (in the caller's transaction)."""
    session.add(
        LegalAccess(
            case_pk=case.id if case else None,
            actor=actor,
            action=action,
            reason=reason,
            at=utcnow(),
        )
    )
    await session.flush()


def _summary(case: LegalCase) -> dict[str, Any]:
    evidence = case.evidence
    return {
        "case_id": case.case_id,
        "review_id": evidence["review_id"],
        "status": case.status,
        "opened_at": _iso(case.opened_at),
        "opened_by": case.opened_by,
        "flags": evidence["scoring"]["flags"],
        "evidence_sha256": case.evidence_sha256,
    }


async def list_cases(session: AsyncSession, actor: str) -> list[dict[str, Any]]:
    """All cases, newest first, without submitter records (logged as a 'list')."""
    cases = (await session.scalars(select(LegalCase).order_by(LegalCase.id.desc()))).all()
    await log_access(session, None, actor, "list", None)
    return [_summary(c) for c in cases]


async def _case(session: AsyncSession, case_id: str) -> LegalCase:
    if not storable(case_id):  # no case id holds one; PostgreSQL cannot even compare it
        raise LegalError("not_found", "no case with this id")
    case = await session.scalar(select(LegalCase).where(LegalCase.case_id == case_id))
    if case is None:
        raise LegalError("not_found", f"no case '{case_id}'")
    return case


def _check_reason(reason: str | None, what: str) -> str:
    if reason is None or len(reason.strip()) < MIN_REASON:
        raise LegalError(
            "reason_required",
            f"{what} needs a 'reason' (e.g. the reference of the order you act on)",
        )
    if not storable(reason):
        raise LegalError("invalid_text", "'reason' has a NUL character or a lone surrogate")
    return reason.strip()


async def access_history(session: AsyncSession, case: LegalCase) -> list[dict[str, Any]]:
    """Who looked at this case, when, how and why."""
    rows = (
        await session.scalars(
            select(LegalAccess).where(LegalAccess.case_pk == case.id).order_by(LegalAccess.id)
        )
    ).all()
    return [
        {"at": _iso(r.at), "actor": r.actor, "action": r.action, "reason": r.reason} for r in rows
    ]


async def view_case(
    session: AsyncSession, case_id: str, actor: str, reason: str | None
) -> dict[str, Any]:
    """A case; the submitter record only with a reason, and every look is logged."""
    case = await _case(session, case_id)
    evidence = dict(case.evidence)
    if reason is None:
        evidence["submitter"] = "withheld: pass ?reason= to reveal (logged)"
        await log_access(session, case, actor, "view", None)
    else:
        await log_access(session, case, actor, "reveal", _check_reason(reason, "a reveal"))
    out = _summary(case)
    out["evidence"] = evidence
    out["release"] = (
        {
            "released_at": _iso(case.released_at),
            "released_by": case.released_by,
            "reason": case.release_reason,
        }
        if case.status == "released"
        else None
    )
    return out


async def export_case(
    session: AsyncSession, case_id: str, actor: str, reason: str | None
) -> dict[str, Any]:
    """A self-contained bundle: evidence, its digest and the access history (logged)."""
    case = await _case(session, case_id)
    await log_access(session, case, actor, "export", _check_reason(reason, "an export"))
    return {
        "format": BUNDLE_FORMAT,
        "case_id": case.case_id,
        "status": case.status,
        "evidence": case.evidence,
        "evidence_sha256": case.evidence_sha256,
        "access_log": await access_history(session, case),
        "exported_at": _iso(utcnow()),
        "exported_by": actor,
    }


async def release_case(
    session: AsyncSession, case_id: str, actor: str, reason: str | None
) -> dict[str, Any]:
    """End the hold: retention and deletion apply to the review again."""
    case = await _case(session, case_id)
    why = _check_reason(reason, "a release")
    if case.status == "released":
        raise LegalError("already_released", f"case '{case_id}' is already released")
    case.status, case.released_at, case.released_by, case.release_reason = (
        "released",
        utcnow(),
        actor,
        why,
    )
    await log_access(session, case, actor, "release", why)
    await audit.append(
        session, actor, "legal.case_released", case.evidence["review_id"], {"case_id": case.case_id}
    )
    return _summary(case)


def verify_bundle(bundle: Any) -> list[str]:
    """Problems with an exported bundle; empty when its evidence matches its digest."""
    if not isinstance(bundle, dict) or bundle.get("format") != BUNDLE_FORMAT:
        return [f"not a {BUNDLE_FORMAT} bundle"]
    evidence, digest = bundle.get("evidence"), bundle.get("evidence_sha256")
    if not isinstance(evidence, dict) or not isinstance(digest, str):
        return ["the bundle has no evidence or no digest"]
    actual = evidence_digest(evidence)
    if actual != digest:
        return [f"evidence digest mismatch: bundle says {digest}, evidence hashes to {actual}"]
    return []


async def under_hold(session: AsyncSession, review_pk: int) -> bool:
    """True while the review has an open legal case."""
    return (
        await session.scalar(
            select(LegalCase.id).where(LegalCase.review_pk == review_pk, LegalCase.status == "open")
        )
        is not None
    )


async def load_for_case(session: AsyncSession, review_id: str) -> Review | None:
    """A review with what its evidence needs (edits and submitter)."""
    return await session.scalar(
        select(Review)
        .where(Review.review_id == review_id)
        .options(selectinload(Review.edits), selectinload(Review.submitter))
    )


async def forget_released(session: AsyncSession, review_pk: int) -> None:
    """Before a review is erased: drop its released case; the access log stays, detached."""
    from sqlalchemy import delete, update

    case_id = await session.scalar(
        select(LegalCase.id).where(LegalCase.review_pk == review_pk, LegalCase.status == "released")
    )
    if case_id is None:
        return
    await session.execute(
        update(LegalAccess)
        .where(LegalAccess.case_pk == case_id)
        .values(case_pk=None)
        .execution_options(synchronize_session=False)
    )
    await session.execute(delete(LegalCase).where(LegalCase.id == case_id))
