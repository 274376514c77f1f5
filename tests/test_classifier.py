"""The classifier: a tiny model trained from fixtures, its artifact, thresholds and checks."""

import json
from pathlib import Path

import joblib
import numpy as np
import pytest

from moderation.classifier.artifact import (
    ModelError,
    available,
    load_default_model,
    load_model,
    save_model,
)
from moderation.classifier.pipeline import PersianNormaliser
from moderation.classifier.thresholds import threshold_for_precision
from moderation.classifier.train import train_model
from moderation.classifier.train_cli import next_version
from moderation.data.public import Example
from moderation.labels import LABELS
from moderation.paths import DEFAULT_POLICY
from moderation.policy import load_policy
from moderation.scoring import Scorer

CLEAN = [
    "مودم خیلی خوبیه و سرعتش عالیه",
    "روتر به موقع رسید، بسته‌بندی سالم بود",
    "کیفیت ساخت سوئیچ خوبه ولی گرونه",
    "آنتن‌دهی اکسس پوینت تو کل خونه خوبه",
    "پشتیبانی دیر جواب داد ولی مشکل حل شد",
    "دوربین شب‌ها تصویرش واضحه",
    "یو پی اس برق رو خوب نگه می‌داره",
    "کابل شبکه کیفیتش متوسطه",
    "نصبش راحت بود و راضی‌ام",
    "ارسال یک هفته طول کشید، بد نبود",
]
CRIMINAL = [
    "شیشه و گل هم داریم پیام بدید",
    "مدرک دانشگاهی جعلی با مهر اصل میفروشم",
    "هک اینستاگرام و واتساپ همسرتون با قیمت مناسب",
    "کارت بانکی دزدی با رمز دوم موجوده",
    "اسلحه کلت بدون مجوز داریم",
    "اجاره حساب بانکی برای پولشویی، درآمد عالی",
    "دیتابیس شماره موبایل مشتری‌ها رو میفروشم",
    "تریاک و قرص هم جور می‌کنم خصوصی بیاید",
    "گواهینامه جعلی صادر می‌کنیم",
    "جمر موبایل و شنود مخفی برای شوهرتون",
]
INSULT = [
    "پشتیبانشون احمق و بیشعوره",
    "فروشنده کثافت جواب نمیده",
    "تو که نظر دادی خیلی نفهمی",
    "الاغ‌ها بلد نیستن بسته‌بندی کنن",
    "پیکشون عوضی بود",
    "مدیر سایت خیلی بیشعوره",
    "این پشتیبان ابله رو اخراج کنید",
    "خفه شو تو که هیچی نمیفهمی",
    "همتون احمقید",
    "کارمنداشون نفهم و بی‌شعورن",
]


def examples() -> list[Example]:
    out = []
    for group, labels in (
        (CLEAN, frozenset()),
        (CRIMINAL, frozenset({"criminal"})),
        (INSULT, frozenset({"insult"})),
    ):
        for i, text in enumerate(group):
            split = "val" if i % 5 == 4 else "test" if i % 5 == 3 else "train"
            for copy in range(2):  # two phrasings per review, so min_df=2 keeps n-grams
                body = text if copy == 0 else text + " واقعا"
                out.append(
                    Example(f"fx:{len(out)}", body, labels, split, "negahban-reviews", "fixture")
                )
    return out


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    models = tmp_path_factory.mktemp("models")
    model = train_model(
        examples(), version="2026-01-01.1", precision=0.9, pipeline_params={"cv": 2}
    )
    save_model(model, models)
    return models, model.version


def test_tiny_model_separates_its_labels(tiny: tuple[Path, str]) -> None:
    models, version = tiny
    model = load_model(version, models)
    crim, clean = model.predict_scores(
        ["مدرک جعلی و کارت بانکی دزدی میفروشم", "روتر خوبیه و سرعتش عالیه"]
    )
    assert crim["criminal"] > clean["criminal"]
    assert set(crim) == set(LABELS)
    assert all(0.0 <= v <= 1.0 for v in crim.values())


def test_card_records_what_was_trained(tiny: tuple[Path, str]) -> None:
    models, version = tiny
    card = json.loads((models / f"{version}.json").read_text(encoding="utf-8"))
    assert card["version"] == version
    assert set(card["thresholds"]) == set(LABELS)
    assert len(card["data_sha256"]) == 64
    assert card["libraries"]["scikit-learn"] == card["sklearn_version"]
    assert "negahban-reviews" in card["test_metrics"]


def test_scorer_uses_the_model_and_records_its_version(tiny: tuple[Path, str]) -> None:
    models, version = tiny
    scorer = Scorer(load_policy(DEFAULT_POLICY), load_default_model(None, models))
    result = scorer.score("r1", "کارت بانکی دزدی و مدرک جعلی داریم").result()
    assert result["model_version"] == version


def test_artifact_from_another_sklearn_is_refused(tiny: tuple[Path, str], tmp_path: Path) -> None:
    models, version = tiny
    for suffix in (".joblib", ".json"):
        (tmp_path / f"{version}{suffix}").write_bytes((models / f"{version}{suffix}").read_bytes())
    card_path = tmp_path / f"{version}.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    card["sklearn_version"] = "0.0.1"
    card_path.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match=r"scikit-learn 0\.0\.1"):
        load_model(version, tmp_path)


def test_artifact_outside_models_dir_is_refused(tiny: tuple[Path, str], tmp_path: Path) -> None:
    models, version = tiny
    with pytest.raises(ModelError, match="only from"):
        load_model(str(tmp_path / f"{version}.joblib"), models)
    with pytest.raises(ModelError, match="only from"):
        load_model(f"../{version}", models)


def test_foreign_joblib_file_is_refused(tmp_path: Path) -> None:
    joblib.dump({"not": "a model"}, tmp_path / "x.joblib")
    import sklearn

    (tmp_path / "x.json").write_text(json.dumps({"sklearn_version": sklearn.__version__}))
    with pytest.raises(ModelError, match="not a Negahban model"):
        load_model("x", tmp_path)


def test_empty_models_dir_means_rules_only(tmp_path: Path) -> None:
    assert load_default_model(None, tmp_path) is None


def test_threshold_is_the_lowest_meeting_the_precision_target() -> None:
    y = np.array([0, 0, 0, 1, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])
    # At 0.6 precision is 3/3; at 0.4 it is 4/5 = 0.8.
    assert threshold_for_precision(y, s, 0.9) == pytest.approx(0.6)
    assert threshold_for_precision(y, s, 0.75) == pytest.approx(0.4)
    assert threshold_for_precision(y, s, 0.75, floor=0.45) == pytest.approx(0.45)


def test_benchmark_threshold_is_the_best_macro_f1_on_the_given_data() -> None:
    from moderation.classifier.metrics import best_macro_f1_threshold, binary_macro_f1

    y = np.array([0, 0, 0, 1, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.35, 0.37, 0.4, 0.7, 0.8, 0.9])
    t = best_macro_f1_threshold(y, s)
    assert t == pytest.approx(0.7)  # 0.35 catches one more positive but lets in two negatives
    assert binary_macro_f1(y, s, t) > binary_macro_f1(y, s, 0.35)


def test_recall_at_precision_is_the_best_recall_that_keeps_the_precision() -> None:
    from moderation.classifier.metrics import recall_at_precision

    y = np.array([0, 0, 0, 1, 0, 0, 1, 1, 1])
    s = np.array([0.1, 0.2, 0.3, 0.35, 0.37, 0.4, 0.7, 0.8, 0.9])
    assert recall_at_precision(y, s, 0.9) == pytest.approx(0.75)  # above 0.7: 3 of 4, no error
    assert recall_at_precision(y, s, 0.6) == pytest.approx(1.0)  # from 0.35: 4 of 6 flagged
    assert recall_at_precision(np.array([0, 1]), np.array([0.9, 0.1]), 0.9) == 0.0


def test_normaliser_is_the_first_pipeline_step(tiny: tuple[Path, str]) -> None:
    models, version = tiny
    steps = load_model(version, models).pipeline.steps
    assert isinstance(steps[0][1], PersianNormaliser)
    assert steps[0][1].transform(["ا ح م ق"])[0].scoring == "احمق"


def test_versions_count_up_per_day(tmp_path: Path) -> None:
    from datetime import date

    day = date(2026, 11, 24)
    assert next_version(tmp_path, day) == "2026-11-24.1"
    for n in (1, 2, 10):
        (tmp_path / f"2026-11-24.{n}.joblib").write_bytes(b"")
    assert next_version(tmp_path, day) == "2026-11-24.11"
    assert available(tmp_path)[-1] == "2026-11-24.10"  # the newest, not the last by string


def test_compiled_scores_equal_the_calibrated_estimators() -> None:
    """The one-matrix form the service runs scores exactly as the fitted model pairs do."""
    from moderation.classifier.pipeline import build_pipeline, label_matrix

    rows = [e for e in examples() if e.split == "train"]
    pipeline = build_pipeline(cv=2).fit([e.text for e in rows],
                                        label_matrix([e.labels for e in rows]))
    texts = ["مدرک جعلی داریم", "روتر خوبیه", "پشتیبان احمق بود", "ارسال سریع بود"]
    X = pipeline.named_steps["features"].transform(pipeline.named_steps["normalise"]
                                                    .transform(texts))
    scorer = pipeline.named_steps["labels"]
    expected = np.column_stack([
        np.full(len(texts), est) if isinstance(est, float) else est.predict_proba(X)
        for est in scorer.estimators_
    ])
    # Equal up to the float16-rounded weights the compiled form keeps.
    np.testing.assert_allclose(scorer.predict_proba(X), expected, atol=1e-3)


def test_the_artifact_scores_exactly_as_the_trained_model_did(tmp_path: Path) -> None:
    """Thresholds and the card are measured on the model in memory; the weights are written
    at half precision, so the one that loads must score to the bit as that one did."""
    from moderation.classifier.pipeline import build_pipeline, label_matrix

    rows = [e for e in examples() if e.split == "train"]
    pipeline = build_pipeline(cv=2).fit([e.text for e in rows],
                                        label_matrix([e.labels for e in rows]))
    texts = ["مدرک جعلی و کارت بانکی دزدی میفروشم", "روتر خوبیه و سرعتش عالیه", "پیکشون عوضی بود"]
    before = pipeline.predict_proba(texts)
    path = tmp_path / "copy.joblib"
    joblib.dump(pipeline, path)
    reloaded = joblib.load(path)
    np.testing.assert_array_equal(reloaded.predict_proba(texts), before)
    scorer = reloaded.named_steps["labels"]
    assert scorer.coef_.dtype == np.float32  # scoring does not upcast on every call
    assert scorer.__getstate__()["coef_"].dtype == np.float16


@pytest.mark.parametrize("version", available())
def test_every_shipped_model_still_scores_the_right_way_round(version: str) -> None:
    """An artifact in models/ stays usable as the code changes (an admin may swap back to it):
    plain criminal and insulting reviews score over their thresholds, ordinary ones under."""
    model = load_model(version)
    scores = model.predict_scores([
        "شیشه و گل داریم، ارسال به تمام نقاط، فقط پیوی",
        "پشتیبان احمق و بیشعورتون هیچی حالیش نیست",
        "مودم خیلی خوبیه، سرعتش عالیه و به موقع رسید",
        "کیفیت ساخت سوئیچ خوبه ولی یکم گرونه",
        # Finglish goes through the lexicons pickled inside the artifact (older formats too).
        "modemesh kheili khoobe, hatman kharid konid",
    ])
    assert scores[0]["criminal"] >= model.thresholds["criminal"]
    assert scores[1]["insult"] >= model.thresholds["insult"]
    for clean in scores[2:]:
        assert all(clean[label] < model.thresholds[label] for label in LABELS), clean


def test_features_are_sklearns_for_one_review_and_for_a_batch() -> None:
    """FeatureStack builds its matrix itself (numpy character n-grams, rows without sklearn's
    checks); it must be the matrix sklearn's own transforms give, one review or many."""
    import numpy as np
    import scipy.sparse as sp

    from moderation.classifier.pipeline import build_pipeline, label_matrix

    rows = [e for e in examples() if e.split == "train"]
    pipeline = build_pipeline(cv=2).fit([e.text for e in rows],
                                        label_matrix([e.labels for e in rows]))
    texts = [e.text for e in examples()] + [
        "", "   ", "😀", "k i r", "ک.ی.ر", "modem kheili khube", "a\tb\n\nc  d", "ab" * 300,
    ]
    normalised = pipeline.named_steps["normalise"].transform(texts)
    features = pipeline.named_steps["features"]
    reference = sp.hstack(
        [t.transform(normalised) * w for _, t, w in features.transformers], format="csr"
    )
    batch = features.transform(normalised)
    single = sp.vstack([features.transform([n]) for n in normalised], format="csr")
    assert batch.shape == single.shape == reference.shape
    assert batch.nnz > 100 * len(texts) // 2  # real n-grams, not an empty matrix
    assert abs(batch - reference).max() < 1e-6
    assert abs(single - reference).max() < 1e-6
    assert np.array_equal(np.diff(batch.indptr), np.diff(reference.indptr))


def test_a_word_split_in_two_reads_as_the_word_in_the_evasion_block() -> None:
    """«قا چاق» hides «قاچاق» from word and character n-grams; the anti-evasion block reads the
    review without spaces, so the split word brings the whole word's n-grams there."""
    from moderation.classifier.pipeline import build_pipeline, label_matrix

    rows = [e for e in examples() if e.split == "train"]
    pipeline = build_pipeline(cv=2).fit([e.text for e in rows],
                                        label_matrix([e.labels for e in rows]))
    normalised = pipeline.named_steps["normalise"].transform(["مدرک جعلی", "مدر ک جع لی"])
    block = dict((name, t) for name, t, _ in pipeline.named_steps["features"].transformers)
    evaded = block["evaded_chars"].transform(normalised)
    assert evaded.nnz > 0
    assert abs(evaded[0] - evaded[1]).max() < 1e-6
    words = block["words"].transform(normalised)
    assert abs(words[0] - words[1]).max() > 0.1  # the plain blocks still see the split


def test_pasted_text_leaves_only_the_spam_labels_fit() -> None:
    """The repeat detector flags pasted text as spam on its own; the spam label does not learn
    from it, so one customer's «حتما بخرید» is not taught as spam by three pasted copies."""
    from moderation.classifier.train import label_mask

    texts = [
        "حتما بخرید پشیمون نمیشید. حتما بخرید پشیمون نمیشید. حتما بخرید پشیمون نمیشید.",
        "حتما بخرید پشیمون نمیشید",
        "عالی عالی عالی",  # a customer's own emphasis is not pasting
    ]
    mask = label_mask(texts)
    spam = LABELS.index("spam")
    assert mask[:, spam].tolist() == [False, True, True]
    others = [j for j in range(len(LABELS)) if j != spam]
    assert mask[:, others].all()


def test_a_label_fits_only_the_examples_its_mask_keeps() -> None:
    """Masked-out examples change that label's scores and no other label's."""
    from moderation.classifier.pipeline import build_pipeline, label_matrix

    rows = [e for e in examples() if e.split == "train"]
    texts = [e.text for e in rows]
    Y = label_matrix([e.labels for e in rows])
    insult = LABELS.index("insult")
    criminal = LABELS.index("criminal")
    mask = np.ones(Y.shape, dtype=bool)
    # The insult label no longer sees half of its positives.
    positives = np.flatnonzero(Y[:, insult])
    mask[positives[: len(positives) // 2], insult] = False

    probe = ["پشتیبان احمق بود", "مدرک جعلی داریم", "روتر خوبیه"]
    full = build_pipeline(cv=2).fit(texts, Y).predict_proba(probe)
    masked = build_pipeline(cv=2).fit(texts, Y, labels__label_mask=mask).predict_proba(probe)
    assert not np.allclose(full[:, insult], masked[:, insult])
    np.testing.assert_allclose(full[:, criminal], masked[:, criminal])

    with pytest.raises(ValueError, match="label_mask has shape"):
        build_pipeline(cv=2).fit(texts, Y, labels__label_mask=mask[:, :3])

