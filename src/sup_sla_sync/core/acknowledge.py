"""The acknowledgement (issue 19; SPEC.md, "Acknowledgement"): the client's receipt.

One public note on the first pass that sees a new request, in the request's own language
(Kazakh, Russian or English, read from its subject and description with the classifier's
word tables; `notes.language` when unsure): its registration number (rule 13), its
category and priority as registered, and when the first answer is due. Posted at any hour:
it is the receipt, and at night it says when work starts.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .calendar import WorkCalendar
from .classify import examined, request_language
from .memo import MemoFn, no_memo
from .model import Channel
from .tags import ACKNOWLEDGE
from .texts import LANGUAGES, text
from .writes import Note

if TYPE_CHECKING:
    from .clocks import SlaView
    from .rules import Rules

# The texts of the note (its kind's row in core/notekinds.py lists them).
WEEKDAYS = tuple(f"weekday.{day}" for day in range(7))  # Monday first, as date.weekday()
TEXT_KEYS = (
    "acknowledge",
    "acknowledge.opens",
    "acknowledge.due",
    "acknowledge.within",
    "acknowledge.when",
    "acknowledge.category.consultation",
    "acknowledge.category.defect",
    "acknowledge.priority.normal",
    "acknowledge.priority.urgent",
    "acknowledge.priority.immediate",
    *WEEKDAYS,
)


def language_of(view: SlaView, rules: Rules, memo: MemoFn = no_memo) -> str:
    """The language the request is written in; `notes.language` when unsure."""
    issue = view.issue
    found = memo(request_language, examined(issue.subject), examined(issue.description))
    return found if found in LANGUAGES else rules.language


def acknowledgement(
    view: SlaView, rules: Rules, tags: set[str], now: datetime, memo: MemoFn = no_memo
) -> Note | None:
    """The public `[sla:acknowledge]` receipt, once, while nobody has answered the request.

    Not for a request already answered publicly by staff, resolved or closed (its first
    response clock has stopped). A request first seen when its first answer is already
    late (the tool was down) still gets its number, with the due time as registered: the
    receipt is the registration (rule 13), and the desk's breach note says the rest. The
    go-live rule is the caller's (`decide`)."""
    if not rules.acknowledge or ACKNOWLEDGE in tags:
        return None
    first = view.first_response
    if not first.running or first.due is None:
        return None
    language = language_of(view, rules, memo)
    calendar = view.calendar
    c = view.classification
    lines = [
        text(
            language,
            "acknowledge",
            number=view.issue.id,
            category=text(language, f"acknowledge.category.{c.category.value}"),
            priority=text(language, f"acknowledge.priority.{c.priority.value}"),
        )
    ]
    working = calendar.is_working_time(now)
    if not working:
        opens = calendar.next_working_instant(now)
        lines.append(text(language, "acknowledge.opens", when=when(language, calendar, opens)))
    if c.channel is Channel.ONLINE_ASSISTANT:
        # The regulation's promise for the online assistant is "within 15 minutes"; the
        # due time too when working hours end (or have not begun) before they are up.
        lines.append(text(language, "acknowledge.within", minutes=first.target_minutes))
        if working and first.due - now <= timedelta(minutes=first.target_minutes):
            return Note(ACKNOWLEDGE, "\n".join(lines), private=False)
    lines.append(text(language, "acknowledge.due", when=when(language, calendar, first.due)))
    return Note(ACKNOWLEDGE, "\n".join(lines), private=False)


def when(language: str, calendar: WorkCalendar, instant: datetime) -> str:
    """A local date and time with its weekday, in `language`: "понедельник, 30.11.2026,
    09:00"."""
    local = calendar.local(instant)
    weekday = text(language, WEEKDAYS[local.weekday()])
    return local.strftime(text(language, "acknowledge.when", weekday=weekday))
