"""Redirect targets taken from user input: only ever back into this site."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from flask import has_request_context, request


def local_url(target: str | None, default: str) -> str:
    """`target` when it points into this site (a path, or a URL on this host), else `default`.

    Refuses other hosts, scheme-relative '//host' and backslash tricks ('/\\host') that
    browsers read as another host.
    """
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        same_host = has_request_context() and parts.scheme in ("http", "https") and parts.netloc == request.host
        return urlunsplit(("", "", parts.path or "/", parts.query, "")) if same_host else default
    if not target.startswith("/") or target.startswith("//"):
        return default
    return target
