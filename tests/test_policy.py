"""The policy file turns scores and spans into the decisions of DESIGN.md."""

from pathlib import Path

import pytest

from moderation.detect.spans import Span
from moderation.labels import LABELS
from moderation.paths import DEFAULT_POLICY
from moderation.policy import PolicyError, decide, load_policy, parse_policy

ZERO = dict.fromkeys(LABELS, 0.0)
THRESHOLDS = dict.fromkeys(LABELS, 0.5)


def scores(**kw: float) -> dict[str, float]:
    return {**ZERO, **kw}


def test_clean_review_is_published_exactly_as_submitted() -> None:
    out = decide(load_policy(DEFAULT_POLICY), "عالیه", scores(), [], THRESHOLDS)
    assert (out.decision, out.published_text, out.flags, out.edits) == ("publish", "عالیه", [], [])


def test_criminal_is_held_with_legal_hold() -> None:
    out = decide(load_policy(DEFAULT_POLICY), "x", scores(criminal=0.9), [], THRESHOLDS)
    assert out.decision == "hold" and out.legal_hold and out.published_text is None
    assert out.flags == ["criminal"]


def test_model_thresholds_are_used_unless_the_policy_overrides() -> None:
    policy = load_policy(DEFAULT_POLICY)
    lower = {**THRESHOLDS, "threat": 0.3}
    assert decide(policy, "x", scores(threat=0.4), [], lower).decision == "hold"
    assert decide(policy, "x", scores(threat=0.4), [], THRESHOLDS).decision == "publish"


def test_personal_data_is_redacted_and_published() -> None:
    text = "زنگ بزن 09121234567"
    span = Span(8, 19, "phone", "personal_info")
    out = decide(load_policy(DEFAULT_POLICY), text, scores(personal_info=0.99), [span], THRESHOLDS)
    assert out.decision == "publish_edited"
    assert out.published_text == "زنگ بزن [شماره تلفن]"


def test_an_edit_action_with_nothing_to_edit_holds() -> None:
    out = decide(load_policy(DEFAULT_POLICY), "x", scores(personal_info=0.9), [], THRESHOLDS)
    assert out.decision == "hold"


def test_severe_profanity_is_held_not_masked() -> None:
    text = "کصکش"
    span = Span(0, 4, "profanity", "insult", severity=3)
    out = decide(load_policy(DEFAULT_POLICY), text, scores(insult=0.95), [span], THRESHOLDS)
    assert out.decision == "hold" and out.edits[0].replacement == "ک***"


def test_a_mild_word_flags_insult_only_with_the_score_behind_it() -> None:
    """«گند زدید به سفارش من» is a complaint: the mild word is evidence, not a verdict."""
    text = "گند زدید به سفارش من"
    span = Span(0, 8, "profanity", "insult", severity=1)
    policy = load_policy(DEFAULT_POLICY)
    assert decide(policy, text, scores(insult=0.3), [span], THRESHOLDS).decision == "publish"
    masked = decide(policy, text, scores(insult=0.7), [span], THRESHOLDS)
    assert masked.flags == ["insult"] and masked.published_text == "گ*** به سفارش من"
    strong = Span(0, 8, "profanity", "insult", severity=2)
    assert decide(policy, text, scores(insult=0.3), [strong], THRESHOLDS).flags == ["insult"]


def test_worst_outcome_wins_and_reasons_are_persian() -> None:
    text = "زنگ بزن 09121234567"
    span = Span(8, 19, "phone", "personal_info")
    out = decide(
        load_policy(DEFAULT_POLICY),
        text,
        scores(personal_info=0.99, sexual=0.99),
        [span],
        THRESHOLDS,
    )
    assert out.decision == "reject"
    assert out.flags == ["sexual", "personal_info"]
    assert any("جنسی" in r for r in out.reasons)


def test_reason_for_criminal_content_does_not_tip_off_the_author() -> None:
    out = decide(load_policy(DEFAULT_POLICY), "x", scores(criminal=0.9), [], THRESHOLDS)
    assert all("غیرقانونی" not in r for r in out.reasons)


def base() -> dict[str, dict[str, object]]:
    return {label: {"action": "hold"} for label in LABELS}


def test_policy_without_a_label_is_refused() -> None:
    labels = base()
    del labels["spam"]
    with pytest.raises(PolicyError, match="spam"):
        parse_policy({"labels": labels})


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("action", "delete", "action"),
        ("threshold", 1.5, "threshold"),
        ("colour", 1, "unknown keys"),
    ],
)
def test_bad_policy_values_are_refused(key: str, value: object, message: str) -> None:
    labels = base()
    labels["insult"][key] = value
    with pytest.raises(PolicyError, match=message):
        parse_policy({"labels": labels})


def test_unreadable_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    bad = tmp_path / "p.toml"
    bad.write_text("labels = [", encoding="utf-8")
    with pytest.raises(PolicyError, match="cannot read"):
        load_policy(bad)


def test_spam_whose_only_channel_is_contact_data_is_published_redacted() -> None:
    # "Call me on ..." scores as spam too; with the number redacted nothing leads off-platform.
    text = "شماره‌م 09121234567 هست"
    span = Span(8, 19, "phone", "personal_info")
    out = decide(load_policy(DEFAULT_POLICY), text, scores(spam=0.86, personal_info=0.99),
                 [span], THRESHOLDS)
    assert out.decision == "publish_edited"
    assert out.published_text == "شماره‌م [شماره تلفن] هست"
    assert not any("لینک" in r for r in out.reasons)  # no link was removed: none is claimed


def test_spam_without_anything_to_remove_is_held() -> None:
    out = decide(load_policy(DEFAULT_POLICY), "کانال ما رو دنبال کنید", scores(spam=0.9), [],
                 THRESHOLDS)
    assert out.decision == "hold"
