"""Intake checks on a new request: out of scope (rule 6), insults (rules 9, 16), identity
(rule 11), as one table.

Each check is a pure detector module (:mod:`.scope`, :mod:`.language`, :mod:`.identity`) and a
row of :data:`CHECKS`: its note tag, the `[intake]` switch that turns it on, when it applies,
what it reads, its text key (worded in every `core/texts/<language>.py`), who the note is for,
and whether the lead follows the request. The findings are posted once, as a private note;
a check with a public request (identity) may instead ask the client and wait for the answer.

Adding a check: a detector module here, a row in :data:`CHECKS`, its kind of note in
core/notekinds.py, its texts in each language file, and its switch as a key of
`IntakeConfig` (the `[intake]` section, config.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ..classify import examined
from ..clocks import SlaView
from ..memo import MemoFn
from ..model import People, ServiceLevel
from ..rules import IntakeSwitches, Rules
from ..tags import tag
from ..texts import LANGUAGES, mentions, text
from ..writes import Note, Transition
from . import identity, language, scope
from .identity import (
    IDENTITY_ITEMS,
    IdentityCheck,
    identity_check,
    identity_request,
    iin_is_valid,
)
from .language import offensive_words
from .scope import TOPICS, ScopeFinding, out_of_scope, scope_answer

F = TypeVar("F")

INTAKE_SCOPE = tag("intake", "scope")
INTAKE_LANGUAGE = tag("intake", "language")
INTAKE_IDENTITY = tag("intake", "identity")
IDENTITY_REQUEST = tag("intake", "identity_request")


@dataclass(frozen=True)
class RequestText:
    """What the checks read of a request."""

    subject: str
    description: str
    client_text: str  # the description and the client's own notes


@dataclass(frozen=True)
class PublicRequest(Generic[F]):
    """Asking the client publicly for what a check found missing, then waiting (its status
    becomes the first awaiting-client one), instead of the private note."""

    switch: str  # the `[intake]` key that turns the request on
    tag: str
    wording: Callable[[F, str], str | None]  # (finding, language) -> the text; None: no need


@dataclass(frozen=True)
class Check(Generic[F]):
    """One intake check: a row of :data:`CHECKS`."""

    tag: str
    switch: str  # the `[intake]` key that turns it on
    applies: Callable[[SlaView], bool]
    detector: Callable[..., F]  # pure, run through the memo on what `reads` picks
    reads: Callable[[RequestText], tuple[str, ...]]
    text_key: str
    params: Callable[[F, str], dict[str, str] | None]  # (finding, language); None: nothing found
    mention: Callable[[str | None, str | None], list[str | None]]  # (assignee, lead) -> logins
    lead_watches: bool = False
    request: PublicRequest[F] | None = None

    def posts_note(self, switches: IntakeSwitches) -> bool:
        """Whether the check posts its private note (not when it asks the client instead)."""
        asks = self.request is not None and switches.on(self.request.switch)
        return switches.on(self.switch) and not asks


def _always(view: SlaView) -> bool:
    return True


def _unanswered(view: SlaView) -> bool:
    return view.first_response.running


def _basic_and_unanswered(view: SlaView) -> bool:
    """Basic-level requests (those rule 11 concerns) nobody has answered yet."""
    return view.first_response.running and view.classification.level is ServiceLevel.BASIC


def _subject_and_description(written: RequestText) -> tuple[str, ...]:
    return (written.subject, written.description)


def _subject_and_client_text(written: RequestText) -> tuple[str, ...]:
    return (written.subject, written.client_text)


def _all_the_client_wrote(written: RequestText) -> tuple[str, ...]:
    return (f"{written.subject}\n{written.client_text}",)


def _assignee_or_lead(assignee: str | None, lead: str | None) -> list[str | None]:
    return [assignee or lead]


def _lead_and_assignee(assignee: str | None, lead: str | None) -> list[str | None]:
    return [lead, assignee]


CHECKS: tuple[Check[Any], ...] = (
    Check(
        tag=INTAKE_SCOPE,
        switch="scope_check",
        applies=_unanswered,
        detector=scope.topics_found,
        reads=_subject_and_description,
        text_key="intake.scope",
        params=scope.note_params,
        mention=_assignee_or_lead,
    ),
    # Insults may come while the issue is open; rule 16 has the supervisor told: the lead
    # follows the request.
    Check(
        tag=INTAKE_LANGUAGE,
        switch="language_check",
        applies=_always,
        detector=language.words_found,
        reads=_all_the_client_wrote,
        text_key="intake.language",
        params=language.note_params,
        mention=_lead_and_assignee,
        lead_watches=True,
    ),
    Check(
        tag=INTAKE_IDENTITY,
        switch="identity_check",
        applies=_basic_and_unanswered,
        detector=identity.identity_check,
        reads=_subject_and_client_text,
        text_key="intake.identity",
        params=identity.note_params,
        mention=_assignee_or_lead,
        request=PublicRequest("request_identity", IDENTITY_REQUEST, identity.request_text),
    ),
)


def _request_text(view: SlaView, people: People) -> RequestText:
    notes = [j.notes for j in view.timeline.journals if people.is_client(j.user_id)]
    issue = view.issue
    # Bounded: what a check examines of a request is its first MAX_EXAMINED characters.
    client_text = examined("\n".join([examined(issue.description), *map(examined, notes)]))
    return RequestText(examined(issue.subject), examined(issue.description), client_text)


def intake_notes(
    view: SlaView, rules: Rules, people: People, memo: MemoFn, tags: set[str]
) -> list[Note]:
    """Private notes of the intake checks, in table order, each posted once."""
    if view.resolution.stopped_at is not None:
        return []
    assignee = people.login(view.issue.assigned_to_id)
    lead = people.login(people.lead_id)
    written = _request_text(view, people)
    notes = []
    for check in CHECKS:
        if not check.posts_note(rules.intake) or check.tag in tags or not check.applies(view):
            continue
        params = check.params(memo(check.detector, *check.reads(written)), rules.language)
        if params is not None:
            body = text(
                rules.language,
                check.text_key,
                **params,
                mentions=mentions(check.mention(assignee, lead)),
            )
            notes.append(Note(check.tag, body, private=True))
    return notes


def lead_watches(notes: Iterable[Note]) -> bool:
    """Whether one of these notes makes the lead a watcher of the request."""
    watched = {check.tag for check in CHECKS if check.lead_watches}
    return any(note.tag in watched for note in notes)


def client_request(view: SlaView, rules: Rules, people: People, memo: MemoFn) -> Transition | None:
    """The public request a check makes of the client (rule 11), and the wait for the answer."""
    awaiting = rules.statuses.awaiting_client
    for check in CHECKS:
        ask = check.request
        if ask is None or not (rules.intake.on(check.switch) and rules.intake.on(ask.switch)):
            continue
        if not check.applies(view) or ask.tag in view.timeline.tags() or not awaiting:
            continue
        found = memo(check.detector, *check.reads(_request_text(view, people)))
        body = ask.wording(found, rules.language)
        if body is not None:
            return Transition(ask.tag, Note(ask.tag, body, private=False), status=awaiting[0])
    return None


__all__ = [
    "CHECKS",
    "IDENTITY_ITEMS",
    "IDENTITY_REQUEST",
    "INTAKE_IDENTITY",
    "INTAKE_LANGUAGE",
    "INTAKE_SCOPE",
    "LANGUAGES",
    "TOPICS",
    "Check",
    "IdentityCheck",
    "PublicRequest",
    "RequestText",
    "ScopeFinding",
    "client_request",
    "identity_check",
    "identity_request",
    "iin_is_valid",
    "intake_notes",
    "lead_watches",
    "offensive_words",
    "out_of_scope",
    "scope_answer",
]
