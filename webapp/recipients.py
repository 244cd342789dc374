"""E-mail recipients as people type them (a list, or text with commas, semicolons or new lines), checked once.

Neutral ground: the report form and API (e-mail the link when ready) and the schedules (recipients of
each run) both use it, so neither area imports the other for it.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _

from .validation import kind_of, shown

MAX_RECIPIENTS = 50
MAX_RECIPIENT_ITEMS = 1000  # before checking each address: a huge list is refused without validating every item
RECIPIENT_SEPARATORS = re.compile(r"[\s,;]+")


def parse_recipients(raw) -> tuple[list[str], str | None]:
    """Recipients from a list or a text with commas/semicolons/new lines: (normalised addresses, error)."""
    if raw is not None and not isinstance(raw, (str, list, tuple)):
        return [], _("Recipients: send a list of e-mail addresses.")
    items = raw if isinstance(raw, (list, tuple)) else RECIPIENT_SEPARATORS.split(raw or "")
    if len(items) > MAX_RECIPIENT_ITEMS:
        return [], _("Recipients: at most %(n)s addresses.", n=MAX_RECIPIENTS)
    addresses: list[str] = []
    for item in items:
        if item is not None and not isinstance(item, str):
            return addresses, _("Recipients: each address must be text, not %(kind)s.", kind=kind_of(item))
        text = (item or "").strip()
        if not text:
            continue
        try:
            address = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError:
            return addresses, _("Recipients: '%(address)s' is not a valid e-mail address.", address=shown(text))
        if address.lower() not in {a.lower() for a in addresses}:
            addresses.append(address)
    if not addresses:
        return addresses, _("Recipients: enter at least one e-mail address.")
    if len(addresses) > MAX_RECIPIENTS:
        return addresses, _("Recipients: at most %(n)s addresses.", n=MAX_RECIPIENTS)
    return addresses, None
