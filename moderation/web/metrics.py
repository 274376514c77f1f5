"""Prometheus metrics, one registry per application (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """Request counts and latency, decisions by label and outcome, the model in service."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "moderation_http_requests",
            "HTTP requests",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "moderation_http_request_seconds",
            "HTTP request latency",
            ["method", "route"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
            registry=self.registry,
        )
        self.decisions = Counter(
            "moderation_decisions", "Automatic decisions", ["decision"], registry=self.registry
        )
        self.flags = Counter(
            "moderation_flags",
            "Flagged labels by decision",
            ["label", "decision"],
            registry=self.registry,
        )
        self.model = Gauge(
            "moderation_model_info",
            "The model in service (value 1)",
            ["version"],
            registry=self.registry,
        )
        self.model_in_sync = Gauge(
            "moderation_model_in_sync",
            "1 when this instance serves the activated model (or none was activated), else 0",
            registry=self.registry,
        )
        self.model_in_sync.set(1)
        self.webhooks = Counter(
            "moderation_webhook_deliveries",
            "Webhook delivery attempts",
            ["result"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)

    def set_model(self, version: str) -> None:
        """Mark `version` as the one in service."""
        self.model.clear()
        self.model.labels(version=version).set(1)
