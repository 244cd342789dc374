"""The label registry: one code → label → badge mapping, category colours from one source (no database)."""

from __future__ import annotations

from pathlib import Path

from flask import render_template_string

from webapp import labels
from webapp.analytics import labels as analytics_labels
from webapp.service_requests import labels as sr_labels

ROOT = Path(__file__).resolve().parents[2]
BADGE_CLASSES = {"badge-ok", "badge-warn", "badge-over", "badge-info", "badge-muted"}


def test_category_css_is_generated_from_the_colours():
    """static/css/categories.css is category_css(): regenerate it with `python -m webapp.labels`."""
    assert (ROOT / "static/css/categories.css").read_text(encoding="utf-8") == labels.category_css()
    assert set(labels.CATEGORY_COLOURS) == set(labels.CATEGORY_NAMES)


def test_every_badge_class_is_one_of_app_css():
    css = (ROOT / "static/css/app.css").read_text(encoding="utf-8")
    for kind, classes in labels.BADGES.items():
        assert set(classes.values()) <= BADGE_CLASSES, kind
    for name in BADGE_CLASSES:
        assert f".{name} {{" in css
    assert labels.status_badge("WARNING") == "badge-warn"
    assert labels.status_badge("NOPE", "run") == labels.DEFAULT_BADGE


def test_old_import_names_are_the_registry():
    assert sr_labels.STATUS_LABELS is labels.SR_STATUS_LABELS and sr_labels.TYPE_LABELS is labels.SR_TYPE_LABELS
    assert sr_labels.STATUS_BADGES is labels.BADGES["sr_status"]
    assert analytics_labels.category_name is labels.category_name
    assert set(analytics_labels.label_functions()) == {
        "category_name",
        "status_name",
        "severity_name",
        "direction_name",
        "recommendation_name",
        "charge_name",
        "charge_line_name",
    }


def test_filters_in_templates(bare_app):
    with bare_app.test_request_context():
        html = render_template_string(
            '{% from "_macros.html" import badge %}'
            "{{ 'OVER'|status_badge }}|{{ 'monthly_sla'|template_label }}|{{ 'nope'|template_label }}|"
            "{{ badge('FAILED', 'run', attrs={'data-status': 'FAILED'}) }}|{{ 'SERVER'|category_name }}"
        )
    assert html == ('badge-over|월간 SLA 보고서|nope|<span class="badge badge-over" data-status="FAILED">실패</span>|서버 운영비')
