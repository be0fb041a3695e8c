"""Typed domain errors. Each carries the HTTP status and problem type the API renders it with."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar


@dataclass(frozen=True)
class FieldError:
    """One bad field, addressed by a JSON pointer into the request (``#/period_end``)."""

    pointer: str
    detail: str

    def as_dict(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.detail}


def future_detail(today: date) -> str:
    """The one wording of a day that has not come yet (the console matches it to say it again)."""
    return f"must not be in the future (today is {today.isoformat()})"


class DomainError(Exception):
    status: ClassVar[int] = 400
    slug: ClassVar[str] = "bad-request"
    title: ClassVar[str] = "Bad request"

    def __init__(self, detail: str, **extensions: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class NotFound(DomainError):
    status = 404
    slug = "not-found"
    title = "Not found"


class ValidationFailed(DomainError):
    status = 422
    slug = "validation-failed"
    title = "Validation failed"

    def __init__(self, errors: list[FieldError], detail: str | None = None) -> None:
        self.errors = errors
        super().__init__(
            detail or "; ".join(f"{e.pointer}: {e.detail}" for e in errors),
            errors=[e.as_dict() for e in errors],
        )

    @classmethod
    def field(cls, pointer: str, detail: str) -> ValidationFailed:
        return cls([FieldError(pointer, detail)])


class IllegalTransition(DomainError):
    status = 409
    slug = "illegal-transition"
    title = "Transition not allowed from this stage"

    def __init__(self, event: str, stage: str, allowed: list[str]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "none: the stage is final"
        super().__init__(
            f"'{event}' cannot be applied in stage '{stage}'. Allowed events: {allowed_text}.",
            stage=stage,
            allowed_events=allowed,
        )


class GuardRefused(DomainError):
    """The event is allowed from this stage, but its precondition does not hold yet."""

    status = 409
    slug = "guard-refused"
    title = "Transition precondition not met"


class ConcurrentUpdate(DomainError):
    status = 409
    slug = "concurrent-update"
    title = "Changed by someone else"


class StaleVersion(DomainError):
    status = 412
    slug = "stale-version"
    title = "Precondition failed: version is stale"


def check_seen_version(what: str, current: int, if_match: Collection[int] | None) -> None:
    """Refuse a write to ``what`` at version ``current`` when the caller has seen only other versions
    (``if_match``, from If-Match or a form; None: it did not say)."""
    if if_match is not None and current not in if_match:
        seen = ", ".join(str(v) for v in sorted(if_match))
        raise StaleVersion(
            f"you have seen version {seen}, but the {what} is at version {current}: reload and retry",
            current_version=current,
        )


class Conflict(DomainError):
    status = 409
    slug = "conflict"
    title = "Conflict"


class ContentTooLarge(DomainError):
    status = 413
    slug = "content-too-large"
    title = "Content too large"

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the request body is larger than the limit of {max_bytes} bytes")
        self.headers = {"Connection": "close"}


class Forbidden(DomainError):
    status = 403
    slug = "forbidden"
    title = "Forbidden"


class Unauthenticated(DomainError):
    status = 401
    slug = "unauthenticated"
    title = "Authentication required"

    def __init__(self, detail: str, *, token_presented: bool) -> None:
        super().__init__(detail)
        # RFC 6750 §3: name the scheme; say invalid_token only when a token was sent.
        challenge = 'Bearer realm="continuum"'
        if token_presented:
            challenge += ', error="invalid_token"'
        self.headers = {"WWW-Authenticate": challenge}



# Conditions of the HTTP edge, rendered like every other problem.
class MalformedIfMatch(DomainError):
    status = 400
    slug = "malformed-if-match"
    title = "Malformed If-Match header"


class TooManyFailedAuthentications(DomainError):
    status = 429
    slug = "too-many-requests"
    title = "Too many failed authentications"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"too many failed authentications from this address; retry in {retry_after} seconds with a valid token"
        )
        self.headers = {"Retry-After": str(retry_after)}


class ServerBusy(DomainError):
    """Every database connection of this server is in use: an HTTP condition, not a domain rule."""

    status = 503
    slug = "server-busy"
    title = "Server busy"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            "every database connection of this server is in use; nothing was changed, "
            f"retry in {retry_after} seconds"
        )
        self.headers = {"Retry-After": str(retry_after)}


# Not domain errors rendered as problems: how an SMTP delivery failed, for the sender's retry rule.
class DeliveryError(Exception):
    """The message was not accepted. ``smtp_code`` is the server's reply code when there was one."""

    def __init__(self, detail: str, smtp_code: int | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.smtp_code = smtp_code


class TemporaryDeliveryError(DeliveryError):
    """Worth retrying later."""


class PermanentDeliveryError(DeliveryError):
    """Retrying the same message will fail the same way."""
