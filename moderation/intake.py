"""Validation of a submitted review: every problem is named, nothing half-accepted."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

TOP_FIELDS: Final = frozenset(
    {"review_id", "product_id", "text", "rating", "submitter", "submitted_at"}
)
SUBMITTER_FIELDS: Final = frozenset({"user_id", "ip", "user_agent"})
MAX_ID: Final = 128
MAX_USER_AGENT: Final = 512


class InputError(ValueError):
    """A request the client must fix: `code` is stable, `message` says what is wrong."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class ReviewIn:
    """A validated review submission."""

    review_id: str
    product_id: str
    text: str
    rating: int | None
    user_id: str
    ip: str | None
    user_agent: str | None
    submitted_at: datetime | None


def _string(
    obj: dict[str, Any], key: str, where: str, *, limit: int, required: bool = True
) -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise InputError("missing_field", f"'{where}{key}' is required")
        return None
    if not isinstance(value, str):
        raise InputError("wrong_type", f"'{where}{key}' must be a string")
    _check_unicode(value, where + key)
    if required and not value.strip():
        raise InputError("empty_field", f"'{where}{key}' must not be empty")
    if len(value) > limit:
        raise InputError(
            "too_long", f"'{where}{key}' has {len(value)} characters; the limit is {limit}"
        )
    return value


def storable(value: str) -> bool:
    """False for a string no database can hold: a NUL character or a lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _check_unicode(value: str, name: str) -> None:
    if "\x00" in value:
        raise InputError("invalid_text", f"'{name}' contains a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            "invalid_text", f"'{name}' is not valid Unicode (a lone surrogate)"
        ) from None


def _unknown(obj: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise InputError(
            "unknown_field",
            f"unknown field(s) {', '.join(where + e for e in extra)}"
            f"; allowed: {', '.join(sorted(allowed))}",
        )


def parse_review(obj: Any, *, max_text: int) -> ReviewIn:
    """Validate one review object (the body of POST /v1/reviews)."""
    if not isinstance(obj, dict):
        raise InputError("wrong_type", "the review must be a JSON object")
    _unknown(obj, TOP_FIELDS, "")
    review_id = _string(obj, "review_id", "", limit=MAX_ID)
    product_id = _string(obj, "product_id", "", limit=MAX_ID)
    text = _string(obj, "text", "", limit=max_text)
    rating = obj.get("rating")
    if rating is not None and (
        isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5
    ):
        raise InputError("wrong_type", "'rating' must be an integer from 1 to 5")
    submitter = obj.get("submitter")
    if not isinstance(submitter, dict):
        raise InputError(
            "missing_field" if submitter is None else "wrong_type",
            "'submitter' must be an object with at least 'user_id'",
        )
    _unknown(submitter, SUBMITTER_FIELDS, "submitter.")
    user_id = _string(submitter, "user_id", "submitter.", limit=MAX_ID)
    ip = _string(submitter, "ip", "submitter.", limit=64, required=False)
    if ip is not None:
        try:
            ip = str(ipaddress.ip_address(ip.strip()))
        except ValueError:
            raise InputError(
                "invalid_ip", "'submitter.ip' is not an IPv4 or IPv6 address"
            ) from None
    user_agent = _string(
        submitter, "user_agent", "submitter.", limit=MAX_USER_AGENT, required=False
    )
    submitted_at = None
    raw_time = obj.get("submitted_at")
    if raw_time is not None:
        if not isinstance(raw_time, str):
            raise InputError("wrong_type", "'submitted_at' must be an ISO 8601 string")
        try:
            submitted_at = datetime.fromisoformat(raw_time)
        except ValueError:
            raise InputError("invalid_time", "'submitted_at' is not an ISO 8601 time") from None
        if submitted_at.tzinfo is None:
            raise InputError("invalid_time", "'submitted_at' needs a timezone (e.g. +03:30 or Z)")
        try:
            submitted_at.astimezone(UTC)  # stored in UTC: 0001-01-01T00:00+01:00 has no UTC time
        except OverflowError:
            raise InputError("invalid_time", "'submitted_at' is out of range") from None
    assert review_id is not None and product_id is not None and text is not None
    assert user_id is not None
    return ReviewIn(review_id, product_id, text, rating, user_id, ip, user_agent, submitted_at)
