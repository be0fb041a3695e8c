"""Column types that keep the database honest (aware UTC times, exact decimals), and the small
helpers every topic's tables share (an instant field, CHECK constraints over a list of values).

Exact decimals: money and indicator values never pass through a float.

PostgreSQL stores ``NUMERIC(p, s)`` and hands back ``Decimal``. SQLite has no exact decimal
type (its NUMERIC affinity turns 0.1 into a float), so there the value is stored as its
canonical text and read back as ``Decimal``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import CheckConstraint, DateTime, Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and always hands back aware UTC datetimes.

    SQLite has no timezone type and returns naive values; PostgreSQL returns the session's zone.
    Normalising here means no rule ever sees a naive datetime.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(TypeDecorator[Decimal]):
    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 2) -> None:
        super().__init__(precision=precision, scale=scale, asdecimal=True)
        self.scale = scale

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(40))
        precision = cast("Numeric[Decimal]", self.impl_instance).precision
        return dialect.type_descriptor(Numeric(precision=precision, scale=self.scale, asdecimal=True))

    def process_bind_param(self, value: object, dialect: Dialect) -> str | Decimal | None:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            raise TypeError(f"exact decimal columns take Decimal, not {type(value).__name__}")
        quantized = value.quantize(Decimal(1).scaleb(-self.scale))
        return str(quantized) if dialect.name == "sqlite" else quantized

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        return Decimal(value).quantize(Decimal(1).scaleb(-self.scale))


def instant_field(**kwargs: Any) -> Any:
    """A model field for an instant, stored through ``UTCDateTime``."""
    return Field(sa_type=UTCDateTime, **kwargs)


def sql_list(values: tuple[str, ...]) -> str:
    """``'a', 'b'``: the values as an SQL list, for CHECK constraints and partial index conditions."""
    return ", ".join(f"'{value}'" for value in values)


def check_in(column: str, values: tuple[str, ...], name: str) -> CheckConstraint:
    """A CHECK constraint: ``column`` holds one of ``values``."""
    return CheckConstraint(f"{column} IN ({sql_list(values)})", name=name)
