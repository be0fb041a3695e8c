"""The docs work on an air-gapped network: every asset /docs and /redoc need comes from this server,
their licences ship with them, and the pages' Content-Security-Policy lets a browser fetch nothing
from another host. ``GET /`` leads to the docs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

import api

DOC_PAGES = ["/docs", "/redoc"]
STATIC = Path(api.__file__).parent / "static"
LOCAL_SOURCES = {"'self'", "'none'", "'unsafe-inline'", "data:", "blob:"}


class References(HTMLParser):
    """Every URL an HTML page makes a browser load or point at."""

    ATTRIBUTES = {"src", "href", "spec-url", "action", "poster", "data"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in self.ATTRIBUTES and value is not None]


def references(html: str) -> list[str]:
    parser = References()
    parser.feed(html)
    return parser.urls + re.findall(r"url\(\s*['\"]?([^'\")]+)", html)  # inline CSS


@pytest.mark.parametrize("page", DOC_PAGES)
def test_every_asset_of_the_docs_is_served_from_this_origin(anonymous, page):
    response = anonymous.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    urls = references(response.text)
    assert len(urls) >= 2, urls
    base = f"http://testserver{page}"
    for url in urls:
        absolute = urlsplit(urljoin(base, url))
        assert (absolute.scheme, absolute.netloc) == ("http", "testserver"), url
        asset = anonymous.get(absolute.path)
        assert asset.status_code == 200, (url, asset.status_code)
        assert len(asset.content) > 0
    assert not re.search(r"https?://", response.text), "the page names another host"


def test_the_scripts_the_pages_load_are_the_vendored_bundles(anonymous):
    swagger = anonymous.get("/docs").text
    redoc = anonymous.get("/redoc").text
    assert "swagger-ui-bundle.js" in swagger and "swagger-ui.css" in swagger
    assert "redoc.standalone.js" in redoc
    assert anonymous.get("/static/swagger-ui/swagger-ui-bundle.js").headers["content-type"].startswith(
        ("application/javascript", "text/javascript"))


def test_swagger_ui_is_told_not_to_call_the_online_validator(anonymous):
    init = anonymous.get("/static/swagger-init.js")
    assert init.status_code == 200
    assert re.search(r"validatorUrl:\s*null", init.text)  # else Swagger UI asks validator.swagger.io


@pytest.mark.parametrize("page", DOC_PAGES)
def test_the_pages_content_security_policy_allows_no_other_host(anonymous, page):
    policy = anonymous.get(page).headers["content-security-policy"]
    directives = dict((d.split()[0], d.split()[1:]) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == ["'none'"]
    for name, sources in directives.items():
        assert set(sources) <= LOCAL_SOURCES, (name, sources)
    assert "'unsafe-inline'" not in directives["script-src"] and "'unsafe-eval'" not in policy
    assert directives["frame-ancestors"] == ["'none'"]


def test_the_vendored_assets_keep_their_licences():
    for folder, licence in [("swagger-ui", "Apache License"), ("redoc", "MIT License")]:
        assert licence in (STATIC / folder / "LICENSE").read_text()
    assert "SmartBear" in (STATIC / "swagger-ui" / "NOTICE").read_text()
    assert "swagger-ui-dist" in (STATIC / "README.md").read_text()  # where each file came from


def test_the_root_leads_to_the_console(anonymous):
    response = anonymous.get("/", follow_redirects=False)
    assert response.status_code in (302, 303, 307, 308)
    assert urlsplit(urljoin("http://testserver/", response.headers["location"])).path == "/console/"
    assert anonymous.get("/").headers["content-type"].startswith("text/html")


def test_the_docs_do_not_offer_an_oauth2_redirect_page(anonymous):
    """Tokens are pasted into Authorize; an OAuth2 redirect page would only be an inline script to allow."""
    assert anonymous.get("/docs/oauth2-redirect").status_code in (401, 404)
