"""The moderators' web page without a browser: sign-in, session cookie, CSRF, escaping, privacy."""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp import ClientResponse
from markupsafe import escape
from sqlalchemy import update

from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.models import Token, utcnow
from moderation.web import session
from moderation.web.keys import SESSION_SECRET
from moderation.web.render import Change, Piece, diff, highlight
from tests.conftest import Service
from tests.test_web_queue import HELD, SECRET_UA, review, second_moderator

IP = "198.51.100.23"
USER_ID = "user-4242"
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
BAD_ID = 'x-3"><svg onload=alert(1)>'


async def submit(service: Service, review_id: str, text: str = HELD) -> None:
    resp = await service.client.post(
        "/v1/reviews", json=review(review_id, text), headers=service.auth("storefront")
    )
    assert (await resp.json())["decision"] == "hold", text


async def sign_in(service: Service, role: str = "moderator") -> ClientResponse:
    return await service.client.post(
        "/queue/login", data={"token": service.tokens[role]}, allow_redirects=False
    )


async def page(service: Service, path: str = "/queue") -> str:
    resp = await service.client.get(path, allow_redirects=False)
    assert resp.status == 200, resp.status
    return await resp.text()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def current_id(html: str) -> str | None:
    found = re.search(r'<article id="current" data-review-id="([^"]*)"', html)
    return found.group(1) if found else None


async def state(service: Service, review_id: str) -> dict[str, Any]:
    resp = await service.client.get(f"/v1/reviews/{review_id}", headers=service.auth("moderator"))
    body: dict[str, Any] = await resp.json()
    return body


async def test_a_moderator_signs_in_and_sees_the_held_item(service: Service) -> None:
    await submit(service, "q-1")
    resp = await sign_in(service)
    assert resp.status == 303 and resp.headers["Location"] == "/queue"
    html = await page(service)
    assert '<html lang="fa" dir="rtl">' in html
    assert current_id(html) == "q-1"
    assert re.search(r'<mark class="insult" data-name="توهین یا ناسزا"[^>]*>کصکشه</mark>', html)
    assert "<del>کصکشه</del><ins>ک***</ins>" in html  # the automatic edit as a diff
    assert '<tr class="flagged" data-label="insult">' in html  # the flagged score stands out
    assert "ستاره‌گذاری ناسزا" in html and "rules-only" in html  # the rule and model version
    assert "u-" in html and "نگه‌داشته: ۱" in html  # the author's pseudonym and history
    assert "<kbd>A</kbd>" in html and "میان‌برها" in html  # the visible shortcut legend
    headers = (await service.client.get("/queue")).headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


async def test_an_empty_queue_says_so_and_signing_out_ends_the_session(service: Service) -> None:
    await sign_in(service)
    html = await page(service)
    assert "صف خالی است" in html and current_id(html) is None
    resp = await service.client.post(
        "/queue/logout", data={"csrf": csrf_of(html)}, allow_redirects=False
    )
    assert resp.status == 303 and resp.headers["Location"] == "/queue/login"
    assert resp.cookies[session.COOKIE].value == ""
    again = await service.client.get("/queue", allow_redirects=False)
    assert again.status == 303 and again.headers["Location"].startswith("/queue/login")


async def test_the_session_cookie_is_httponly_strict_and_holds_no_token(service: Service) -> None:
    resp = await sign_in(service)
    (header,) = resp.headers.getall("Set-Cookie")
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")}
    assert {"httponly", "samesite", "path", "max-age"} <= attributes
    assert "SameSite=Strict" in header and "Path=/queue" in header
    assert "secure" not in attributes  # plain http here; set on https
    token = service.tokens["moderator"]
    value = resp.cookies[session.COOKIE].value
    assert token not in value and hashlib.sha256(token.encode()).hexdigest() not in value
    assert "ngb_" not in header


async def test_tokens_of_other_roles_and_wrong_tokens_are_refused(service: Service) -> None:
    for role in ("storefront", "legal", "admin"):
        resp = await sign_in(service, role)
        assert resp.status == 403 and "Set-Cookie" not in resp.headers, role
        assert "فقط ناظران می‌توانند وارد این صفحه شوند" in await resp.text()
    wrong = await service.client.post("/queue/login", data={"token": "ngb_nope"})
    assert wrong.status == 401 and "این توکن معتبر نیست" in await wrong.text()
    assert "Set-Cookie" not in wrong.headers
    elsewhere = await service.client.post(
        "/queue/login",
        data={"token": service.tokens["moderator"]},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert elsewhere.status == 403 and (await elsewhere.json())["error"]["code"] == "csrf"


async def test_no_tampered_expired_or_revoked_session_gets_in(
    service: Service, settings: Any
) -> None:
    await submit(service, "q-1")
    value = (await sign_in(service)).cookies[session.COOKIE].value
    secret = service.client.server.app[SESSION_SECRET]
    signed = session.verify(secret, value, time.time())
    assert signed is not None
    body, _, mac = value.partition(".")
    forged = session.sign("not-the-secret", replace(signed, token_id=signed.token_id + 1))
    cookies = {
        "tampered": f"{body[:-2]}{'A' if body[-2] != 'A' else 'B'}{body[-1]}.{mac}",
        "forged": forged,
        "expired": session.sign(secret, replace(signed, expires=int(time.time()) - 1)),
        "garbage": "x.y",
    }
    service.client.session.cookie_jar.clear()
    for why, cookie in cookies.items():
        headers = {"Cookie": f"{session.COOKIE}={cookie}"}
        resp = await service.client.get("/queue", headers=headers, allow_redirects=False)
        assert resp.status == 303, why
        assert resp.headers["Location"] == "/queue/login?expired=1", why
        posted = await service.client.post(
            "/queue/decide",
            data={"csrf": signed.csrf, "review_id": "q-1", "action": "approve"},
            headers=headers,
            allow_redirects=False,
        )
        assert posted.status == 303 and posted.headers["Location"].startswith("/queue/login")
    assert (await state(service, "q-1"))["status"] == "pending"
    fresh = await service.client.get("/queue", allow_redirects=False)
    assert fresh.headers["Location"] == "/queue/login"  # no cookie at all
    # Revoking the token ends its page sessions at once.
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine)() as db, db.begin():
        await db.execute(
            update(Token).where(Token.id == signed.token_id).values(revoked_at=utcnow())
        )
    await engine.dispose()
    resp = await service.client.get(
        "/queue", headers={"Cookie": f"{session.COOKIE}={value}"}, allow_redirects=False
    )
    assert resp.status == 303 and resp.headers["Location"].startswith("/queue/login")


async def test_state_changes_without_the_right_csrf_value_are_refused(service: Service) -> None:
    await submit(service, "q-1")
    await sign_in(service)
    csrf = csrf_of(await page(service))
    for form in (
        {"review_id": "q-1", "action": "approve"},
        {"review_id": "q-1", "action": "approve", "csrf": "wrong"},
        {"review_id": "q-1", "action": "approve", "csrf": ""},
    ):
        resp = await service.client.post("/queue/decide", data=form, allow_redirects=False)
        assert resp.status == 403, form
        assert (await resp.json())["error"]["code"] == "csrf"
    for path in ("/queue/undo", "/queue/next", "/queue/release", "/queue/logout"):
        resp = await service.client.post(path, data={"review_id": "q-1"}, allow_redirects=False)
        assert resp.status == 403 and (await resp.json())["error"]["code"] == "csrf", path
    assert (await state(service, "q-1"))["status"] == "pending"
    by_header = await service.client.post(
        "/queue/decide",
        data={"review_id": "q-1", "action": "approve"},
        headers={"X-CSRF-Token": csrf},
        allow_redirects=False,
    )
    assert by_header.status == 303
    assert (await state(service, "q-1"))["decision"] == "publish"


async def test_review_text_is_escaped_in_text_attributes_and_lists(service: Service) -> None:
    await submit(service, "x-1", f"{SCRIPT} {HELD}")
    await submit(service, "x-2", f"{IMG} \"'> {HELD}")
    await submit(service, BAD_ID, HELD)  # ids are the storefront's: untrusted too
    await sign_in(service)
    for item in ("x-1", "x-2", BAD_ID):
        html = await page(service, "/queue?" + urlencode({"item": item}))
        assert current_id(html) == str(escape(item))
        assert SCRIPT not in html and IMG not in html and "<img" not in html
        assert "<svg" not in html and BAD_ID not in html
        assert html.count("<script") == 1  # only the page's own script file
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
        assert "onerror=alert(1)>" not in html


async def test_the_page_never_shows_who_submitted(service: Service) -> None:
    await submit(service, "q-1")
    await submit(service, "q-2")
    await sign_in(service)
    html = await page(service)
    decided = await service.client.post(
        "/queue/decide", data={"csrf": csrf_of(html), "review_id": "q-1", "action": "approve"}
    )
    for body in (html, await decided.text()):
        assert IP not in body and SECRET_UA not in body and USER_ID not in body


async def test_a_decision_goes_through_the_domain_and_the_queue_moves_on(
    service: Service,
) -> None:
    await submit(service, "q-1")
    await submit(service, "q-2")
    await sign_in(service)
    html = await page(service)
    assert current_id(html) == "q-1"
    csrf = csrf_of(html)
    resp = await service.client.post(
        "/queue/decide",
        data={"csrf": csrf, "review_id": "q-1", "action": "reject", "reason": "insult"},
        allow_redirects=False,
    )
    assert resp.status == 303 and "done=reject" in resp.headers["Location"]
    html = await page(service, resp.headers["Location"])
    assert current_id(html) == "q-2" and "مورد «<bdi>q-1</bdi>» رد شد." in html
    assert (await state(service, "q-1"))["decision"] == "reject"
    # A reject without a reason stays on the item with a Persian explanation.
    resp = await service.client.post(
        "/queue/decide", data={"csrf": csrf, "review_id": "q-2", "action": "reject"}
    )
    html = await resp.text()
    assert current_id(html) == "q-2" and "برای رد کردن، یک دلیل انتخاب کنید" in html
    # The moderator's own text, with browser line breaks, is what gets published.
    await service.client.post(
        "/queue/decide",
        data={"csrf": csrf, "review_id": "q-2", "action": "edit", "text": "خوب\r\nبود"},
    )
    assert (await state(service, "q-2"))["published_text"] == "خوب\nبود"
    # Undo brings the last decision back into the queue and reopens it.
    resp = await service.client.post("/queue/undo", data={"csrf": csrf, "review_id": "q-2"})
    html = await resp.text()
    assert current_id(html) == "q-2" and "تصمیم قبلی بازگردانده شد" in html
    assert (await state(service, "q-2"))["status"] == "pending"


async def test_an_item_someone_else_holds_is_reported_and_skipped(
    service: Service, settings: Any
) -> None:
    await submit(service, "q-1")
    await submit(service, "q-2")
    other = await second_moderator(settings.database_url)
    assert (await service.client.post("/v1/queue/q-1/claim", headers=other)).status == 200
    await sign_in(service)
    html = await page(service, "/queue?item=q-1")
    assert "ناظر دیگری در دست دارد" in html and current_id(html) == "q-2"


async def test_next_gives_the_item_back_and_opens_the_following_one(service: Service) -> None:
    await submit(service, "q-1")
    await submit(service, "q-2")
    await sign_in(service)
    html = await page(service)
    resp = await service.client.post(
        "/queue/next", data={"csrf": csrf_of(html), "review_id": "q-1"}
    )
    assert current_id(await resp.text()) == "q-2"
    assert (await state(service, "q-1"))["status"] == "pending"


def test_highlight_cuts_at_code_point_offsets_and_merges_overlaps() -> None:
    text = "😀 سلام‌دنیا x"  # an astral emoji and a ZWNJ: one code point each, as offsets count
    spans = [
        {"start": 2, "end": 6, "label": "insult"},
        {"start": 4, "end": 11, "label": "spam"},
        {"start": 50, "end": 60, "label": "spam"},  # outside the text: ignored
    ]
    assert highlight(text, spans) == [
        Piece("😀 "),
        Piece("سل", ("insult",)),
        Piece("ام", ("insult", "spam")),
        Piece("‌دنیا", ("spam",)),
        Piece(" x"),
    ]
    assert Piece("x", ("insult", "spam")).names == "توهین یا ناسزا، تبلیغات و لینک"


def test_diff_shows_each_edit_as_deleted_and_inserted_text() -> None:
    edits = [
        {"start": 6, "end": 9, "replacement": ""},
        {"start": 0, "end": 2, "replacement": "[x]"},
    ]
    assert diff("ab cd efg h", edits) == [
        Change("del", "ab"),
        Change("ins", "[x]"),
        Change("same", " cd "),
        Change("del", "efg"),
        Change("same", " h"),
    ]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [(b"token=\xff\xfe", "application/x-www-form-urlencoded; charset=utf-8"),
     (b"--x\r\n\r\n", "multipart/form-data"),
     (b"--b\r\nContent-Disposition: form-data\r\n\r\nv\r\n--b--\r\n",
      "multipart/form-data; boundary=b")],
)
async def test_malformed_login_form_is_a_400_not_a_500(
    service: Service, body: bytes, content_type: str
) -> None:
    resp = await service.client.post("/queue/login", data=body,
                                     headers={"Content-Type": content_type})
    assert 400 <= resp.status < 500
