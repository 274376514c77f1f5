"""Every route of the service, in one place."""

from aiohttp import web

from moderation.web import reviews, system


def setup(app: web.Application) -> None:
    """Register the routes."""
    app.router.add_get("/healthz", system.healthz)
    app.router.add_get("/readyz", system.readyz)
    app.router.add_get("/metrics", system.metrics)
    app.router.add_get("/v1/openapi.json", system.openapi)
    app.router.add_post("/v1/reviews", reviews.post_review)
    app.router.add_post("/v1/reviews/batch", reviews.post_batch)
    app.router.add_get("/v1/reviews/{review_id}", reviews.get_review)
