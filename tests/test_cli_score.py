"""`python -m moderation score`: JSON Lines in, one result per line out."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

from moderation.cli import score_stream
from moderation.paths import DEFAULT_POLICY, REPO_DIR
from moderation.policy import load_policy
from moderation.scoring import Scorer

KEYS = {
    "id",
    "decision",
    "published_text",
    "labels",
    "flags",
    "edits",
    "legal_hold",
    "model_version",
}


def run(lines: list[str]) -> list[dict[str, object]]:
    out = io.StringIO()
    score_stream(Scorer(load_policy(DEFAULT_POLICY)), lines, out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_results_have_the_design_shape() -> None:
    (res,) = run([json.dumps({"id": "r-1001", "text": "شماره‌م 09121234567 هست"})])
    assert set(res) == KEYS
    assert res["decision"] == "publish_edited"
    assert res["published_text"] == "شماره‌م [شماره تلفن] هست"
    assert res["edits"] == [
        {"start": 8, "end": 19, "kind": "personal_info", "replacement": "[شماره تلفن]"}
    ]
    labels = res["labels"]
    assert isinstance(labels, dict) and list(labels) == [
        "insult",
        "hate",
        "sexual",
        "threat",
        "spam",
        "personal_info",
        "criminal",
    ]


def test_a_malformed_line_gets_an_error_and_the_run_goes_on() -> None:
    results = run(
        [
            "{not json",
            json.dumps({"id": 2}),
            json.dumps([1]),
            json.dumps({"id": 4, "text": "  "}),
            json.dumps({"id": 5, "text": "خوبه"}),
        ]
    )
    assert [("error" in r) for r in results] == [True, True, True, True, False]
    assert results[1]["id"] == 2 and "text" in str(results[1]["error"])
    assert results[4]["decision"] == "publish"


def test_order_is_kept_across_batches() -> None:
    lines = [json.dumps({"id": i, "text": f"نظر شماره {i}"}) for i in range(600)]
    assert [r["id"] for r in run(lines)] == list(range(600))


def test_command_line_reads_stdin(tmp_path: Path) -> None:
    empty_models = tmp_path / "models"
    empty_models.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "moderation", "score"],
        env={**os.environ, "MODERATION_MODELS_DIR": str(empty_models)},
        input=json.dumps({"id": "a", "text": "ali@gmail.com بهم ایمیل بزنید"}) + "\n",
        capture_output=True,
        text=True,
        cwd=REPO_DIR,
        check=True,
        timeout=120,
    )
    (res,) = [json.loads(x) for x in proc.stdout.splitlines()]
    assert res["published_text"] == "[ایمیل] بهم ایمیل بزنید"
