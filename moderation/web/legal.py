"""Legal endpoints (role `legal` only): cases, gated reveal of the submitter, export, release."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from moderation import legal as domain
from moderation.web.auth import roles
from moderation.web.body import json_body
from moderation.web.errors import JSONError, fail
from moderation.web.jsonresp import json_response
from moderation.web.keys import ACTOR, SESSIONS, WRITE_LOCK

_STATUS = {"not_found": 404, "reason_required": 400, "already_released": 409}


def _error(exc: domain.LegalError) -> JSONError:
    return JSONError(_STATUS.get(exc.code, 400), exc.code, exc.message)


def _reason(request: web.Request) -> str | None:
    unknown = set(request.query) - {"reason"}
    if unknown:
        fail(400, "unknown_parameter", f"unknown query parameter(s): {', '.join(sorted(unknown))}")
    return request.query.get("reason")


async def _in_transaction(request: web.Request, operation: Any) -> Any:
    # Reads are logged, so even a look is a write: one transaction holds the look and its log.
    try:
        async with request.app[WRITE_LOCK], request.app[SESSIONS]() as session, session.begin():
            return await operation(session)
    except domain.LegalError as exc:
        raise _error(exc) from None


@roles("legal")
async def list_cases(request: web.Request) -> web.Response:
    """GET /v1/legal/cases."""
    _reason(request)
    cases = await _in_transaction(request, lambda s: domain.list_cases(s, request[ACTOR]))
    return json_response({"cases": cases})


@roles("legal")
async def get_case(request: web.Request) -> web.Response:
    """GET /v1/legal/cases/{case_id}; the submitter record only with ?reason= (logged)."""
    reason = _reason(request)
    case = await _in_transaction(
        request,
        lambda s: domain.view_case(s, request.match_info["case_id"], request[ACTOR], reason),
    )
    return json_response(case)


@roles("legal")
async def export_case(request: web.Request) -> web.Response:
    """GET /v1/legal/cases/{case_id}/export?reason=: the verifiable bundle (logged)."""
    reason = _reason(request)
    bundle = await _in_transaction(
        request,
        lambda s: domain.export_case(s, request.match_info["case_id"], request[ACTOR], reason),
    )
    return json_response(
        bundle, headers={"Content-Disposition": f'attachment; filename="{bundle["case_id"]}.json"'}
    )


@roles("legal")
async def release_case(request: web.Request) -> web.Response:
    """POST /v1/legal/cases/{case_id}/release {"reason"}: end the legal hold."""
    body = await json_body(request)
    if not isinstance(body, dict) or set(body) - {"reason"}:
        fail(400, "wrong_type", 'the body must be {"reason": "..."}')
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        fail(400, "wrong_type", "'reason' must be a string")
    case = await _in_transaction(
        request,
        lambda s: domain.release_case(s, request.match_info["case_id"], request[ACTOR], reason),
    )
    return json_response(case)
