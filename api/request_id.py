"""The request id: taken from ``X-Request-ID`` when it is sane, else made up, echoed in the response
and set in ``workflow.core.REQUEST_ID`` while the request is worked on, so every log line of the
request carries it (uvicorn's access line too: uvicorn logs it while the response starts, inside
the request's context; worker threads the request hands work to copy the context).

A presented id is used only if it is 1 to ``MAX_LENGTH`` characters of letters, digits and
``-._:``: a log line must not be forged or flooded through a header.
"""

from __future__ import annotations

import re
import uuid

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from workflow.core import REQUEST_ID

HEADER = "X-Request-ID"
MAX_LENGTH = 128
_SANE = re.compile(rf"[A-Za-z0-9._:\-]{{1,{MAX_LENGTH}}}")
STATE_KEY = "request_id"  # in the request's state


def request_id_from(presented: str | None) -> str:
    if presented is not None and _SANE.fullmatch(presented):
        return presented
    return uuid.uuid4().hex


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(Headers(scope=scope).get(HEADER))
        scope.setdefault("state", {})[STATE_KEY] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        token = REQUEST_ID.set(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            REQUEST_ID.reset(token)
