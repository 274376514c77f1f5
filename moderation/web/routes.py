"""Every route of the service, in one place."""

from aiohttp import web

from moderation.web import admin, legal, page, queue, reviews, system


def setup(app: web.Application) -> None:
    """Register the routes."""
    app.router.add_get("/healthz", system.healthz)
    app.router.add_get("/readyz", system.readyz)
    app.router.add_get("/metrics", system.metrics)
    app.router.add_get("/v1/openapi.json", system.openapi)
    app.router.add_post("/v1/reviews", reviews.post_review)
    app.router.add_post("/v1/reviews/batch", reviews.post_batch)
    app.router.add_get("/v1/reviews/{review_id}", reviews.get_review)
    app.router.add_delete("/v1/reviews/{review_id}", reviews.delete_review)
    app.router.add_get("/v1/legal/cases", legal.list_cases)
    app.router.add_get("/v1/legal/cases/{case_id}", legal.get_case)
    app.router.add_get("/v1/legal/cases/{case_id}/export", legal.export_case)
    app.router.add_post("/v1/legal/cases/{case_id}/release", legal.release_case)
    app.router.add_get("/v1/admin/model", admin.get_model)
    app.router.add_post("/v1/admin/model", admin.switch_model)
    app.router.add_get("/v1/admin/shadow", admin.get_shadow)
    app.router.add_post("/v1/admin/shadow", admin.set_shadow)
    app.router.add_get("/v1/queue", queue.list_queue)
    app.router.add_post("/v1/queue/bulk", queue.bulk)
    app.router.add_post("/v1/queue/{review_id}/claim", queue.claim)
    app.router.add_post("/v1/queue/{review_id}/release", queue.release)
    app.router.add_post("/v1/queue/{review_id}/decision", queue.decide)
    app.router.add_post("/v1/queue/{review_id}/undo", queue.undo)
    page.setup(app)
