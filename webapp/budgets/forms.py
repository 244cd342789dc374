"""The budget form: rendered by WTForms (with CSRF), checked by the shared budget checks."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from ..models import BUDGET_SCOPE_ALL, SERVICES
from ..validation import apply_errors
from .service import COPY_EVERY_SCOPE, clean_budget, clean_copy


class BudgetForm(FlaskForm):
    """Set the budget of one month for the whole institution or one service."""

    year = StringField(_l("Year"), render_kw={"inputmode": "numeric", "maxlength": 4})
    month = SelectField(_l("Month"), validate_choice=False)
    service = SelectField(_l("Scope"), validate_choice=False)
    amount = StringField(
        _l("Budget amount (₩)"), render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": "50,000,000"}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.month.choices = [SelectChoice(str(m), str(m)) for m in range(1, 13)]
        self.service.choices = [SelectChoice(BUDGET_SCOPE_ALL, str(_l("All services (institution total)")))] + [
            SelectChoice(code, code) for code in SERVICES
        ]
        self.clean: dict = {}

    def validate_budget(self) -> bool:
        """CSRF, then the shared checks; messages land on the fields."""
        ok = self.validate()
        values, errors = clean_budget({name: self[name].data for name in ("year", "month", "service", "amount")})
        apply_errors(self, errors)
        self.clean = values
        return ok and not errors


class BudgetCopyForm(FlaskForm):
    """Copy last year's monthly budgets into the year shown, optionally scaled by a percentage."""

    year = HiddenField()
    scope = SelectField(_l("Budgets to copy"), validate_choice=False)
    scale_pct = StringField(_l("Change (%)"), render_kw={"inputmode": "decimal", "autocomplete": "off", "placeholder": "0"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope.choices = [
            SelectChoice(COPY_EVERY_SCOPE, str(_l("Every scope"))),
            SelectChoice(BUDGET_SCOPE_ALL, str(_l("All services (institution total)"))),
        ] + [SelectChoice(code, code) for code in SERVICES]
        self.clean: dict = {}

    def validate_copy(self) -> bool:
        """CSRF, then the shared checks; messages land on the fields."""
        ok = self.validate()
        values, errors = clean_copy({name: self[name].data for name in ("year", "scope", "scale_pct")})
        apply_errors(self, errors)
        self.clean = values
        return ok and not errors
