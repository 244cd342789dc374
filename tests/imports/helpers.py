"""Building import files in the tests: CSV in any encoding, XLSX with title rows, serial dates and formulas."""

from __future__ import annotations

import csv
import io
import re
import zipfile

from openpyxl import Workbook


def csv_file(rows: list[list], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows: list[list], title: str | None = None, cached: dict[str, str] | None = None) -> bytes:
    """A workbook; `title` goes in a merged row above the header; formula cells get the `cached` values
    ({"=A2*2": "2"}) as Excel would save them (openpyxl itself writes formulas without values)."""
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(r) for r in rows))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    if not cached:
        return out.getvalue()
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    patched = io.BytesIO()
    with zipfile.ZipFile(patched, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for formula, value in cached.items():
                    text = re.sub(
                        rf"<f>{re.escape(formula.lstrip('='))}</f><v\s*/?>(</v>)?",
                        f"<f>{formula.lstrip('=')}</f><v>{value}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return patched.getvalue()
