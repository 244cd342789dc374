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
    latest: tuple[int, int] | None = None  # the last month it offers (the dashboard's: this month); None for no limit
    keep: tuple[tuple[str, object], ...] = ()  # other query arguments the links carry (e.g. the trend length)

    @property
    def previous(self) -> dict:
        return {**dict(self.keep), **shifted(self.year, self.month, -1)}

    @property
    def next(self) -> dict | None:
        """The next month's arguments, or None at the last month offered."""
        if self.latest is not None and (self.year, self.month) >= self.latest:
            return None
        return {**dict(self.keep), **shifted(self.year, self.month, 1)}

    @property
    def years(self) -> range:
        last = self.year + YEARS_AFTER if self.latest is None else max(self.latest[0], self.year)
        return range(self.year - YEARS_BEFORE, last + 1)

    def offers(self, year: int, month: int) -> bool:
        """Whether the month may be picked (not after `latest`)."""
        return self.latest is None or (year, month) <= self.latest


def month_picker(endpoint: str, year: int, month: int, latest: tuple[int, int] | None = None, **keep) -> MonthPicker:
    """The picker of a month page (`endpoint` takes ?year=&month=); `latest` caps it, `keep` rides along on its links."""
    return MonthPicker(endpoint, year, month, latest, tuple(sorted(keep.items())))
