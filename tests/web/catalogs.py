"""Reading the console's messages out of its code and templates, as ``pybabel extract`` does."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
METHODS = [("web/**.py", "python"), ("web/templates/**.html", "jinja2"), ("web/templates/**.svg", "jinja2")]
OPTIONS = {"web/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true", "lstrip_blocks": "true"},
           "web/templates/**.svg": {"extensions": "jinja2.ext.i18n"}}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def extracted() -> dict[str, list[str]]:
    """msgid (the singular, for plurals) -> where it is used."""
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS, options_map=OPTIONS, strip_comment_tags=True
    ):
        if not filename.startswith("web/") and not filename.startswith("web\\"):
            continue
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


SAME_IN_BOTH = {"Draft", "administrator", "Continuum", "Email", "API", "Diaspora"}


def untranslated() -> dict[str, str]:
    """msgid -> where, for every message shown without an Albanian translation (plurals: every form)."""
    from web.i18n import catalog

    albanian = catalog("sq")
    return {
        msgid: where[0] for msgid, where in extracted().items()
        if albanian.gettext(msgid) == msgid and not all(albanian._plurals.get(msgid, ("",)))
        and msgid not in SAME_IN_BOTH
    }


if __name__ == "__main__":
    missing = untranslated()
    for msgid, where in sorted(missing.items(), key=lambda item: item[1]):
        print(f"{where}: {msgid}")
    print(f"{len(missing)} message(s) without an Albanian translation (web/locale/sq/*.po)")
