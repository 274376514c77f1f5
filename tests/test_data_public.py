"""Tests for moderation.data.public on hand-made fixtures shaped like the real files."""

from __future__ import annotations

import dataclasses
import logging
import shutil
from pathlib import Path

import pytest

from moderation.data import public
from moderation.data.public import (
    LABEL_MAP,
    SOURCES,
    Example,
    dedupe,
    default_roots,
    hash_bucket,
    load_public,
    load_source,
    load_swear_words,
    stats,
    text_key,
)
from moderation.labels import LABELS

FIXTURES = Path(__file__).parent / "fixtures" / "datasets"
INSULT = frozenset({"insult"})
CLEAN: frozenset[str] = frozenset()


def by_text(examples: list[Example]) -> dict[str, Example]:
    """Index examples by text, failing on a repeated text."""
    out = {ex.text: ex for ex in examples}
    assert len(out) == len(examples)
    return out


def split_of(examples: list[Example]) -> dict[str, str]:
    return {ex.text: ex.split for ex in examples}


# ---------------------------------------------------------------------- fixture shape guards


def test_fixtures_keep_the_real_files_byte_shape() -> None:
    # If an editor or git rewrites these, the BOM/CRLF tests below would silently pass.
    for name in ("Pars-OFF_levela_train.csv", "Pars-OFF_levela_test.csv"):
        data = (FIXTURES / "pars-off" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbftweet,label\r\n")
    absa = (FIXTURES / "pars-absa-test" / "Pars-ABSA_test.txt").read_bytes()
    assert absa.count(b"\r\n") == absa.count(b"\n") == 12
    assert not (FIXTURES / "parsoffensive" / "ParsOffensive.csv").read_bytes().startswith(b"\xef")


# ------------------------------------------------------------------------------- mapping


def test_label_map_uses_only_known_labels() -> None:
    for mapping in LABEL_MAP.values():
        for labels in mapping.values():
            assert labels <= set(LABELS)
    assert LABEL_MAP["phate"]["Vulgar"] == INSULT  # never "sexual": cannot be told apart
    assert set(LABEL_MAP) == set(SOURCES)


def test_example_rejects_unknown_label_and_split() -> None:
    with pytest.raises(ValueError, match="unknown labels"):
        Example("x:1", "t", frozenset({"rude"}), "train", "x", "none stated")
    with pytest.raises(ValueError, match="unknown split"):
        Example("x:1", "t", CLEAN, "dev", "x", "none stated")


def test_text_key_normalises_for_dedupe() -> None:
    assert text_key("  زرشك \n\t يک\u200cبار\u200b ") == "زرشک یکبار"
    assert text_key("بی\u200cشرف") == text_key("بیشرف")


# ------------------------------------------------------------------------------ pars-off


def test_pars_off_bom_null_mapping_and_splits() -> None:
    got = load_source("pars-off", FIXTURES)
    assert split_of(got) == {
        "این گوشی واقعا عالیه": "train",  # @USER and @URL masks stripped
        "خفه شو احمق": "train",
        "چه عکس قشنگی": "val",  # carved: hash bucket < 10
        "دیوانه ی روانی": "train",
        'سلام، "چطوری" رفیق؟': "train",
        "یه روز خوب با دوستان": "train",
        "تکراری در آموزش و آزمون": "test",  # train copy dropped: test wins
        "تو یه بیشعور به تمام معنایی": "test",
        "امروز بازار خیلی شلوغ بود": "test",
    }
    ex = by_text(got)
    assert ex["خفه شو احمق"].labels == INSULT
    assert ex["این گوشی واقعا عالیه"].labels == CLEAN
    # BOM handled: the header parsed and no text or id carries U+FEFF.
    assert ex["این گوشی واقعا عالیه"].id == "pars-off:train-0"
    assert all("\ufeff" not in e.text for e in got)
    # NULL text and NULL label rows are skipped, never read as the word "NULL".
    assert all("NULL" not in e.text and "کاش زودتر" not in e.text for e in got)
    # Same text NOT in train and OFF in test: a conflict, both copies dropped.
    assert not any("متناقض" in e.text for e in got)
    assert {e.licence for e in got} == {"none stated"}


def test_val_carve_is_the_hash_rule() -> None:
    for ex in load_source("pars-off", FIXTURES):
        if ex.id.startswith("pars-off:train-"):
            assert ex.split == ("val" if hash_bucket(ex.text) < 10 else "train")


# ------------------------------------------------------------------------- parsoffensive


def test_parsoffensive_drops_empty_conflicts_and_duplicates() -> None:
    got = load_source("parsoffensive", FIXTURES)
    assert split_of(got) == {
        "سلام علیک سید جان": "test",
        "بی\u200cشرف": "train",  # first of three copies that differ by ZWNJ/whitespace
        "آشغال عوضی": "val",
        "خدا حفظت کنه": "train",
        "💩💩💩": "train",
        "دیوانه ی روانی": "train",
        "برو گمشو": "test",
    }
    ex = by_text(got)
    assert ex["بی\u200cشرف"].labels == INSULT
    assert ex["خدا حفظت کنه"].labels == CLEAN
    assert ex["بی\u200cشرف"].id == "parsoffensive:1"
    # زرشک Offensive + زرشک/زرشك Neutral (Arabic kaf): one conflicting text, all dropped.
    assert not any(text_key(e.text) == "زرشک" for e in got)


def test_parsoffensive_split_is_80_10_10_by_hash() -> None:
    for ex in load_source("parsoffensive", FIXTURES):
        b = hash_bucket(ex.text)
        assert ex.split == ("train" if b < 80 else "val" if b < 90 else "test")


def test_dedupe_counts_conflicts_and_duplicates() -> None:
    info = SOURCES["parsoffensive"]
    rows = info.loader(FIXTURES / info.folder)
    examples = [
        Example(f"p:{r.ref}", public.clean_text(r.text), r.labels, r.split, "p", "none stated")
        for r in rows
    ]
    kept, counts = dedupe(examples)
    assert len(kept) == 7
    assert counts == {"empty": 1, "duplicate": 2, "conflict": 1, "conflict_rows": 3}


# ---------------------------------------------------------------------------------- phate


def test_phate_mapping_multiline_and_file_splits() -> None:
    got = load_source("phate", FIXTURES)
    ex = {e.id: e for e in got}
    first = ex["phate:1000000000000000001"]
    assert first.text == "اینا همه‌شون دزدن\nباید همه‌شون رو کشت"  # quoted newline kept
    assert first.labels == {"threat", "hate"}
    assert first.split == "train"
    assert ex["phate:1000000000000000003"].labels == INSULT  # Vulgar
    assert ex["phate:1000000000000000002"].labels == CLEAN
    assert ex["phate:1000000000000000011"].labels == {"hate", "insult"}
    assert ex["phate:1000000000000000011"].split == "val"
    assert ex["phate:1000000000000000022"].labels == {"threat"}
    assert ex["phate:1000000000000000022"].split == "test"
    # HateSpeech=1 with no category is dropped, not called clean.
    assert "phate:1000000000000000004" not in ex
    assert len(got) == 8


# ------------------------------------------------------------------------ sharif / parsinlu


def test_sharif_mapping_splits_and_sensitive_flag() -> None:
    got = load_source("sharif-spam-emails", FIXTURES)
    ex = by_text(got)
    ham = "سلام مامان، من رسیدم\nجواب بده"
    assert ex[ham].split == "val" and ex[ham].labels == CLEAN
    assert ex[ham].id == "sharif-spam-emails:emails/hamtraining/hamtraining (1).txt"
    assert ex["خرید شارژ ارزان با تخفیف\nhttp://example.com/sharj"].labels == {"spam"}
    assert [e.split for e in got] == ["val", "train", "train", "train", "test", "test"]
    # Stray BOM inside a row is removed from the stored text.
    assert "گزارش هفتگی پروژه پیوست شد.\nبا تشکر" in ex
    assert SOURCES["sharif-spam-emails"].sensitive
    assert not SOURCES["phate"].sensitive


def test_parsinlu_rebuilds_official_split() -> None:
    got = load_source("parsinlu-food-sentiment", FIXTURES)
    assert split_of(got) == {
        "طعمش خیلی خوب بود و تازه بود": "train",
        "بسته بندی پاره بود و بوی بد میداد، اصلا نخرید": "val",  # in food_dev.jsonl
        "قیمتش نسبت به کیفیتش مناسبه": "test",  # in food_test.jsonl
        "معمولی بود": "train",
    }
    assert all(e.labels == CLEAN and e.licence == "CC BY-NC-SA 4.0" for e in got)
    assert not SOURCES["parsinlu-food-sentiment"].commercial_ok


# ------------------------------------------------------------------------------ pars-absa


def test_pars_absa_reconstructs_and_dedupes() -> None:
    got = load_source("pars-absa-test", FIXTURES)
    assert [e.text for e in got] == [
        "دوربین این گوشی خیلی خوبه ولی باتری ضعیفه",  # two aspect records, one review
        "این تبلت صفحه نمایش روشنی داره",  # leading BOM on the line removed
        "سلام. از خریدم راضیم ولی گرونه",  # no $T$: text kept as is
    ]
    assert all(e.split == "test" and e.labels == CLEAN for e in got)
    assert all("\r" not in e.text for e in got)
    assert got[0].id == "pars-absa-test:" + public._text_id(got[0].text)


def test_pars_absa_rejects_truncated_record(tmp_path: Path) -> None:
    folder = tmp_path / "pars-absa-test"
    folder.mkdir()
    (folder / "Pars-ABSA_test.txt").write_bytes("متن $T$\r\nگوشی\r\n".encode())
    with pytest.raises(ValueError, match="multiple of 3"):
        load_source("pars-absa-test", tmp_path)


# ------------------------------------------------------------------------------ load_public


def test_load_public_dedupes_across_sources_and_test_wins() -> None:
    got = load_public([FIXTURES])
    assert len({e.id for e in got}) == len(got)
    keys = [text_key(e.text) for e in got]
    assert len(set(keys)) == len(keys)  # so no text is in two splits
    ex = by_text(got)
    # pars-off train (insult) vs parsoffensive train (clean): the first source is kept.
    assert ex["دیوانه ی روانی"].source == "pars-off"
    assert ex["دیوانه ی روانی"].labels == INSULT
    # pars-off train vs phate test: the test copy wins even from a later source.
    shared = ex["یه روز خوب با دوستان"]
    assert (shared.source, shared.split, shared.labels) == ("phate", "test", frozenset({"hate"}))
    assert len(got) == 9 + 7 + 8 + 6 + 4 + 3 - 2


def test_load_public_names_and_unknown_name() -> None:
    got = load_public([FIXTURES], names=["phate", "pars-absa-test"])
    assert {e.source for e in got} == {"phate", "pars-absa-test"}
    with pytest.raises(KeyError, match="unknown sources"):
        load_public([FIXTURES], names=["nope"])


def test_commercial_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # No public source states a licence allowing commercial use.
    assert load_public([FIXTURES], commercial_only=True) == []
    patched = dict(SOURCES)
    patched["phate"] = dataclasses.replace(SOURCES["phate"], commercial_ok=True)
    monkeypatch.setattr(public, "SOURCES", patched)
    got = load_public([FIXTURES], commercial_only=True)
    assert got and {e.source for e in got} == {"phate"}


def test_missing_folder_is_skipped_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Only phate exists, and only in the second root.
    second = tmp_path / "second"
    shutil.copytree(FIXTURES / "phate", second / "phate")
    with caplog.at_level(logging.INFO, logger="moderation.data.public"):
        got = load_public([tmp_path / "first", second])
    assert {e.source for e in got} == {"phate"}
    assert len(got) == 8
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == len(SOURCES) - 1
    assert all(r.levelno == logging.INFO for r in skipped)


def test_missing_file_in_present_folder_raises(tmp_path: Path) -> None:
    (tmp_path / "phate").mkdir()
    with pytest.raises(FileNotFoundError):
        load_public([tmp_path])


# ------------------------------------------------------------------------ roots and extras


def test_default_roots(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    repo = Path(public.__file__).resolve().parents[2]
    monkeypatch.delenv("MODERATION_DATASETS", raising=False)
    assert default_roots() == [repo.parent / "shared" / "datasets", repo / "data" / "external"]
    monkeypatch.setenv("MODERATION_DATASETS", f"{tmp_path / 'a'}:{tmp_path / 'b'}")
    assert default_roots() == [tmp_path / "a", tmp_path / "b", repo / "data" / "external"]


def test_load_swear_words() -> None:
    assert load_swear_words(FIXTURES) == ["کثافت", "سگ پدر", "خر"]


def test_stats_counts_per_source_split_label() -> None:
    table = stats(load_public([FIXTURES], names=["phate"]))
    assert list(table) == ["phate"]
    assert list(table["phate"]) == ["train", "val", "test"]
    assert table["phate"]["train"] == {
        "total": 3,
        "clean": 1,
        "insult": 1,
        "hate": 1,
        "sexual": 0,
        "threat": 1,
        "spam": 0,
        "personal_info": 0,
        "criminal": 0,
    }
    assert table["phate"]["val"]["total"] == 2
    assert table["phate"]["val"]["insult"] == table["phate"]["val"]["hate"] == 1


def test_platform_artifacts_are_stripped_from_tweets() -> None:
    from moderation.data.public import strip_platform_artifacts

    assert strip_platform_artifacts("RT @USER: سلام @URL دنیا https://t.co/x @ali_1") == "سلام دنیا"
    assert strip_platform_artifacts("ایمیل a@b.com") == "ایمیل a@b.com"
