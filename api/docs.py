"""The API docs, served without internet: Swagger UI on /docs and ReDoc on /redoc, from the assets
vendored in ``api/static`` (see its README for versions and licences); ``GET /`` leads to /docs.

Every URL in the pages is relative, so they also work behind a proxy that serves the API under a
path prefix. No page loads web fonts; ReDoc falls back to the system's.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/static/"
DOCS_PATHS = frozenset({"/", "/docs", "/redoc", "/openapi.json"})

SWAGGER_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} - API docs</title>
  <link rel="icon" type="image/png" href="static/swagger-ui/favicon-32x32.png">
  <link rel="stylesheet" href="static/swagger-ui/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="static/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="static/swagger-init.js"></script>
</body>
</html>
"""

REDOC_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} - ReDoc</title>
  <link rel="icon" type="image/png" href="static/swagger-ui/favicon-32x32.png">
  <style>body {{ margin: 0; padding: 0; }}</style>
</head>
<body>
  <redoc spec-url="openapi.json"></redoc>
  <script src="static/redoc/redoc.standalone.js"></script>
</body>
</html>
"""


def install(app: FastAPI) -> None:
    """Serve the docs pages and their assets (create the app with ``docs_url=None, redoc_url=None``).

    Plain Starlette routes, like FastAPI's own docs: the application-wide dependencies (the token)
    do not reach them."""
    swagger = HTMLResponse(SWAGGER_PAGE.format(title=app.title))
    redoc = HTMLResponse(REDOC_PAGE.format(title=app.title))

    async def swagger_ui(request: Request) -> Response:
        return swagger

    async def redoc_ui(request: Request) -> Response:
        return redoc

    app.mount(STATIC_PREFIX.rstrip("/"), StaticFiles(directory=STATIC_DIR), name="static")
    app.add_route("/docs", swagger_ui, include_in_schema=False)
    app.add_route("/redoc", redoc_ui, include_in_schema=False)
