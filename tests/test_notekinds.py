"""The registry of note kinds (core/notekinds.py, issue 18): every tag the core builds has
a row, every row's texts exist in every language, and the notify events and pass counters
it gives are those the tool had before the registry (adapters/notify.py's and
service/sync.py's own tables then)."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from sup_sla_sync.adapters import notify
from sup_sla_sync.config import NotifyConfig
from sup_sla_sync.core import notekinds
from sup_sla_sync.core.clocks import ClockName
from sup_sla_sync.core.decide import CLOCK_NAMES
from sup_sla_sync.core.intake import CHECKS
from sup_sla_sync.core.notekinds import (
    DEFAULT_NOTIFY_EVENTS,
    KINDS,
    NOTIFY_EVENTS,
    NoteKind,
    counter_of,
    event_of,
    is_clock_tag,
    kind_for,
)
from sup_sla_sync.core.tags import breach, escalation, is_breach, is_escalation, kind_of, tag
from sup_sla_sync.core.texts import LANGUAGES, TEXTS
from sup_sla_sync.core.writes import Note, Plan
from sup_sla_sync.service.sync import PassResult, _count_notes

REPO = Path(__file__).resolve().parents[1]
CORE = REPO / "src" / "sup_sla_sync" / "core"
CLOCKS = [name.value for name in ClockName]

# How core/ builds the tag of a note or transition (the source of the argument), and
# tags each way can give. A new way fails test_every_tag_the_core_builds_has_a_kind: give
# its kind a row in core/notekinds.py, and its tags a line here.
BUILT = {
    "breach(name)": [breach(c) for c in CLOCKS],
    "escalation(name, level)": [escalation(c, level) for c in CLOCKS for level in (1, 2, 12)],
    "tag(name, percent)": [tag(c, p) for c in CLOCKS for p in (1, 50, 75, 90, 100)],
    "check.tag": [check.tag for check in CHECKS],
    "ask.tag": [check.request.tag for check in CHECKS if check.request is not None],
}


def _built_in_core() -> list[tuple[str, str, list[str], bool | None, str]]:
    """(what, source of the tag, its tags, private or None, where) of each `Note(...)` and
    `Transition(...)` in core/."""
    found = []
    for path in sorted(CORE.rglob("*.py")):
        relative = path.relative_to(CORE.parent.parent)
        module = importlib.import_module(
            ".".join(relative.with_suffix("").parts).replace(".__init__", "")
        )
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in ("Note", "Transition"):
                continue
            where = f"{relative}:{node.lineno}"
            first = (
                node.args[0]
                if node.args
                else next(k.value for k in node.keywords if k.arg in ("tag", "kind"))
            )
            source = ast.unparse(first)
            if isinstance(first, ast.Name) and isinstance(getattr(module, source, None), str):
                tags = [getattr(module, source)]
            else:
                assert source in BUILT, (
                    f"{where}: a note tag built as {source!r}: register its kind in "
                    "core/notekinds.py and its tags in BUILT (tests/test_notekinds.py)"
                )
                tags = BUILT[source]
            given = [k.value for k in node.keywords if k.arg == "private"]
            if node.func.id == "Note" and len(node.args) >= 3:
                given.append(node.args[2])
            # A constant: the kind's `public` is checked against it.
            private = given[0].value if given and isinstance(given[0], ast.Constant) else None
            found.append((node.func.id, source, tags, private, where))
    return found


BUILT_IN_CORE = _built_in_core()
CORE_TAGS = sorted({t for _, _, tags, _, _ in BUILT_IN_CORE for t in tags})


def test_the_scan_finds_the_notes_of_the_core() -> None:
    sources = {source for _, source, _, _, _ in BUILT_IN_CORE}
    assert {"REOPEN", "AUTO_CLOSE", "AUTO_CLOSE_WARNING", "RAISE_PRIORITY", "FAQ"} <= sources
    assert set(BUILT) <= sources  # a line of BUILT no longer used: remove it


@pytest.mark.parametrize(
    ("what", "source", "tags", "private", "where"),
    BUILT_IN_CORE,
    ids=[f"{what} {where}" for what, _, _, _, where in BUILT_IN_CORE],
)
def test_every_tag_the_core_builds_has_a_kind(
    what: str, source: str, tags: list[str], private: bool | None, where: str
) -> None:
    for tag_ in tags:
        kind = kind_for(tag_)
        assert kind is not None, f"{where}: [sla:{tag_}] has no row in core/notekinds.py"
        assert kind.in_redmine
        assert [k for k in KINDS if k.matches(tag_)] == [kind]  # one row a tag
        if what == "Transition":
            assert kind.transition, f"{where}: {kind.name} comes with a transition"
        if private is not None:
            assert kind.public is (not private), f"{where}: {kind.name}'s public is wrong"


def test_every_kind_written_in_redmine_is_built_by_the_core() -> None:
    built = {kind_for(t) for t in CORE_TAGS}
    assert {k for k in KINDS if k.in_redmine} == built
    transitions = {
        kind_for(t) for what, _, tags, _, _ in BUILT_IN_CORE for t in tags if what == "Transition"
    }
    assert {k for k in KINDS if k.transition} == transitions


def test_the_rows_are_distinct() -> None:
    assert len({k.name for k in KINDS}) == len(KINDS)
    assert len({k.tag for k in KINDS}) == len(KINDS)
    assert {k.name: k for k in KINDS} == notekinds.BY_NAME


def test_a_tag_the_tool_does_not_write_has_no_kind() -> None:
    for tag_ in ("first_response", "resolution:soon", "intake", "faq:1", "breach", "x:breach"):
        assert kind_for(tag_) is None
        assert event_of(tag_) is None and counter_of(tag_) is None and not is_clock_tag(tag_)


# --- texts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_every_text_of_a_kind_is_worded_in_every_language(kind: NoteKind) -> None:
    assert set(LANGUAGES) == {"en", "ru", "kk"}
    assert kind.texts or not kind.in_redmine  # a note in Redmine is worded
    for language in LANGUAGES:
        missing = [key for key in kind.texts if key not in TEXTS[language]]
        assert not missing, f"core/texts/{language}.py lacks {missing} ({kind.name})"


def test_the_intake_checks_texts_are_their_kinds() -> None:
    for check in CHECKS:
        kind = kind_for(check.tag)
        assert kind is not None and check.text_key in kind.texts
        if check.request is not None:
            request = kind_for(check.request.tag)
            assert request is not None and request.public and request.transition


def test_every_text_the_notes_name_is_a_kinds() -> None:
    """Each text key named in a `text(..., "key")` call of the core's notes is a kind's."""
    keys = {key for kind in KINDS for key in kind.texts}
    named = set()
    for path in (
        CORE / "decide.py",
        CORE / "faq.py",
        CORE / "intake" / "__init__.py",
        CORE / "acknowledge.py",
    ):
        named |= set(re.findall(r'\btext\(\s*[\w.]+,\s*"([a-z_.]+)"', path.read_text("utf-8")))
    assert named and named <= keys


# --- notify events -------------------------------------------------------------------------------

# What adapters/notify.py's event_of answered before the registry.
EVENTS_BEFORE = [
    ("first_response:breach", "breach"),
    ("resolution:breach", "breach"),
    ("first_response:escalation_1", "escalation"),
    ("resolution:escalation_2", "escalation"),
    ("resolution:escalation_12", "escalation"),
    ("auto_close", "auto_close"),
    ("auto_close:warning", "auto_close_warning"),
    ("intake:language", "intake_language"),
    ("first_response:75", None),
    ("resolution:100", None),
    ("reopen", None),
    ("priority", None),
    ("intake:scope", None),
    ("intake:identity", None),
    ("intake:identity_request", None),
    ("faq", None),
    ("acknowledge", None),  # issue 19: the client's receipt, never sent outside
]


@pytest.mark.parametrize(("tag_", "event"), EVENTS_BEFORE)
def test_the_event_of_each_note_is_as_before(tag_: str, event: str | None) -> None:
    assert event_of(tag_) == event
    assert notify.event_of(tag_) == event  # the name notify's callers import


def test_every_tag_the_core_builds_is_in_the_table_above() -> None:
    assert {kind_for(t) for t in CORE_TAGS} == {kind_for(t) for t, _ in EVENTS_BEFORE}


def test_the_notify_events_are_as_before() -> None:
    assert NOTIFY_EVENTS == (
        "breach",
        "escalation",
        "auto_close",
        "auto_close_warning",
        "intake_language",
        "pass_failed",
    )
    assert DEFAULT_NOTIFY_EVENTS == (
        "breach",
        "escalation",
        "auto_close",
        "intake_language",
        "pass_failed",
    )
    assert NotifyConfig().events == list(DEFAULT_NOTIFY_EVENTS)
    assert NotifyConfig(events=list(NOTIFY_EVENTS)).events == list(NOTIFY_EVENTS)
    with pytest.raises(ValidationError):
        NotifyConfig(events=["reminder"])


def test_the_daemons_own_messages() -> None:
    assert notify.PASS_FAILED == "pass_failed"
    assert notify.PASS_FAILED_TAG == "pass_failed"
    assert notify.RECOVERED_TAG == "pass_failed:recovered"
    for tag_ in (notify.PASS_FAILED_TAG, notify.RECOVERED_TAG):
        kind = kind_for(tag_)
        assert kind is not None and not kind.in_redmine and kind.event == notify.PASS_FAILED


def test_the_readme_names_every_event() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z_]+)` \| ", readme, flags=re.MULTILINE)
    assert [e for e in listed if e in NOTIFY_EVENTS] == list(NOTIFY_EVENTS)


# --- pass counters -------------------------------------------------------------------------------


def _count_before(tags: list[str]) -> tuple[int, int]:
    """(reminders, breaches) as service/sync.py counted them before the registry."""
    clock = [t for t in tags if kind_of(t) in CLOCK_NAMES]
    reminders = sum(1 for t in clock if not (is_breach(t) or is_escalation(t)))
    return reminders, sum(1 for t in clock if is_breach(t))


def test_the_clock_tags_are_as_before() -> None:
    for tag_ in CORE_TAGS:
        assert is_clock_tag(tag_) is (kind_of(tag_) in CLOCK_NAMES), tag_


def test_the_counters_of_the_notes_are_as_before() -> None:
    assert counter_of("first_response:75") == "reminders"
    assert counter_of("resolution:breach") == "breaches"
    assert counter_of("resolution:escalation_1") is None
    assert counter_of("auto_close") == "closed"
    assert counter_of("reopen") == "reopened"
    assert counter_of("intake:scope") is None and counter_of("faq") is None
    fields = {f.name: f.type for f in dataclasses.fields(PassResult)}
    for kind in KINDS:
        assert kind.counter is None or fields[kind.counter] in (int, "int"), kind.name
    notes = [t for t in CORE_TAGS if not kind_for(t).transition]  # type: ignore[union-attr]
    plan = Plan(1, notes=tuple(Note(t, "body", private=True) for t in [*notes, *notes[:3]]))
    result = PassResult()
    _count_notes(result, plan)
    assert (result.reminders, result.breaches) == _count_before([n.tag for n in plan.notes])
    assert result.reminders and result.breaches
    assert (result.closed, result.reopened) == (0, 0)
