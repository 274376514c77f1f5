"""Personal data is found in every common shape, and look-alikes are left alone."""

import pytest

from moderation.detect.checksums import iban_ir_ok, luhn_ok, national_code_ok
from moderation.detect.personal import find_personal
from moderation.text.evasion import light_view


def found(text: str) -> list[tuple[str, str]]:
    return [(text[s.start : s.end], s.kind) for s in find_personal(light_view(text))]


@pytest.mark.parametrize(
    "number",
    [
        "09121234567",
        "0912 123 4567",
        "0912-123-4567",
        "+98 912 123 4567",
        "+989121234567",
        "00989121234567",
        "0098-912-123-4567",
        "۰۹۱۲۱۲۳۴۵۶۷",
        "۰۹۱۲ ۱۲۳ ۴۵ ۶۷",
        "٠٩١٢١٢٣٤٥٦٧",
        "09 12 12 34 56 7",
        "0912\u200b1234567",
    ],
)
def test_mobile_numbers_in_every_shape(number: str) -> None:
    text = f"شماره من {number} هست زنگ بزنید"
    assert found(text) == [(number, "phone")]


@pytest.mark.parametrize(
    "number", ["021-88776655", "02188776655", "(021) 8877 6655", "031 3222 1234"]
)
def test_landlines_with_area_codes(number: str) -> None:
    assert found(f"تلفن مغازه {number}") == [(number, "phone")]


@pytest.mark.parametrize(
    "text",
    [
        "قیمتش 2,450,000 تومان بود",
        "قیمت ۱۲٬۵۰۰٬۰۰۰ ریال",
        "آی‌پی مودم 192.168.1.1 هست و پورت 8080 رو باز کردم",
        "گیت‌وی 10.0.0.138 و dns 8.8.8.8",
        "تاریخ خرید ۱۴۰۳/۰۲/۱۵ بود",
        "مدل RB951Ui-2HnD و Archer C80 و DIR-825",
        "سرعت 300Mbps روی 2.4GHz و 5GHz",
        "شماره سفارش 4000123456789 هنوز نرسیده",
        "کد رهگیری پست 123456789012345678901234",
        "گارانتی 18 ماهه و 24 ماه",
        "پورت‌های 443 و 8443 و 3389",
    ],
)
def test_look_alikes_are_not_personal_data(text: str) -> None:
    assert found(text) == []


def test_national_code_needs_a_valid_check_digit() -> None:
    assert national_code_ok("0499370899")
    assert not national_code_ok("0499370898")
    assert not national_code_ok("1111111111")
    assert found("کد ملی من 0499370899 است") == [("0499370899", "national_id")]
    assert found("کد ملی من 0499370898 است") == []
    assert found("کد ملی ۰۴۹۹۳۷۰۸۹۹") == [("۰۴۹۹۳۷۰۸۹۹", "national_id")]


def test_tracking_and_order_numbers_are_not_national_codes() -> None:
    # 0499370899 passes the check digit; the words before it say what it is.
    assert found("کد رهگیری تیپاکس: 0499370899 هنوز نرسیده") == []
    assert found("شماره سفارش ۰۴۹۹۳۷۰۸۹۹") == []
    assert found("serial: 0499370899") == []


def test_bank_card_needs_luhn() -> None:
    (valid,) = [f"603799181234567{d}" for d in range(10) if luhn_ok(f"603799181234567{d}")]
    assert luhn_ok("4111111111111111") and not luhn_ok("4111111111111112")
    spaced = " ".join(valid[i : i + 4] for i in range(0, 16, 4))
    assert found(f"به کارت {spaced} واریز کنید") == [(spaced, "bank_card")]
    broken = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert found(f"کارت {broken}") == []


def test_sheba_needs_mod_97() -> None:
    assert iban_ir_ok("820540102680020817909002")
    assert not iban_ir_ok("820540102680020817909003")
    assert found("شبا IR820540102680020817909002") == [("IR820540102680020817909002", "iban")]
    assert found("شبا IR 82 0540 1026 8002 0817 9090 02") == [
        ("IR 82 0540 1026 8002 0817 9090 02", "iban")
    ]
    assert found("شبا IR820540102680020817909003") == []


@pytest.mark.parametrize(
    "email",
    [
        "ali.rezaei@gmail.com",
        "Ali_R92@Yahoo.COM",
        "ali.r [at] gmail [dot] com",
        "ali at gmail dot com",
    ],
)
def test_emails_including_spelled_out_forms(email: str) -> None:
    assert found(f"ایمیلم {email} هست") == [(email, "email")]


def test_home_address_is_found() -> None:
    text = "لطفا بفرستید به تهران، خیابان ولیعصر، کوچه نسترن، پلاک ۱۲ واحد ۳ ممنون"
    assert found(text) == [("خیابان ولیعصر، کوچه نسترن، پلاک ۱۲ واحد ۳", "address")]


def test_postal_code_is_found() -> None:
    assert found("کد پستی 1234567890 لطفا") == [("کد پستی 1234567890", "address")]


@pytest.mark.parametrize(
    "number",
    [
        "صفر نهصد و دوازده سیصد و چهل و پنج شصت و هفت هشتاد و نه",
        "صفر نه یک دو سه چهار پنج شش هفت هشت نه",
        "۰۹۱۲ سیصد و چهل و پنج ۶۷ ۸۹",
        "صفر نهصدو دوازده، سیصد و چهل و پنج - شصت و هفت - هشتاد و نه",
        "صفر نه‌صد و دوازده سی‌صد و چهل و پنج شصت و هفت هشتاد و نه",
        "صفر بیست و یک هشتاد و هشت هفتاد و هفت شصت و شش پنجاه و پنج",
    ],
)
def test_numbers_spelled_out_in_words_are_phones(number: str) -> None:
    """Writing the number in words is how people get past a digit filter; the span covers the
    words, so redaction removes all of them."""
    assert found(f"برای خرید عمده زنگ بزنید {number} ممنون") == [(number, "phone")]


def test_bank_card_spelled_out_in_words_needs_luhn_too() -> None:
    card = "شصت و سه هفتاد و نه نود و نه یازده بیست و سه چهل و پنج شصت و هفت هشتاد و دو"
    assert found(f"به این کارت بریزید {card}") == [(card, "bank_card")]
    wrong = card.replace("هشتاد و دو", "هشتاد و پنج")
    assert found(f"به این کارت بریزید {wrong}") == []


@pytest.mark.parametrize(
    "text",
    [
        "دو سه تا مودم خریدم سیصد و پنجاه هزار تومن",
        "یک دو سه چهار پنج، پنج ستاره",
        "بیست و چهار پورت گیگ و دو پورت SFP، نهصد و پنجاه گرم",
        "سه چهار روز طول کشید تا برسه، دو سه بار زنگ زدم",
    ],
)
def test_ordinary_numbers_in_words_are_not_personal_data(text: str) -> None:
    assert found(text) == []
