"""Numbers as a reader expects them: each with the precision of its unit, exactly, never rounded.

* Percentages (rates, progress to target): one decimal, ``50.0``.
* Money: the currency's minor unit, two decimals for ALL, EUR and USD (ISO 4217), ``4500000.00``.
* Counts: whole numbers.
* Indicator values: an indicator measures in one unit, so its baseline, target and reported
  values share one precision, the fewest decimals that show each of them exactly: a head count
  of 1200 to 3000 persons prints ``1200`` and ``3000`` (stored as ``1200.0000``), a cost of 7.5 %
  going to 5 % with 6.25 % reported prints ``7.50``, ``5.00`` and ``6.25``.

Every function returns the decimal as a plain string (no exponent, no float on the way).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

CURRENCY_PLACES = {"ALL": 2, "EUR": 2, "USD": 2}
MONEY_PLACES = 2


def places(value: Decimal) -> int:
    """The decimals ``value`` needs to be shown exactly (``1200.0000``: 0, ``6.2500``: 2)."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int), "a finite decimal has an integer exponent"
    return max(0, -exponent)


def fixed(value: Decimal | None, decimals: int) -> str | None:
    """``value`` with exactly ``decimals`` decimals, as plain text; None stays None."""
    if value is None:
        return None
    return format(value.quantize(Decimal(1).scaleb(-decimals)), "f")


def shared_places(values: Iterable[Decimal | None]) -> int:
    """The precision of a unit: the most decimals any of its values needs."""
    return max((places(v) for v in values if v is not None), default=0)


def money(amount: Decimal | None, currency: str | None) -> str | None:
    return fixed(amount, CURRENCY_PLACES.get(currency or "", MONEY_PLACES))


def grouped(text: str | None) -> str:
    """A plain decimal string with thousands grouped by thin spaces, for print (``4 500 000.00``)."""
    if text is None:
        return ""
    sign, digits = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, fraction = digits.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, tail = whole[:-3], whole[-3:]
        groups.insert(0, tail)
    return sign + "\u2009".join([whole, *groups]) + dot + fraction
