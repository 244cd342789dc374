"""Security headers on every response: one after_request policy for pages, fragments, files, errors and static files.

The pages load nothing inline (no <script> blocks, no on*= handlers, no style= attributes), so
the Content-Security-Policy allows only the app's own origin for scripts and styles.  Signed
download links (/r/<token>) answer with `Referrer-Policy: no-referrer`, so the token in their
URL never leaks to another site through the Referer header.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

from .schedules.links import LINK_PATH

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # charts are inline SVG markup; data: covers small embedded images
        "font-src 'self'",
        "connect-src 'self'",  # htmx requests
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    )
)

# Browser features the app never uses, switched off for every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)

HSTS = "max-age=31536000; includeSubDomains"


def referrer_policy(path: str) -> str:
    """no-referrer on signed-link pages (their URL is the secret), same-origin everywhere else."""
    return "no-referrer" if path.startswith(LINK_PATH) else "same-origin"


def security_headers(path: str, https_only: bool) -> dict[str, str]:
    """The headers every response to `path` carries; HSTS only when cookies are HTTPS-only."""
    headers = {
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": referrer_policy(path),
        "Permissions-Policy": PERMISSIONS_POLICY,
    }
    if https_only:
        headers["Strict-Transport-Security"] = HSTS
    return headers


def add_security_headers(response: Response) -> Response:
    """after_request hook: set the policy on whatever the view, error handler or static route answered."""
    https_only = bool(current_app.config.get("SESSION_COOKIE_SECURE"))
    response.headers.update(security_headers(request.path, https_only))
    return response


def register_security_headers(app: Flask) -> None:
    """Install the header policy on the app."""
    app.after_request(add_security_headers)
