"""From an issue's SLA view to the writes a pass makes (SPEC.md, "What the tool writes").

Two steps, both pure:
- `decide_transition`: a status or priority change (client reply, auto-close, raised
  priority). It changes the clocks, so the caller applies it, re-reads the issue and
  evaluates again before planning the rest.
- `plan_updates`: SLA fields, due date, category, reminders, breach notes, watchers.
Idempotency comes from comparing with what the tracker holds and from the notes' tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache

from sup_sla_sync.core.calendar import WorkCalendar
from sup_sla_sync.core.classify import suggest_priority, urgency_words
from sup_sla_sync.core.clocks import Clock, ClockName, SlaView
from sup_sla_sync.config import Settings
from sup_sla_sync.core.intake import identity_check, identity_request, offensive_words, out_of_scope, scope_answer
from sup_sla_sync.core.model import DUE_DATE, PRIORITY, People, ServiceLevel, StatusRole, cf
from sup_sla_sync.core.policy import Policy, owned_by_tool
from sup_sla_sync.core.texts import PAUSED_FIELD, duration, mentions, quote, snippet, text

REOPEN, AUTO_CLOSE, RAISE_PRIORITY = "reopen", "auto_close", "priority"
INTAKE_SCOPE, INTAKE_LANGUAGE = "intake:scope", "intake:language"
INTAKE_IDENTITY, IDENTITY_REQUEST = "intake:identity", "intake:identity_request"

# Every pass sees the same texts again; the checks are pure, so their answers are kept
# (most of a warm pass' CPU was the insult scan of unchanged descriptions).
_TEXTS_KEPT = 16_384
_offensive_words = lru_cache(_TEXTS_KEPT)(lambda text: tuple(offensive_words(text)))
_out_of_scope = lru_cache(_TEXTS_KEPT)(lambda s, d: tuple(out_of_scope(s, d)))
_identity_check = lru_cache(_TEXTS_KEPT)(identity_check)


@dataclass(frozen=True)
class Note:
    tag: str
    body: str
    private: bool

    @property
    def text(self) -> str:
        return f"[sla:{self.tag}] {self.body}"


@dataclass(frozen=True)
class Transition:
    kind: str  # REOPEN, AUTO_CLOSE, IDENTITY_REQUEST or RAISE_PRIORITY
    note: Note
    status: str | None = None
    priority: str | None = None


@dataclass(frozen=True)
class Plan:
    issue_id: int
    fields: dict[str, str] = field(default_factory=dict)
    due_date: date | None = None  # None: leave the due date as it is
    notes: tuple[Note, ...] = ()
    watchers: tuple[int, ...] = ()
    # Configured fields this issue does not have (not enabled for its project or tracker):
    # Redmine would silently drop a value for them.
    unavailable: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.fields or self.due_date or self.notes or self.watchers)


@dataclass(frozen=True)
class Context:
    """What the planner needs besides the issue: the rules, the calendar, the people."""

    settings: Settings
    policy: Policy
    calendar: WorkCalendar
    people: People

    @property
    def language(self) -> str:
        return self.settings.notes.language


def format_due(clock: Clock, calendar: WorkCalendar) -> str:
    if clock.due is None:
        return PAUSED_FIELD.format(minutes=max(0, int(clock.minutes_left)))
    return calendar.format(clock.due)


# --- transitions --------------------------------------------------------------------------


def decide_transition(view: SlaView, ctx: Context, now: datetime) -> Transition | None:
    """The one status or priority change this issue needs now, if any."""
    timeline = view.timeline
    period = timeline.current
    statuses = ctx.settings.statuses
    if ctx.policy.status_role(period.status) is StatusRole.AWAITING_CLIENT:
        since = period.entered_by
        if timeline.client_replies_since(since, ctx.people):
            if REOPEN in timeline.tags(since):
                return None  # already moved back once for this wait; a person put it here
            body = text(ctx.language, "reopen", status=statuses.reopen_to)
            return Transition(REOPEN, Note(REOPEN, body, private=True), status=statuses.reopen_to)
        limit = ctx.settings.auto_close.after_working_hours * 60
        if (
            ctx.settings.auto_close.enabled
            and ctx.calendar.working_minutes(period.start, now) >= limit
            and AUTO_CLOSE not in timeline.tags(since)
        ):
            body = text(
                ctx.language,
                "auto_close",
                hours=_number(ctx.settings.auto_close.after_working_hours),
                actions=_actions(view, ctx),
            )
            return Transition(
                AUTO_CLOSE, Note(AUTO_CLOSE, body, private=False), status=statuses.auto_close_to
            )
        return None
    return _request_identity(view, ctx) or _raise_priority(view, ctx)


def _request_identity(view: SlaView, ctx: Context) -> Transition | None:
    """Rule 11: ask a basic-level client publicly for missing identifying information."""
    intake = ctx.settings.intake
    if not (intake.identity_check and intake.request_identity) or not _in_intake(view):
        return None
    if IDENTITY_REQUEST in view.timeline.tags() or not ctx.settings.statuses.awaiting_client:
        return None
    check = _identity_check(view.issue.subject, _client_text(view, ctx.people))
    if not check.missing:
        return None
    body = identity_request(
        check.missing, ctx.language, iin_invalid=check.iin is not None and not check.iin_valid
    )
    return Transition(
        IDENTITY_REQUEST,
        Note(IDENTITY_REQUEST, body, private=False),
        status=ctx.settings.statuses.awaiting_client[0],
    )


def _in_intake(view: SlaView) -> bool:
    """Intake checks concern basic requests nobody has answered yet."""
    return view.first_response.running and view.classification.level is ServiceLevel.BASIC


def _client_text(view: SlaView, people: People) -> str:
    """What the client wrote: the description and the client's own notes."""
    notes = [j.notes for j in view.timeline.journals if people.is_client(j.user_id)]
    return "\n".join([view.issue.description, *notes])


def _raise_priority(view: SlaView, ctx: Context) -> Transition | None:
    if not ctx.settings.classify.apply_priority or view.resolution.stopped_at is not None:
        return None
    issue = view.issue
    # Only a still-default priority: nobody (person or tool) has ever changed it.
    if any(j.change_of(PRIORITY) for j in issue.journals):
        return None
    if not ctx.policy.knows_priority(issue.priority) or view.classification.priority != "normal":
        return None
    content = f"{issue.subject}\n{issue.description}"
    suggested = suggest_priority(content)
    if suggested is None or RAISE_PRIORITY in view.timeline.tags():
        return None
    names = getattr(ctx.settings.priorities, suggested)
    if not names:
        return None
    body = text(ctx.language, "priority", priority=names[0], words=quote(urgency_words(content)))
    return Transition(RAISE_PRIORITY, Note(RAISE_PRIORITY, body, private=True), priority=names[0])


def _actions(view: SlaView, ctx: Context) -> str:
    lines = []
    for journal in view.timeline.journals:
        when = ctx.calendar.local(journal.created_on).strftime("%Y-%m-%d %H:%M")
        if journal.notes.strip() and not journal.private and ctx.people.is_staff(journal.user_id):
            lines.append(text(ctx.language, "action.note", when=when, text=snippet(journal.notes)))
        change = journal.change_of("status")
        if change is not None:
            lines.append(
                text(ctx.language, "action.status", when=when, old=change.old, new=change.new)
            )
    return "\n".join(lines) or text(ctx.language, "auto_close.none")


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


# --- field stamps, reminders, breaches ------------------------------------------------------


def plan_updates(view: SlaView, ctx: Context, now: datetime) -> Plan:
    issue = view.issue
    names = ctx.settings.fields
    tool = ctx.people.tool_user_id
    wanted = {
        names.first_response_due: format_due(view.first_response, ctx.calendar),
        names.resolution_due: format_due(view.resolution, ctx.calendar),
        names.sla_state: view.state.value,
    }
    category = view.classification
    if category.category_source != "person" and owned_by_tool(
        issue, cf(names.category), tool, issue.field(names.category)
    ):
        wanted[names.category] = ctx.policy.category_value(category.category)
    unavailable = tuple(k for k in wanted if k not in issue.custom_fields)
    fields = {k: v for k, v in wanted.items() if issue.field(k) != v and k not in unavailable}

    due_date = None
    if view.resolution.due is not None and owned_by_tool(issue, DUE_DATE, tool, issue.due_date):
        local_due = ctx.calendar.local(view.resolution.due).date()
        if local_due != issue.due_date:
            due_date = local_due

    tags = view.timeline.tags()
    notes = _intake_notes(view, ctx, tags)
    lead = ctx.people.lead_id
    watchers: list[int] = []
    if any(n.tag == INTAKE_LANGUAGE for n in notes) and lead and lead not in issue.watcher_ids:
        watchers.append(lead)
    # Reminders and breach notes wait for working hours (found at night: said at 09:00).
    if ctx.calendar.is_working_time(now):
        for clock in view.clocks:
            note = _clock_note(clock, view, ctx, tags)
            if note is not None:
                notes.append(note)
                if note.tag.endswith(":breach") and lead and lead not in issue.watcher_ids:
                    watchers.append(lead)
    return Plan(
        issue.id, fields, due_date, tuple(notes), tuple(dict.fromkeys(watchers)), unavailable
    )


def _intake_notes(view: SlaView, ctx: Context, tags: set[str]) -> list[Note]:
    """Private notes of the intake checks (rules 6, 11, 16), each posted once."""
    if view.resolution.stopped_at is not None:
        return []
    intake, language, issue = ctx.settings.intake, ctx.language, view.issue
    assignee = ctx.people.login(issue.assigned_to_id)
    lead = ctx.people.login(ctx.people.lead_id)
    client_text = _client_text(view, ctx.people)
    notes = []
    if intake.scope_check and INTAKE_SCOPE not in tags and view.first_response.running:
        findings = _out_of_scope(issue.subject, issue.description)
        if findings:
            body = text(
                language,
                "intake.scope",
                topics=", ".join(text(language, f"topic.{f.topic}") for f in findings),
                answer="\n\n".join(scope_answer(f.topic, language) for f in findings),
                mentions=mentions([assignee or lead]),
            )
            notes.append(Note(INTAKE_SCOPE, body, private=True))
    if intake.language_check and INTAKE_LANGUAGE not in tags:
        words = _offensive_words(f"{issue.subject}\n{client_text}")
        if words:
            body = text(
                language,
                "intake.language",
                words=", ".join(words),
                mentions=mentions([lead, assignee]),
            )
            notes.append(Note(INTAKE_LANGUAGE, body, private=True))
    wants_note = intake.identity_check and not intake.request_identity
    if wants_note and INTAKE_IDENTITY not in tags and _in_intake(view):
        check = _identity_check(issue.subject, client_text)
        if check.missing:
            invalid = check.iin is not None and not check.iin_valid
            missing = [
                text(language, "missing.iin_invalid" if m == "iin" and invalid else f"missing.{m}")
                for m in check.missing
            ]
            body = text(
                language,
                "intake.identity",
                missing=", ".join(missing),
                mentions=mentions([assignee or lead]),
            )
            notes.append(Note(INTAKE_IDENTITY, body, private=True))
    return notes


def _clock_note(clock: Clock, view: SlaView, ctx: Context, tags: set[str]) -> Note | None:
    name = clock.name.value
    assignee = ctx.people.login(view.issue.assigned_to_id)
    lead = ctx.people.login(ctx.people.lead_id)
    label = text(ctx.language, f"clock.{name}")
    if clock.breached:
        if clock.stopped_at is not None or f"{name}:breach" in tags:
            return None  # answered or resolved late: the state says so, no late alarm
        due = ctx.calendar.format(clock.due) if clock.due else format_due(clock, ctx.calendar)
        body = text(
            ctx.language,
            "breach",
            clock=label,
            due=due,
            over=duration(ctx.language, clock.used_minutes - clock.target_minutes),
            mentions=mentions([assignee, lead]),
        )
        return Note(f"{name}:breach", _capitalise(body), private=True)
    if not clock.running or not clock.reminders_crossed:
        return None
    fraction = max(clock.reminders_crossed)
    done = {int(t.split(":")[1]) for t in tags if t.startswith(f"{name}:") and t[-1].isdigit()}
    percent = round(fraction * 100)
    if any(p >= percent for p in done):
        return None
    body = text(
        ctx.language,
        "reminder",
        clock=label,
        due=ctx.calendar.format(clock.due) if clock.due else "",
        left=duration(ctx.language, clock.minutes_left),
        mentions=mentions([assignee or lead]),
    )
    return Note(f"{name}:{percent}", body, private=True)


def _capitalise(body: str) -> str:
    return body[:1].upper() + body[1:]


__all__ = [
    "AUTO_CLOSE",
    "RAISE_PRIORITY",
    "REOPEN",
    "ClockName",
    "Context",
    "Note",
    "Plan",
    "Transition",
    "decide_transition",
    "format_due",
    "plan_updates",
]
