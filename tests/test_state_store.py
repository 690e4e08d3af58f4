"""The daemon's SQLite cache: a round trip, and every way the file can be wrong changes no
outcome (it reads as "nothing known" and is rebuilt)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sup_sla_sync.adapters.state import SCHEMA_VERSION, Known, State, StateStore

from factories import CLIENT, at, issue, note, status


def sample_state() -> State:
    snap = issue(
        "2025-01-13 10:00",
        note("2025-01-13 10:20", text="Добрый день, проверяем"),
        status("2025-01-13 11:00", "New", "Feedback", text="Пришлите номер"),
        note("2025-01-13 12:00", user=CLIENT, text="Вот «номер» 42", private=False),
        level="VIP",
        description="Описание\nв две строки",
    )
    return State(
        issues={
            7: Known(snap, at("2025-01-14 10:00"), settled=True),
            8: Known(issue(issue_id=8), None),
        },
        listed_at=at("2025-01-13 12:05"),
        full_listed_at=at("2025-01-13 12:00"),
        fingerprint="abc",
    )


def test_a_saved_state_loads_back_equal(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    state = sample_state()
    store.save(state)
    assert store.load() == state
    assert store.size() > 0


def test_saving_again_replaces_what_was_there(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save(sample_state())
    smaller = State(issues={}, listed_at=None, full_listed_at=None, fingerprint="x")
    store.save(smaller)
    assert store.load() == smaller


def test_no_file_is_nothing_known(tmp_path: Path) -> None:
    assert StateStore(tmp_path / "missing").load() == State()


def test_a_corrupt_file_is_nothing_known_and_is_rebuilt(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.path.write_bytes(b"this is not a database" * 100)
    assert store.load() == State()
    state = sample_state()
    store.save(state)
    assert store.load() == state


def test_a_file_of_another_version_is_nothing_known_and_is_rebuilt(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    with sqlite3.connect(store.path) as db:
        db.execute("CREATE TABLE issues (id INTEGER PRIMARY KEY, other TEXT)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    assert store.load() == State()
    state = sample_state()
    store.save(state)
    assert store.load() == state


def test_a_damaged_row_is_nothing_known(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save(sample_state())
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE issues SET snapshot = '{\"id\": 7}' WHERE id = 7")
    loaded = store.load()  # its seal no longer matches: issue 7 is not known, 8 still is
    assert set(loaded.issues) == {8} and loaded.full_listed_at is None


def test_saving_what_changed_updates_those_and_drops_the_gone(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    state = sample_state()
    store.save(state)
    state.issues[7].wake_at = at("2025-01-15 09:00")  # changed
    del state.issues[8]  # gone (a full listing no longer saw it)
    state.issues[9] = Known(issue(issue_id=9), None)  # new
    state.listed_at = at("2025-01-13 12:10")
    store.save(state, changed={7, 9})
    assert store.load() == state
