"""The model's text as blocks to show: numbered and bulleted lists kept, everything else paragraphs.

The text is untrusted input: it is only split here, never marked safe; the template escapes
every piece, so markup in an answer (a <script>, say) shows as text.
"""

from __future__ import annotations

import re

NUMBERED = re.compile(r"^\s*(\d{1,2})[.)]\s+(.*)$")
BULLET = re.compile(r"^\s*[-*•·]\s+(.*)$")
HEADING = re.compile(r"^\s*#{1,6}\s+(.*)$")
EMPHASIS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")


def _plain(text: str) -> str:
    """Markdown emphasis markers dropped (the words stay)."""
    return EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text).strip()


def advice_blocks(text: str) -> list[dict]:
    """[{"kind": "ol"|"ul"|"p", "items": [str, ...]}] in reading order; a list item's next lines join it."""
    blocks: list[dict] = []
    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        if not raw.strip():
            if blocks and blocks[-1]["kind"] == "p":
                blocks[-1]["closed"] = True
            continue
        numbered, bullet, heading = NUMBERED.match(raw), BULLET.match(raw), HEADING.match(raw)
        if numbered or bullet:
            kind, item = ("ol", numbered.group(2)) if numbered else ("ul", bullet.group(1))
            if blocks and blocks[-1]["kind"] == kind:
                blocks[-1]["items"].append(_plain(item))
            else:
                blocks.append({"kind": kind, "items": [_plain(item)]})
        elif heading:
            blocks.append({"kind": "p", "items": [_plain(heading.group(1))], "closed": True})
        elif blocks and blocks[-1]["kind"] in ("ol", "ul") and raw[:1].isspace():
            blocks[-1]["items"][-1] += " " + _plain(raw)  # an indented continuation of the list item
        elif blocks and blocks[-1]["kind"] == "p" and not blocks[-1].get("closed"):
            blocks[-1]["items"][-1] += " " + _plain(raw)
        else:
            blocks.append({"kind": "p", "items": [_plain(raw)]})
    return [{"kind": block["kind"], "items": block["items"]} for block in blocks]
