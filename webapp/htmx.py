"""Page or fragment, the one way (DESIGN: htmx conventions).

One URL serves the full page and the regions htmx swaps. A view calls `page_or_fragment()`
with the page template and the fragment template of each swappable region (keyed by the
element id htmx targets); a history restore always gets the whole page. The app adds
`Vary` with every header `is_fragment()` reads (HX-Request, HX-Target, HX-Boosted,
HX-History-Restore-Request) to every response, so caches keep the answers apart.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import flash, make_response, redirect, render_template, request

# every header is_fragment() and fragment_target() read: a cache must not serve a fragment to a history restore
VARY_HEADERS = ("HX-Request", "HX-Target", "HX-Boosted", "HX-History-Restore-Request")


def is_fragment() -> bool:
    """True for an htmx swap; False for a normal request, a history restore and a boosted link or form (they need the page).

    A boosted link inside a region that names its own target (`hx-boost` with `hx-target`, e.g. the
    costs pager) swaps that region, so it gets the fragment: htmx sends HX-Target only when the target
    has an id, and the page's <body> has none.
    """
    htmx = getattr(request, "htmx", None)
    if not htmx or htmx.history_restore_request:
        return False
    return not htmx.boosted or bool(request.headers.get("HX-Target"))


def fragment_target() -> str | None:
    """The id of the element htmx will swap (HX-Target), or None outside an htmx swap."""
    return request.headers.get("HX-Target") if is_fragment() else None


def page_or_fragment(
    page: str,
    fragments: str | Mapping[str | None, str] | None = None,
    /,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **context,
):
    """Render `page`, or for an htmx swap the fragment of its target.

    `fragments` is one template (for any swap) or {target id: template}, where the key None
    is the fragment for swaps of any other target; with no match the page is rendered.
    The first two are positional-only, so `page=` (a pagination) can be part of the context.
    """
    template = page
    if is_fragment() and fragments:
        if isinstance(fragments, str):
            template = fragments
        else:
            template = fragments.get(fragment_target()) or fragments.get(None) or page
    response = make_response(render_template(template, **context), status)
    if headers:
        response.headers.update(headers)
    return response


def swap_or_redirect(
    message: str | None,
    target: str,
    fragment: str | None = None,
    /,
    *,
    trigger: str | None = None,
    status: int = 200,
    **context,
):
    """After a change: htmx gets `fragment` (or nothing) with an HX-Trigger event; a plain post gets a flash and a redirect."""
    if is_fragment():
        body = render_template(fragment, **context) if fragment else ""
        response = make_response(body, status)
        if trigger:
            response.headers["HX-Trigger"] = trigger
        return response
    if message:
        flash(message, "success")
    return redirect(target)


def add_vary(response):
    """after_request: fragments and pages share URLs, so caches must key on the htmx headers."""
    for header in VARY_HEADERS:
        response.vary.add(header)
    return response
