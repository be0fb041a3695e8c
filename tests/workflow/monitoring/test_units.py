"""Numbers printed with the precision of their unit (issue 10, item 15): never ``1200.0000``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflow.monitoring.results.units import fixed, grouped, money, places, shared_places


@pytest.mark.parametrize(
    ("stored", "needed"),
    [("1200.0000", 0), ("6.2500", 2), ("7.5000", 1), ("0.0000", 0), ("0.0001", 4), ("1E+3", 0), ("-2.50", 1)],
)
def test_the_decimals_a_value_needs_to_be_shown_exactly(stored, needed):
    assert places(Decimal(stored)) == needed


def test_an_indicator_prints_its_values_with_one_shared_exact_precision():
    head_count = (Decimal("1200.0000"), Decimal("3000.0000"), None)
    assert [fixed(v, shared_places(head_count)) for v in head_count] == ["1200", "3000", None]
    remittances = (Decimal("7.5000"), Decimal("5.0000"), Decimal("6.2500"))
    assert [fixed(v, shared_places(remittances)) for v in remittances] == ["7.50", "5.00", "6.25"]
    assert fixed(Decimal("1E+3"), 0) == "1000"  # never an exponent


def test_money_has_the_currency_decimals_and_print_groups_thousands():
    assert money(Decimal("4500000"), "ALL") == "4500000.00"
    assert money(Decimal("12.5"), "EUR") == "12.50" and money(None, None) is None
    assert grouped("4500000.00") == "4\u2009500\u2009000.00" and grouped("-1200") == "-1\u2009200"
    assert grouped("999") == "999" and grouped(None) == ""
