"""Text pasted over and over is spam; a customer repeating a word for emphasis is not."""

import pytest

from moderation.detect.all import detect
from moderation.detect.lexicon import load_lexicon
from moderation.detect.repeats import find_repeats
from moderation.text.evasion import light_view


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_repeats(light_view(text))]


@pytest.mark.parametrize(
    ("text", "span"),
    [
        (
            "فروش ویژه فقط امروز فروش ویژه فقط امروز فروش ویژه فقط امروز 📢📢",
            "فروش ویژه فقط امروز فروش ویژه فقط امروز فروش ویژه فقط امروز",
        ),
        (
            "ارزش خرید داره.\nارزش خرید داره.\nارزش خرید داره.",
            "ارزش خرید داره.\nارزش خرید داره.\nارزش خرید داره",
        ),
        (
            "🔥🔥 تخفیف ویژه 🔥🔥 تخفیف ويژه 🔥🔥 امروز 🔥🔥 تخفیف ویژه 🔥🔥",
            "تخفیف ویژه 🔥🔥 تخفیف ويژه 🔥🔥 امروز 🔥🔥 تخفیف ویژه",
        ),
        ("kheyli khoobe kheyli khoobe kheyli khoobe", "kheyli khoobe kheyli khoobe kheyli khoobe"),
    ],
)
def test_a_phrase_pasted_three_times_is_found(text: str, span: str) -> None:
    assert found(text) == [span]


@pytest.mark.parametrize(
    "text",
    [
        "خیلی خیلی خیلی خوبه، عالی عالی عالی",
        "فوق‌العاده فوق‌العاده فوق‌العاده فوق‌العاده فوق‌العاده فوق‌العاده",
        "خوبه خوبه. روتر خوبه خوبه. مودم خوبه خوبه.",  # a two-word phrase, but one word
        "ارسال سریع، ارسال سریع بود ولی جعبه له شده بود",  # twice is not pasting
        "هم از لحاظ ظاهر به روزتره هم از لحاظ قیمت و هم از لحاظ امکانات",
        "بسته بندی اول پلاستیکی بود، این بار بسته بندی سطلی گرفتم و دیدم بسته بندی مهمه",
        "یه مودم گرفتم که با یه کابل و یه آداپتور و یه دفترچه اومد و یه سال گارانتی داره",
    ],
)
def test_emphasis_and_ordinary_repetition_are_left_alone(text: str) -> None:
    assert found(text) == []


def test_repeated_text_flags_spam_through_the_detectors() -> None:
    text = (
        "بهترین قیمت بازار فقط پیش ما! بهترین قیمت بازار فقط پیش ما! بهترین قیمت بازار فقط پیش ما!"
    )
    spans = detect(text, load_lexicon())
    assert [(s.label, s.kind) for s in spans] == [("spam", "repeat")]
    assert spans[0].decisive
