"""User list, create and edit for tenant admins."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ..audit import record
from ..auth.roles import ADMIN, role_required, tenant_get_or_404
from ..auth.sessions import current_session, keep_session
from ..extensions import db
from ..models import User
from .forms import TenantSettingsForm, UserForm

from . import bp

PAGE_SIZE = 25


@bp.route("/users")
@role_required(*ADMIN)
def users():
    """The tenant's users, paginated."""
    page = db.paginate(
        select(User).where(User.tenant_id == current_user.tenant_id).order_by(User.username),
        page=request.args.get("page", 1, type=int), per_page=PAGE_SIZE, error_out=False,
    )
    return render_template("admin/users.html", page=page)


def _username_taken(username: str, exclude_id: int | None = None) -> bool:
    """True when another user of this tenant already has the username."""
    query = select(func.count()).select_from(User).where(User.tenant_id == current_user.tenant_id, User.username == username)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) > 0


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(*ADMIN)
def create_user():
    """Add a user to the current tenant."""
    form = UserForm()
    if form.validate_on_submit():
        if not form.password.data:
            form.password.errors.append(_("Password: enter at least 8 characters."))
        elif _username_taken(form.username.data):
            form.username.errors.append(_("Username: this name is already used in your institution."))
        else:
            user = User(tenant_id=current_user.tenant_id, username=form.username.data, email=form.email.data,
                        role=form.role.data, active=form.active.data)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.flush()
            record("create", "user", user.id, username=user.username, role=user.role)
            db.session.commit()
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
        if _username_taken(form.username.data, exclude_id=user.id):
            form.username.errors.append(_("Username: this name is already used in your institution."))
        elif user.id == current_user.id and (form.role.data != "ADMIN" or not form.active.data):
            form.role.errors.append(_("Role: you cannot remove your own administrator access."))
        else:
            changes = {f: getattr(form, f).data for f in ("username", "email", "role", "active") if getattr(user, f) != getattr(form, f).data}
            for field, value in changes.items():
                setattr(user, field, value)
            if form.password.data:
                if user.id == current_user.id:  # one's own new password keeps this session, as on the account page
                    keep_session(user, current_session())
                user.set_password(form.password.data)
                changes["password"] = "changed"
            db.session.flush()  # a new password, role or active flag ends the user's sessions (webapp.auth.sessions)
            record("update", "user", user.id, **changes, sessions_ended=user.sessions_ended)
            db.session.commit()
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
        data=None if request.method == "POST" else {
            "name": tenant.name, "timezone": tenant.timezone, "locale": tenant.locale,
            **{f"sla_{p.lower()}": sla[p] for p in ("P1", "P2", "P3", "P4")},
            "report_retention_days": tenant.setting("report_retention_days"),
        }
    )
    if form.validate_on_submit():
        new_settings = dict(tenant.settings or {})
        new_settings["sla_hours"] = {p: getattr(form, f"sla_{p.lower()}").data for p in ("P1", "P2", "P3", "P4")}
        new_settings["report_retention_days"] = form.report_retention_days.data
        tenant.name, tenant.timezone, tenant.locale = form.name.data.strip(), form.timezone.data.strip(), form.locale.data
        tenant.settings = new_settings
        record("update", "tenant", tenant.id, name=tenant.name, timezone=tenant.timezone, locale=tenant.locale, **new_settings)
        db.session.commit()
        flash(_("The settings were saved."), "success")
        return redirect(url_for("admin.settings"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/settings.html", form=form), status
