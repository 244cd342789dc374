"""Redirect targets from user input stay on this site."""

import pytest

from webapp.urls import local_url


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/costs/?year=2026", "/costs/?year=2026"),
        ("http://localhost/reports/?page=2", "/reports/?page=2"),
        ("https://evil.example/x", "/home"),
        ("//evil.example/x", "/home"),
        ("/\\evil.example", "/home"),
        ("javascript:alert(1)", "/home"),
        ("relative/path", "/home"),
        ("/ok\r\nSet-Cookie: x=1", "/home"),
        ("", "/home"),
        (None, "/home"),
    ],
)
def test_only_local_targets_are_followed(bare_app, target, expected):
    with bare_app.test_request_context("/", base_url="http://localhost"):
        assert local_url(target, "/home") == expected
