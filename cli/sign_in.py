"""`continuum sign-in-link EMAIL`: a one-time console sign-in link for a person, printed, not emailed.

For operators (a person whose email does not arrive) and for the first admin. The URL is alone on
the last line. It is built from ``CONTINUUM_PUBLIC_URL``, else ``--base-url`` (default the address
``continuum serve`` listens on).
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from cli.database import command_session
from cli.main import CommandError

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def sign_in_link(args: argparse.Namespace) -> int:
    from workflow.access import access_role_of, contacts_with_address, issue_link_for, sign_in_url
    from workflow.core import clock, get_settings
    from workflow.directory import institution_names

    settings = get_settings()
    with command_session() as session:
        people = contacts_with_address(session, args.email)
        if args.institution is not None:
            people = [p for p in people if p.institution_id == args.institution]
        if not people:
            raise CommandError(f"no person with the address {args.email!r}"
                               + (f" in institution {args.institution}" if args.institution else "")
                               + " (see `continuum contacts`)")
        if len(people) > 1:
            names = institution_names(session, {p.institution_id for p in people})
            choices = ", ".join(f"{p.institution_id} ({names.get(p.institution_id, '?')})" for p in people)
            raise CommandError(f"{args.email} is recorded in several institutions: pick one with --institution "
                               f"({choices})")
        person = people[0]
        names = institution_names(session, {person.institution_id})
        link = issue_link_for(session, person, now=clock.now(),
                              lifetime=timedelta(minutes=settings.sign_in_link_minutes))
        role = access_role_of(person)
    print(f"Signs in {person.name} ({role}, {names.get(person.institution_id, '?')}); "
          f"works once, for {settings.sign_in_link_minutes} minutes:")
    print(sign_in_url(settings.public_url or args.base_url, link.secret))
    return 0


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser("sign-in-link", help="print a one-time console sign-in link for a person")
    parser.add_argument("email", help="the person's address, as recorded")
    parser.add_argument("--institution", type=int, default=None, help="the institution's id, if several have it")
    parser.add_argument("--base-url", default=DEFAULT_BASE_URL,
                        help=f"where people open Continuum if CONTINUUM_PUBLIC_URL is unset ({DEFAULT_BASE_URL})")
    parser.set_defaults(run=sign_in_link)
