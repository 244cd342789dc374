"""User list, create and edit for tenant admins."""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import ADMIN, role_required, tenant_get_or_404
from ..form_pages import save_or_show
from ..models import User
from ..pagination import paginate
from . import bp, service
from .forms import TenantSettingsForm, UserForm

PAGE_SIZE = 25


@bp.route("/users")
@role_required(*ADMIN)
def users():
    """The tenant's users, paginated."""
    page = paginate(select(User).where(User.tenant_id == current_user.tenant_id).order_by(User.username), per_page=PAGE_SIZE)
    signed_in = service.last_sign_ins(current_user.tenant_id, [user.id for user in page.items])
    return render_template("admin/users.html", page=page, signed_in=signed_in)


def _user_values(form: UserForm) -> dict:
    """What the user form asks for."""
    return {
        "username": form.username.data,
        "email": form.email.data,
        "role": form.role.data,
        "active": form.active.data,
        "password": form.password.data,
    }


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def create_user():
    """Add a user to the current tenant."""
    form = UserForm()
    return save_or_show(
        form,
        lambda: service.create_user(current_user.tenant, _user_values(form), actor=current_user),
        message=_("The user was created."),
        target=url_for("admin.users"),
        template="admin/user_form.html",
        user=None,
    )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_user(user_id: int):
    """Change a user's e-mail, role, active flag or password."""
    user = tenant_get_or_404(User, user_id)
    form = UserForm(obj=user)
    return save_or_show(
        form,
        lambda: service.update_user(user, _user_values(form), actor=current_user),
        message=lambda changes: (
            _("The password of %(username)s was reset and their sessions were ended.", username=user.username)
            if "password" in (changes or {})
            else _("The user was updated.")
        ),
        target=url_for("admin.users"),
        template="admin/user_form.html",
        user=user,
    )


@bp.route("/settings", methods=["GET", "POST"])
@role_required(*ADMIN)
def settings():
    """Edit the institution's name, time zone, language, SLA targets and report retention."""
    tenant = current_user.tenant
    sla = tenant.setting("sla_hours")
    form = TenantSettingsForm(
        data=None
        if request.method == "POST"
        else {
            "name": tenant.name,
            "timezone": tenant.timezone,
            "locale": tenant.locale,
            "currency": tenant.currency,
            **{f"sla_{p.lower()}": sla[p] for p in ("P1", "P2", "P3", "P4")},
            "report_retention_days": tenant.setting("report_retention_days"),
        }
    )
    form.currency.choices = service.currency_choices()

    def save():
        values = {
            "name": form.name.data,
            "timezone": form.timezone.data,
            "locale": form.locale.data,
            "currency": form.currency.data,
            "sla_hours": {p: getattr(form, f"sla_{p.lower()}").data for p in service.PRIORITIES},
            "report_retention_days": form.report_retention_days.data,
        }
        service.update_tenant_settings(tenant, values, actor=current_user)

    return save_or_show(
        form,
        save,
        message=_("The settings were saved."),
        target=url_for("admin.settings"),
        template="admin/settings.html",
        zones=service.zone_choices(),
    )
