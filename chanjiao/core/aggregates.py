"""A median computed in the database, on both of the project's databases (issue #11: salary medians).

PostgreSQL has the ordered-set aggregate ``percentile_cont(0.5) WITHIN GROUP (ORDER BY x)``; SQLite has
no median, so the connection gets one (``chanjiao_median``, registered on every new SQLite connection
by ``register_sqlite_median``, connected in ``CoreConfig.ready``). Both interpolate between the two
middle values of an even count and ignore NULLs; over no values both give NULL.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, FloatField

SQLITE_MEDIAN = "chanjiao_median"


class Median(Aggregate):
    """The median of a number column (NULLs ignored), as a float; NULL over no rows."""

    name = "Median"
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    allow_distinct = False

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        # A copy with SQLite's function and a plain call template (Aggregate.as_sql builds its FILTER
        # clause around ``self.template``, so the template cannot be passed as a keyword).
        plain = self.copy()
        plain.function, plain.template = SQLITE_MEDIAN.upper(), "%(function)s(%(distinct)s%(expressions)s)"
        return super(Median, plain).as_sql(compiler, connection, **extra_context)


def median_sql(vendor: str, column: str) -> str:
    """The median of ``column`` in raw SQL (the figures' scalar subqueries are raw SQL over Django's)."""
    if vendor == "postgresql":
        return f"PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY {column})"
    return f"{SQLITE_MEDIAN}({column})"


class _SqliteMedian:
    """The aggregate class sqlite3 calls: ``step`` per row, ``finalize`` once."""

    def __init__(self) -> None:
        self.values: list[float] = []

    def step(self, value: Any) -> None:
        if value is not None:
            self.values.append(float(value))

    def finalize(self) -> float | None:
        if not self.values:
            return None
        ordered = sorted(self.values)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def register_sqlite_median(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created`` receiver: give each new SQLite connection the median aggregate."""
    if connection.vendor == "sqlite":
        connection.connection.create_aggregate(SQLITE_MEDIAN, 1, _SqliteMedian)
