"""The security matrix: every route of the app × every kind of caller, plus body limits, token
secrecy, XSS payloads and the per-token rate limit.

The table below is the access policy written out. The test walks `app.router.routes()`, so a
route added without a row here fails, and a handler whose declared roles drift from its row
fails too.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse, web

from moderation.web.ratelimit import TokenBuckets
from tests.conftest import Service, ServiceFactory

ROLES = ("storefront", "moderator", "legal", "admin")
CALLERS = (*ROLES, "no token", "wrong token")
WRONG_TOKEN = "ngb_" + "x" * 43


@dataclass(frozen=True)
class Row:
    """How one route is protected.

    kind: "public" (anyone), "bearer" (a token of one of `roles`) or "page" (the moderators'
    page: a session cookie; without one, a redirect to the sign-in page or 401/403).
    """

    kind: str
    path: str  # a concrete path to call it with
    roles: frozenset[str] = frozenset()


def bearer(path: str, *roles: str) -> Row:
    return Row("bearer", path, frozenset(roles))


TABLE: dict[tuple[str, str], Row] = {
    ("GET", "/healthz"): Row("public", "/healthz"),
    ("GET", "/readyz"): Row("public", "/readyz"),
    ("GET", "/metrics"): Row("public", "/metrics"),
    ("GET", "/v1/openapi.json"): Row("public", "/v1/openapi.json"),
    ("POST", "/v1/reviews"): bearer("/v1/reviews", "storefront"),
    ("POST", "/v1/reviews/batch"): bearer("/v1/reviews/batch", "storefront"),
    ("GET", "/v1/reviews/{review_id}"): bearer("/v1/reviews/sec-1", "storefront", "moderator"),
    ("DELETE", "/v1/reviews/{review_id}"): bearer("/v1/reviews/nope", "storefront"),
    ("GET", "/v1/legal/cases"): bearer("/v1/legal/cases", "legal"),
    ("GET", "/v1/legal/cases/{case_id}"): bearer("/v1/legal/cases/c-nope", "legal"),
    ("GET", "/v1/legal/cases/{case_id}/export"): bearer("/v1/legal/cases/c-nope/export", "legal"),
    ("POST", "/v1/legal/cases/{case_id}/release"): bearer(
        "/v1/legal/cases/c-nope/release", "legal"
    ),
    ("GET", "/v1/admin/model"): bearer("/v1/admin/model", "admin"),
    ("POST", "/v1/admin/model"): bearer("/v1/admin/model", "admin"),
    ("GET", "/v1/admin/shadow"): bearer("/v1/admin/shadow", "admin"),
    ("POST", "/v1/admin/shadow"): bearer("/v1/admin/shadow", "admin"),
    ("GET", "/v1/queue"): bearer("/v1/queue", "moderator"),
    ("POST", "/v1/queue/bulk"): bearer("/v1/queue/bulk", "moderator"),
    ("POST", "/v1/queue/{review_id}/claim"): bearer("/v1/queue/nope/claim", "moderator"),
    ("POST", "/v1/queue/{review_id}/release"): bearer("/v1/queue/nope/release", "moderator"),
    ("POST", "/v1/queue/{review_id}/decision"): bearer("/v1/queue/nope/decision", "moderator"),
    ("POST", "/v1/queue/{review_id}/undo"): bearer("/v1/queue/nope/undo", "moderator"),
    # The moderators' page: authenticated by its session cookie, never by a bearer token.
    ("GET", "/queue"): Row("page", "/queue"),
    ("GET", "/queue/login"): Row("public", "/queue/login"),
    ("POST", "/queue/login"): Row("public", "/queue/login"),
    ("POST", "/queue/logout"): Row("page", "/queue/logout"),
    ("POST", "/queue/decide"): Row("page", "/queue/decide"),
    ("POST", "/queue/next"): Row("page", "/queue/next"),
    ("POST", "/queue/release"): Row("page", "/queue/release"),
    ("POST", "/queue/undo"): Row("page", "/queue/undo"),
    ("GET", "/queue/static"): Row("public", "/queue/static/queue.css"),
}
# The routes that read a body (claim, release and undo take none and never read one).
JSON_BODY_ROUTES = [
    ("POST", "/v1/reviews"),
    ("POST", "/v1/reviews/batch"),
    ("POST", "/v1/legal/cases/{case_id}/release"),
    ("POST", "/v1/admin/model"),
    ("POST", "/v1/admin/shadow"),
    ("POST", "/v1/queue/bulk"),
    ("POST", "/v1/queue/{review_id}/decision"),
]


def routes_of(app: web.Application) -> list[tuple[str, str, Any]]:
    """(method, route template, handler) of every route; HEAD is checked like its GET."""
    out = []
    for route in app.router.routes():
        resource = route.resource
        assert resource is not None
        out.append((route.method, resource.canonical, route.handler))
    return out


def headers_for(service: Service, caller: str) -> dict[str, str]:
    if caller == "no token":
        return {}
    if caller == "wrong token":
        return {"Authorization": f"Bearer {WRONG_TOKEN}"}
    return service.auth(caller)


def secrets_of(service: Service) -> list[str]:
    """Every token and its stored hash: none may ever appear in a response."""
    tokens = [*service.tokens.values(), WRONG_TOKEN]
    return tokens + [hashlib.sha256(t.encode()).hexdigest() for t in tokens]


async def body_and_headers(resp: ClientResponse) -> str:
    text = await resp.text() if resp.method != "HEAD" else ""
    return text + "\n" + "\n".join(f"{k}: {v}" for k, v in resp.headers.items())


async def assert_json_error(resp: ClientResponse, code: str | None = None) -> dict[str, Any]:
    assert resp.content_type == "application/json", (resp.status, resp.content_type)
    if resp.method == "HEAD":
        return {}
    body = await resp.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code, body
    error: dict[str, Any] = body["error"]
    return error


# -------------------------------------------------------------------------- the route table
async def test_every_route_has_a_row_and_the_rows_match_the_handlers(service: Service) -> None:
    app = service.client.app
    assert app is not None
    seen = set()
    for method, template, handler in routes_of(app):
        key = ("GET" if method == "HEAD" else method, template)
        assert key in TABLE, f"{method} {template} has no row in the security matrix"
        seen.add(key)
        row = TABLE[key]
        declared = getattr(handler, "roles", None)
        if row.kind == "bearer":
            assert declared == row.roles, (key, declared, row.roles)
        else:  # public and page routes must not be reachable by a bearer token alone either
            assert declared is None, (key, declared)
    assert seen == set(TABLE), f"rows for routes that do not exist: {set(TABLE) - seen}"


async def test_every_route_against_every_caller(service: Service) -> None:
    app = service.client.app
    assert app is not None
    # Something to read, so an allowed GET of a review is a 200 and not only "not 401/403".
    posted = await service.client.post(
        "/v1/reviews",
        json={
            "review_id": "sec-1",
            "product_id": "p",
            "text": "مودم خوبیه",
            "submitter": {"user_id": "u-1", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
        },
        headers=service.auth("storefront"),
    )
    assert posted.status == 201
    secrets = secrets_of(service)
    cells = 0
    for method, template, _ in routes_of(app):
        row = TABLE["GET" if method == "HEAD" else method, template]
        for caller in CALLERS:
            kwargs: dict[str, Any] = {"headers": headers_for(service, caller)}
            if method == "POST":
                if row.kind == "bearer":
                    kwargs["json"] = {}
                else:
                    kwargs["data"] = {"csrf": "x", "review_id": "nope"}
            resp = await service.client.request(method, row.path, allow_redirects=False, **kwargs)
            where = (method, template, caller, resp.status)
            cells += 1
            assert resp.status < 500, where
            seen = await body_and_headers(resp)
            assert not any(s in seen for s in secrets), ("a token in the response", where)
            if row.kind == "public":
                assert resp.status not in (401, 403) or template == "/queue/login", where
            elif row.kind == "page":
                # Bearer tokens open nothing here; without a session: to the sign-in page.
                if resp.status == 303:
                    assert resp.headers["Location"].startswith("/queue/login"), where
                else:
                    assert resp.status in (401, 403), where
            elif caller in row.roles:
                assert resp.status not in (401, 403), where
            elif caller in ROLES:
                assert resp.status == 403, where
                await assert_json_error(resp, "forbidden")
            else:
                assert resp.status == 401, where
                await assert_json_error(resp, "unauthorized")
    assert cells >= len(TABLE) * len(CALLERS)


@pytest.mark.parametrize(
    "authorization",
    ["Basic c3RvcmVmcm9udDpwdw==", "Bearer", "Bearer ", "bearer", "Token abc", "Bearer a b"],
)
async def test_malformed_authorization_headers_are_401(
    service: Service, authorization: str
) -> None:
    resp = await service.client.get("/v1/queue", headers={"Authorization": authorization})
    assert resp.status == 401
    await assert_json_error(resp, "unauthorized")


# ------------------------------------------------------------------------------ body limits
@pytest.mark.parametrize(("method", "template"), JSON_BODY_ROUTES)
async def test_oversized_bodies_are_a_json_413_on_every_route(
    service_factory: ServiceFactory, method: str, template: str
) -> None:
    service = await service_factory(max_body_bytes=4096)
    row = TABLE[method, template]
    role = sorted(row.roles)[0]
    body = json.dumps({"text": "ا" * 4096}).encode()  # valid JSON, 8 KB
    resp = await service.client.request(
        method,
        row.path,
        data=body,
        headers={**service.auth(role), "Content-Type": "application/json"},
    )
    assert resp.status == 413, (template, resp.status)
    await assert_json_error(resp, "body_too_large")


async def test_the_default_body_limit_is_enforced_and_a_form_too(service: Service) -> None:
    huge = b'{"text": "' + b"a" * (2 * 1024 * 1024) + b'"}'  # just over the 2 MiB default
    resp = await service.client.post(
        "/v1/reviews", data=io.BytesIO(huge), headers=service.auth("storefront")
    )
    assert resp.status == 413
    await assert_json_error(resp, "body_too_large")
    form = await service.client.post(
        "/queue/login",
        data=io.BytesIO(b"token=" + b"a" * (2 * 1024 * 1024)),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status == 413
    await assert_json_error(form, "body_too_large")


# ------------------------------------------------------------------------------------- XSS
XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '"><svg onload=alert(1)>',
    "</script><script>alert(document.cookie)</script>",
    "javascript:alert(1)",
    "<a href='javascript:alert(1)'>کلیک</a>",
    "\u202e<script>alert(1)</script>",
]


async def test_xss_payloads_come_back_as_json_data_only(service: Service) -> None:
    store, mod = service.auth("storefront"), service.auth("moderator")
    for n, payload in enumerate(XSS):
        text = f"{payload} پشتیبانتون کصکشه"  # held: it reaches the moderators too
        resp = await service.client.post(
            "/v1/reviews",
            json={
                "review_id": f"xss-{n}",
                "product_id": payload[:100],
                "text": text,
                "submitter": {"user_id": payload[:100], "user_agent": payload},
            },
            headers=store,
        )
        assert resp.status == 201 and resp.content_type == "application/json"
        result = json.loads(await resp.text())
        assert result["decision"] == "hold"
        read = await service.client.get(f"/v1/reviews/xss-{n}", headers=mod)
        assert read.content_type == "application/json"
        assert (await read.json())["id"] == f"xss-{n}"
    listing = await service.client.get("/v1/queue?limit=200", headers=mod)
    assert listing.content_type == "application/json"
    items = {i["id"]: i for i in (await listing.json())["items"]}
    for n, payload in enumerate(XSS):
        # The payload is a JSON string value, byte for byte; nothing renders or rewrites it.
        assert items[f"xss-{n}"]["text"] == f"{payload} پشتیبانتون کصکشه"
        assert items[f"xss-{n}"]["product_id"] == payload[:100]
    # An id echoed in an error message is JSON too (with a JSON content type, not HTML).
    for payload in XSS:
        resp = await service.client.get(f"/v1/reviews/{payload.replace('/', '%2F')}", headers=mod)
        assert resp.status == 404 and resp.content_type == "application/json"
        await assert_json_error(resp, "not_found")


# -------------------------------------------------------------------------------- rate limit
async def test_rate_limit_is_per_token_with_retry_after(service_factory: ServiceFactory) -> None:
    service = await service_factory(rate_limit_per_second=2, rate_limit_burst=3)
    store = service.auth("storefront")
    statuses = [
        (await service.client.get("/v1/reviews/nope", headers=store)).status for _ in range(3)
    ]
    assert statuses == [404, 404, 404]  # the burst
    limited = await service.client.get("/v1/reviews/nope", headers=store)
    assert limited.status == 429
    assert int(limited.headers["Retry-After"]) >= 1
    await assert_json_error(limited, "rate_limited")
    # Other tokens have buckets of their own; unauthenticated and public calls are not counted.
    assert (await service.client.get("/v1/queue", headers=service.auth("moderator"))).status == 200
    assert (await service.client.get("/v1/reviews/nope")).status == 401
    assert (await service.client.get("/healthz")).status == 200
    # A wrong token is refused as such, never with a 429 (it never gets a bucket).
    wrong = {"Authorization": f"Bearer {WRONG_TOKEN}"}
    assert {(await service.client.get("/v1/queue", headers=wrong)).status for _ in range(5)} == {
        401
    }


async def test_rate_limit_zero_turns_it_off(service_factory: ServiceFactory) -> None:
    service = await service_factory(rate_limit_per_second=0, rate_limit_burst=0)
    store = service.auth("storefront")
    for _ in range(30):
        assert (await service.client.get("/v1/reviews/nope", headers=store)).status == 404


def test_token_bucket_refills_at_the_rate() -> None:
    now = [100.0]
    buckets = TokenBuckets(rate=4, burst=2, clock=lambda: now[0])
    assert [buckets.take("a") for _ in range(2)] == [0.0, 0.0]
    assert buckets.take("a") == pytest.approx(0.25)  # one request every 1/4 s
    assert buckets.take("b") == 0.0  # another token
    now[0] += 0.25
    assert buckets.take("a") == 0.0
    assert buckets.take("a") > 0
    now[0] += 10  # idle: back to a full burst, not more
    assert [buckets.take("a") for _ in range(3)] == [0.0, 0.0, pytest.approx(0.25)]
    with pytest.raises(ValueError, match="negative"):
        TokenBuckets(rate=-1, burst=1)
