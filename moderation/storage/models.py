"""Tables. The submitted text is immutable; every state change also writes an audit event."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Boolean, Dialect, ForeignKey, Index, Integer, String, Text
from sqlalchemy import DateTime as _DateTime
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Timezone-aware now, the only clock the tables use."""
    return datetime.now(UTC)


class DateTime(TypeDecorator[datetime]):
    """UTC timestamps on every database: SQLite keeps no zone, so store naive UTC, read aware."""

    impl = _DateTime
    cache_ok = True

    def __init__(self, timezone: bool = True) -> None:
        super().__init__(timezone=False)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base; JSON columns hold dicts and lists."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Review(Base):
    """One submitted review and its current state."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_id: Mapped[str] = mapped_column(String(128), unique=True)
    product_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)  # as submitted; never updated
    text_sha256: Mapped[str] = mapped_column(String(64))
    rating: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The automatic decision, kept as made.
    auto_decision: Mapped[str] = mapped_column(String(16))
    auto_published_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    flags: Mapped[list[Any]] = mapped_column(JSON)
    reasons: Mapped[list[Any]] = mapped_column(JSON)
    rules: Mapped[list[Any]] = mapped_column(JSON)  # which policy rule did what, for moderators
    spans: Mapped[list[Any]] = mapped_column(JSON, default=list)  # detector spans, highlighted
    model_version: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[str] = mapped_column(String(64))
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    # The current state: the automatic decision until a moderator decides.
    decision: Mapped[str] = mapped_column(String(16))
    published_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # final | pending (in the moderator queue)
    severity: Mapped[float] = mapped_column(default=0.0)  # queue order: highest flagged score
    author: Mapped[str] = mapped_column(String(32))  # keyed pseudonym of the storefront user
    moderator_action: Mapped[str | None] = mapped_column(String(16), nullable=True)
    moderator_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    moderator_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claim_expires_at: Mapped[datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )

    edits: Mapped[list[Edit]] = relationship(
        back_populates="review",
        lazy="raise_on_sql",
        order_by="Edit.start",
        cascade="all, delete-orphan",
    )
    submitter: Mapped[Submitter | None] = relationship(
        back_populates="review",
        lazy="raise_on_sql",
        cascade="all, delete-orphan",
    )

    def edit_dicts(self) -> list[dict[str, Any]]:
        """The automatic edits in the JSON shape of DESIGN.md (needs `edits` loaded)."""
        return [
            {"start": e.start, "end": e.end, "kind": e.kind, "replacement": e.replacement}
            for e in self.edits
        ]

    __table_args__ = (
        Index("ix_reviews_queue", "status", "severity", "created_at"),
        Index("ix_reviews_author", "author"),
    )


class Edit(Base):
    """One automatic edit on the submitted text (code-point offsets)."""

    __tablename__ = "edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_pk: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    start: Mapped[int]
    end: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    replacement: Mapped[str] = mapped_column(Text)
    review: Mapped[Review] = relationship(back_populates="edits", lazy="raise_on_sql")


class Submitter(Base):
    """Who submitted a review: for legal follow-up only, never shown to moderators."""

    __tablename__ = "submitters"

    review_pk: Mapped[int] = mapped_column(
        ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[str] = mapped_column(String(128))
    ip: Mapped[str | None] = mapped_column(String(64), nullable=True)
    user_agent: Mapped[str | None] = mapped_column(Text, nullable=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    minimised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    review: Mapped[Review] = relationship(back_populates="submitter", lazy="raise_on_sql")


class AuditEvent(Base):
    """An append-only, hash-chained record of every state change."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[str | None] = mapped_column(String(128), nullable=True, index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_digest: Mapped[str] = mapped_column(String(64))
    digest: Mapped[str] = mapped_column(String(64), unique=True)


class Token(Base):
    """An API token, stored as its SHA-256; shown once at creation."""

    __tablename__ = "tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class OutboxMessage(Base):
    """A webhook to deliver; written in the transaction of the change it reports."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event: Mapped[str] = mapped_column(String(32))
    review_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)

    __table_args__ = (Index("ix_outbox_due", "delivered_at", "next_attempt_at"),)


class ServiceKey(Base):
    """Secrets the instances share and generate once (e.g. the pseudonym key)."""

    __tablename__ = "service_keys"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(256))


class ModelActivation(Base):
    """Which model every instance should serve, and which it should score in the shadow of it:
    one row per change, the latest of each role wins.

    Kept in the database so that a change reaches every instance sharing it, and survives a
    restart; the rows are also the history of what served when.
    """

    __tablename__ = "model_activations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # "live": the model whose scores decide; "shadow": a candidate scored beside it, whose
    # scores are only recorded (version None: shadow scoring turned off).
    role: Mapped[str] = mapped_column(String(8), default="live")
    version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    activated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))


class ShadowScore(Base):
    """What a shadow model would have decided for a review; never shown or acted on."""

    __tablename__ = "shadow_scores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_pk: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    model_version: Mapped[str] = mapped_column(String(64))
    labels: Mapped[dict[str, Any]] = mapped_column(JSON)
    flags: Mapped[list[Any]] = mapped_column(JSON)
    decision: Mapped[str] = mapped_column(String(16))
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (Index("ix_shadow_scores_version", "model_version", "at"),)


class ModeratorLabel(Base):
    """The labels a moderator confirmed or corrected: training data for the next model."""

    __tablename__ = "moderator_labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    review_pk: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    labels: Mapped[list[Any]] = mapped_column(JSON)
    action: Mapped[str] = mapped_column(String(16))
    moderator: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    superseded: Mapped[bool] = mapped_column(Boolean, default=False)  # undone


class LegalCase(Base):
    """Criminal content kept for legal follow-up, with its evidence digest fixed at intake."""

    __tablename__ = "legal_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(String(40), unique=True)
    review_pk: Mapped[int] = mapped_column(ForeignKey("reviews.id"), unique=True)
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    opened_by: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    evidence_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | released
    released_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    released_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    release_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class LegalAccess(Base):
    """Every look at a legal case: who, when, what, and the stated reason."""

    __tablename__ = "legal_access_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_pk: Mapped[int | None] = mapped_column(
        ForeignKey("legal_cases.id"), nullable=True, index=True
    )
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
