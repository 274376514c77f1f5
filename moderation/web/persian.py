"""The Persian words and sentences the moderators' page shows."""

from __future__ import annotations

from typing import Final

from moderation.policy import LABEL_FA

LABEL_NAMES: Final = dict(LABEL_FA)
REASONS: Final = {
    **LABEL_FA,
    "off_topic": "نامربوط به کالا",
    "other": "سایر",
}
RULE_ACTIONS: Final = {
    "redact": "پوشاندن اطلاعات شخصی",
    "strip": "حذف لینک",
    "mask": "ستاره‌گذاری ناسزا",
    "hold": "نگه‌داشتن برای ناظر",
    "reject": "رد",
}
DECISIONS: Final = {
    "publish": "انتشار",
    "publish_edited": "انتشار با ویرایش",
    "hold": "در انتظار ناظر",
    "reject": "رد",
}
HISTORY: Final = {
    "published": "منتشرشده",
    "edited": "ویرایش‌شده",
    "held": "نگه‌داشته",
    "rejected": "ردشده",
}
# The banner after an action, keyed by the action (the `done` query value).
DONE: Final = {
    "approve": "تأیید و منتشر شد.",
    "approve_edited": "با ویرایش خودکار منتشر شد.",
    "edit": "با متن شما منتشر شد.",
    "reject": "رد شد.",
    "escalate": "به واحد حقوقی ارجاع شد.",
    "release": "رها شد و به صف برگشت.",
    "undo": "تصمیم قبلی بازگردانده شد.",
}
ERRORS: Final = {
    "claimed": "این مورد را ناظر دیگری در دست دارد؛ مورد بعدی نمایش داده شد.",
    "not_found": "چنین موردی وجود ندارد.",
    "not_in_queue": "این مورد دیگر در صف نیست.",
    "not_claimed": "این مورد در دست شما نبود.",
    "nothing_to_undo": "تصمیمی از شما روی این مورد نیست که بازگردانده شود.",
    "undo_expired": "مهلت بازگرداندن این تصمیم گذشته است.",
    "invalid_action": "این کار شناخته نیست.",
    "missing_text": "برای ویرایش، متن خودتان را بنویسید.",
    "invalid_reason": "برای رد کردن، یک دلیل انتخاب کنید.",
}
LOGIN_WRONG: Final = "این توکن معتبر نیست."
LOGIN_NOT_MODERATOR: Final = "این توکن متعلق به ناظر نیست؛ فقط ناظران می‌توانند وارد این صفحه شوند."
LOGIN_EXPIRED: Final = "نشست شما تمام شده است؛ دوباره وارد شوید."
CSRF: Final = "درخواست نشانهٔ امنیتی (CSRF) معتبر ندارد؛ صفحه را دوباره باز کنید."

_DIGITS: Final = str.maketrans("0123456789.", "۰۱۲۳۴۵۶۷۸۹٫")


def digits(value: object) -> str:
    """A number written with Persian digits and decimal separator."""
    return str(value).translate(_DIGITS)


def score(value: float) -> str:
    """A score in [0, 1] with two decimals, in Persian digits."""
    return digits(f"{value:.2f}")


def error(code: str) -> str:
    """The Persian sentence for a queue error code."""
    return ERRORS.get(code, "این کار انجام نشد.")
