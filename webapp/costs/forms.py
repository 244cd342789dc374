"""The cost form: WTForms renders it and carries CSRF; the shared cost checks decide what is valid."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from ..analytics.labels import category_name
from ..models import CATEGORIES, SERVICES
from ..validation import apply_errors
from .service import EDITABLE
from .validation import clean_cost, plain_amount


class CostForm(FlaskForm):
    """Add or edit one cost."""

    year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": 4, "size": 5})
    month = SelectField(_l("Month"), validate_choice=False)
    category = SelectField(_l("Category"), validate_choice=False)
    service = SelectField(_l("Service"), validate_choice=False)
    amount = StringField(_l("Amount (₩)"), render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": "1,000,000"})
    description = TextAreaField(_l("Description"), render_kw={"rows": 1, "maxlength": 500})
    department = StringField(_l("Department"), default="IT", render_kw={"maxlength": 50})
    server_id = SelectField(_l("Server (optional)"), validate_choice=False)

    def __init__(self, *args, servers=(), **kwargs):
        super().__init__(*args, **kwargs)
        choose = str(_l("Choose…"))
        self.month.choices = [SelectChoice("", choose)] + [SelectChoice(str(m), str(m)) for m in range(1, 13)]
        self.category.choices = [SelectChoice("", choose)] + [SelectChoice(code, category_name(code)) for code in CATEGORIES]
        self.service.choices = [SelectChoice("", choose)] + [SelectChoice(code, code) for code in SERVICES]
        self.server_id.choices = [SelectChoice("", str(_l("None")))] + [SelectChoice(str(i), name) for i, name in servers]
        self.clean: dict = {}

    def validate_cost(self, tenant_id: int, entry=None) -> bool:
        """CSRF via WTForms, then the shared checks (for `entry` when editing); errors land on the fields they name."""
        ok = self.validate()
        values, errors = clean_cost({name: self[name].data for name in EDITABLE}, tenant_id, entry)
        apply_errors(self, errors)
        self.clean = values
        return ok and not errors

    def fill_from(self, entry) -> None:
        """Show an existing cost (amount without trailing .00 when whole)."""
        self.year.data, self.month.data = str(entry.year), str(entry.month)
        self.category.data, self.service.data = entry.category, entry.service
        self.amount.data = plain_amount(entry.amount)
        self.description.data, self.department.data = entry.description, entry.department
        self.server_id.data = str(entry.server_id) if entry.server_id else ""
