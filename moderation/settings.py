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
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_poll_seconds: float = 1.0
    claim_minutes: float = 10.0
    undo_seconds: float = 120.0
    retention_days: int = 90
    retention_interval_seconds: float = 24 * 3600
    upgrade_on_start: bool = True
    # How often each instance looks for a model activated through another instance; 0 turns
    # the follower off (an activation then reaches other instances when they restart).
    model_poll_seconds: float = 5.0
    # Per-token token bucket (requests a second, burst size); 0 requests a second turns it off.
    # The default leaves room for a storefront posting every review with one token.
    rate_limit_per_second: float = 1000.0
    rate_limit_burst: float = 2000.0

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
            webhook_url=env.get("MODERATION_WEBHOOK_URL") or None,
            webhook_secret=env.get("MODERATION_WEBHOOK_SECRET") or None,
            model_poll_seconds=float(
                env.get("MODERATION_MODEL_POLL_SECONDS", default.model_poll_seconds)
            ),
            retention_days=int(env.get("MODERATION_RETENTION_DAYS", default.retention_days)),
            rate_limit_per_second=float(
                env.get("MODERATION_RATE_LIMIT_PER_SECOND", default.rate_limit_per_second)
            ),
            rate_limit_burst=float(
                env.get("MODERATION_RATE_LIMIT_BURST", default.rate_limit_burst)
            ),
        )

    def check(self) -> None:
        """Refuse settings that cannot work together."""
        if self.webhook_url and not self.webhook_secret:
            raise ValueError("MODERATION_WEBHOOK_URL needs MODERATION_WEBHOOK_SECRET to sign with")
        if not self.model_poll_seconds >= 0:  # also refuses NaN
            raise ValueError("MODERATION_MODEL_POLL_SECONDS must be 0 (off) or a positive number")
