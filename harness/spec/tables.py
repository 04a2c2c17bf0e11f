"""The data table a step expects (``I fill in:`` takes ``| field | value |``), checked before a run.

A step function declares its table with :func:`takes_table`; ``harness check`` (and ``harness run``
before it starts) then reports a missing table or a table of the wrong width with the feature's file
and line, and the step reads its rows through the same :class:`TableShape`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

F = TypeVar("F", bound=Callable[..., object])

TABLE_SHAPE = "harness_table_shape"
"""The attribute of a step function that holds its :class:`TableShape`."""


@dataclass(frozen=True, slots=True)
class TableShape:
    """The columns of a step's data table.

    Attributes:
        columns: The columns, as a header row names them in English (``field``, ``value``).
        headers: Every header row accepted (any case), one per language; a first row that is
            not one of them is data.
        target_column: The column holding a target (a UI-map name or a selector), checked like
            any target; ``None`` when no column is one.
    """

    columns: tuple[str, ...]
    headers: tuple[tuple[str, ...], ...]
    target_column: int | None = None

    def rows(self, table: Sequence[Sequence[object]]) -> list[list[str]]:
        """The data rows of a table: its header row dropped when it has one."""
        rows = [[str(cell) for cell in row] for row in table]
        if rows and tuple(cell.strip().lower() for cell in rows[0]) in self.headers:
            return rows[1:]
        return rows

    def problem(self, table: Sequence[Sequence[object]] | None) -> str | None:
        """What is wrong with a step's table, in words; ``None`` when it fits."""
        wanted = " | ".join(self.columns)
        if table is None:
            return f"this step needs a data table | {wanted} | below it"
        widths = {len(row) for row in table}
        if widths != {len(self.columns)}:
            found = ", ".join(map(str, sorted(widths))) or "no"
            return f"the data table needs {len(self.columns)} columns, | {wanted} |; it has {found}"
        return None


def takes_table(shape: TableShape) -> Callable[[F], F]:
    """Declare the data table a step function expects (read by the check before a run)."""

    def declare(func: F) -> F:
        setattr(func, TABLE_SHAPE, shape)
        return func

    return declare


def table_shape(func: Callable[..., object]) -> TableShape | None:
    """The data table a step function declared, if any."""
    shape = getattr(func, TABLE_SHAPE, None)
    return shape if isinstance(shape, TableShape) else None
