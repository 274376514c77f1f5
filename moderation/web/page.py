"""The moderators' web page at /queue: sign-in, the queue with its current item, decisions.

Handlers here are authenticated by the session cookie, not by the bearer `@roles` decorator:
they carry no `roles` attribute, so the `authenticate` middleware lets them through.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final, NoReturn
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web

from moderation import queue as domain
from moderation.storage.keys import get_or_create
from moderation.storage.models import Review
from moderation.web import persian, render, session
from moderation.web.errors import fail
from moderation.web.keys import SESSION_SECRET, SESSIONS, SETTINGS, WRITE_LOCK

STATIC: Final = Path(__file__).parent / "static"
PAGE_SIZE: Final = 50
MAX_TRIES: Final = 5  # items tried in turn when the one asked for was just taken by someone else
MAX_FIELD: Final = 5000
# Review text is untrusted: even if escaping failed somewhere, no inline script may run.
HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",  # pages hold review text and the CSRF value
}


def setup(app: web.Application) -> None:
    """Templates, static files, the session secret and the page's routes."""
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.PackageLoader("moderation.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        default_helpers=False,
    )
    app.cleanup_ctx.append(_secret_ctx)
    app.router.add_get("/queue", show)
    app.router.add_get("/queue/login", login_form)
    app.router.add_post("/queue/login", login)
    app.router.add_post("/queue/logout", logout)
    app.router.add_post("/queue/decide", decide)
    app.router.add_post("/queue/next", next_item)
    app.router.add_post("/queue/release", release)
    app.router.add_post("/queue/undo", undo)
    app.router.add_static("/queue/static", STATIC)


async def _secret_ctx(app: web.Application) -> AsyncIterator[None]:
    # Runs after the database context: every instance reads the same secret from the database.
    app[SESSION_SECRET] = await get_or_create(app[SESSIONS], "session")
    yield


def _page(
    name: str, request: web.Request, context: Mapping[str, Any], status: int = 200
) -> web.Response:
    response = aiohttp_jinja2.render_template(name, request, dict(context), status=status)
    response.headers.update(HEADERS)
    return response


def _redirect(**params: str) -> NoReturn:
    raise web.HTTPSeeOther("/queue" + ("?" + urlencode(params) if params else ""))


async def _moderator(request: web.Request) -> session.Moderator:
    """The signed-in moderator; otherwise back to the sign-in page."""
    found = await session.current(request)
    if found is not None:
        return found
    stale = session.COOKIE in request.cookies
    exc = web.HTTPSeeOther("/queue/login" + ("?expired=1" if stale else ""))
    if stale:
        session.clear_cookie(exc)
    raise exc


async def login_form(request: web.Request) -> web.Response:
    """GET /queue/login: the form where a moderator pastes a token."""
    if await session.current(request) is not None:
        raise web.HTTPSeeOther("/queue")
    notice = persian.LOGIN_EXPIRED if request.query.get("expired") else ""
    return _page("login.html", request, {"error": notice})


async def _post_form(request: web.Request) -> Mapping[str, Any]:
    """The posted form; a body that is not a well-formed form is a 400, never a 500."""
    try:
        return await request.post()
    except (ValueError, UnicodeDecodeError, AssertionError, KeyError):
        fail(400, "invalid_form", "the request body is not a well-formed form")


async def login(request: web.Request) -> web.Response:
    """POST /queue/login: a moderator token in, a signed session cookie out."""
    session.check_origin(request)
    form = await _post_form(request)
    token = form.get("token")
    token = token.strip() if isinstance(token, str) else ""
    found = None
    if token and len(token) <= 200:
        async with request.app[SESSIONS]() as db:
            found = await session.token_row(db, token)
    if found is None:
        return _page("login.html", request, {"error": persian.LOGIN_WRONG}, status=401)
    token_id, role, _ = found
    if role != "moderator":
        return _page("login.html", request, {"error": persian.LOGIN_NOT_MODERATOR}, status=403)
    exc = web.HTTPSeeOther("/queue")
    session.set_cookie(exc, request, session.new_session(token_id, time.time()))
    raise exc


async def logout(request: web.Request) -> web.Response:
    """POST /queue/logout: forget the session."""
    moderator = await _moderator(request)
    session.check_csrf(request, moderator, await _post_form(request))
    exc = web.HTTPSeeOther("/queue/login")
    session.clear_cookie(exc)
    raise exc


def _lease(request: web.Request) -> timedelta:
    return timedelta(minutes=request.app[SETTINGS].claim_minutes)


def _candidates(
    items: Sequence[Review], me: str, now: datetime, wanted: str | None, after: str | None
) -> list[str]:
    """Which items to try to open, in order."""
    ids = [r.review_id for r in items]
    if wanted:
        return [wanted, *(i for i in ids if i != wanted)]
    # A reload keeps the item this moderator already holds.
    held = [
        r.review_id
        for r in items
        if r.claimed_by == me and r.claim_expires_at is not None and r.claim_expires_at > now
    ]
    if held:
        return held + [i for i in ids if i not in held]
    if after in ids:
        k = ids.index(after)
        return ids[k + 1 :] + ids[:k] + [ids[k]]
    return ids


async def _claim(request: web.Request, actor: str, review_id: str) -> dict[str, Any]:
    async with request.app[WRITE_LOCK], request.app[SESSIONS]() as db, db.begin():
        review = await domain.claim(db, review_id, actor, domain.now(), _lease(request))
        return domain.moderator_view(review, await domain.author_history(db, review.author))


def _note(review_id: str, code: str) -> str:
    return f"«{review_id}»: {persian.error(code)}"


async def show(request: web.Request) -> web.Response:
    """GET /queue: the queue, most severe first, and the current item (opening it claims it)."""
    # Claiming on GET is safe enough: a claim is only a lease (given back by "next" or when it
    # runs out), and the SameSite=Strict cookie keeps other sites from triggering it.
    moderator = await _moderator(request)
    query = request.query
    now = domain.now()
    async with request.app[SESSIONS]() as db:
        items = await domain.list_items(db, moderator.actor, now, domain.Filters(limit=PAGE_SIZE))
    notes: list[str] = []
    if query.get("error"):
        notes.append(_note(query.get("about", ""), query["error"]))
    order = _candidates(items, moderator.actor, now, query.get("item"), query.get("after"))
    view = None
    for review_id in order[:MAX_TRIES]:
        try:
            view = await _claim(request, moderator.actor, review_id)
            break
        except domain.QueueError as exc:  # 409: someone else holds it; move on to the next
            notes.append(_note(review_id, exc.code))
    done, last = query.get("done", ""), query.get("last", "")
    current = view["id"] if view else None
    return _page(
        "queue.html",
        request,
        {
            "moderator": moderator.name,
            "csrf": moderator.csrf,
            "item": render.item(view, domain.now()) if view else None,
            "rows": [render.row(r, current) for r in items],
            "count": persian.digits(len(items)),
            "notes": list(dict.fromkeys(notes)),
            "done": persian.DONE.get(done, "") if last else "",
            "last": last,
            "undoable": bool(last) and done in domain.ACTIONS,
            "reasons": [(r, persian.REASONS[r]) for r in domain.REJECT_REASONS],
        },
    )


def _field(form: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    value = form.get(key)
    if value is None or value == "":
        if required:
            fail(400, "missing_field", f"'{key}' is required")
        return None
    if not isinstance(value, str) or "\x00" in value or len(value) > MAX_FIELD:
        fail(400, "invalid_text", f"'{key}' must be text without NUL, up to {MAX_FIELD} characters")
    # Browsers send textarea line breaks as CRLF; published text uses LF.
    return value.replace("\r\n", "\n")


async def _form(request: web.Request) -> tuple[session.Moderator, Mapping[str, Any], str]:
    """The moderator, the CSRF-checked form and its review id."""
    moderator = await _moderator(request)
    form = await _post_form(request)
    session.check_csrf(request, moderator, form)
    review_id = _field(form, "review_id", required=True)
    assert review_id is not None
    return moderator, form, review_id


async def decide(request: web.Request) -> web.Response:
    """POST /queue/decide: the same domain decision as the JSON API, then the next item."""
    moderator, form, review_id = await _form(request)
    action = _field(form, "action", required=True)
    assert action is not None
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as db, db.begin():
            await domain.decide(
                db,
                review_id,
                moderator.actor,
                domain.now(),
                action=action,
                text=_field(form, "text"),
                reason=_field(form, "reason"),
                note=_field(form, "note"),
                lease=_lease(request),
            )
    except domain.QueueError as exc:
        _redirect(item=review_id, error=exc.code, about=review_id)
    _redirect(after=review_id, done=action, last=review_id)


async def next_item(request: web.Request) -> web.Response:
    """POST /queue/next: give the current item back and open the one after it."""
    moderator, _, review_id = await _form(request)
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as db, db.begin():
            await domain.release(db, review_id, moderator.actor)
    except domain.QueueError:
        pass  # the lease had already ended: nothing to give back
    _redirect(after=review_id)


async def release(request: web.Request) -> web.Response:
    """POST /queue/release: give the current item back to the queue."""
    moderator, _, review_id = await _form(request)
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as db, db.begin():
            await domain.release(db, review_id, moderator.actor)
    except domain.QueueError as exc:
        _redirect(error=exc.code, about=review_id)
    _redirect(after=review_id, done="release", last=review_id)


async def undo(request: web.Request) -> web.Response:
    """POST /queue/undo: take back this moderator's last decision on an item and reopen it."""
    moderator, _, review_id = await _form(request)
    window = timedelta(seconds=request.app[SETTINGS].undo_seconds)
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as db, db.begin():
            await domain.undo(db, review_id, moderator.actor, domain.now(), window)
    except domain.QueueError as exc:
        _redirect(error=exc.code, about=review_id)
    _redirect(item=review_id, done="undo", last=review_id)
