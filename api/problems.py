"""RFC 9457 problem details: the one place errors become HTTP responses.

Error documents are bounded whatever the request: at most ``MAX_LISTED_ERRORS`` field errors
are listed (``errors_omitted`` says how many more there were), and every text taken from the
request (a pointer, a parameter name, a detail) is cut to ``MAX_ERROR_TEXT`` characters, so an
868 KB body of unknown keys gets a few kilobytes back, not megabytes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from itertools import islice
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.security import secure
from workflow.core import DomainError, ServerBusy

log = logging.getLogger("continuum.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/problems/"
MAX_LISTED_ERRORS = 50
MAX_ERROR_TEXT = 300
BUSY_RETRY_AFTER_SECONDS = 5


class ProblemFieldError(BaseModel):
    detail: str
    pointer: str | None = None
    parameter: str | None = None


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemFieldError] | None = Field(
        None, description=f"The bad fields, at most {MAX_LISTED_ERRORS} of them."
    )
    errors_omitted: int | None = Field(
        None, description=f"How many more bad fields there were beyond the {MAX_LISTED_ERRORS} listed."
    )


def problem_response(
    status: int, slug: str | None, title: str, detail: str, request: Request | None = None, **extra: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"{TYPE_BASE}{slug}" if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.url.path
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def _cut(value: Any, limit: int = MAX_ERROR_TEXT) -> Any:
    return value[: limit - 1] + "…" if isinstance(value, str) and len(value) > limit else value


def _bounded(errors: Iterable[dict[str, Any]], total: int) -> tuple[list[dict[str, Any]], int | None]:
    """The first ``MAX_LISTED_ERRORS`` errors, their texts cut short, and how many were left out."""
    listed = [{key: _cut(value) for key, value in error.items()} for error in islice(errors, MAX_LISTED_ERRORS)]
    return listed, (total - len(listed) if total > len(listed) else None)


def _summary(errors: list[dict[str, Any]], omitted: int | None) -> str:
    detail = "; ".join(f"{e.get('pointer') or e.get('parameter')}: {e['detail']}" for e in errors)
    return f"{detail}; and {omitted} more" if omitted else detail


def _field_error(error: Any) -> dict[str, str]:
    location, *path = error.get("loc", ()) or ("body",)
    message = error.get("msg", "invalid")
    if error.get("type") == "json_invalid":
        reason = error.get("ctx", {}).get("error", message)
        return {"pointer": "#", "detail": f"the body is not valid JSON: {reason}"}
    if location == "body":
        return {"pointer": "#/" + "/".join(str(p) for p in path) if path else "#", "detail": message}
    parameter = ".".join(str(p) for p in path) or str(location)
    return {"parameter": parameter, "detail": f"{location}: {message}"}


def _validation_errors(exc: RequestValidationError) -> tuple[list[dict[str, Any]], int | None]:
    raw = exc.errors()
    return _bounded((_field_error(error) for error in raw), len(raw))


def domain_problem(exc: DomainError, *, instance: str | None = None) -> JSONResponse:
    """The problem document of a domain error: its status, type, title, detail, extensions, headers."""
    extensions = dict(exc.extensions)
    detail = exc.detail
    errors = extensions.get("errors")
    if isinstance(errors, list) and len(errors) > MAX_LISTED_ERRORS:
        extensions["errors"], extensions["errors_omitted"] = _bounded(errors, len(errors))
        detail = _summary(extensions["errors"], extensions["errors_omitted"])
    response = problem_response(exc.status, exc.slug, exc.title, detail, instance=instance, **extensions)
    response.headers.update(getattr(exc, "headers", {}))
    return response


def database_problem(exc: Exception, *, instance: str | None) -> JSONResponse | None:
    """503 for a database that did not answer or a connection pool with nothing left; None otherwise."""
    if isinstance(exc, PoolTimeout):
        log.warning("connection pool exhausted on %s: answering 503", instance)
        return domain_problem(ServerBusy(BUSY_RETRY_AFTER_SECONDS), instance=instance)
    if isinstance(exc, DBAPIError):
        log.error("database error on %s", instance, exc_info=exc)
        return problem_response(
            503, "database-unavailable", "Database unavailable",
            "the database did not complete the request; nothing was changed, retry shortly", instance=instance,
        )
    return None


HTTP_PROBLEMS = {  # Starlette's own errors (routing, methods) as typed problems, like the domain's
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    413: ("content-too-large", "Content too large"),
}


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors, omitted = _validation_errors(exc)
        return problem_response(422, "validation-failed", "Validation failed", _summary(errors, omitted), request,
                                errors=errors, errors_omitted=omitted)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, UnicodeDecodeError):  # FastAPI's 400 for a body that is not UTF-8
            error = {"pointer": "#", "detail": "the body is not valid JSON: it is not UTF-8 text"}
            return problem_response(422, "validation-failed", "Validation failed", f"#: {error['detail']}", request,
                                    errors=[error])
        slug, title = HTTP_PROBLEMS.get(exc.status_code, (None, "HTTP error"))
        response = problem_response(exc.status_code, slug, title, str(exc.detail), request)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def _database(request: Request, exc: Exception) -> JSONResponse:
        response = database_problem(exc, instance=request.url.path)
        assert response is not None  # registered for exactly the errors database_problem renders
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        response = problem_response(
            500, "internal-error", "Internal error", "an unexpected error occurred; nothing was changed", request
        )
        secure(response.headers)  # Starlette answers this one outside every middleware, SecurityHeaders included
        return response


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries documenting that ``statuses`` answer with a problem document."""
    return {
        status: {
            "description": PROBLEM_DESCRIPTIONS.get(status, "Problem"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


PROBLEM_DESCRIPTIONS = {
    400: "Malformed request",
    401: "No token, or a token that is unknown, expired or revoked",
    403: "The token's role or institution may not do this",
    404: "Unknown id",
    409: "Illegal transition, unmet precondition, or a concurrent change",
    412: "If-Match names a stale version",
    413: "The body is larger than the limit",
    422: "Invalid field; `errors` points at each one",
    429: "Too many failed authentications from this address; `Retry-After` says when to try again",
    503: "Database unavailable, or every database connection busy (`Retry-After`)",
}


def add_problem_schemas(openapi: dict[str, Any]) -> None:
    """Register ``Problem`` (and what it nests) under components, where ``responses`` refers to it."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Problem"] = schema
