"""Translation helper: list UI strings that have no Korean translation yet, or add translations.

    python scripts/i18n.py missing                 # msgids in the code without a ko msgstr
    python scripts/i18n.py add AREA FILE.json      # merge {"English": "한국어"} into AREA's catalogue (replaces old wording)
    python scripts/i18n.py compile                 # build the .mo files the app reads (make setup does this)

AREA is the package folder that owns the strings ("webapp" for shared ones, or
"webapp/costs" and so on); its catalogue is AREA/translations/ko/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("webapp/**.py", "python"), ("templates/**.html", "jinja2")]


def source_messages() -> set[str]:
    """Every translatable string in the Python code and the templates."""
    found: set[str] = set()
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {"extensions": "jinja2.ext.do"}}
    ):
        if "/.venv/" in filename or filename.startswith(".venv"):
            continue
        found.update(message if isinstance(message, tuple) else (message,))
    found.discard("")
    return found


def translated_messages(locale: str = "ko") -> dict[str, str]:
    """All translations of every area's catalogue for the locale, merged."""
    merged: dict[str, str] = {}
    for po_path in sorted((ROOT / "webapp").rglob(f"translations/{locale}/LC_MESSAGES/messages.po")):
        with po_path.open("rb") as handle:
            for message in read_po(handle):
                if message.id and message.string:
                    key = message.id[0] if isinstance(message.id, tuple) else message.id
                    merged[key] = message.string if isinstance(message.string, str) else message.string[0]
    return merged


def missing(locale: str = "ko") -> list[str]:
    """Source strings that have no translation in any catalogue."""
    have = translated_messages(locale)
    return sorted(m for m in source_messages() if m not in have)


def add(area: str, json_path: str, locale: str = "ko") -> None:
    """Merge translations from a JSON object into the area's catalogue (created when absent)."""
    po_path = ROOT / area / "translations" / locale / "LC_MESSAGES" / "messages.po"
    po_path.parent.mkdir(parents=True, exist_ok=True)
    if po_path.exists():
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=locale)
    else:
        catalog = Catalog(locale=locale, project="IT Cost & Report Center", fuzzy=False)
    catalog.fuzzy = False
    for english, korean in json.loads(Path(json_path).read_text(encoding="utf-8")).items():
        if english in catalog:
            catalog[english].string = korean  # a new wording replaces the old one
        else:
            catalog.add(english, korean)
    with po_path.open("wb") as handle:
        write_po(handle, catalog, width=0, sort_output=True, omit_header=False)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "missing"
    if command == "missing":
        rows = missing()
        print("\n".join(rows) if rows else "all strings translated")
        sys.exit(1 if rows else 0)
    if command == "compile":
        sys.path.insert(0, str(ROOT))
        from webapp.i18n import compile_catalogues

        print(f"compiled {compile_catalogues()} catalogue(s)")
        sys.exit(0)
    if command == "add":
        add(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(__doc__)
