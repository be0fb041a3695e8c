"""Every message the console shows has its Albanian translation, with the same placeholders."""

from __future__ import annotations

import re

from babel.messages.pofile import read_po

from tests.web.catalogs import ROOT, extracted, placeholders, untranslated
from web.i18n import CATALOG_DIR, catalog, catalog_files


def test_every_message_has_an_albanian_translation() -> None:
    missing = untranslated()
    assert not missing, f"add these to web/locale/sq/*.po: {missing}"


def test_translations_keep_their_placeholders() -> None:
    for path in catalog_files("sq"):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="sq_AL"):
                if not message.id or not message.string:
                    continue
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    assert placeholders(text) == placeholders(ids[0]), (path.name, message.id)


def test_no_message_is_translated_twice() -> None:
    seen: dict[str, str] = {}
    for path in catalog_files("sq"):
        with path.open("rb") as handle:
            for message in read_po(handle, locale="sq_AL"):
                msgid = message.id[0] if isinstance(message.id, tuple) else message.id
                if not msgid:
                    continue
                assert msgid not in seen, f"{msgid!r} is in both {seen[msgid]} and {path.name}"
                seen[msgid] = path.name


def test_no_catalog_holds_a_message_twice() -> None:
    """Babel keeps the first of two entries with one msgid and drops the other without a word."""
    for path in catalog_files("sq"):
        entries = [entry for entry in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if "msgid" in entry]
        keys = [re.sub(r'"\n"', "", entry[entry.index("msgid"):entry.index("msgstr")]) for entry in entries]
        doubled = sorted({key for key in keys if keys.count(key) > 1})
        assert not doubled, f"{path.name} holds these twice: {doubled}"


DOMAIN_CATALOG = "domain.po"  # the domain's own messages (a refusal's detail), shown through _(detail)


def _ids(name: str) -> list[str]:
    path = CATALOG_DIR / "sq" / name
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return [m.id for m in read_po(handle, locale="sq_AL") if isinstance(m.id, str) and m.id]


def test_the_catalogs_hold_no_message_the_console_no_longer_shows() -> None:
    shown = set(extracted()) | set(_ids(DOMAIN_CATALOG))
    stale = [msgid for msgid in catalog("sq")._messages if "\x04" not in msgid and msgid not in shown]
    assert not stale, f"remove these from web/locale/sq/*.po: {stale}"


def test_the_domain_catalog_translates_messages_the_domain_still_writes() -> None:
    sources = "\n".join(path.read_text() for path in (ROOT / "workflow").rglob("*.py"))
    gone = [msgid for msgid in _ids(DOMAIN_CATALOG) if msgid not in sources]
    assert not gone, f"no longer written by workflow/, remove from {DOMAIN_CATALOG}: {gone}"
