"""Driving the console in a real Chromium (Debian's package, launched by its path) with Playwright.

``Console`` is the app served for real (uvicorn in a thread) on a fresh SQLite database holding the
demo, sending its email to a real SMTP server (aiosmtpd). Every page a test opens records the
requests it makes, so a test can show that nothing left the origin; ``check_accessibility`` runs
axe-core in the page; ``shot`` writes a screenshot to ``CONTINUUM_SCREENSHOTS_DIR``
(default ``artifacts/screenshots``), the artifacts the README shows.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

from tests.smtp_sink import RecordingHandler

REPO = Path(__file__).resolve().parents[3]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(os.environ.get("CONTINUUM_SCREENSHOTS_DIR", REPO / "artifacts" / "screenshots"))
QUIET = [  # the browser's own background traffic (which this machine's closed network refuses)
    "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--disable-default-apps", "--no-first-run", "--no-pings",
    "--disable-domain-reliability", "--disable-features=AutofillServerCommunication,Translate",
]
LINK = re.compile(r"(https?://\S+/console/sign-in/link\?token=csl_[A-Za-z0-9_\-]+)")
SERIOUS = ("serious", "critical")


@dataclass
class Console:
    url: str
    mailbox: RecordingHandler
    requests: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        own = self.url.rstrip("/") + "/"
        return [u for u in self.requests if not (u.startswith(own) or u.startswith(("data:", "about:", "blob:")))]


def sign_in(page: Page, console: Console, email: str) -> None:
    """What a person does: ask for a link, open it from the email, press Sign in."""
    before = len(console.mailbox.messages)
    page.goto(f"{console.url}/console/sign-in")
    page.get_by_label(re.compile("Email address|Adresa e email-it")).fill(email)
    page.get_by_role("button", name=re.compile("Email me a sign-in link|Më dërgoni lidhjen")).click()
    page.get_by_role("status").wait_for()
    message = console.mailbox.wait_for(before + 1)[before]
    found = LINK.search(message.get_body(("plain",)).get_content())
    assert found, "the email carries no sign-in link"
    page.goto(found.group(1))
    page.get_by_role("button", name=re.compile("^(Sign in|Identifikohuni)$")).click()
    page.wait_for_url(re.compile(r"/console/portfolio"))


def check_accessibility(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page)
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result.response["violations"] if v.get("impact") in SERIOUS
    ]


def shot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
