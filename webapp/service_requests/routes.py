"""The SR screen: list with filters and pagination, create, edit, and a quick status change."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.roles import EVERYONE, role_required, tenant_get_or_404
from ..form_pages import save_or_show
from ..htmx import is_fragment, page_or_fragment
from ..models import ServiceRequest
from ..pagination import paginate
from ..urls import local_url
from . import bp
from .forms import FilterForm, ServiceRequestForm, StatusForm
from .labels import PRIORITY_LABELS, STATUS_BADGES, STATUS_LABELS, TYPE_LABELS
from .service import change_status, clean_sr, create_sr, filtered_query, update_sr, utc_to_local

PAGE_SIZE = 25


def _zone() -> str:
    """The signed-in user's institution time zone."""
    return current_user.tenant.timezone


@bp.app_context_processor
def sr_labels():
    """SR labels and badge classes for templates."""
    return {
        "sr_type_labels": TYPE_LABELS,
        "sr_priority_labels": PRIORITY_LABELS,
        "sr_status_labels": STATUS_LABELS,
        "sr_status_badges": STATUS_BADGES,
    }


@bp.route("/")
@role_required(*EVERYONE)
def index():
    """The tenant's SRs, filtered and paginated; the table is also the htmx fragment."""
    filters = FilterForm(request.args)
    values = filters.data if filters.validate() else {}
    page = paginate(filtered_query(current_user.tenant_id, _zone(), **values), per_page=PAGE_SIZE)
    return page_or_fragment(
        "service_requests/index.html",
        {"sr-list": "service_requests/_list.html"},
        filters=filters,
        page=page,
        status_form=StatusForm(),
    )


@bp.route("/new", methods=["GET", "POST"])
@role_required(*EVERYONE)
def create():
    """Add an SR by hand."""
    form = ServiceRequestForm()
    return save_or_show(
        form,
        lambda: create_sr(current_user.tenant_id, current_user, clean_sr(form.data, _zone())),
        message=lambda sr: _("Service request %(code)s was created.", code=sr.code),
        target=url_for("service_requests.index"),
        template="service_requests/form.html",
        sr=None,
    )


@bp.route("/<int:sr_id>/edit", methods=["GET", "POST"])
@role_required(*EVERYONE)
def edit(sr_id: int):
    """Correct an SR; choosing Done sets the resolution time."""
    sr = tenant_get_or_404(ServiceRequest, sr_id)
    form = ServiceRequestForm(obj=sr)
    if request.method == "GET":
        form.created_at.data = utc_to_local(sr.created_at, _zone())
        form.resolved_at.data = utc_to_local(sr.resolved_at, _zone())
    return save_or_show(
        form,
        lambda: update_sr(sr, current_user, clean_sr(form.data, _zone(), sr)),
        message=_("Service request %(code)s was updated.", code=sr.code),
        target=url_for("service_requests.index"),
        template="service_requests/form.html",
        sr=sr,
    )


@bp.route("/<int:sr_id>/status", methods=["POST"])
@role_required(*EVERYONE)
def set_status(sr_id: int):
    """Change the status from the list (the row comes back for htmx)."""
    sr = tenant_get_or_404(ServiceRequest, sr_id)
    form = StatusForm()
    if form.validate_on_submit():
        change_status(sr, current_user, form.status.data)
        if is_fragment():
            return render_template("service_requests/_row.html", sr=sr, status_form=StatusForm())
        flash(_("Service request %(code)s is now %(status)s.", code=sr.code, status=STATUS_LABELS[sr.status]), "success")
    elif is_fragment():
        return render_template("service_requests/_row.html", sr=sr, status_form=form), 422
    else:
        flash(_("Status: choose one of %(allowed)s.", allowed=", ".join(STATUS_LABELS)), "error")
    return redirect(local_url(request.referrer, url_for("service_requests.index")))
