"""A real browser (Chromium, headless, with no route to any other host) renders /docs and /redoc from
this server alone: the operations appear, and its network log shows every request the pages made
went to this origin. Skips when Chromium is not installed (``apt-get install chromium``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from api.app import create_app
from tests.api.serving import served
from tests.services import unavailable
from tests.smtp_sink import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(autouse=True)
def _chromium() -> None:
    """Skips without Chromium, or fails under CONTINUUM_REQUIRE_SERVICES=1 (.ci/run installs it)."""
    if CHROMIUM is None:
        unavailable("Chromium", "not installed (apt-get install chromium)")

QUIET = [  # the browser's own background traffic, which would only blur the network log
    "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
    "--disable-default-apps", "--no-first-run", "--no-pings", "--disable-domain-reliability",
    "--disable-features=AutofillServerCommunication",  # Chromium asks Google about the forms on a page
]


@pytest.fixture(scope="module")
def docs_url(tmp_path_factory, migrated_sqlite_template):
    from workflow.core.settings import Settings

    folder = tmp_path_factory.mktemp("browser")
    shutil.copy(migrated_sqlite_template, folder / "continuum.db")
    settings = Settings(_env_file=None, data_dir=folder / "data", database_url=f"sqlite:///{folder / 'continuum.db'}")
    with served(create_app(settings)) as url:
        yield url


def browse(url: str, folder: Path) -> tuple[str, list[dict], str]:
    """The page's DOM once its scripts ran, the requests it made (from the net log), the console."""
    netlog = folder / "netlog.json"
    result = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", *QUIET, f"--user-data-dir={folder / 'profile'}",
         f"--proxy-server=http://127.0.0.1:{free_port()}",  # nothing listens: no host but loopback is reachable
         f"--log-net-log={netlog}", "--enable-logging=stderr", "--v=0",
         "--virtual-time-budget=20000", "--dump-dom", url],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    log = json.loads(netlog.read_text())
    names = {number: name for name, number in log["constants"]["logEventTypes"].items()}
    requests = [event["params"] for event in log["events"]
                if names.get(event["type"]) == "URL_REQUEST_START_JOB" and "url" in event.get("params", {})]
    return result.stdout, requests, result.stderr


@pytest.mark.parametrize(("page", "rendered"), [("/docs", 'class="opblock'), ("/redoc", "operation/")])
def test_the_docs_render_offline_and_ask_no_other_host(docs_url, tmp_path, page, rendered):
    dom, requests, console = browse(docs_url + page, tmp_path)
    assert rendered in dom and "/strategies/{strategy_id}/transitions" in dom, dom[-2000:]
    site = f"http://{urlsplit(docs_url).hostname}"
    from_page = [r["url"] for r in requests if str(r.get("network_isolation_key", "")).startswith(site)]
    assert docs_url + "/openapi.json" in from_page
    elsewhere = [url for url in from_page if not url.startswith(docs_url + "/")]
    assert elsewhere == []
    # The policy blocks what a bundle would fetch elsewhere (ReDoc's logo) before any request leaves;
    # a blocked script, style, connection or worker would have broken the page.
    violations = [line for line in console.splitlines() if "Content Security Policy" in line]
    assert all("Loading the image 'https://" in line for line in violations), violations
