"""RFC 9457 problem details: the one place errors become HTTP responses."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from workflow.core import DomainError

log = logging.getLogger("continuum.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "/problems/"


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
    errors: list[ProblemFieldError] | None = None


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


def _validation_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    errors = []
    for error in exc.errors():
        location, *path = error.get("loc", ()) or ("body",)
        message = error.get("msg", "invalid")
        if error.get("type") == "json_invalid":
            reason = error.get("ctx", {}).get("error", message)
            errors.append({"pointer": "#", "detail": f"the body is not valid JSON: {reason}"})
        elif location == "body":
            errors.append({"pointer": "#/" + "/".join(str(p) for p in path) if path else "#", "detail": message})
        else:
            parameter = ".".join(str(p) for p in path) or str(location)
            errors.append({"parameter": parameter, "detail": f"{location}: {message}"})
    return errors


def domain_problem(exc: DomainError, *, instance: str | None = None) -> JSONResponse:
    """The problem document of a domain error: its status, type, title, detail, extensions, headers."""
    response = problem_response(exc.status, exc.slug, exc.title, exc.detail, instance=instance, **exc.extensions)
    response.headers.update(getattr(exc, "headers", {}))
    return response


def install(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> JSONResponse:
        return domain_problem(exc, instance=request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        detail = "; ".join(f"{e.get('pointer') or e.get('parameter')}: {e['detail']}" for e in errors)
        return problem_response(422, "validation-failed", "Validation failed", detail, request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if isinstance(exc.__cause__, UnicodeDecodeError):  # FastAPI's 400 for a body that is not UTF-8
            error = {"pointer": "#", "detail": "the body is not valid JSON: it is not UTF-8 text"}
            return problem_response(422, "validation-failed", "Validation failed", f"#: {error['detail']}", request,
                                    errors=[error])
        titles = {404: "Not found", 405: "Method not allowed", 413: "Content too large"}
        title = titles.get(exc.status_code, "HTTP error")
        response = problem_response(exc.status_code, None, title, str(exc.detail), request)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        log.exception("database error on %s %s", request.method, request.url.path)
        return problem_response(
            503, "database-unavailable", "Database unavailable",
            "the database did not complete the request; nothing was changed, retry shortly", request,
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "internal-error", "Internal error", "an unexpected error occurred; nothing was changed", request
        )


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
    503: "Database unavailable",
}


def add_problem_schemas(openapi: dict[str, Any]) -> None:
    """Register ``Problem`` (and what it nests) under components, where ``responses`` refers to it."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = openapi.setdefault("components", {}).setdefault("schemas", {})
    components.update(schema.pop("$defs", {}))
    components["Problem"] = schema
