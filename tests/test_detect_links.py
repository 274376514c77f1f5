"""Links and channel handles are found, also when spelled to dodge filters."""

import pytest

from moderation.detect.links import find_links
from moderation.text.evasion import light_view


def found(text: str) -> list[str]:
    return [text[s.start : s.end] for s in find_links(light_view(text))]


@pytest.mark.parametrize(
    "link",
    [
        "https://routershop24.ir/p/123",
        "http://x.ir",
        "www.netkala-example.com",
        "routershop24.ir",
        "Modem-Arzan.COM",
        "t.me/modem_arzan",
        "t . me / modem_arzan",
        "telegram.me/joinchat",
        "instagram.com/netshop",
        "@modem_arzan",
    ],
)
def test_links_and_handles(link: str) -> None:
    assert found(f"ارزون‌تر از اینجا بخرید {link} ممنون") == [link]


def test_named_handle_after_a_platform_word() -> None:
    assert found("آیدی تلگرام: netshop_1 پیام بدید") == ["netshop_1"]
    assert found("کانال wifi رو روی ۶ گذاشتم") == []


@pytest.mark.parametrize(
    "reply",
    [
        "@reza حرف مفت نزن، تو اصلا مودم دیدی؟",
        "  @Saba_84 are ba Rightel ham kar mikone",
        "در جواب @sina_k: آره با USB هم کار میکنه",
    ],
)
def test_a_reply_mention_at_the_head_of_a_comment_is_not_a_handle(reply: str) -> None:
    """Buyers answer each other with @name; only a handle inside the text is advertising."""
    assert found(reply) == []
    assert found(f"{reply} عضو کانال بشید @modem_arzan") == ["@modem_arzan"]


def test_trailing_full_stop_is_not_part_of_the_link() -> None:
    assert found("سایت ما x-shop.ir.") == ["x-shop.ir"]


@pytest.mark.parametrize(
    "text",
    [
        "آی‌پی 192.168.1.1 رو وارد کنید",
        "فریمور v1.2.3 رو نصب کردم",
        "ایمیلم ali@gmail.com",  # an e-mail is personal data, not a link
        "ایمیل بدید: n.moradi.net@gmail.com",  # nor is a dotted local part
        "سرعت 2.4GHz عالیه",
        "فایل firmware.bin رو آپلود کنید",
    ],
)
def test_not_links(text: str) -> None:
    assert found(text) == []
