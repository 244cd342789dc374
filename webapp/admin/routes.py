"""User list, create and edit for tenant admins."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.roles import ADMIN, role_required, tenant_get_or_404
from ..extensions import db
from ..models import User
from ..pagination import paginate
from ..validation import FieldErrors, apply_errors
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
    if form.validate_on_submit():
        try:
            service.create_user(current_user.tenant, _user_values(form), actor=current_user)
        except FieldErrors as refused:
            apply_errors(form, refused.errors)
        else:
            flash(_("The user was created."), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@role_required(*ADMIN)
def edit_user(user_id: int):
    """Change a user's e-mail, role, active flag or password."""
    user = tenant_get_or_404(User, user_id)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            service.update_user(user, _user_values(form), actor=current_user)
        except FieldErrors as refused:
            db.session.rollback()
            apply_errors(form, refused.errors)
        else:
            flash(_("The user was updated."), "success")
            return redirect(url_for("admin.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/user_form.html", form=form, user=user), status


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
    if form.validate_on_submit():
        try:
            service.update_tenant_settings(
                tenant,
                {
                    "name": form.name.data,
                    "timezone": form.timezone.data,
                    "locale": form.locale.data,
                    "currency": form.currency.data,
                    "sla_hours": {p: getattr(form, f"sla_{p.lower()}").data for p in service.PRIORITIES},
                    "report_retention_days": form.report_retention_days.data,
                },
                actor=current_user,
            )
        except FieldErrors as refused:
            apply_errors(form, refused.errors)
        else:
            flash(_("The settings were saved."), "success")
            return redirect(url_for("admin.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form, zones=service.zone_choices()), status
