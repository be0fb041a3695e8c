"""`continuum institutions` and `continuum contacts`: who is in the directory, as tables."""

from __future__ import annotations

import argparse

from cli.arguments import choice
from cli.database import command_session
from cli.main import CommandError
from cli.table import render_table

PAGE = 100_000


def institutions(args: argparse.Namespace) -> int:
    from workflow.directory import list_institutions

    with command_session() as session:
        rows, _ = list_institutions(session, limit=PAGE, offset=0)
        table = [(str(i.id), i.name) for i in rows]
    if not table:
        print("no institutions yet (`continuum demo` loads an example portfolio)")
        return 0
    print(render_table(("id", "name"), table, shrink="name"))
    return 0


def contacts(args: argparse.Namespace) -> int:
    from workflow.directory import find_institution, institution_names, list_contacts

    with command_session() as session:
        institution_id = None
        if args.institution is not None:
            institution = find_institution(session, args.institution)
            if institution is None:
                raise CommandError(f"no institution named {args.institution!r} (see `continuum institutions`)")
            institution_id = institution.id
        rows, _ = list_contacts(session, institution_id=institution_id, role=args.role, limit=PAGE, offset=0)
        names = institution_names(session, {c.institution_id for c in rows})
        table = [
            (str(c.id), c.name, c.email, names.get(c.institution_id, str(c.institution_id)), ", ".join(c.roles),
             c.language)
            for c in rows
        ]
    if not table:
        print("no contacts match" if args.institution or args.role else "no contacts yet")
        return 0
    print(render_table(("id", "name", "email", "institution", "roles", "language"), table, shrink="institution"))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    listing = commands.add_parser("institutions", help="list the institutions")
    listing.set_defaults(run=institutions)
    people = commands.add_parser("contacts", help="list contacts with their institution, roles and language")
    people.add_argument("--institution", metavar="NAME", default=None, help="only this institution's contacts")
    people.add_argument("--role", type=choice, choices=["coordinator", "escalation", "contact_point"], default=None,
                        help="only contacts with this role")
    people.set_defaults(run=contacts)
