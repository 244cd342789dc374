"""Costs from FOCUS cost files (FinOps Open Cost and Usage Specification 1.0–1.3).

A file is FOCUS when its header names BilledCost and a billing or charge period column.  Lines are
checked whole, then aggregated per month × mapped service × category × ChargeCategory × provider service
(× currency), so a million-line bill becomes a few thousand cost entries, each with its line count.
Amounts (up to 11 decimals) are converted and summed exactly as Decimal and rounded once per entry; the
rounding remainders of a month are handed to its entries by the largest remainder, so the month's stored
total equals the file's total × rate rounded to the won (cent).

Options: amount "billed" (BilledCost, default) or "effective" (EffectiveCost); month_from "billing"
(the month of BillingPeriodStart as written, default) or "charge" (ChargePeriodStart in the tenant's zone);
rate (billing currency → tenant currency) when BillingCurrency is not the tenant's; service_rule
("ServiceName", "SubAccountName" or "tag:<key>") with service_map {value: SERVICE}; category_map
{ServiceCategory: CATEGORY}.  The mapping last used is remembered in the tenant's settings.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import insert

from ..models import CATEGORIES, CHARGE_BY_NAME, NEGATIVE_CHARGES, SERVICES, CostEntry, utcnow
from ..validation import YEAR_MAX, YEAR_MIN, InvalidParameter, shown
from .columns import FOCUS_NAMES, normalise
from .kinds import Context, CostCodes, as_text, remembered
from .reading import FileRefused  # noqa: F401

CENT = Decimal("0.01")
SHOWN = {normalise(name): name for name in FOCUS_NAMES}  # field key → the FOCUS column name messages use
NEGATIVE_ALLOWED = NEGATIVE_CHARGES
DEFAULT_CATEGORY_MAP = {
    "Compute": "SERVER",
    "Databases": "SERVER",
    "AI and Machine Learning": "SERVER",
    "Analytics": "SERVER",
    "Web": "SERVER",
    "Storage": "STORAGE",
    "Networking": "NETWORK",
    "Security": "LICENSE",
    "Developer Tools": "LICENSE",
    "Business Applications": "LICENSE",
    "Management and Governance": "MAINTENANCE",
    "Support": "MAINTENANCE",
}
DEFAULT_CATEGORY = "OTHER"
DEFAULT_SERVICE = "INFRA"


def _null(raw) -> bool:
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    text = raw.strip()
    return not text or text.upper() == "NULL"


def _decimal(field: str, raw) -> Decimal:
    name = SHOWN.get(field, field)
    if _null(raw):
        raise InvalidParameter(field, _("%(field)s: required, a number.", field=name))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise InvalidParameter(
            field, _("%(field)s: '%(value)s' is not a number.", field=name, value=shown(as_text(raw)))
        ) from None
    if not value.is_finite():
        raise InvalidParameter(field, _("%(field)s: '%(value)s' is not a number.", field=name, value=shown(as_text(raw))))
    return value


def _period(field: str, raw, zone: str | None) -> tuple[int, int]:
    """(year, month): of the date as written (zone None), or of the time in the tenant's zone."""
    name = SHOWN.get(field, field)
    if _null(raw):
        raise InvalidParameter(field, _("%(field)s: required, a date such as 2026-03-01T00:00:00Z.", field=name))

    def refused() -> InvalidParameter:
        return InvalidParameter(
            field, _("%(field)s: '%(value)s' is not a date such as 2026-03-01T00:00:00Z.", field=name, value=shown(as_text(raw)))
        )

    if isinstance(raw, datetime):
        value = raw
    else:
        text = str(raw).strip()
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise refused() from None
    if zone is not None:
        if value.tzinfo is None:
            value = value.replace(tzinfo=ZoneInfo("UTC"))  # FOCUS times are UTC
        value = value.astimezone(ZoneInfo(zone))
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise refused()
    return value.year, value.month


def mapping_options(options: dict, tenant_settings: dict | None) -> dict:
    """The service rule and value tables in force: the upload's, else the tenant's remembered ones, else defaults."""
    kept = (tenant_settings or {}).get("focus_mapping") or {}
    category_map = {**DEFAULT_CATEGORY_MAP, **(kept.get("category_map") or {}), **(options.get("category_map") or {})}
    return {
        "service_rule": options.get("service_rule") or kept.get("service_rule") or "ServiceName",
        "service_map": {**(kept.get("service_map") or {}), **(options.get("service_map") or {})},
        "category_map": category_map,
    }


class FocusCosts:
    """FOCUS cost lines, aggregated into cost entries."""

    name = "focus"
    aggregates = True

    def prepare(self, ctx: Context) -> None:
        from ..extensions import db
        from ..models import Tenant

        tenant = db.session.get(Tenant, ctx.tenant_id)
        ctx.currency = tenant.currency
        ctx.focus = mapping_options(ctx.options, tenant.settings)
        ctx.category_map = {normalise(key): value for key, value in ctx.focus["category_map"].items()}
        ctx.service_map = {str(key).strip().lower(): value for key, value in ctx.focus["service_map"].items()}
        ctx.groups = defaultdict(lambda: [Decimal(0), Decimal(0), 0])
        ctx.rate = None
        if ctx.options.get("rate") not in (None, ""):
            try:
                ctx.rate = Decimal(str(ctx.options["rate"]))
            except InvalidOperation:
                ctx.rate = None
            if ctx.rate is not None and (not ctx.rate.is_finite() or ctx.rate <= 0):
                ctx.rate = None

        rule = ctx.focus["service_rule"]
        ctx.rule_tag = rule[4:] if rule.lower().startswith("tag:") else None
        ctx.rule_column = normalise(rule) if normalise(rule) in ("servicename", "subaccountname") else "servicename"
        ctx.amount_field = "effectivecost" if ctx.options.get("amount") == "effective" else "billedcost"
        charge_month = ctx.options.get("month_from") == "charge"
        ctx.period_field = "chargeperiodstart" if charge_month else "billingperiodstart"
        ctx.period_zone = ctx.zone if charge_month else None
        ctx.memo = {name: {} for name in ("period", "tags", "category", "service")}

    def _service(self, ctx: Context, raw: dict, tags: dict) -> str:
        value = tags.get(ctx.rule_tag) if ctx.rule_tag is not None else raw.get(ctx.rule_column)
        return remembered(ctx.memo["service"], value, lambda value: self._mapped_service(ctx, value))

    @staticmethod
    def _mapped_service(ctx: Context, value) -> str:
        text = "" if _null(value) else str(value).strip()
        mapped = ctx.service_map.get(text.lower())
        if mapped in SERVICES:
            return mapped
        return text.upper() if text.upper() in SERVICES else DEFAULT_SERVICE

    def clean(self, ctx: Context, raw: dict, row: int):
        values, errors = {}, {}
        amount_field = ctx.amount_field
        try:
            values["original"] = _decimal(amount_field, raw.get(amount_field))
        except InvalidParameter as error:
            errors[amount_field] = error.message
        charge = raw.get("chargecategory")
        charge_category = None if _null(charge) else CHARGE_BY_NAME.get(str(charge).strip().lower())
        if charge_category is None:
            errors["chargecategory"] = _(
                "ChargeCategory: '%(value)s' is not one of Usage, Purchase, Tax, Credit, Adjustment.",
                value=shown(as_text(charge) or ""),
            )
        values["charge_category"] = charge_category
        refund = not _null(raw.get("chargeclass")) and str(raw.get("chargeclass")).strip().lower() == "correction"
        if "original" in values and values["original"] < 0 and charge_category not in NEGATIVE_ALLOWED and not refund:
            errors[amount_field] = _(
                "%(field)s: negative amounts are allowed only for Credit and Adjustment lines.", field=SHOWN[amount_field]
            )
        try:
            values["period"] = remembered(
                ctx.memo["period"], raw.get(ctx.period_field), lambda cell: _period(ctx.period_field, cell, ctx.period_zone)
            )
        except InvalidParameter as error:
            errors[error.field] = error.message
        currency = "" if _null(raw.get("billingcurrency")) else str(raw.get("billingcurrency")).strip().upper()
        values["currency"] = currency or ctx.currency
        if values["currency"] != ctx.currency and ctx.rate is None:
            errors["billingcurrency"] = _(
                "BillingCurrency: %(currency)s is not the institution's %(own)s; give the exchange rate.",
                currency=values["currency"],
                own=ctx.currency,
            )
        tags = {}
        if not _null(raw.get("tags")):
            tags = remembered(ctx.memo["tags"], raw["tags"], _json_object)
            if tags is None:
                tags, errors["tags"] = {}, _("Tags: not a JSON object.")
        values["category"] = remembered(ctx.memo["category"], raw.get("servicecategory"), lambda cell: _category(ctx, cell))
        values["service"] = self._service(ctx, raw, tags)
        provider = raw.get("servicename")
        values["provider_service"] = "" if _null(provider) else str(provider).strip()[:200]
        return values, errors

    def add(self, ctx: Context, values: dict) -> None:
        """Pass 1 of a valid file: add the line to its group (exact Decimal sums)."""
        year, month = values["period"]
        key = (
            year,
            month,
            values["service"],
            values["category"],
            values["charge_category"],
            values["provider_service"],
            values["currency"],
        )
        group = ctx.groups[key]
        original = values["original"]
        group[0] += original * ctx.rate if values["currency"] != ctx.currency else original
        group[1] += original
        group[2] += 1

    def write_all(self, ctx: Context) -> None:
        """Store one cost entry per group, rounded once; each month's remainders go by the largest remainder."""
        entries = []
        by_month = defaultdict(list)
        for key, (exact, original, lines) in ctx.groups.items():
            rounded = exact.quantize(CENT, rounding=ROUND_HALF_UP)
            entry = {"key": key, "exact": exact, "amount": rounded, "original": original, "lines": lines}
            entries.append(entry)
            by_month[key[:2]].append(entry)
        for month_entries in by_month.values():
            target = sum((e["exact"] for e in month_entries), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)
            cents = int((target - sum(e["amount"] for e in month_entries)) / CENT)
            order = sorted(month_entries, key=lambda e: e["exact"] - e["amount"], reverse=cents > 0)
            for entry in order[: abs(cents)]:
                entry["amount"] += CENT if cents > 0 else -CENT
        codes = CostCodes(ctx.tenant_id, ctx.zone)
        now = utcnow()
        rows = []
        for entry in entries:
            year, month, service, category, charge_category, provider_service, currency = entry["key"]
            converted = currency != ctx.currency
            rows.append(
                {
                    "tenant_id": ctx.tenant_id,
                    "code": codes.next(),
                    "year": year,
                    "month": month,
                    "category": category,
                    "service": service,
                    "amount": entry["amount"],
                    "description": f"{provider_service or '-'} · {charge_category} (FOCUS)"[:500],
                    "department": "IT",
                    "server_id": None,
                    "original_amount": entry["original"].quantize(CENT, rounding=ROUND_HALF_UP) if converted else None,
                    "original_currency": currency[:3] if converted else None,
                    "charge_category": charge_category,
                    "line_count": entry["lines"],
                    "batch_id": ctx.batch.id,
                    "created_by_id": ctx.user_id,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            ctx.months.add((year, month))
        from ..extensions import db

        for start in range(0, len(rows), 2000):
            db.session.execute(insert(CostEntry), rows[start : start + 2000])
        ctx.created = len(rows)

    def remember(self, ctx: Context) -> None:
        """Keep the mapping used for the tenant's next FOCUS file."""
        from ..extensions import db
        from ..models import Tenant

        tenant = db.session.get(Tenant, ctx.tenant_id)
        tenant.settings = {**(tenant.settings or {}), "focus_mapping": ctx.focus}

    def undo(self, ctx: Context, batch) -> None:
        from .kinds import Costs

        Costs().undo(ctx, batch)


def _json_object(text) -> dict | None:
    """A Tags cell as a dict; None when it is not a JSON object.  (Remembered per text: keep it unchanged.)"""
    if not isinstance(text, str):
        return {}
    try:
        tags = json.loads(text)
    except ValueError:
        return None
    return tags if isinstance(tags, dict) else None


def _category(ctx: Context, cell) -> str:
    """The app's category for a ServiceCategory cell (the mapping, else the default)."""
    category = DEFAULT_CATEGORY if _null(cell) else ctx.category_map.get(normalise(str(cell)), DEFAULT_CATEGORY)
    return category if category in CATEGORIES else DEFAULT_CATEGORY


def _tags_of(raw: dict) -> dict:
    """A line's Tags as a dict ({} when absent or not a JSON object)."""
    text = raw.get("tags")
    if _null(text) or not isinstance(text, str):
        return {}
    try:
        tags = json.loads(text)
    except ValueError:
        return {}
    return tags if isinstance(tags, dict) else {}


def mapping_preview(options: dict, tenant_settings: dict | None, header: list[str], rows) -> dict:
    """The mapping shown (and editable) before a FOCUS file is imported, over the preview's lines.

    {"service_rule", "categories": [(ServiceCategory, category)], "services": [(value of the rule, service)]}:
    each distinct value the first lines carry, with what it maps to now (remembered or default).
    """
    focus = mapping_options(options or {}, tenant_settings)
    category_map = {normalise(key): value for key, value in focus["category_map"].items()}
    service_map = {str(key).strip().lower(): value for key, value in focus["service_map"].items()}
    names = [normalise(name) for name in header]
    rule = focus["service_rule"]
    categories: dict[str, str] = {}
    services: dict[str, str] = {}
    for _number, cells in rows:
        raw = dict(zip(names, cells, strict=False))
        value = raw.get("servicecategory")
        if not _null(value) and str(value).strip():
            text = str(value).strip()
            mapped = category_map.get(normalise(text), DEFAULT_CATEGORY)
            categories[text] = mapped if mapped in CATEGORIES else DEFAULT_CATEGORY
        if rule.lower().startswith("tag:"):
            found = _tags_of(raw).get(rule[4:])
        else:
            found = raw.get(normalise(rule) if normalise(rule) in ("servicename", "subaccountname") else "servicename")
        if not _null(found) and str(found).strip():
            text = str(found).strip()
            mapped = service_map.get(text.lower())
            services[text] = mapped if mapped in SERVICES else text.upper() if text.upper() in SERVICES else DEFAULT_SERVICE
    return {"service_rule": rule, "categories": sorted(categories.items()), "services": sorted(services.items())}


def edited_mapping(form, options: dict) -> tuple[dict, dict[str, str]]:
    """The options with the preview's edited tables (cat_value_N/cat_code_N, svc_value_N/svc_code_N); errors by field."""
    errors: dict[str, str] = {}
    tables = {"category_map": ("cat", CATEGORIES), "service_map": ("svc", SERVICES)}
    edited = dict(options or {})
    for key, (prefix, allowed) in tables.items():
        table = dict(edited.get(key) or {})
        index = 0
        while f"{prefix}_value_{index}" in form and index < 500:
            value = str(form.get(f"{prefix}_value_{index}", "")).strip()[:200]
            code = str(form.get(f"{prefix}_code_{index}", "")).strip().upper()
            if value:
                if code in allowed:
                    table[value] = code
                else:
                    errors[f"{prefix}_code_{index}"] = _(
                        "%(value)s: choose one of %(allowed)s.", value=value, allowed=", ".join(allowed)
                    )
            index += 1
        if table:
            edited[key] = table
    return edited, errors
