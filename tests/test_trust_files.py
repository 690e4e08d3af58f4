"""Files are private and safe (SPEC.md, principle 7; SECURITY.md): the state cache 0600 in
a 0700 directory, no symlink followed by the lock, the heartbeat or the cache, a bad
`state_dir` named before any pass, and no error of the cache failing a pass."""

from __future__ import annotations

import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest

from sup_sla_sync.adapters.locks import FileLock
from sup_sla_sync.adapters.state import FILE_NAME, State, StateStore
from sup_sla_sync.errors import ConfigError
from test_state_store import sample_state


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_the_state_directory_is_0700_and_its_file_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = StateStore(tmp_path / "state")
        store.save(sample_state())
    finally:
        os.umask(old)
    assert mode(tmp_path / "state") == 0o700
    assert mode(store.path) == 0o600
    assert [p.name for p in (tmp_path / "state").iterdir()] == [FILE_NAME]
    assert store.load().issues.keys() == sample_state().issues.keys()


def test_a_state_dir_that_is_a_file_or_under_one_is_a_config_error(tmp_path: Path) -> None:
    a_file = tmp_path / "state"
    a_file.write_text("not a directory")
    with pytest.raises(ConfigError, match=r"daemon\.state_dir: .*state: not a directory"):
        StateStore(a_file)
    # Under a file: mkdir fails (as root too, unlike a chmod'ed directory).
    with pytest.raises(ConfigError, match=r"daemon\.state_dir: .*cannot be written"):
        StateStore(a_file / "below")
    assert a_file.read_text() == "not a directory"


def test_a_symlinked_state_file_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / FILE_NAME).symlink_to(target)
    with pytest.raises(ConfigError, match=r"daemon\.state_dir"):
        StateStore(tmp_path / "state")
    assert target.read_text() == "keep me"


def test_a_short_journal_row_or_any_garbage_starts_afresh(tmp_path: Path) -> None:
    """Even a row sealed with the right key (a bug of another version, say) that does not
    decode starts afresh, never a traceback."""
    store = StateStore(tmp_path, "the-key")
    store.save(sample_state())
    for damage in ("json_set(snapshot, '$.journals', json('[[1]]'))", "'[1, 2'"):
        with closing(sqlite3.connect(store.path)) as db, db:
            db.execute(f"UPDATE issues SET snapshot = {damage}")
            rows = db.execute("SELECT id, snapshot, wake_at, settled FROM issues").fetchall()
            db.executemany(
                "UPDATE issues SET seal = ? WHERE id = ?",
                [(store._seal(str(i), snap, wake, str(s)), i) for i, snap, wake, s in rows],
            )
        assert store.load() == State()


def hide_the_tools_notes(store: StateStore) -> None:
    """What a tamperer with write access to the file (not to the key) would do: drop the
    tool's journals from every cached snapshot, keeping the row's seal."""
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE issues SET snapshot = json_set(snapshot, '$.journals', json('[]'))")


def test_a_snapshot_changed_outside_the_tool_is_not_believed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    state = sample_state()
    assert any(k.snapshot.journals for k in state.issues.values())
    store = StateStore(tmp_path, "the-key")
    store.save(state)
    assert store.load() == state  # sealed with the key: believed as saved

    hide_the_tools_notes(store)
    loaded = store.load()

    with_notes = {i for i, k in state.issues.items() if k.snapshot.journals}
    assert with_notes and with_notes < set(state.issues)
    # Those changed are read again from the tracker; the others are believed as saved.
    assert loaded.issues == {i: k for i, k in state.issues.items() if i not in with_notes}
    assert loaded.full_listed_at is None  # by a full listing: they are in no incremental one
    assert loaded.listed_at == state.listed_at
    shown = ", ".join(f"#{i}" for i in sorted(with_notes))
    assert f"{len(with_notes)} issue(s) changed outside the tool ({shown})" in caplog.text


def test_a_changed_listing_time_or_another_key_starts_afresh(tmp_path: Path) -> None:
    """A listing time moved forward would hide the changes made before it."""
    store = StateStore(tmp_path, "the-key")
    store.save(sample_state())
    assert StateStore(tmp_path, "another-key").load() == State()

    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE meta SET value = '2030-01-01T00:00:00+00:00' WHERE key = 'listed_at'")
    assert store.load() == State()


def test_the_key_is_not_in_the_file(tmp_path: Path) -> None:
    store = StateStore(tmp_path, "0123456789abcdef0123456789abcdef01234567")
    store.save(sample_state())
    assert b"0123456789abcdef" not in store.path.read_bytes()


def test_an_error_while_saving_is_a_warning_and_deletes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = StateStore(tmp_path)
    store.save(sample_state())
    before = store.path.read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "_write_rows", full_disk)
    store.save(State())  # no exception: the pass that did its writes is not failed
    assert "not saved (database or disk is full)" in caplog.text
    assert store.path.read_bytes() == before


def test_a_corrupt_file_is_set_aside_not_deleted(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.path.write_bytes(b"garbage, not SQLite" * 100)
    store.save(sample_state())
    aside = store.path.with_name(store.path.name + ".corrupt")
    assert aside.read_bytes().startswith(b"garbage")
    assert store.load().issues.keys() == sample_state().issues.keys()


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path: Path) -> None:
    target = tmp_path / "passwd-like"
    target.write_text("root:x:0:0\n")
    lock = tmp_path / "sla.lock"
    lock.symlink_to(target)
    with pytest.raises(ConfigError, match=r"lock\.path: cannot open .*a symlink"), FileLock(lock):
        pass
    assert target.read_text() == "root:x:0:0\n"


@pytest.mark.parametrize("args", [["sync", "--dry-run"], ["sync"]])
def test_sync_with_a_symlinked_lock_is_exit_2_and_the_target_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    from sup_sla_sync.entrypoints import cli
    from test_cli import NOW, Cli, InspectableTracker, write_config

    from factories import at, issue

    target = tmp_path / "passwd-like"
    target.write_text("root:x:0:0\n")
    (tmp_path / "sla.lock").symlink_to(target)
    monkeypatch.delenv("SUP_SLA_CONFIG", raising=False)
    tracker = InspectableTracker(issue("2025-01-13 09:30"), now=lambda: at(NOW))
    monkeypatch.setattr(cli.App, "tracker", lambda self: tracker.configured(self.settings))
    monkeypatch.setattr(cli.App, "clock", lambda self: at(NOW))
    config = write_config(tmp_path, f'[lock]\npath = "{tmp_path / "sla.lock"}"\n')
    result = Cli(tracker, config)(*args)
    assert result.exit_code == 2, result.output
    assert "lock.path" in result.output and "symlink" in result.output
    assert target.read_text() == "root:x:0:0\n"
    assert tracker.writes == []


def test_a_lock_path_that_is_no_regular_file_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "sla.lock"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"), FileLock(fifo):
        pass
    with pytest.raises(ConfigError, match=r"lock\.path"), FileLock(tmp_path):
        pass


def test_a_new_lock_file_is_0600(tmp_path: Path) -> None:
    with FileLock(tmp_path / "sla.lock"):
        pass
    assert mode(tmp_path / "sla.lock") == 0o600


def test_the_heartbeat_never_writes_through_a_symlink(tmp_path: Path) -> None:
    from sup_sla_sync.service.daemon import Daemon

    target = tmp_path / "precious.txt"
    target.write_text("keep me")
    beat = tmp_path / "heartbeat.json"
    (tmp_path / "heartbeat.json.tmp").symlink_to(target)
    daemon = Daemon.__new__(Daemon)
    daemon.heartbeat, daemon.passes, daemon.failures = beat, 1, 0
    daemon._beat("ok")
    assert target.read_text() == "keep me"
    assert '"last_outcome": "ok"' in beat.read_text() and mode(beat) == 0o600


def test_a_row_marked_settled_outside_the_tool_is_not_believed(tmp_path: Path) -> None:
    """`settled` lets a restart take the row's journals without reading the issue: a
    tamperer who sets it (to keep a stale snapshot, one without the client's answer of
    the same second) breaks the row's seal, and the issue is read again."""
    store = StateStore(tmp_path, "the-key")
    state = sample_state()
    store.save(state)
    assert store.load() == state and not state.issues[8].settled
    with closing(sqlite3.connect(store.path)) as db, db:
        db.execute("UPDATE issues SET settled = 1 WHERE id = 8")
    loaded = store.load()
    assert set(loaded.issues) == {7} and loaded.issues[7].settled
    assert loaded.full_listed_at is None  # the dropped issue comes back in a full listing
