"""The month picker of the dashboard and the budgets page (templates/_month_picker.html): the views pass one in."""

from __future__ import annotations

from dataclasses import dataclass

YEARS_BEFORE, YEARS_AFTER = 5, 2  # the years the picker offers around the one shown


def shifted(year: int, month: int, delta: int) -> dict[str, int]:
    """{year, month} `delta` months away (the URL arguments of a month page)."""
    index = year * 12 + month - 1 + delta
    return {"year": index // 12, "month": index % 12 + 1}


@dataclass(frozen=True)
class MonthPicker:
    """The month shown on `endpoint`, the arguments of the months either side and the years to choose from."""

    endpoint: str
    year: int
    month: int

    @property
    def previous(self) -> dict[str, int]:
        return shifted(self.year, self.month, -1)

    @property
    def next(self) -> dict[str, int]:
        return shifted(self.year, self.month, 1)

    @property
    def years(self) -> range:
        return range(self.year - YEARS_BEFORE, self.year + YEARS_AFTER + 1)


def month_picker(endpoint: str, year: int, month: int) -> MonthPicker:
    """The picker of a month page (`endpoint` takes ?year=&month=)."""
    return MonthPicker(endpoint, year, month)
