"""Every print template renders in Korean and in English (issue 12: `_("Change %")` answered 500 in English).

Jinja's gettext always %-formats its text, so a bare % in a template's msgid (or in its translation)
raises "incomplete format" in the language that shows it. The static test below checks every
translatable text of the print templates, and of the report code where it is formatted with
placeholders, in both languages; the rendering tests build every template's page, PDF HTML and workbook
in both languages.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from webapp.i18n import tenant_context
from webapp.reports.collectors import collect
from webapp.reports.pdf import render_html
from webapp.reports.registry import TEMPLATES

from ..factories import MARCH
from .helpers import workbook

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
PRINTABLE = [code for code, t in TEMPLATES.items() if t.offers("pdf")]
WITH_WORKBOOK = [code for code, t in TEMPLATES.items() if t.offers("excel")]
ENGLISH_TITLES = {code: str(t.label) for code, t in TEMPLATES.items()}  # outside a request: the English msgid


def korean() -> dict[str, str]:
    """Every catalogue's Korean translations, merged (the app merges them the same way)."""
    merged = {}
    for path in (ROOT / "webapp").rglob("translations/ko/LC_MESSAGES/messages.po"):
        with path.open("rb") as handle:
            merged.update({m.id: m.string for m in read_po(handle) if m.id and isinstance(m.id, str) and m.string})
    return merged


def messages(directory: str, method: str, pattern: str) -> list[tuple[str, int, str]]:
    """(file, line, msgid) of every translatable text under a directory."""
    found = []
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT / directory), method_map=[(pattern, method)], keywords=KEYWORDS
    ):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.append((f"{directory}/{filename}", line, text))
    return found


def format_error(text: str) -> str | None:
    """Why `text % {...}` fails (as Jinja's gettext formats it), or None."""
    try:
        text % defaultdict(lambda: 1)
    except (ValueError, TypeError, KeyError) as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def test_every_print_template_text_formats_in_both_languages():
    ko = korean()
    broken = []
    found = messages("templates/reports/print", "jinja2", "**.html")
    assert any(msgid == "Change %%" for _where, _line, msgid in found)  # the extraction reads the templates
    for where, line, msgid in found:
        for language, text in (("en", msgid), ("ko", ko.get(msgid, msgid))):
            if error := format_error(text):
                broken.append(f"{where}:{line} [{language}] {text!r}: {error} (write %% for a literal %)")
    assert not broken, "\n".join(broken)


def test_report_code_texts_with_placeholders_format_in_both_languages():
    """Python's gettext formats only when given placeholders: those texts must survive % in both languages."""
    ko = korean()
    broken = []
    for where, line, msgid in messages("webapp/reports", "python", "**.py"):
        if "%(" not in msgid:
            continue  # never %-formatted (flask_babel formats only with keyword arguments)
        for language, text in (("en", msgid), ("ko", ko.get(msgid, msgid))):
            if error := format_error(text):
                broken.append(f"{where}:{line} [{language}] {text!r}: {error}")
    assert not broken, "\n".join(broken)


def test_the_checks_catch_a_bare_percent():
    assert format_error("Change %") is not None and format_error("Change %%") is None
    assert format_error("%(t)s%% or more") is None and format_error("%(t)s% or more") is not None


@pytest.fixture
def month(tenant, march, costs):
    """The SRs and costs of March 2026 (tests/reports/conftest.py)."""
    return tenant


@pytest.mark.parametrize("template", PRINTABLE)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_printable_page_renders_in_each_language(client, auth, month, template, language):
    auth.login("pm")  # PM may use every template
    client.set_cookie("lang", language)
    response = client.get(f"/reports/print/{template}?start=2026-03-01&end=2026-03-31")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    if language == "en":
        assert ENGLISH_TITLES[template] in page
    else:
        assert TEMPLATES[template].name in page  # the Korean name of SPEC §5.1


@pytest.mark.parametrize("template", PRINTABLE)
@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_pdf_html_renders_in_each_language(app, month, template, language):
    with tenant_context(month, locale=language):
        html = render_html(collect(template, month, *MARCH), for_pdf=True)
    assert (ENGLISH_TITLES[template] if language == "en" else TEMPLATES[template].name) in html


@pytest.mark.parametrize("template", WITH_WORKBOOK)
def test_the_workbook_builds_in_english(app, month, template):
    from webapp.reports.render import render_report

    with tenant_context(month, locale="en"):
        built = render_report(month, template, *MARCH, "excel")
    sheets = workbook(built.content)
    assert sheets.worksheets[0]["A1"].value == ENGLISH_TITLES[template]
