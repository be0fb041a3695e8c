"""Turning a page's context into HTML: one Jinja environment per language, autoescaped, strict.

Templates call ``_()``/``ngettext()`` (gettext, with ``%(name)s`` placeholders) and the ``fmt``
helpers (dates, numbers); every page gets the signed-in ``viewer``, the ``csrf`` token for its forms,
the current ``path`` and the language switch.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from web.i18n import LANGUAGE_NAMES, LANGUAGES, Formats, catalog
from web.words import vocabulary

CONSOLE_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
])


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=PackageLoader("web", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "svg"), default_for_string=True, default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(catalog(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(fmt=Formats(language), lang=language, languages=LANGUAGES, language_names=LANGUAGE_NAMES)
    env.globals.update(vocabulary(catalog(language).gettext))
    return env


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    """The page ``template`` in the request's language (set by ``web.people.viewer``)."""
    viewer = request.state.viewer
    env = environment(viewer.language)
    html = env.get_template(template).render(
        viewer=viewer, csrf=viewer.csrf_token, notice=context.pop("notice", None), path=request.url.path,
        query=str(request.url.query), request=request, **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    response.headers["Content-Security-Policy"] = CONSOLE_POLICY
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Language"] = viewer.language
    if viewer.issue_csrf_cookie:
        from web.people import ANONYMOUS_CSRF_COOKIE, set_cookie

        set_cookie(request, response, ANONYMOUS_CSRF_COOKIE, viewer.csrf_token, max_age=None)
    return response


def translator(language: str) -> Any:
    """``_`` for code that words a message (errors, notices) in ``language``."""
    return catalog(language).gettext
