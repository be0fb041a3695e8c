"""Response headers that keep browsers safe, and an access log that never shows a token.

``SecurityHeaders`` gives every response ``X-Content-Type-Options: nosniff`` and
``Referrer-Policy: no-referrer``, and a Content-Security-Policy: HTML (the docs) may load scripts,
styles, images and fonts from this origin only, so a browser fetches nothing from another host
even if a vendored bundle names one (ReDoc's logo does); everything else may load nothing and be
framed by nobody.

``RedactSecrets`` is a logging filter for uvicorn's access log: a token sent by mistake in a query
string (``?access_token=``, ``?token=``, ``?api_key=``) or anywhere in the path (``ctm_...``) is
logged as ``[REDACTED]``. ``access_log_config`` is uvicorn's logging configuration with it.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HTML_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",  # ReDoc and Swagger UI set styles at run time
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",  # the schema, and Swagger UI's "Try it out"
    "worker-src 'self' blob:",  # ReDoc's search index
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"
ALWAYS = {"x-content-type-options": "nosniff", "referrer-policy": "no-referrer"}


def secure(headers: MutableHeaders) -> None:
    """Set the headers on one response, unless it set them itself."""
    for name, value in ALWAYS.items():
        headers.setdefault(name, value)
    html = headers.get("content-type", "").startswith("text/html")
    headers.setdefault("content-security-policy", HTML_POLICY if html else OTHER_POLICY)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                secure(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_headers)


REDACTED = "[REDACTED]"
_QUERY_SECRET = re.compile(r"(?i)([?&](?:access_token|token|api_key|apikey)=)[^&#\s\"]*")
_TOKEN = re.compile(r"(?:ctm|csl|css)_[A-Za-z0-9_\-%]+")  # API tokens, sign-in links, sessions


def redact(text: str) -> str:
    return _TOKEN.sub(REDACTED, _QUERY_SECRET.sub(rf"\1{REDACTED}", text))


class RedactSecrets(logging.Filter):
    """Rewrites the arguments (and message) of every record it sees; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in record.args)
        return True


def access_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with ``RedactSecrets`` on both of its handlers."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {"()": f"{__name__}.RedactSecrets"}
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config
