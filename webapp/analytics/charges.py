"""Imported costs by FOCUS charge category: charges, credits, adjustments, tax and refunds of a set of costs.

Only cost entries imported from FOCUS bills carry a charge category (Usage, Purchase, Tax, Credit,
Adjustment); typed-in costs have none and count as charges.  Totals stay net: the breakdown only
says what the net total is made of.  The query reads the entries that have a charge category
(`charge_category IS NOT NULL`, so the partial index on (tenant, year, month, charge_category)
serves it) and returns no row at all for a tenant or month without imported bills.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from ..extensions import db
from ..models import CHARGE_CATEGORIES, CostEntry

# Shown apart from the charges; a negative Usage or Purchase entry (a FOCUS correction) is a refund.
SEPARATE = ("Credit", "Adjustment", "Tax")
REFUNDABLE = ("Usage", "Purchase")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ChargeBreakdown:
    """What a net total is made of: `net` is the total as shown everywhere (every entry summed)."""

    net: Decimal
    # {charge category: summed amount} of the entries that have one
    by_category: dict[str, Decimal] = field(default_factory=dict)
    refunds: Decimal = ZERO  # the negative Usage and Purchase entries, summed

    def amount(self, code: str) -> Decimal:
        """The summed amount of one charge category (0 when none)."""
        return self.by_category.get(code, ZERO)

    @property
    def credits(self) -> Decimal:
        return self.amount("Credit")

    @property
    def adjustments(self) -> Decimal:
        return self.amount("Adjustment")

    @property
    def tax(self) -> Decimal:
        return self.amount("Tax")

    @property
    def charges(self) -> Decimal:
        """Usage, purchases and typed-in costs: the net total less credits, adjustments, tax and refunds."""
        return self.net - self.credits - self.adjustments - self.tax - self.refunds

    @property
    def shown(self) -> bool:
        """Whether the costs hold a credit, an adjustment, tax or a refund (else the plain total says it all)."""
        return any(code in self.by_category for code in SEPARATE) or self.refunds != 0

    def lines(self) -> list[tuple[str, Decimal]]:
        """(key, amount) of the breakdown in reading order; credits, adjustments, tax and refunds only when present."""
        present = [
            ("credits", self.credits, "Credit" in self.by_category),
            ("adjustments", self.adjustments, "Adjustment" in self.by_category),
            ("tax", self.tax, "Tax" in self.by_category),
            ("refunds", self.refunds, self.refunds != 0),
        ]
        return [("charges", self.charges), *((key, amount) for key, amount, shown in present if shown)]

    @classmethod
    def of_summary(cls, summary: dict) -> ChargeBreakdown:
        """The breakdown a monthly summary carries (its total is the net total)."""
        return cls(
            net=summary["total_amount"],
            by_category=dict(summary.get("by_charge_category") or {}),
            refunds=summary.get("refunds_amount") or ZERO,
        )

    def as_json(self) -> dict:
        """The fields the monthly summary adds (amounts as Decimal; the API writes them as numbers)."""
        return {
            "by_charge_category": {code: self.by_category[code] for code in CHARGE_CATEGORIES if code in self.by_category},
            "charges_amount": self.charges,
            "credits_amount": self.credits,
            "adjustments_amount": self.adjustments,
            "tax_amount": self.tax,
            "refunds_amount": self.refunds,
        }


def charge_breakdown(tenant_id: int, net: Decimal, *conditions) -> ChargeBreakdown:
    """The breakdown of the tenant's costs matching `conditions` (on CostEntry) whose net total is `net`.

    One GROUP BY charge_category over the entries that have a charge category.
    """
    negative = func.sum(CostEntry.amount).filter(CostEntry.amount < 0)
    rows = db.session.execute(
        select(CostEntry.charge_category, func.sum(CostEntry.amount), negative)
        .where(CostEntry.tenant_id == tenant_id, CostEntry.charge_category.is_not(None), *conditions)
        .group_by(CostEntry.charge_category)
    ).all()
    by_category = {code: Decimal(amount or 0).quantize(ZERO) for code, amount, _negative in rows}
    refunds = sum((Decimal(neg or 0) for code, _amount, neg in rows if code in REFUNDABLE), ZERO).quantize(ZERO)
    return ChargeBreakdown(net=Decimal(net).quantize(ZERO), by_category=by_category, refunds=refunds)


def month_breakdown(tenant_id: int, year: int, month: int, net: Decimal) -> ChargeBreakdown:
    """The breakdown of one month of the tenant."""
    return charge_breakdown(tenant_id, net, CostEntry.year == year, CostEntry.month == month)


__all__ = ["CHARGE_CATEGORIES", "ChargeBreakdown", "charge_breakdown", "month_breakdown"]
