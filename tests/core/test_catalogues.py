"""Translations are compiled at set-up; building the app never writes into the package."""

from __future__ import annotations

import os

from webapp import create_app
from webapp.i18n import compile_catalogues, stale_catalogues, translation_directories

from ..conftest import base_config


def _mo_files():
    """Every compiled catalogue with its modification time."""
    found = {}
    for directory in translation_directories():
        for path in sorted(os.scandir(directory), key=lambda e: e.name):
            mo = os.path.join(path.path, "LC_MESSAGES", "messages.mo")
            if os.path.exists(mo):
                found[mo] = os.stat(mo).st_mtime_ns
    return found


def test_set_up_compiles_every_catalogue():
    compile_catalogues()
    assert stale_catalogues() == []
    assert len(_mo_files()) == len(translation_directories())


def test_create_app_leaves_the_package_untouched_even_when_a_catalogue_is_stale(tmp_path, caplog):
    compile_catalogues()
    po = next(p for d in translation_directories() for p in __import__("pathlib").Path(d).glob("*/LC_MESSAGES/messages.po"))
    before = _mo_files()
    original = po.stat()
    os.utime(po, ns=(original.st_atime_ns, max(before.values()) + 10**9))  # the .po is now newer than its .mo
    try:
        create_app(base_config(f"sqlite:///{tmp_path / 'app.db'}"))
        assert _mo_files() == before
        assert "translations are not compiled" in caplog.text
    finally:
        os.utime(po, ns=(original.st_atime_ns, original.st_mtime_ns))
