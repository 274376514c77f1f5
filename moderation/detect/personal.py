"""Personal data: phone numbers, e-mail, کد ملی, bank cards, شبا and home addresses."""

import re
from typing import Final

from moderation.detect.checksums import iban_ir_ok, luhn_ok, national_code_ok
from moderation.detect.spans import Span
from moderation.text.mapped import MappedText
from moderation.text.number_words import spell_out_numbers

LABEL: Final = "personal_info"
_SEP: Final = r"[ \-.\u200c]{0,2}"  # what people put between digit groups
_NO_DIGIT_BEFORE: Final = r"(?<![0-9a-z])"
_NO_DIGIT_AFTER: Final = r"(?![0-9])"

_MOBILE: Final = re.compile(
    _NO_DIGIT_BEFORE
    + r"(?:(?:\+|00)[ ]?98[ \-.]{0,2}\(?0?\)?|0)?[ \-.]{0,2}9(?:"
    + _SEP
    + r"[0-9]){9}"
    + _NO_DIGIT_AFTER
)
_LANDLINE: Final = re.compile(
    _NO_DIGIT_BEFORE
    + r"(?:(?:\+|00)[ ]?98[ \-.]{0,2}|\(?0)[1-8][0-9]\)?"
    + _SEP
    + r"[0-9](?:"
    + _SEP
    + r"[0-9]){7}"
    + _NO_DIGIT_AFTER
)
_NATIONAL: Final = re.compile(
    _NO_DIGIT_BEFORE + r"[0-9]{3}[ \-]?[0-9]{6}[ \-]?[0-9]" + _NO_DIGIT_AFTER
)
_CARD: Final = re.compile(
    _NO_DIGIT_BEFORE + r"[0-9]{4}(?:" + _SEP + r"[0-9]{4}){3}" + _NO_DIGIT_AFTER
)
_IBAN: Final = re.compile(
    r"(?<![a-z0-9])(?:ir[ \-]?)?([0-9]{2}(?:[ \-]?[0-9]){22})" + _NO_DIGIT_AFTER
)
_SHEBA_CONTEXT: Final = re.compile(r"(?:شبا|iban)\s*[:：]?\s*$")
_EMAIL: Final = re.compile(
    r"(?<![a-z0-9._%+\-])[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}"
)
_EMAIL_SPELLED: Final = re.compile(
    r"(?<![a-z0-9._\-])[a-z0-9._\-]{2,}\s*(?:\[at\]|\(at\)|\{at\}|\sat\s|\s?ات\s?)\s*"
    r"[a-z0-9\-]{2,}\s*(?:\[dot\]|\(dot\)|\{dot\}|\sdot\s|\s?دات\s?|\.)\s*"
    r"(?:com|ir|net|org|co|io|me)(?![a-z])"
)
_POSTAL: Final = re.compile(r"کد\s?\u200c?پستی\s*[:：]?\s*[0-9]{5}[ \-]?[0-9]{5}" + _NO_DIGIT_AFTER)
_PLAQUE: Final = re.compile(r"(?:پلاک|پ\.)\s*[0-9]+(?:\s*[،,]?\s*(?:واحد|طبقه|زنگ)\s*[0-9]+)*")
_ADDRESS_START: Final = re.compile(
    r"(?:استان|شهرستان|خیابان|خ\.|بلوار|کوچه|بن\s?\u200c?بست|میدان|نبش|جاده|شهرک|محله|کوی)\s"
)
# A 10-digit number after these words is an order, tracking or serial number, whatever its
# check digit says (one random number in ten passes the کد ملی check).
_NOT_PERSONAL_BEFORE: Final = re.compile(
    r"(?:رهگیری|پیگیری|سفارش|سریال|فاکتور|مرسوله|بارکد|کد\s?\u200c?کالا|order|serial|tracking|sn)"
    r"[^\n0-9]{0,12}$"
)
_SENTENCE_END: Final = re.compile(r"[.!?؟\n]")


def _digits(s: str) -> str:
    return re.sub(r"[^0-9]", "", s)


def _card_ok(number: str) -> bool:
    """Iranian bank cards start with 5 or 6 (Shetab); 3 and 4 for foreign ones. Luhn rules out
    nine random 16-digit numbers in ten."""
    digits = _digits(number)
    return digits[0] in "3456" and luhn_ok(digits)


def find_personal(view: MappedText) -> list[Span]:
    """Spans of personal data in the light view of a review (see `text.evasion.light_view`)."""
    text = view.text
    found: list[Span] = []

    def add(start: int, end: int, kind: str, within: MappedText = view) -> None:
        span = Span(*within.original_span(start, end), kind, LABEL)
        if not any(span.overlaps(other) for other in found):
            found.append(span)  # the first, more specific detector wins

    for m in _EMAIL.finditer(text):
        add(*m.span(), "email")
    for m in _EMAIL_SPELLED.finditer(text):
        add(*m.span(), "email")
    for m in _IBAN.finditer(text):
        has_prefix = m.start(1) > m.start()
        if iban_ir_ok(_digits(m.group(1))) and (
            has_prefix or _SHEBA_CONTEXT.search(text[max(0, m.start() - 12) : m.start()])
        ):
            add(*m.span(), "iban")
    for m in _CARD.finditer(text):
        if _card_ok(m.group()):
            add(*m.span(), "bank_card")
    for m in _MOBILE.finditer(text):
        add(*m.span(), "phone")
    for m in _LANDLINE.finditer(text):
        add(*m.span(), "phone")
    for m in _POSTAL.finditer(text):
        add(*m.span(), "address")
    for m in _NATIONAL.finditer(text):
        if _NOT_PERSONAL_BEFORE.search(text[max(0, m.start() - 30) : m.start()]):
            continue
        if national_code_ok(_digits(m.group())):
            add(*m.span(), "national_id")
    for m in _PLAQUE.finditer(text):
        window_start = max(0, m.start() - 80)
        window = text[window_start : m.start()]
        cut = max((e.end() for e in _SENTENCE_END.finditer(window)), default=0)
        first = _ADDRESS_START.search(window, cut)
        if first:
            add(window_start + first.start(), m.end(), "address")
    spelled = spell_out_numbers(view)
    if spelled is not view:
        for pattern, kind in ((_MOBILE, "phone"), (_LANDLINE, "phone"), (_CARD, "bank_card")):
            for m in pattern.finditer(spelled.text):
                if kind != "bank_card" or _card_ok(m.group()):
                    add(*m.span(), kind, within=spelled)
    found.sort(key=lambda s: s.start)
    return found
