"""Every kind of note the tool writes, as one table (issue 18).

A row of :data:`KINDS` says, for one kind of note: its tag (or the shape of its tags), the
keys of its texts in every `core/texts/<language>.py`, the `[notify] events` name that sends
it outside the tracker (adapters/notify.py), the pass counter it adds to (`PassResult`,
service/sync.py), whether a client reads it, whether it comes as a status or priority
change, and whether it belongs to an SLA clock. The tag grammar itself is core/tags.py.

Adding a kind of note: the code in core/ that plans it, a row here, and its texts in each
language file. tests/test_notekinds.py fails for a tag the core builds with no row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .acknowledge import TEXT_KEYS as ACKNOWLEDGE_TEXTS
from .clocks import ClockName
from .intake import IDENTITY_REQUEST, INTAKE_IDENTITY, INTAKE_LANGUAGE, INTAKE_SCOPE
from .intake.identity import IDENTITY_ITEMS
from .intake.scope import TOPICS
from .tags import (
    ACKNOWLEDGE,
    AUTO_CLOSE,
    AUTO_CLOSE_WARNING,
    BREACH,
    ESCALATION,
    FAQ,
    RAISE_PRIORITY,
    REOPEN,
    tag,
)

# Placeholders of a tag shape: any SLA clock's name, a whole number. The clocks include the
# optional update clock (`[targets.update]`): its `update:75` and `update:breach` are the
# reminder and breach rows below, once per interval (core/decide.py); it has no escalation.
CLOCK, NUMBER = "{clock}", "{n}"
_PLACEHOLDERS = {
    CLOCK: "(?:" + "|".join(re.escape(name.value) for name in ClockName) + ")",
    NUMBER: "[0-9]+",
}
_SPLIT = re.compile("(" + "|".join(re.escape(p) for p in _PLACEHOLDERS) + ")")

# The pass counters (fields of service/sync.py's PassResult) a kind of note adds one to.
REMINDERS, BREACHES, CLOSED, REOPENED = "reminders", "breaches", "closed", "reopened"
COUNTERS = (REMINDERS, BREACHES, REOPENED, CLOSED)

# The `[notify] events` of failed passes, and the tags of the daemon's own messages about
# them: not notes in Redmine, but they follow the note tag grammar, for mail filters.
PASS_FAILED = "pass_failed"
PASS_FAILED_TAG = PASS_FAILED
RECOVERED_TAG = tag(PASS_FAILED, "recovered")


@dataclass(frozen=True)
class NoteKind:
    """One kind of note: a row of :data:`KINDS`."""

    name: str
    # The tag, or its shape: `{clock}` stands for an SLA clock's name, `{n}` for a number
    # (`{clock}:{n}` is `first_response:75`, `resolution:50`, ...).
    tag: str
    texts: tuple[str, ...]  # its keys in every core/texts/<language>.py
    event: str | None = None  # its `[notify] events` name; None: never sent outside
    notify_by_default: bool = False  # in the default `[notify] events`
    counter: str | None = None  # the PassResult counter it adds one to (COUNTERS)
    public: bool = False  # a client reads it (in working hours only, but the acknowledgement)
    transition: bool = False  # written with a status or priority change, not on its own
    in_redmine: bool = True  # False: a message of the daemon's, sent outside only
    _pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = _SPLIT.split(self.tag)
        pattern = "".join(_PLACEHOLDERS.get(part, re.escape(part)) for part in parts)
        object.__setattr__(self, "_pattern", re.compile(pattern))

    @property
    def clock(self) -> bool:
        """A note of an SLA clock (a reminder, a breach, an escalation)."""
        return self.tag.startswith(CLOCK)

    @property
    def exact(self) -> bool:
        """One tag (`auto_close`), not a shape of tags (`{clock}:breach`)."""
        return not _SPLIT.search(self.tag)

    def matches(self, tag_: str) -> bool:
        return self._pattern.fullmatch(tag_) is not None


_CLOCK_LABELS = tuple(f"clock.{name.value}" for name in ClockName)
_DURATIONS = ("minutes", "hours")

KINDS: tuple[NoteKind, ...] = (
    NoteKind(
        "reminder",
        tag(CLOCK, NUMBER),  # the percentage of the target used
        ("reminder", *_CLOCK_LABELS, *_DURATIONS),
        counter=REMINDERS,
    ),
    NoteKind(
        "breach",
        tag(CLOCK, BREACH),
        ("breach", *_CLOCK_LABELS, *_DURATIONS),
        event="breach",
        notify_by_default=True,
        counter=BREACHES,
    ),
    NoteKind(
        "escalation",
        tag(CLOCK, f"{ESCALATION}_{NUMBER}"),  # the `[escalation]` level, from 1
        ("escalation", *_CLOCK_LABELS, *_DURATIONS),
        event="escalation",
        notify_by_default=True,
    ),
    NoteKind(
        "auto_close",
        AUTO_CLOSE,
        ("auto_close", "auto_close.none", "action.note", "action.status"),
        event="auto_close",
        notify_by_default=True,
        counter=CLOSED,
        public=True,
        transition=True,
    ),
    NoteKind(
        "auto_close_warning",
        AUTO_CLOSE_WARNING,
        ("auto_close.warning", "auto_close.when"),
        event="auto_close_warning",
        public=True,
    ),
    NoteKind("reopen", REOPEN, ("reopen",), counter=REOPENED, transition=True),
    NoteKind("priority", RAISE_PRIORITY, ("priority",), transition=True),
    NoteKind(
        "intake_scope",
        INTAKE_SCOPE,
        (
            "intake.scope",
            *(f"topic.{topic}" for topic in TOPICS),
            *(f"scope_answer.{topic}" for topic in TOPICS),
        ),
    ),
    NoteKind(
        "intake_language",
        INTAKE_LANGUAGE,
        ("intake.language",),
        event="intake_language",
        notify_by_default=True,
    ),
    NoteKind(
        "intake_identity",
        INTAKE_IDENTITY,
        ("intake.identity", *(f"missing.{item}" for item in IDENTITY_ITEMS), "missing.iin_invalid"),
    ),
    NoteKind(
        "identity_request",
        IDENTITY_REQUEST,
        (
            "identity_request.intro",
            *(f"identity_request.{item}" for item in IDENTITY_ITEMS),
            "identity_request.iin_invalid",
            "identity_request.outro",
        ),
        public=True,
        transition=True,
    ),
    NoteKind("faq", FAQ, ("faq",)),
    # The client's receipt: public, posted at any hour (core/acknowledge.py).
    NoteKind("acknowledge", ACKNOWLEDGE, ACKNOWLEDGE_TEXTS, public=True),
    # The daemon's own messages (English, fixed): sent outside only, never written.
    NoteKind(
        "pass_failed",
        PASS_FAILED_TAG,
        (),
        event=PASS_FAILED,
        notify_by_default=True,
        in_redmine=False,
    ),
    NoteKind("pass_recovered", RECOVERED_TAG, (), event=PASS_FAILED, in_redmine=False),
)

BY_NAME: dict[str, NoteKind] = {kind.name: kind for kind in KINDS}
_BY_TAG: dict[str, NoteKind] = {kind.tag: kind for kind in KINDS if kind.exact}
_SHAPED: tuple[NoteKind, ...] = tuple(kind for kind in KINDS if not kind.exact)

# The `[notify] events` names (config.py's NotifyConfig), in the order of KINDS.
NOTIFY_EVENTS: tuple[str, ...] = tuple(dict.fromkeys(k.event for k in KINDS if k.event))
DEFAULT_NOTIFY_EVENTS: tuple[str, ...] = tuple(
    dict.fromkeys(k.event for k in KINDS if k.event and k.notify_by_default)
)


def kind_for(tag_: str) -> NoteKind | None:
    """The kind of a note tag (`resolution:breach` -> breach), or None for a tag the tool
    does not write."""
    exact = _BY_TAG.get(tag_)
    if exact is not None:
        return exact
    return next((kind for kind in _SHAPED if kind.matches(tag_)), None)


def event_of(tag_: str) -> str | None:
    """The `[notify] events` name of a note tag, or None for a note never sent outside."""
    kind = kind_for(tag_)
    return kind.event if kind is not None else None


def counter_of(tag_: str) -> str | None:
    """The pass counter (a PassResult field) a note with this tag adds one to, if any."""
    kind = kind_for(tag_)
    return kind.counter if kind is not None else None


def is_clock_tag(tag_: str) -> bool:
    """A reminder, breach or escalation tag of an SLA clock."""
    kind = kind_for(tag_)
    return kind is not None and kind.clock
