"""The moderators' page in a real browser: Debian's chromium, headless, driven by Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from moderation.settings import Settings
from moderation.web.app import create_app
from tests.conftest import Service, make_tokens
from tests.test_web_page import state, submit
from tests.test_web_queue import HELD

REQUIRE = os.environ.get("MODERATION_REQUIRE_BROWSER") == "1"
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "queue.png"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# Insult, a phone number and a channel handle: every kind of highlight and edit at once.
RICH = "پشتیبانتون کصکشه، شماره‌م 09121234567 هست، کانال @takhfif_shop رو ببینید"


def chromium() -> str | None:
    """Debian's chromium (Playwright cannot download its own browsers here)."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless chromium, or a skip (a failure under MODERATION_REQUIRE_BROWSER=1)."""
    path = chromium()
    if path is None:
        reason = "chromium is not installed (apt-get install -y --no-install-recommends chromium)"
        if REQUIRE:
            pytest.fail(reason + " and MODERATION_REQUIRE_BROWSER=1")
        print(f"browser tests skipped: {reason}")
        pytest.skip(reason)
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=path, args=ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def live(aiohttp_server: Any, aiohttp_client: Any, settings: Settings) -> Service:
    """The service as a real HTTP server on 127.0.0.1 and an unused port."""
    # No access log, as `moderation serve` runs: its lines carry the client's user agent.
    server = await aiohttp_server(create_app(settings), host="127.0.0.1", access_log=None)
    return Service(await aiohttp_client(server), await make_tokens(settings.database_url))


async def signed_in(browser: Browser, live: Service, errors: list[str]) -> Page:
    """A laptop-sized page, signed in through the form; script errors are collected."""
    context = await browser.new_context(viewport={"width": 1366, "height": 800}, locale="fa-IR")
    page = await context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    await page.goto(str(live.client.make_url("/queue")))
    await expect(page.locator("#token")).to_be_visible()
    await page.fill("#token", live.tokens["moderator"])
    await page.click("form button[type=submit]")
    await expect(page.locator("header.top")).to_contain_text("ناظر")
    return page


async def test_a_moderator_decides_with_the_keyboard_and_the_queue_moves_on(
    browser: Browser, live: Service, settings: Settings
) -> None:
    await submit(live, "q-1", RICH)
    await submit(live, "q-2")
    await submit(live, "q-3", "جنس تقلبی بود، فروشنده کصکشه")
    errors: list[str] = []
    page = await signed_in(browser, live, errors)
    current = page.locator("#current")
    await expect(current).to_have_attribute("data-review-id", "q-1")
    mark = page.locator("#review-text mark.insult")
    await expect(mark).to_have_text("کصکشه")
    await expect(mark).to_have_attribute("data-name", "توهین یا ناسزا")
    await expect(page.locator("#review-text mark.personal_info")).to_have_text("09121234567")
    await expect(page.locator("#diff ins").first).to_have_text("ک***")
    assert await page.evaluate("document.documentElement.dir") == "rtl"
    if os.environ.get("MODERATION_SCREENSHOT") == "1" and settings.database_url.startswith(
        "sqlite"
    ):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        await page.screenshot(path=str(SCREENSHOT), full_page=True)

    await page.keyboard.press("a")  # approve
    await expect(current).to_have_attribute("data-review-id", "q-2")
    await expect(page.locator("#outcome")).to_contain_text("تأیید و منتشر شد")
    assert (await state(live, "q-1"))["decision"] == "publish"

    await page.keyboard.press("u")  # undo: q-1 is back and open again
    await expect(current).to_have_attribute("data-review-id", "q-1")
    assert (await state(live, "q-1"))["status"] == "pending"

    await page.keyboard.press("r")  # reject without a reason: the reason list asks for one
    assert await page.evaluate("document.activeElement.name") == "reason"
    await page.select_option("select[name=reason]", "insult")
    await page.keyboard.press("Control+Enter")
    await expect(page.locator("#outcome")).to_contain_text("رد شد")
    assert (await state(live, "q-1"))["decision"] == "reject"

    await expect(current).to_have_attribute("data-review-id", "q-2")
    await page.keyboard.press("s")  # escalation opens a legal case: one press only arms it
    await expect(page.locator("[data-shortcut=escalate]")).to_be_focused()
    assert (await state(live, "q-2"))["status"] == "pending"
    await page.keyboard.press("s")
    await expect(page.locator("#outcome")).to_contain_text("به واحد حقوقی ارجاع شد")
    assert (await state(live, "q-2"))["status"] == "escalated"
    assert errors == []


async def test_markup_in_a_review_is_shown_as_text_and_never_runs(
    browser: Browser, live: Service
) -> None:
    texts = {
        "x-1": f"<script>window.__pwned=1</script> {HELD}",
        "x-2": f'<img src=x onerror="window.__pwned=1"> {HELD}',
    }
    for review_id, text in texts.items():
        await submit(live, review_id, text)
    errors: list[str] = []
    page = await signed_in(browser, live, errors)
    for n, (review_id, text) in enumerate(texts.items()):
        if n:
            await page.keyboard.press("j")  # next
        await expect(page.locator("#current")).to_have_attribute("data-review-id", review_id)
        shown = await page.locator("#review-text").inner_text()
        assert text.removesuffix(f" {HELD}") in shown  # the markup itself, as visible text
        assert await page.locator("#review-text img, #review-text script").count() == 0
        assert await page.evaluate("typeof window.__pwned") == "undefined"
    assert errors == []
