"""`continuum tokens create|list|revoke`: API tokens, straight against the database.

``create`` prints the secret alone on its last line, so ``TOKEN=$(continuum tokens create ... | tail -n 1)``
works; it is shown only then and stored only as a hash.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pydantic import ValidationError

from cli.arguments import choice
from cli.database import command_session
from cli.main import CommandError
from workflow.access import TOKEN_ROLES

T = TypeVar("T")


# What the domain calls a field, as the operator types it here.
OPTIONS = {"#/institution_id": "--institution", "#/expires_in_days": "--expires-in-days", "#/name": "--name",
           "#/role": "--role"}


def _domain(action: Callable[[], T]) -> T:
    """Run ``action``, turning refusals from the domain into one line for the operator."""
    from workflow.core import DomainError

    try:
        return action()
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        reason = first["msg"].removeprefix("Value error, ")
        raise CommandError(f"{OPTIONS.get('#/' + where, where)}: {reason}") from None
    except DomainError as exc:
        detail = exc.detail
        for pointer, option in OPTIONS.items():
            detail = detail.replace(pointer, option)
        raise CommandError(detail) from None


def _when(instant: datetime | None) -> str:
    return instant.strftime("%Y-%m-%d %H:%M UTC") if instant else "-"


def create(args: argparse.Namespace) -> int:
    from workflow.access import TokenCreate, issue_token
    from workflow.core import clock, get_settings
    from workflow.directory import find_institution

    with command_session() as session:
        institution_id, institution_name = None, None
        if args.institution is not None:
            institution = find_institution(session, args.institution)
            if institution is None:
                raise CommandError(f"no institution named {args.institution!r} (see `continuum institutions`)")
            institution_id, institution_name = institution.id, institution.name
        command = _domain(lambda: TokenCreate(
            name=args.name, role=args.role, institution_id=institution_id, expires_in_days=args.expires_in_days
        ))
        issued = _domain(lambda: issue_token(
            session, command, now=clock.now(), default_lifetime_days=get_settings().token_lifetime_days
        ))
    row = issued.row  # printed only once committed, so a shown token always exists
    scope = f", acting for {institution_name}" if institution_name else ""
    print(f"token {row.name!r} (id {row.id}, {row.role}{scope}) expires {_when(row.expires_at)}.")
    print("It is shown only now; send it as `Authorization: Bearer <token>`:")
    print(issued.plain)
    return 0


def list_(args: argparse.Namespace) -> int:
    from workflow.access import list_tokens, token_status
    from workflow.core import clock
    from workflow.directory import institution_names

    now = clock.now()
    with command_session() as session:
        rows, _ = list_tokens(session, limit=1_000_000, offset=0)
        names = institution_names(session, {t.institution_id for t in rows if t.institution_id is not None})
        table: list[tuple[str, ...]] = [
            (str(t.id), t.name, t.role, names.get(t.institution_id, "-") if t.institution_id else "-",
             t.prefix + "...", token_status(t, now), _when(t.expires_at), _when(t.last_used_at))
            for t in rows
        ]
    if not table:
        print("no tokens yet: `continuum tokens create --role admin --name NAME`")
        return 0
    print(render_table(("id", "name", "role", "institution", "prefix", "status", "expires", "last used"), table))
    return 0


def revoke(args: argparse.Namespace) -> int:
    from workflow.access import find_token, revoke_token
    from workflow.core import clock

    with command_session() as session:
        token = _domain(lambda: find_token(session, args.token))
        already = token.revoked_at is not None
        revoke_token(session, token, now=clock.now())
    state = "was already revoked on" if already else "revoked on"
    print(f"token {token.name!r} (id {token.id}) {state} {_when(token.revoked_at)}")
    return 0


def render_table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)).rstrip() for r in (header, *rows)]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _positive_days(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 3650:
        raise argparse.ArgumentTypeError(f"a whole number of days from 1 to 3650: {text!r}")
    return int(text)


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("tokens", help="create, list and revoke API tokens")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")

    make = actions.add_parser("create", help="issue a token; prints the secret alone on the last line")
    make.add_argument("--role", required=True, type=choice, choices=TOKEN_ROLES)
    make.add_argument("--name", required=True, help="who holds it; recorded as the actor in the history")
    make.add_argument("--institution", metavar="NAME", default=None,
                      help="the institution it acts for (required for coordinator and contact_point)")
    make.add_argument("--expires-in-days", type=_positive_days, default=None, metavar="N",
                      help="lifetime (default CONTINUUM_TOKEN_LIFETIME_DAYS)")
    make.set_defaults(run=create)

    listing = actions.add_parser("list", help="every token with its status; never the secrets")
    listing.set_defaults(run=list_)

    drop = actions.add_parser("revoke", help="revoke a token by name or id; effective on its next request")
    drop.add_argument("token", metavar="NAME|ID")
    drop.set_defaults(run=revoke)
