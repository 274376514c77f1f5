"""Links and channel handles: URLs, bare domains, t.me/..., @handle, "آیدی تلگرام: x"."""

import re
from typing import Final

from moderation.detect.spans import Span
from moderation.text.mapped import MappedText

LABEL: Final = "spam"
_TLDS: Final = (
    "ir|com|net|org|info|me|io|co|shop|store|online|site|xyz|app|biz|top|link|club|ws|tv|to"
    "|ly|cc|in|uk|de|ru|tk|ml|ga|cf|gq|su|website|space|fun|live|page|blog|pro|news|one"
)
_URL: Final = re.compile(r"(?:https?://|www\.)[^\s<>\"'،]+", re.ASCII)
_TME: Final = re.compile(r"(?<![a-z0-9])(?:t|telegram)\s*\.\s*me\s*/\s*\+?[a-z0-9_]+")
_DOMAIN: Final = re.compile(
    r"(?<![a-z0-9@.\-])[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9\-]+)*\.(?:" + _TLDS + r")"
    r"(?![a-z0-9\-@])(?:/[^\s<>\"'،]*)?"  # not before @: that is an e-mail's local part
)
_HANDLE: Final = re.compile(r"(?<![a-z0-9_.@])@[a-z0-9_](?:[a-z0-9_.]{2,31})(?<!\.)")
_NAMED_HANDLE: Final = re.compile(
    r"(?:آیدی|ایدی|آی\s?دی|تلگرام|تلگرم|اینستا|اینستاگرام|پیج|کانال|واتساپ|واتس\s?اپ|ایتا|روبیکا)"
    r"\s*[:：]?\s*(@?[a-z][a-z0-9_.]{3,31})(?![a-z0-9_])"
)
# Words that follow "کانال" or "پیج" in ordinary reviews of network gear.
_NOT_HANDLES: Final = frozenset(
    {"wifi", "wan", "lan", "auto", "width", "mhz", "ghz", "setting", "settings", "admin", "login"}
)
_TRAILING: Final = ".,;:!?)"
# What may come before a reply's @mention: the review's start, or the thread's words for it.
_REPLY_START: Final = re.compile(r"\s*(?:(?:در\s)?(?:جواب|پاسخ)\s*(?:به\s*)?|reply\s*(?:to\s*)?)?$")


def find_links(view: MappedText) -> list[Span]:
    """Spans of links and handles in the light view of a review."""
    text = view.text
    spans: list[tuple[int, int, str]] = []
    for pattern, kind in ((_URL, "link"), (_TME, "link"), (_DOMAIN, "link"), (_HANDLE, "handle")):
        for m in pattern.finditer(text):
            start, end = m.span()
            if kind == "handle" and _REPLY_START.match(text, 0, start):
                # «@reza راست میگی…» at the head of a comment answers another buyer, as
                # comment threads do; a channel is advertised inside the text or by name.
                continue
            while end > start + 1 and text[end - 1] in _TRAILING:
                end -= 1  # a sentence's full stop is not part of the link
            spans.append((start, end, kind))
    for m in _NAMED_HANDLE.finditer(text):
        if m.group(1).lstrip("@") not in _NOT_HANDLES:
            spans.append((m.start(1), m.end(1), "handle"))
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[Span] = []
    last_end = -1
    for start, end, kind in spans:
        if start < last_end:
            continue  # nested in a longer link found first (www.x.ir inside http://www.x.ir)
        a, b = view.original_span(start, end)
        out.append(Span(a, b, kind, LABEL))
        last_end = end
    return out
