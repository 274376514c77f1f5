"""Legal follow-up: cases and their digest, the gated reveal, access log, retention, audit chain."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from moderation.legal import evidence_digest, verify_bundle
from moderation.paths import REPO_DIR
from moderation.retention import run_retention
from moderation.storage.audit import verify_chain
from moderation.storage.engine import make_engine, make_sessionmaker
from moderation.storage.models import AuditEvent, LegalAccess, Submitter, utcnow
from tests.conftest import Service

IP = "192.0.2.77"
UA = "CrimeBrowser/1.0"
CRIMINAL = "کارت بانکی دزدی با رمز دوم موجوده، پیام بدید"
PHONE = "شماره‌م 09121234567 هست"


def body(review_id: str, text: str) -> dict[str, Any]:
    return {
        "review_id": review_id,
        "product_id": "p-1",
        "text": text,
        "submitter": {"user_id": "legal-user-9", "ip": IP, "user_agent": UA},
    }


async def escalated_case(service: Service) -> str:
    """A held review escalated by a moderator: the legal path that needs no model."""
    resp = await service.client.post(
        "/v1/reviews", json=body("c-1", "پشتیبانتون کصکشه"), headers=service.auth("storefront")
    )
    assert (await resp.json())["decision"] == "hold"
    resp = await service.client.post(
        "/v1/queue/c-1/decision", json={"action": "escalate"}, headers=service.auth("moderator")
    )
    assert (await resp.json())["legal_hold"] is True
    cases = await (
        await service.client.get("/v1/legal/cases", headers=service.auth("legal"))
    ).json()
    (case,) = cases["cases"]
    return str(case["case_id"])


async def rows(database_url: str, model: Any) -> list[Any]:
    engine = make_engine(database_url)
    async with make_sessionmaker(engine)() as session:
        out = list(
            (
                await session.scalars(
                    select(model).order_by(model.id if hasattr(model, "id") else model.review_pk)
                )
            ).all()
        )
    await engine.dispose()
    return out


async def test_escalation_opens_a_case_with_a_correct_digest(service: Service) -> None:
    case_id = await escalated_case(service)
    resp = await service.client.get(
        f"/v1/legal/cases/{case_id}?reason=order 1403-77", headers=service.auth("legal")
    )
    case = await resp.json()
    evidence = case["evidence"]
    assert evidence["text"] == "پشتیبانتون کصکشه"
    assert evidence["submitter"] == {
        "user_id": "legal-user-9",
        "ip": IP,
        "user_agent": UA,
        "submitted_at": evidence["submitter"]["submitted_at"],
    }
    assert case["evidence_sha256"] == evidence_digest(evidence)


async def test_legal_hold_from_the_policy_opens_a_case_at_intake(
    service_factory: Any, tmp_path: Path
) -> None:
    # Without a model nothing scores as criminal, so a policy that holds personal data with
    # a legal hold stands in for the criminal rule: the intake path is the same.
    policy = (REPO_DIR / "moderation" / "policy.toml").read_text(encoding="utf-8")
    policy = policy.replace(
        '[labels.personal_info]\nthreshold = "model"\naction = "redact"',
        '[labels.personal_info]\nthreshold = "model"\naction = "hold"\nlegal_hold = true',
    )
    assert "legal_hold = true\n\n[labels.criminal]" in policy
    (tmp_path / "p.toml").write_text(policy, encoding="utf-8")
    service = await service_factory(policy=tmp_path / "p.toml")
    result = await (
        await service.client.post(
            "/v1/reviews", json=body("c-2", PHONE), headers=service.auth("storefront")
        )
    ).json()
    assert (result["decision"], result["legal_hold"]) == ("hold", True)
    cases = await (
        await service.client.get("/v1/legal/cases", headers=service.auth("legal"))
    ).json()
    (case,) = cases["cases"]
    assert case["review_id"] == "c-2" and case["opened_by"].startswith("policy:")
    full = await (
        await service.client.get(
            f"/v1/legal/cases/{case['case_id']}?reason=ref-1", headers=service.auth("legal")
        )
    ).json()
    assert full["evidence"]["text"] == PHONE
    assert full["evidence_sha256"] == evidence_digest(full["evidence"])


async def test_only_legal_may_use_legal_endpoints(service: Service) -> None:
    case_id = await escalated_case(service)
    paths = [
        ("GET", "/v1/legal/cases"),
        ("GET", f"/v1/legal/cases/{case_id}"),
        ("GET", f"/v1/legal/cases/{case_id}/export?reason=x-1"),
        ("POST", f"/v1/legal/cases/{case_id}/release"),
    ]
    for method, path in paths:
        for role in ("storefront", "moderator", "admin"):
            resp = await service.client.request(
                method, path, json={"reason": "abc"}, headers=service.auth(role)
            )
            assert resp.status == 403, (role, path)
        assert (await service.client.request(method, path)).status == 401


async def test_reveal_needs_a_reason_and_every_look_is_logged(
    service: Service, settings: Any
) -> None:
    case_id = await escalated_case(service)
    legal = service.auth("legal")
    plain = await (await service.client.get(f"/v1/legal/cases/{case_id}", headers=legal)).json()
    assert IP not in json.dumps(plain) and "legal-user-9" not in json.dumps(plain)
    refused = await service.client.get(f"/v1/legal/cases/{case_id}?reason=", headers=legal)
    assert refused.status == 400
    assert (await refused.json())["error"]["code"] == "reason_required"
    await service.client.get(f"/v1/legal/cases/{case_id}?reason=court order 55", headers=legal)
    no_reason = await service.client.get(f"/v1/legal/cases/{case_id}/export", headers=legal)
    assert no_reason.status == 400
    bundle = await (
        await service.client.get(
            f"/v1/legal/cases/{case_id}/export?reason=court order 55", headers=legal
        )
    ).json()
    log = await rows(settings.database_url, LegalAccess)
    assert [(r.action, r.reason) for r in log] == [
        ("list", None),
        ("view", None),
        ("reveal", "court order 55"),
        ("export", "court order 55"),
    ]
    assert [a["action"] for a in bundle["access_log"]] == ["view", "reveal", "export"]


async def test_exported_bundle_verifies_and_tampering_is_detected(
    service: Service, tmp_path: Path
) -> None:
    case_id = await escalated_case(service)
    bundle = await (
        await service.client.get(
            f"/v1/legal/cases/{case_id}/export?reason=order-9", headers=service.auth("legal")
        )
    ).json()
    assert verify_bundle(bundle) == []
    good = tmp_path / "case.json"
    good.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    bundle["evidence"]["submitter"]["ip"] = "10.9.9.9"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(bundle, ensure_ascii=False), encoding="utf-8")
    cmd = [sys.executable, "-m", "moderation", "legal", "verify"]
    ok = subprocess.run(
        [*cmd, str(good)], capture_output=True, text=True, cwd=REPO_DIR, timeout=120
    )
    assert ok.returncode == 0 and ok.stdout.startswith("OK")
    tampered = subprocess.run(
        [*cmd, str(bad)], capture_output=True, text=True, cwd=REPO_DIR, timeout=120
    )
    assert tampered.returncode == 1 and "TAMPERED" in tampered.stdout


async def test_case_blocks_deletion_until_released(service: Service) -> None:
    case_id = await escalated_case(service)
    store = service.auth("storefront")
    blocked = await service.client.delete("/v1/reviews/c-1", headers=store)
    assert blocked.status == 409 and (await blocked.json())["error"]["code"] == "legal_hold"
    no_reason = await service.client.post(
        f"/v1/legal/cases/{case_id}/release", json={}, headers=service.auth("legal")
    )
    assert no_reason.status == 400
    released = await service.client.post(
        f"/v1/legal/cases/{case_id}/release",
        json={"reason": "case closed by order 12"},
        headers=service.auth("legal"),
    )
    assert (await released.json())["status"] == "released"
    assert (await service.client.delete("/v1/reviews/c-1", headers=store)).status == 200
    assert (await service.client.get("/v1/reviews/c-1", headers=store)).status == 404


async def test_retention_strips_old_ips_and_keeps_held_cases_whole(
    service: Service, settings: Any
) -> None:
    await escalated_case(service)  # c-1, under legal hold
    await service.client.post(
        "/v1/reviews", json=body("c-3", "مودم خوبیه"), headers=service.auth("storefront")
    )
    engine = make_engine(settings.database_url)
    sessions = make_sessionmaker(engine)
    async with sessions() as session, session.begin():
        # Both reviews are made 100 days old.
        await session.execute(update(Submitter).values(submitted_at=utcnow() - timedelta(days=100)))
    async with sessions() as session, session.begin():
        assert await run_retention(session, utcnow(), timedelta(days=90)) == 1
    async with sessions() as session:
        subs = {
            s.user_id + str(s.review_pk): s
            for s in (await session.scalars(select(Submitter).order_by(Submitter.review_pk))).all()
        }
    await engine.dispose()
    held, ordinary = list(subs.values())
    assert (held.ip, held.user_agent) == (IP, UA)
    assert (ordinary.ip, ordinary.user_agent, ordinary.user_id) == (None, None, "legal-user-9")


async def test_audit_chain_detects_edits_deletions_and_reordering(
    service: Service, settings: Any
) -> None:
    await escalated_case(service)
    events = await rows(settings.database_url, AuditEvent)
    assert len(events) >= 4 and verify_chain(events) == []
    cmd = [
        sys.executable,
        "-m",
        "moderation",
        "audit",
        "verify",
        "--database-url",
        settings.database_url,
    ]
    ok = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_DIR, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    engine = make_engine(settings.database_url)
    async with make_sessionmaker(engine)() as session, session.begin():
        await session.execute(
            update(AuditEvent)
            .where(AuditEvent.id == events[1].id)
            .values(data={"decision": "publish"})
        )
    await engine.dispose()
    broken = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_DIR, timeout=120)
    assert broken.returncode == 1 and "edited" in broken.stdout
    # Deleting or swapping events breaks the links as well.
    assert verify_chain([events[0], *events[2:]])
    assert verify_chain([events[1], events[0], *events[2:]])
