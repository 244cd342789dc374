"""MAX_IMPORT_MB: a bigger file is refused while it is received, and nothing is kept of it."""

from pathlib import Path

import pytest
from flask import current_app
from sqlalchemy import func, select

from webapp.imports.reading import FileRefused
from webapp.models import ImportBatch

from ..factories import csv_file
from .test_pipeline import KOREAN_COSTS


@pytest.fixture
def app_config():
    return {"MAX_IMPORT_MB": 0.001}  # 1 KiB for the size test; every other file here is smaller


def test_over_the_size_limit(db, tenant, run_import):
    rows = [KOREAN_COSTS[0]] + [KOREAN_COSTS[1]] * 40
    with pytest.raises(FileRefused) as refused:
        run_import("costs", csv_file(rows))
    assert "0.001 MB" in refused.value.message
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0
    assert not list((Path(current_app.instance_path) / "imports").glob("upload-*"))
