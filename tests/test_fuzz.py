"""Fuzzing a live service on loopback: the served OpenAPI document (schemathesis) and hostile
Persian/Unicode input (hypothesis) on reviews, batches and the moderator queue.

Whatever comes in, nothing may answer 5xx and every error is a named JSON error
`{"error": {"code", "message"}}`. The service runs in a thread of this process (so its log lines
reach the run's privacy check) on a SQLite file and on a fresh PostgreSQL database: several
hostile inputs (NUL characters, lone surrogates) only fail on PostgreSQL.

`MODERATION_FUZZ_EXAMPLES` sets the examples per property (default 100; `make fuzz`: 10000).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import asyncpg
import pytest
import requests
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from moderation.settings import Settings
from moderation.web.app import create_app
from tests.conftest import PG_ADMIN, REQUIRE_PG, _pg_available, make_tokens

EXAMPLES = int(os.environ.get("MODERATION_FUZZ_EXAMPLES", "100"))
MAX_TEXT = 5000
HELD = "پشتیبانتون کصکشه"  # held for a moderator without a model
SEEDED = 40  # held reviews for the queue properties to decide
TIMEOUT = 30  # seconds, per request: a hang is a failure, not a stuck run

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # no example database written into the repository
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ------------------------------------------------------------------------- the live service
@dataclass
class Live:
    """A service listening on loopback, its database and a token per role."""

    base: str
    database_url: str
    tokens: dict[str, str]
    held: list[str]
    http: requests.Session

    def auth(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


class ServerThread:
    """The aiohttp application served by its own event loop in a background thread."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="fuzz-server", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        runner = web.AppRunner(self.app, access_log=None)
        try:
            self.loop.run_until_complete(runner.setup())
            site = web.TCPSite(runner, "127.0.0.1", 0)
            self.loop.run_until_complete(site.start())
            self.port = runner.addresses[0][1]
        except BaseException as exc:  # reported to the test thread
            self.error = exc
            self.ready.set()
            return
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            self.loop.run_until_complete(runner.cleanup())
            self.loop.close()

    def __enter__(self) -> ServerThread:
        self.thread.start()
        if not self.ready.wait(60):
            raise TimeoutError("the service did not start within 60 s")
        if self.error is not None:
            raise self.error
        return self

    def __exit__(self, *_: object) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


def _fresh_postgres() -> tuple[str, str]:
    """(url, name) of a new PostgreSQL database; skips (or fails) when there is none."""
    reason = asyncio.run(_pg_available())
    if reason is not None:
        if REQUIRE_PG:
            pytest.fail(reason + " and MODERATION_REQUIRE_POSTGRES=1")
        pytest.skip(reason)
    name = f"negahban_fuzz_{uuid.uuid4().hex[:12]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


async def _pg_admin(statement: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN, timeout=10)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """The service with no model (detectors and policy only) and no rate limit."""
    tmp = tmp_path_factory.mktemp("fuzz")
    (tmp / "models").mkdir()
    pg_name = None
    if request.param == "sqlite":
        database_url = f"sqlite+aiosqlite:///{tmp / 'fuzz.db'}"
    else:
        database_url, pg_name = _fresh_postgres()
    app = create_app(
        Settings(
            database_url=database_url,
            models_dir=tmp / "models",
            rate_limit_per_second=0,  # the fuzzer sends hundreds a second with one token
        )
    )
    try:
        with ServerThread(app) as server, requests.Session() as http:
            # The service migrated the schema on start; tokens can be made now.
            tokens = asyncio.run(make_tokens(database_url))
            live = Live(f"http://127.0.0.1:{server.port}", database_url, tokens, [], http)
            for n in range(SEEDED):
                review_id = f"fuzz-held-{n}"
                resp = http.post(
                    live.base + "/v1/reviews",
                    json=_review(review_id, f"{HELD} {n}"),
                    headers=live.auth("storefront"),
                    timeout=TIMEOUT,
                )
                assert resp.status_code == 201 and resp.json()["decision"] == "hold"
                live.held.append(review_id)
            yield live
    finally:
        if pg_name is not None:
            asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


# ----------------------------------------------------------------------------------- checks
ERROR_CODE = re.compile(r"[a-z][a-z0-9_]*")


def checked(resp: requests.Response, what: str) -> Any:
    """The decoded JSON body, after: no 5xx, JSON content type, a named error for 4xx."""
    return checked_parts(resp.status_code, resp.headers.get("Content-Type", ""), resp.text, what)


def checked_parts(status: int, content_type: str, text: str, what: str) -> Any:
    """`checked` on a response's parts (schemathesis has its own response type)."""
    assert status < 500, f"{what}: {status} {text[:500]}"
    assert content_type.startswith("application/json"), f"{what}: {status} is {content_type}"
    body = json.loads(text)
    if status >= 400:
        assert isinstance(body, dict) and set(body) == {"error"}, f"{what}: {body}"
        error = body["error"]
        assert isinstance(error, dict) and set(error) == {"code", "message"}, f"{what}: {body}"
        assert isinstance(error["code"], str) and ERROR_CODE.fullmatch(error["code"]), body
        assert isinstance(error["message"], str) and error["message"].strip(), body
    return body


def encoded(obj: Any, raw_utf8: bool) -> bytes:
    """JSON bytes; a lone surrogate can only travel as a `\\udXXX` escape."""
    if raw_utf8:
        try:
            return json.dumps(obj, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            pass
    return json.dumps(obj).encode("ascii")


def path_part(value: str) -> str:
    """A path segment or query value, percent-encoded byte by byte (surrogates included)."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def check_result(result: Any, text: str | None) -> None:
    """Invariants of a stored review's result (DESIGN.md)."""
    assert result["decision"] in ("publish", "publish_edited", "hold", "reject"), result
    assert result["status"] in ("final", "pending")
    assert all(0.0 <= s <= 1.0 for s in result["labels"].values()), result["labels"]
    if text is None:
        return
    edits = sorted(result["edits"], key=lambda e: e["start"])
    pos = 0
    out = []
    for e in edits:  # code-point offsets into the submitted text, not overlapping
        assert pos <= e["start"] <= e["end"] <= len(text), (edits, len(text))
        out.append(text[pos : e["start"]] + e["replacement"])
        pos = e["end"]
    out.append(text[pos:])
    if result["decision"] == "publish":
        assert result["published_text"] == text  # published exactly as submitted
    elif result["decision"] == "publish_edited":
        assert result["published_text"] == "".join(out)
    else:
        assert result["published_text"] is None


# ------------------------------------------------------------------------------ strategies
PERSIAN = "ابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهیءآأإؤئةكيىۀ"
DIGITS = "۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩0123456789"
# Zero-width, bidi controls and embeddings/isolates, BOM, soft hyphen, Arabic letter mark,
# tatweel, combining marks: the characters evasion and display tricks are made of.
INVISIBLE = (
    "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2066\u2067\u2068\u2069\ufeff\u00ad\u061c\u0640\u064b\u0651\u0301"
)
ODD = ["\x00", "\ud800", "\udfff", "\udbff\udfff", "\U0001f600", "\x7f", "\r\n", "\u2028", "\\"]
WORDS = [
    HELD,
    "کصکش",
    "ک.ص.ک.ش",
    "ک‌ص‌ک‌ش",
    "k0s",
    "مودم خوبیه، راضیم",
    "09121234567",
    "۰۹۱۲۱۲۳۴۵۶۷",
    "٠٩١٢١٢٣٤٥٦٧",
    "0912 123 4567",
    "me@example.com",
    "6037991234567890",
    "IR820540102680020817909002",
    "t.me/shop",
    "https://example.com/x?y=1",
    "@cheap_shop",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{7*7}}",
    "%00",
    "\\u0000",
    "RLO\u202eزرخ",
    "Hello سلام World",
]
CHAR = st.one_of(
    st.sampled_from(list(PERSIAN + DIGITS + INVISIBLE)),
    st.sampled_from(ODD),
    st.characters(),  # anything, surrogates and controls included
)
SHORT_TEXT = st.lists(st.one_of(CHAR, st.sampled_from(WORDS)), max_size=30).map("".join)
# Huge repeats on both sides of the limit (in code points: a ZWNJ counts as one).
HUGE_TEXT = st.builds(
    lambda piece, size: (piece * (size // max(len(piece), 1) + 1))[:size],
    st.sampled_from([*WORDS, "\u200c", "ی\u200c", "\u202e", "😀"]),
    st.sampled_from([MAX_TEXT - 1, MAX_TEXT, MAX_TEXT + 1, 3 * MAX_TEXT]),
)
TEXT = st.one_of(SHORT_TEXT, SHORT_TEXT, HUGE_TEXT)
JUNK: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | SHORT_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(SHORT_TEXT, inner, max_size=3),
    max_leaves=6,
)


def _review(review_id: str, text: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "review_id": review_id,
        "product_id": "p-fuzz",
        "text": text,
        "submitter": {"user_id": "u-fuzz", "ip": "203.0.113.7", "user_agent": "Mozilla/5.0"},
    }
    body.update(extra)
    return body


@st.composite
def reviews(draw: st.DrawFn) -> dict[str, Any]:
    """A review object: mostly well formed, with hostile text and now and then a bad field."""
    review_id = draw(
        st.one_of(
            st.builds(lambda: f"fz-{uuid.uuid4().hex}"),  # new: scored and stored
            st.sampled_from(["fz-same-1", "fz-same-2"]),  # reused: 200 or a 409 conflict
            SHORT_TEXT,
        )
    )
    body = _review(review_id, draw(TEXT))
    if draw(st.booleans()):
        body["submitter"] = draw(
            st.fixed_dictionaries(
                {"user_id": SHORT_TEXT},
                optional={
                    "ip": st.one_of(st.sampled_from(["::1", "198.51.100.23", "۱۲۷.۰.۰.۱"]), TEXT),
                    "user_agent": TEXT,
                },
            )
        )
    if draw(st.booleans()):
        body["rating"] = draw(st.one_of(st.integers(-2, 7), st.floats(), SHORT_TEXT))
    if draw(st.booleans()):
        body["submitted_at"] = draw(
            st.one_of(
                st.sampled_from(
                    [
                        "2026-01-01T10:00:00+03:30",
                        "2026-01-01T10:00:00Z",
                        "0001-01-01T00:00:00+14:00",
                        "9999-12-31T23:59:59-14:00",
                        "۲۰۲۶-۰۱-۰۱T۱۰:۰۰:۰۰Z",
                        "2026-01-01",
                    ]
                ),
                SHORT_TEXT,
            )
        )
    if draw(st.integers(0, 9)) == 0:  # a field of the wrong type, or an unknown one
        key = draw(st.sampled_from(["review_id", "product_id", "text", "submitter", "extra"]))
        body[key] = draw(JUNK)
    return body


# ---------------------------------------------------------------- (a) the OpenAPI document
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_openapi_operations_never_fail_and_errors_are_json(
    live: Live, mode: GenerationMode
) -> None:
    """Every operation of /v1/openapi.json, with schema-valid and schema-violating requests."""
    schema = schemathesis.openapi.from_url(live.base + "/v1/openapi.json", timeout=TIMEOUT)
    auth = live.auth("storefront")

    @FUZZ
    @given(case=schema.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case[Any]) -> None:
        resp = case.call(base_url=live.base, headers=auth, timeout=TIMEOUT)
        case.validate_response(
            resp,
            headers=auth,
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
        if resp.status_code >= 400:
            content_type = resp.headers.get("content-type", [""])[0]
            checked_parts(resp.status_code, content_type, resp.text, case.formatted_path)
        assert live.tokens["storefront"] not in resp.text

    run()


# ----------------------------------------------------- (b) hostile text on every entry point
@FUZZ
@given(body=reviews(), raw_utf8=st.booleans())
def test_reviews_take_any_unicode(live: Live, body: dict[str, Any], raw_utf8: bool) -> None:
    data = encoded(body, raw_utf8)
    sent = json.loads(data)  # as the service reads it: an escaped surrogate pair is one char
    resp = live.http.post(
        live.base + "/v1/reviews",
        data=data,
        headers={**live.auth("storefront"), "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    result = checked(resp, "POST /v1/reviews")
    if resp.status_code in (200, 201):
        check_result(result, sent["text"] if resp.status_code == 201 else None)
        assert result["id"] == sent["review_id"]
    else:
        assert resp.status_code in (400, 409, 413), resp.status_code


@FUZZ
@given(body=st.binary(max_size=200), prefix=st.sampled_from([b"", b'{"text": "', b"\xef\xbb\xbf"]))
def test_reviews_take_any_bytes(live: Live, body: bytes, prefix: bytes) -> None:
    resp = live.http.post(
        live.base + "/v1/reviews",
        data=prefix + body,
        headers={**live.auth("storefront"), "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    checked(resp, "POST /v1/reviews (bytes)")


@FUZZ
@given(
    items=st.lists(st.one_of(reviews(), reviews(), JUNK), min_size=1, max_size=6),
    raw_utf8=st.booleans(),
)
def test_batches_answer_each_item(live: Live, items: list[Any], raw_utf8: bool) -> None:
    data = encoded({"reviews": items}, raw_utf8)
    items = json.loads(data)["reviews"]  # as the service reads them
    resp = live.http.post(
        live.base + "/v1/reviews/batch",
        data=data,
        headers={**live.auth("storefront"), "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    body = checked(resp, "POST /v1/reviews/batch")
    assert resp.status_code == 200, body
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(items)))
    assert body["accepted"] + body["errors"] == len(items)
    for item, r in zip(items, results, strict=True):
        if "error" in r:
            assert set(r["error"]) == {"code", "message"} and ERROR_CODE.fullmatch(
                r["error"]["code"]
            )
        else:
            assert r["status"] in (200, 201)
            check_result(r["result"], item["text"] if r["status"] == 201 else None)


QUERY_VALUE = st.one_of(
    st.sampled_from(
        [
            "insult",
            "criminal",
            "pending",
            "rejected",
            "nan",
            "inf",
            "-inf",
            "1e308",
            "1e-320",
            "-0",
            "0x10",
            "1_0",
            " 5 ",
            "۵",
            "٥",
            "۰.۵",
            "",
            "5\x00",
        ]
    ),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(str),
    SHORT_TEXT,
)


@FUZZ
@given(
    params=st.lists(
        st.tuples(
            st.sampled_from(["label", "min_score", "max_age_hours", "limit", "list", "x", "لیبل"]),
            QUERY_VALUE,
        ),
        max_size=4,
    )
)
def test_queue_listing_takes_any_parameters(live: Live, params: list[tuple[str, str]]) -> None:
    query = "&".join(f"{path_part(k)}={path_part(v)}" for k, v in params)
    resp = live.http.get(
        f"{live.base}/v1/queue?{query}", headers=live.auth("moderator"), timeout=TIMEOUT
    )
    body = checked(resp, "GET /v1/queue")
    if resp.status_code == 200:
        assert body["count"] == len(body["items"])
    else:
        assert resp.status_code == 400


REVIEW_IDS = st.one_of(st.sampled_from([f"fuzz-held-{n}" for n in range(SEEDED)]), SHORT_TEXT)
DECISIONS = st.one_of(
    st.fixed_dictionaries(
        {
            "action": st.one_of(
                st.sampled_from(["approve", "approve_edited", "edit", "reject", "escalate"]),
                SHORT_TEXT,
            )
        },
        optional={
            "text": st.one_of(TEXT, JUNK),
            "reason": st.one_of(st.sampled_from(["insult", "spam", "other"]), TEXT),
            "note": st.one_of(TEXT, JUNK),
            "extra": JUNK,
        },
    ),
    JUNK,
)


@FUZZ
@given(
    review_id=REVIEW_IDS,
    steps=st.lists(st.sampled_from(["claim", "decision", "release", "undo"]), max_size=3),
    decision=DECISIONS,
    raw_utf8=st.booleans(),
)
def test_queue_actions_take_any_ids_and_bodies(
    live: Live, review_id: str, steps: list[str], decision: Any, raw_utf8: bool
) -> None:
    for step in [*steps, "decision"]:
        resp = live.http.post(
            f"{live.base}/v1/queue/{path_part(review_id)}/{step}",
            data=encoded(decision, raw_utf8) if step == "decision" else None,
            headers={**live.auth("moderator"), "Content-Type": "application/json"},
            timeout=TIMEOUT,
        )
        body = checked(resp, f"POST /v1/queue/{{id}}/{step}")
        if resp.status_code == 200 and step != "release":
            assert body["id"] == review_id
        elif resp.status_code != 200:
            assert resp.status_code in (400, 404, 409), (step, resp.status_code, body)
    state = live.http.get(
        f"{live.base}/v1/reviews/{path_part(review_id)}",
        headers=live.auth("storefront"),
        timeout=TIMEOUT,
    )
    checked(state, "GET /v1/reviews/{id}")


@FUZZ
@given(
    ids=st.one_of(st.lists(REVIEW_IDS, min_size=1, max_size=4), JUNK),
    decision=DECISIONS,
    raw_utf8=st.booleans(),
)
def test_bulk_decisions_take_any_ids(live: Live, ids: Any, decision: Any, raw_utf8: bool) -> None:
    body = {**decision, "review_ids": ids} if isinstance(decision, dict) else decision
    resp = live.http.post(
        f"{live.base}/v1/queue/bulk",
        data=encoded(body, raw_utf8),
        headers={**live.auth("moderator"), "Content-Type": "application/json"},
        timeout=TIMEOUT,
    )
    out = checked(resp, "POST /v1/queue/bulk")
    if resp.status_code == 200:
        assert len(out["results"]) == len(ids)


# ------------------------------------------------------- regressions: what the fuzzers found
def test_inputs_that_used_to_fail_now_get_named_errors(live: Live) -> None:
    """Each of these answered 500 before (some only on PostgreSQL)."""
    store, mod, legal, admin = (live.auth(r) for r in ("storefront", "moderator", "legal", "admin"))
    json_type = {"Content-Type": "application/json"}
    # An id with NUL: PostgreSQL refuses even to compare it.
    escalated = f"fz-escalated-{uuid.uuid4().hex}"
    created = live.http.post(
        live.base + "/v1/reviews", json=_review(escalated, HELD), headers=store, timeout=TIMEOUT
    )
    assert created.status_code == 201 and created.json()["decision"] == "hold"
    checked(
        live.http.post(
            f"{live.base}/v1/queue/{escalated}/decision",
            json={"action": "escalate"},
            headers=mod,
            timeout=TIMEOUT,
        ),
        "escalate",
    )
    cases = checked(
        live.http.get(f"{live.base}/v1/legal/cases", headers=legal, timeout=TIMEOUT), "cases"
    )["cases"]
    case_id = next(c["case_id"] for c in cases if c["review_id"] == escalated)
    nul = "%00"
    for method, path, headers, body, status in [
        ("GET", f"/v1/reviews/{nul}", store, None, 404),
        ("DELETE", f"/v1/reviews/{nul}", store, None, 404),
        ("POST", f"/v1/queue/{nul}/claim", mod, None, 404),
        ("POST", f"/v1/queue/{nul}/release", mod, None, 409),
        ("POST", f"/v1/queue/{nul}/undo", mod, None, 404),
        ("POST", f"/v1/queue/{nul}/decision", mod, b'{"action": "approve"}', 404),
        ("POST", "/v1/queue/bulk", mod, b'{"review_ids": ["\\u0000"], "action": "approve"}', 200),
        ("POST", "/v1/queue/bulk", mod, b'{"review_ids": ["\\ud800"], "action": "approve"}', 200),
        ("GET", f"/v1/legal/cases/{nul}", legal, None, 404),
        ("GET", f"/v1/legal/cases/{nul}/export?reason=order-1", legal, None, 404),
        ("GET", f"/v1/legal/cases/{case_id}?reason=order%00", legal, None, 400),
        ("POST", f"/v1/legal/cases/{case_id}/release", legal, b'{"reason": "a\\u0000b"}', 400),
        ("POST", f"/v1/legal/cases/{case_id}/release", legal, b'{"reason": "ab\\udc00c"}', 400),
        # A lone surrogate in a decision: no database can store it.
        (
            "POST",
            f"/v1/queue/{live.held[0]}/decision",
            mod,
            b'{"action": "approve", "note": "\\ud800"}',
            400,
        ),
        (
            "POST",
            f"/v1/queue/{live.held[0]}/decision",
            mod,
            b'{"action": "edit", "text": "x\\udfff"}',
            400,
        ),
        # Query numbers beyond the calendar.
        ("GET", "/v1/queue?max_age_hours=inf", mod, None, 400),
        ("GET", "/v1/queue?max_age_hours=1e308", mod, None, 400),
        ("GET", "/v1/queue?max_age_hours=1e12", mod, None, 400),
        # JSON the decoder itself refuses in unusual ways.
        ("POST", "/v1/reviews", store, b"[" * 100_000 + b"]" * 100_000, 400),
        ("POST", "/v1/reviews", store, b'{"rating": ' + b"1" * 5000 + b"}", 400),
        # A time with no UTC equivalent.
        (
            "POST",
            "/v1/reviews",
            store,
            json.dumps(_review("fz-t1", "x", submitted_at="0001-01-01T00:00:00+14:00")).encode(),
            400,
        ),
        (
            "POST",
            "/v1/reviews",
            store,
            json.dumps(_review("fz-t2", "x", submitted_at="9999-12-31T23:59:59-14:00")).encode(),
            400,
        ),
        # Model names the file system cannot take.
        ("POST", "/v1/admin/model", admin, b'{"version": "\\u0000"}', 400),
        ("POST", "/v1/admin/model", admin, b'{"version": "\\ud800"}', 400),
        ("POST", "/v1/admin/model", admin, b'{"version": ""}', 400),
        ("POST", "/v1/admin/model", admin, b'{"version": "/"}', 400),
        ("POST", "/v1/admin/model", admin, json.dumps({"version": "m" * 5000}).encode(), 400),
        ("POST", "/v1/admin/shadow", admin, b'{"version": "\\u0000"}', 400),
        ("POST", "/v1/admin/shadow", admin, b'{"version": "../models/x"}', 400),
        ("POST", "/v1/admin/shadow", admin, b'{"version": 7}', 400),
    ]:
        resp = live.http.request(
            method, live.base + path, data=body, headers={**headers, **json_type}, timeout=TIMEOUT
        )
        out = checked(resp, f"{method} {path[:60]}")
        assert resp.status_code == status, (method, path[:60], resp.status_code, out)
        if path == "/v1/queue/bulk":
            assert out["results"][0]["error"]["code"] == "not_found"
