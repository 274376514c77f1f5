"""Command-line interface: score, serve, train, evaluate, data stats."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any, Final

from moderation.paths import DEFAULT_POLICY
from moderation.policy import PolicyError, load_policy
from moderation.scoring import Scorer

_BATCH: Final = 256
MAX_TEXT: Final = 5000


def _parse_line(number: int, line: str) -> tuple[Any, str] | dict[str, Any]:
    """One JSON Lines record as (id, text), or the error object for that line."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "line": number, "error": f"line {number} is not valid JSON: {exc.msg}"}
    if not isinstance(obj, dict):
        return {"id": None, "line": number, "error": f"line {number} must be a JSON object"}
    rid = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        return {"id": rid, "line": number, "error": "field 'text' must be a string"}
    if not text.strip():
        return {"id": rid, "line": number, "error": "field 'text' is empty"}
    if len(text) > MAX_TEXT:
        return {
            "id": rid,
            "line": number,
            "error": f"field 'text' has {len(text)} characters; the limit is {MAX_TEXT}",
        }
    return rid, text


def _batches(lines: Iterable[str]) -> Iterator[list[tuple[Any, str] | dict[str, Any]]]:
    batch: list[tuple[Any, str] | dict[str, Any]] = []
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        batch.append(_parse_line(number, raw))
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def score_stream(scorer: Scorer, lines: Iterable[str], out: IO[str]) -> int:
    """Score JSON Lines records; write one result (or error) per record; return errors seen."""
    errors = 0
    for batch in _batches(lines):
        good = [item for item in batch if isinstance(item, tuple)]
        scored = iter(scorer.score_many(good))
        for item in batch:
            if isinstance(item, dict):
                errors += 1
                record: dict[str, Any] = item
            else:
                record = next(scored).result()
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return errors


def _build_scorer(args: argparse.Namespace) -> Scorer:
    policy = load_policy(Path(args.policy))
    from moderation.classifier.artifact import load_default_model
    from moderation.settings import Settings

    return Scorer(policy, load_default_model(args.model, Settings.from_env().models_dir))


def _cmd_score(args: argparse.Namespace) -> int:
    scorer = _build_scorer(args)
    if args.file:
        with open(args.file, encoding="utf-8", errors="replace") as f:
            score_stream(scorer, f, sys.stdout)
    else:
        with open(sys.stdin.fileno(), encoding="utf-8", errors="replace", closefd=False) as stdin:
            score_stream(scorer, stdin, sys.stdout)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import dataclasses

    from moderation.settings import Settings
    from moderation.web.main import run

    settings = Settings.from_env()
    overrides: dict[str, Any] = {}
    if args.database_url:
        overrides["database_url"] = args.database_url
    if args.model:
        overrides["model"] = args.model
    if args.policy:
        overrides["policy"] = Path(args.policy)
    run(host=args.host, port=args.port, settings=dataclasses.replace(settings, **overrides))
    return 0


def _cmd_train(args: argparse.Namespace) -> int:
    from moderation.classifier.train_cli import train_command

    return int(train_command(args))


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from moderation.classifier.evaluate_cli import evaluate_command

    return int(evaluate_command(args))


def _database_url(args: argparse.Namespace) -> str:
    from moderation.settings import Settings

    return str(args.database_url or Settings.from_env().database_url)


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from moderation.storage.migrate import upgrade

    upgrade(_database_url(args))
    print("database is at the latest schema", file=sys.stderr)
    return 0


def _cmd_token_create(args: argparse.Namespace) -> int:
    import asyncio

    from moderation.storage.engine import make_engine, make_sessionmaker
    from moderation.storage.migrate import upgrade
    from moderation.storage.tokens import create_token

    url = _database_url(args)
    upgrade(url)

    async def create() -> str:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await create_token(session, args.role, args.name or "")
        finally:
            await engine.dispose()

    print(asyncio.run(create()))  # the token alone on stdout: it is shown only this once
    return 0


def _run_async(url: str, job: Any) -> Any:
    """Run `job(session)` in one transaction on the database at `url` (upgraded first)."""
    import asyncio

    from moderation.storage.engine import make_engine, make_sessionmaker
    from moderation.storage.migrate import upgrade

    upgrade(url)

    async def main() -> Any:
        engine = make_engine(url)
        try:
            async with make_sessionmaker(engine)() as session, session.begin():
                return await job(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def _cmd_legal_verify(args: argparse.Namespace) -> int:
    from moderation.legal import verify_bundle

    try:
        bundle = json.loads(Path(args.file).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        print(f"TAMPERED or damaged: {args.file} is not JSON ({exc.msg})")
        return 1
    problems = verify_bundle(bundle)
    for p in problems:
        print(f"TAMPERED: {p}")
    if not problems:
        print(f"OK: case {bundle['case_id']}, evidence sha256 {bundle['evidence_sha256']}")
    return 1 if problems else 0


def _cmd_audit_verify(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from moderation.storage.audit import verify_chain
    from moderation.storage.models import AuditEvent

    async def job(session: Any) -> tuple[int, list[str]]:
        events = list((await session.scalars(select(AuditEvent).order_by(AuditEvent.id))).all())
        return len(events), verify_chain(events)

    count, problems = _run_async(_database_url(args), job)
    for p in problems:
        print(f"BROKEN: {p}")
    if not problems:
        print(f"OK: {count} audit events, chain intact")
    return 1 if problems else 0


def _cmd_retention_run(args: argparse.Namespace) -> int:
    from datetime import timedelta

    from moderation.retention import run_retention
    from moderation.settings import Settings
    from moderation.storage.models import utcnow

    days = args.days if args.days is not None else Settings.from_env().retention_days

    async def job(session: Any) -> int:
        return await run_retention(session, utcnow(), timedelta(days=days))

    n = _run_async(_database_url(args), job)
    print(f"minimised {n} submitter records older than {days} days (legal holds kept)")
    return 0


def _cmd_labels_export(args: argparse.Namespace) -> int:
    from moderation.queue import export_labels

    async def job(session: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": f"moderator:{r.review_id}",
                "text": r.text,
                "labels": m.labels,
                "source": "moderator",
                "action": m.action,
                "model_version": r.model_version,
                "at": m.at.isoformat(),
            }
            for r, m in await export_labels(session)
        ]

    rows = _run_async(_database_url(args), job)
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if args.out:
        Path(args.out).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    print(f"exported {len(rows)} moderator labels", file=sys.stderr)
    return 0


def _cmd_model_activate(args: argparse.Namespace) -> int:
    from moderation.classifier.artifact import load_model
    from moderation.settings import Settings
    from moderation.storage import activations

    settings = Settings.from_env()
    models_dir = Path(args.models_dir) if args.models_dir else settings.models_dir
    # Checked here first: a recorded activation of a broken artifact would send every
    # instance after it (they would refuse it and report themselves out of sync).
    model = load_model(args.version, models_dir)

    async def job(session: Any) -> str | None:
        before = await activations.latest(session)
        previous = before.version if before else None
        await activations.activate(session, model.version, "cli", previous)
        return previous

    previous = _run_async(_database_url(args), job)
    print(
        f"activated {model.version} (before: {previous or 'none recorded'}); running instances "
        f"switch within {settings.model_poll_seconds:g} s, restarted ones start on it"
    )
    return 0


def _cmd_model_show(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from moderation.storage.models import ModelActivation

    async def job(session: Any) -> list[ModelActivation]:
        query = select(ModelActivation).order_by(ModelActivation.id.desc()).limit(args.last)
        return list((await session.scalars(query)).all())

    rows = _run_async(_database_url(args), job)
    if not rows:
        print("no model activated: each instance serves its configured default, no shadow")
    for row in rows:
        version = row.version or "(shadow stopped)"
        print(f"{row.activated_at.isoformat()}  {row.role:6}  {version}  by {row.actor}")
    return 0


def _cmd_data_stats(args: argparse.Namespace) -> int:
    from moderation.data.corpus import stats_command

    return int(stats_command(args))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `python -m moderation`."""
    parser = argparse.ArgumentParser(prog="moderation", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def with_model(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--model",
            default=os.environ.get("MODERATION_MODEL"),
            help="model artifact in models/ (default: $MODERATION_MODEL or the newest)",
        )
        p.add_argument(
            "--policy",
            default=os.environ.get("MODERATION_POLICY", DEFAULT_POLICY),
            help="policy file (default: $MODERATION_POLICY or the shipped policy)",
        )

    p = sub.add_parser("score", help="score JSON Lines {id, text} from FILE or stdin")
    p.add_argument("file", nargs="?")
    with_model(p)
    p.set_defaults(func=_cmd_score)

    p = sub.add_parser("serve", help="run the HTTP service")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--database-url", default=None, help="default: $MODERATION_DATABASE_URL")
    with_model(p)
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("db", help="the database")
    db_sub = p.add_subparsers(dest="db_command", required=True)
    s = db_sub.add_parser("upgrade", help="migrate the schema to the latest version")
    s.add_argument("--database-url", default=None, help="default: $MODERATION_DATABASE_URL")
    s.set_defaults(func=_cmd_db_upgrade)

    p = sub.add_parser("token", help="API tokens")
    token_sub = p.add_subparsers(dest="token_command", required=True)
    s = token_sub.add_parser("create", help="create a token and print it (once)")
    s.add_argument("--role", required=True, choices=("storefront", "moderator", "legal", "admin"))
    s.add_argument("--name", default=None, help="a label for audit events (default: the role)")
    s.add_argument("--database-url", default=None, help="default: $MODERATION_DATABASE_URL")
    s.set_defaults(func=_cmd_token_create)

    p = sub.add_parser("train", help="train a model and write it to models/")
    p.add_argument(
        "--data-dir",
        action="append",
        default=None,
        help="public datasets folder (repeatable; default ../shared/datasets)",
    )
    p.add_argument(
        "--licence",
        choices=("any", "commercial"),
        default="any",
        help="'commercial': only sources whose licence allows commercial use",
    )
    p.add_argument("--version", default=None, help="model version (default: today's date.N)")
    p.add_argument(
        "--precision",
        type=float,
        default=0.9,
        help="per-label precision target for thresholds (default 0.9)",
    )
    p.add_argument("--out", default=None, help="models directory (default: models/)")
    p.set_defaults(func=_cmd_train)

    p = sub.add_parser("evaluate", help="per-label metrics and a report under reports/")
    p.add_argument(
        "file", nargs="?", help="labelled JSONL (id, text, labels); default: test splits"
    )
    p.add_argument("--data-dir", action="append", default=None)
    p.add_argument("--reports", default="reports")
    with_model(p)
    p.set_defaults(func=_cmd_evaluate)

    def with_db(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database-url", default=None, help="default: $MODERATION_DATABASE_URL")

    p = sub.add_parser("legal", help="legal follow-up")
    legal_sub = p.add_subparsers(dest="legal_command", required=True)
    s = legal_sub.add_parser("verify", help="check an exported case bundle's evidence digest")
    s.add_argument("file")
    s.set_defaults(func=_cmd_legal_verify)

    p = sub.add_parser("audit", help="the audit trail")
    audit_sub = p.add_subparsers(dest="audit_command", required=True)
    s = audit_sub.add_parser("verify", help="check the hash chain of every audit event")
    with_db(s)
    s.set_defaults(func=_cmd_audit_verify)

    p = sub.add_parser("retention", help="data minimisation")
    retention_sub = p.add_subparsers(dest="retention_command", required=True)
    s = retention_sub.add_parser("run", help="remove IPs and user agents of old reviews")
    s.add_argument(
        "--days", type=int, default=None, help="default: $MODERATION_RETENTION_DAYS or 90"
    )
    with_db(s)
    s.set_defaults(func=_cmd_retention_run)

    p = sub.add_parser("labels", help="moderator labels")
    labels_sub = p.add_subparsers(dest="labels_command", required=True)
    s = labels_sub.add_parser("export", help="moderator-confirmed labels as JSONL for training")
    s.add_argument("--out", default=None, help="file to write (default: stdout)")
    with_db(s)
    s.set_defaults(func=_cmd_labels_export)

    p = sub.add_parser("model", help="the model every instance serves")
    model_sub = p.add_subparsers(dest="model_command", required=True)
    s = model_sub.add_parser(
        "activate", help="check an artifact, then make every instance sharing the database serve it"
    )
    s.add_argument("version", help="an artifact in the models directory")
    s.add_argument("--models-dir", default=None, help="default: $MODERATION_MODELS_DIR or models/")
    with_db(s)
    s.set_defaults(func=_cmd_model_activate)
    s = model_sub.add_parser("show", help="the latest live and shadow changes, newest first")
    s.add_argument("--last", type=int, default=10)
    with_db(s)
    s.set_defaults(func=_cmd_model_show)

    p = sub.add_parser("data", help="the labelled corpus")
    data_sub = p.add_subparsers(dest="data_command", required=True)
    s = data_sub.add_parser("stats", help="counts per source, split and label")
    s.add_argument("--data-dir", action="append", default=None)
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")
    s.set_defaults(func=_cmd_data_stats)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; errors the user can fix are one line on stderr and exit code 2."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (PolicyError, FileNotFoundError, ValueError) as exc:
        print(f"moderation: {exc}", file=sys.stderr)
        return 2
