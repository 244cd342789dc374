"""Import tests: upload a file through the pipeline and run it inline."""

from __future__ import annotations

import io

import pytest
from flask_babel import force_locale

from webapp.imports.pipeline import process_batch, store_upload


@pytest.fixture
def run_import(db, tenant):
    """store_upload + process_batch for the acme tenant's admin; returns the batch."""
    from webapp.models import User

    def run(kind: str, content: bytes, name: str = "file.csv", tenant_=None, force: bool = False, locale="en", **options):
        owner = tenant_ or tenant
        user = db.session.query(User).filter_by(tenant_id=owner.id).first()
        with force_locale(locale):  # the tests read the English messages; pages and jobs use the user's language
            batch = store_upload(owner, user.id, kind, name, io.BytesIO(content), options, force=force)
            return process_batch(batch)

    return run
