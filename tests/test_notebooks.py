"""The notebooks run end to end on fixture data, and are committed without outputs."""

from __future__ import annotations

import ast
import json
import re
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from moderation.classifier.artifact import available, load_model, save_model
from moderation.classifier.train import train_model
from moderation.data.corpus import load_corpus

NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOKS_DIR.glob("*.ipynb"))
DATASETS = Path(__file__).resolve().parent / "fixtures" / "datasets"
KERNEL = "negahban-tests"
PRODUCTION = "2000-01-01.1"
TINY = {"cv": 2, "word_max_features": 2000, "char_max_features": 4000}

# Our own reviews for the notebooks: per label two for train, one for val, one for test.
# All personal data below is fake.
REVIEWS: dict[str, list[str]] = {
    "clean": [
        "روتر به موقع رسید و بسته‌بندی سالم بود",
        "سرعت وای‌فای این مودم تو کل خونه خوبه",
        "سوئیچ کیفیت ساختش خوبه ولی یه کم گرونه",
        "قیمتش کشنده است ولی ارزششو داره",
        "پشتیبانی دیر جواب داد ولی مشکلم حل شد",
        "کابل شبکه کیفیتش متوسطه، برای خونه کافیه",
    ],
    "insult": [
        "پشتیبان‌هاتون احمق و بیشعورن",
        "فروشنده کثافت جواب تلفن رو نمیده",
        "مدیر این سایت یه الاغ به تمام معناست",
        "همتون نفهمید، خفه شید",
    ],
    "hate": [
        "این افغانی‌ها نباید اجازه کار داشته باشن، همشون دزدن",
        "ترک‌ها همشون خرن، جنس از ترکا نخرید",
        "بهایی‌ها رو نباید استخدام کرد",
        "عرب‌ها کثیف‌ترین آدمای دنیان",
    ],
    "sexual": [
        "عکس‌های لختی فروشنده رو بفرستید",
        "با این مودم فیلم سکسی بهتر دانلود میشه",
        "دوست دارم با پشتیبان خانمتون بخوابم",
        "پیام بدید عکس سکسی میفرستم",
    ],
    "threat": [
        "آدرستو پیدا می‌کنم و حسابتو می‌رسم",
        "اگه پولمو پس ندید میام مغازه رو آتیش می‌زنم",
        "پیکتون دوباره دیر بیاد می‌زنم لهش می‌کنم",
        "مراقب خودت باش، می‌دونم کجا کار می‌کنی",
    ],
    "spam": [
        "برای خرید ارزون‌تر به سایت netshop-example.ir سر بزنید",
        "کانال تلگرام ما رو دنبال کنید @cheap_modem_shop",
        "تخفیف ویژه فقط امروز، کد NET50 رو بزنید و از ما بخرید",
        "همین روتر رو ارزون‌تر تو www.router-example.com بگیرید",
    ],
    "personal_info": [
        "برای هماهنگی به شماره 09351112233 زنگ بزنید",
        "ایمیل من ali.test@example.com هست، جواب بدید",
        "شماره من ۰۹۱۰۵۵۵۴۴۳۳ هست اگه مودم اضافه دارید",
        "تو تلگرام به 09387776655 پیام بدید",
    ],
    "criminal": [
        "شیشه و گل هم داریم، پیام بدید",
        "مدرک دانشگاهی جعلی با مهر اصل می‌فروشم",
        "اسلحه کلت بدون مجوز موجوده",
        "هک اینستاگرام همسرتون با قیمت مناسب",
    ],
}
SPLITS = ("train", "train", "train", "train", "val", "test")
MODERATOR_LABELS = [
    ("مودم رو دو روزه گرفتم، راضی‌ام", [], "approve"),
    ("پشتیبانتون یه احمق تمام عیاره", ["insult"], "reject"),
    ("سیم‌کارت و حساب بانکی اجاره‌ای داریم", ["criminal"], "reject"),
]


@dataclass(frozen=True)
class Workspace:
    """Fixture data for the notebooks: our reviews, moderator labels and a production model."""

    reviews: Path
    moderator_labels: Path
    models: Path


def write_reviews(directory: Path) -> None:
    """One JSONL file per label, splits fixed so every label has train, val and test rows."""
    directory.mkdir()
    for label, texts in REVIEWS.items():
        splits = SPLITS if label == "clean" else SPLITS[2:]
        lines = [
            json.dumps(
                {
                    "id": f"{label}-{n}",
                    "text": text,
                    "labels": [] if label == "clean" else [label],
                    "split": split,
                    "source": "negahban-reviews",
                    "notes": "notebook fixture",
                },
                ensure_ascii=False,
            )
            for n, (text, split) in enumerate(zip(texts, splits, strict=True))
        ]
        (directory / f"{label}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_moderator_labels(path: Path) -> None:
    """The format of `python -m moderation labels export`."""
    rows = [
        {
            "id": f"moderator:{100 + n}",
            "text": text,
            "labels": labels,
            "source": "moderator",
            "action": action,
            "model_version": PRODUCTION,
            "at": "2026-01-02T10:00:00+00:00",
        }
        for n, (text, labels, action) in enumerate(MODERATOR_LABELS)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    """Fixture data, a tiny production model, and a kernel on this interpreter, offline."""
    root = tmp_path_factory.mktemp("notebooks")
    write_reviews(root / "reviews")
    write_moderator_labels(root / "moderator-labels.jsonl")
    corpus = load_corpus([DATASETS], reviews_dir=root / "reviews")
    save_model(train_model(corpus, version=PRODUCTION, pipeline_params=TINY), root / "models")
    # A kernelspec of our own: the kernel runs this venv's Python whatever other kernels exist.
    spec = root / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    kernel = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Negahban tests",
        "language": "python",
    }
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("JUPYTER_PATH", str(root / "jupyter"))
        env.setenv("JUPYTER_PLATFORM_DIRS", "1")
        env.setenv("JUPYTER_RUNTIME_DIR", str(root / "runtime"))
        env.setenv("IPYTHONDIR", str(root / "ipython"))
        env.setenv("MPLBACKEND", "agg")
        # Package defaults would read ../shared/datasets: point them at the fixtures too.
        env.setenv("MODERATION_DATASETS", str(DATASETS))
        yield Workspace(root / "reviews", root / "moderator-labels.jsonl", root / "models")


def parameters_cell(nb: Any) -> int:
    """Index of the cell tagged `parameters` (papermill's convention)."""
    return next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))


def declared(source: str) -> set[str]:
    """Names assigned at the top level of a cell."""
    return {
        target.id
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def execute(path: Path, params: dict[str, Any]) -> set[str]:
    """Run a notebook with `params` injected after its parameters cell; its declared names."""
    nb = nbformat.read(path, as_version=4)
    index = parameters_cell(nb)
    names = declared(nb.cells[index].source)
    source = "\n".join(f"{k} = {v!r}" for k, v in params.items() if k in names)
    nb.cells.insert(
        index + 1, nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    )
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=120, resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}
    )
    client.execute()  # raises CellExecutionError, with the cell and traceback, if a cell fails
    return names


def test_there_are_numbered_notebooks() -> None:
    assert NOTEBOOKS, f"no notebooks in {NOTEBOOKS_DIR}"
    for path in NOTEBOOKS:
        assert re.fullmatch(r"\d+\.\d+-[a-z0-9-]+\.ipynb", path.name), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_committed_notebook_has_no_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.outputs or c.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: clear the outputs of cells {dirty} before committing"
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    assert parameters_cell(nb) == first_code, f"{path.name}: the first code cell is not tagged"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_on_fixture_data(path: Path, workspace: Workspace, tmp_path: Path) -> None:
    models = tmp_path / "models"
    shutil.copytree(workspace.models, models)
    names = execute(
        path,
        {
            "data_dirs": [str(DATASETS)],
            "reviews_dir": str(workspace.reviews),
            "moderator_labels": str(workspace.moderator_labels),
            "models_dir": str(models),
            "write_model": True,
            "tiny": True,
            "max_rows": 2,
        },
    )
    written = [v for v in available(models) if v != PRODUCTION]
    if "write_model" not in names:
        assert not written, f"{path.name} wrote models without being asked to"
        return
    assert len(written) == 1, f"{path.name} wrote {written}, expected one candidate"
    card = json.loads((models / f"{written[0]}.json").read_text(encoding="utf-8"))
    assert card["version"] == written[0]
    assert "moderator" in {s["source"] for s in card["training_sources"]}
    assert load_model(written[0], models).version == written[0]


def test_retrain_without_production_model_or_labels_writes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    models = tmp_path / "models"
    execute(
        NOTEBOOKS_DIR / "2.0-retrain.ipynb",
        {
            "data_dirs": [str(DATASETS)],
            "reviews_dir": str(workspace.reviews),
            "moderator_labels": str(tmp_path / "missing.jsonl"),
            "models_dir": str(models),
            "write_model": False,
            "tiny": True,
        },
    )
    assert available(models) == []
