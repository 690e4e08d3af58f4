"""The grammar of the tool's note tags (SPEC.md: `\\[sla:[a-z_]+(:[a-z0-9_]+)?\\]`).

A tag is written `kind` or `kind:detail` without the brackets (`first_response:75`,
`reopen`, `intake:scope`); `render` puts it at the head of a note, `parse` reads it back.
"""

from __future__ import annotations

import re

_HEAD = re.compile(r"^\s*\[sla:([a-z_]+):?([a-z0-9_]*)\]")

REOPEN = "reopen"
AUTO_CLOSE = "auto_close"
RAISE_PRIORITY = "priority"
BREACH = "breach"
ESCALATION = "escalation"
AUTO_CLOSE_WARNING = f"{AUTO_CLOSE}:warning"
FAQ = "faq"  # a help-centre suggestion
ACKNOWLEDGE = "acknowledge"  # the receipt for the client


def tag(kind: str, detail: str | int | None = None) -> str:
    """`first_response:75` from ("first_response", 75); `reopen` from ("reopen",)."""
    return kind if detail in (None, "") else f"{kind}:{detail}"


def render(tag_: str, body: str) -> str:
    """A note's text: its tag in brackets, then the body."""
    return f"[sla:{tag_}] {body}"


def parse(notes: str | None) -> str | None:
    """`first_response:75` for a note starting with `[sla:first_response:75]`, else None."""
    match = _HEAD.match(notes or "")
    if not match:
        return None
    return tag(match[1], match[2])


def kind_of(tag_: str) -> str:
    return tag_.split(":", 1)[0]


def detail_of(tag_: str) -> str:
    return tag_.split(":", 1)[1] if ":" in tag_ else ""


def reminder_percent(tag_: str, clock: str) -> int | None:
    """75 for `first_response:75` when `clock` is first_response; None for other tags."""
    detail = detail_of(tag_)
    if kind_of(tag_) != clock or not detail.isdigit():
        return None
    return int(detail)


def breach(clock: str) -> str:
    return tag(clock, BREACH)


def is_breach(tag_: str) -> bool:
    return detail_of(tag_) == BREACH


def escalation(clock: str, level: int) -> str:
    """`resolution:escalation_2`: the second `[escalation]` level of the resolution clock."""
    return tag(clock, f"{ESCALATION}_{level}")


def escalation_level(tag_: str, clock: str) -> int | None:
    """2 for `resolution:escalation_2` when `clock` is resolution; None for other tags."""
    detail = detail_of(tag_)
    prefix = f"{ESCALATION}_"
    if kind_of(tag_) != clock or not detail.startswith(prefix):
        return None
    level = detail.removeprefix(prefix)
    return int(level) if level.isdigit() else None


def is_escalation(tag_: str) -> bool:
    return escalation_level(tag_, kind_of(tag_)) is not None
