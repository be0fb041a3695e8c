"""The console as an application mounted at ``/console`` of the API's: its own pages, assets and
error pages (HTML in the viewer's language, never problem+json), the same engine and settings."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from web.i18n import catalog
from web.people import SignInRequired, read_viewer
from web.rendering import render
from web.throttle import RequestThrottle
from workflow.core import DomainError, Settings

PREFIX = "/console"
STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger("continuum.web")


def error_page(request: Request, status: int, message: str | None = None) -> HTMLResponse:
    """The error in the viewer's language. ``message`` (a domain error's detail, which may quote what
    was posted) is translated here and escaped by the template like any other text."""
    viewer = read_viewer(request)
    worded = catalog(viewer.language).gettext(message) if message else None
    return render(request, "error.html", {"status": status, "message": worded}, status_code=status)


def create_console(settings: Settings, engine: Engine) -> FastAPI:
    from web.pages import PAGE_ROUTERS

    console = FastAPI(title="Continuum console", docs_url=None, redoc_url=None, openapi_url=None)
    console.state.settings = settings
    console.state.engine = engine
    console.state.sign_in_throttle = RequestThrottle(settings.sign_in_requests_per_minute)
    # Sign-in emails leave from these threads after the commit; a thread starts only when first used.
    console.state.mail_senders = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sign-in-mail")
    console.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in PAGE_ROUTERS:
        console.include_router(router)

    @console.exception_handler(SignInRequired)
    async def _sign_in(request: Request, exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"{PREFIX}/sign-in?next={quote(target, safe='')}", status_code=303)

    @console.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return error_page(request, exc.status, exc.detail)

    @console.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        return error_page(request, 404 if any(e.get("loc", ("",))[0] == "path" for e in exc.errors()) else 422)

    @console.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        return error_page(request, exc.status_code)

    @console.exception_handler(DBAPIError)
    @console.exception_handler(PoolTimeout)
    async def _database(request: Request, exc: Exception) -> Response:
        log.warning("database unavailable on %s %s", request.method, request.url.path, exc_info=True)
        response = error_page(request, 503)
        response.headers["Retry-After"] = "5"
        return response

    return console
