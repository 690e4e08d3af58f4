"""What the daemon knows between passes, kept in one SQLite file (`daemon.state_dir`).

Redmine stays the source of truth: this is a cache. Deleting the file, a file written by
another version, or a corrupt one changes no outcome, only the cost of the next pass
(SPEC.md, Principle 1): `StateStore.load` then answers "nothing known" and the file is
rebuilt at the next save. Only the pass-lock holder writes it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import sqlite3
import stat
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sup_sla_sync.core.model import FieldChange, IssueSnapshot, Journal
from sup_sla_sync.errors import ConfigError

log = logging.getLogger("sup_sla_sync.state")

# 2: every row sealed (HMAC-SHA256 with a key derived from the API key).
# 3: each row says whether its snapshot had settled when read (`Known.settled`).
SCHEMA_VERSION = 3
FILE_NAME = "sup-sla-sync-state.sqlite3"
META_KEYS = ("listed_at", "full_listed_at", "fingerprint")


@dataclass
class Known:
    """One issue as the last pass saw it, and when it must be evaluated again."""

    snapshot: IssueSnapshot
    wake_at: datetime | None  # None: only a change of the issue can change its decision
    # The snapshot was read long enough after its updated_on that no change can have come
    # within that second (the tracker adapter's judgement): a restart may take its
    # journals while updated_on is unchanged, however close to the last listing it is.
    settled: bool = False


@dataclass
class State:
    """Everything the daemon keeps between passes."""

    issues: dict[int, Known] = field(default_factory=dict)
    listed_at: datetime | None = None  # the tracker's time when the last listing began
    full_listed_at: datetime | None = None  # the tracker's time of the last full listing
    fingerprint: str = ""  # of the rules and people the wake-up times were computed with


class StateStore:
    """The SQLite file: `load` at start, `save` after each pass.

    It holds subjects, descriptions (national ID numbers among them) and private notes:
    the directory is 0700 and the files 0600 (SPEC.md, principle 7), and no symlink is
    followed. A directory that is not one, or that cannot be written, is a configuration
    error naming `daemon.state_dir` when the store is made, before any pass writes to the
    tracker; afterwards no error of the file fails a pass (a warning, then afresh)."""

    def __init__(self, directory: Path, secret: str = "") -> None:
        """`secret`: the API key. The rows are sealed with a key derived from it, so that
        whoever can write the file but does not hold the key cannot make the tool believe
        a snapshot the tracker never sent (one that hides the tool's own note, say): a row
        whose seal does not match is dropped and the issue read again from the tracker
        (SECURITY.md, "The cache"). A new key makes every row unknown once."""
        self.path = directory / FILE_NAME
        self._key = hmac.new(
            secret.encode(), b"sup-sla-sync state seal v2", hashlib.sha256
        ).digest()
        _prepare(directory, self.path)

    def _seal(self, *parts: str | None) -> str:
        message = "\x1f".join("" if p is None else p for p in parts).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def load(self) -> State:
        if not self.path.exists() or (self.path.is_file() and self.path.stat().st_size == 0):
            return State()  # none yet (an empty file is the one made when checking)
        try:
            if self.path.is_symlink() or not self.path.is_file():
                raise ValueError("not a regular file")
            with closing(sqlite3.connect(self.path)) as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != SCHEMA_VERSION:
                    log.warning(
                        "%s: written by another version (schema %s); starting afresh",
                        self.path,
                        version,
                    )
                    return State()
                meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
                # Every row read before any is decoded: a decode error must not keep a
                # statement (and its read lock on the file) alive in its traceback.
                rows = db.execute(
                    "SELECT id, snapshot, wake_at, settled, seal FROM issues"
                ).fetchall()
            if not hmac.compare_digest(
                str(meta.get("seal", "")),
                self._seal(*(meta.get(k) for k in META_KEYS)),
            ):
                log.warning(
                    "%s: not sealed with this key (another key, or changed); starting afresh",
                    self.path,
                )
                return State()
            issues: dict[int, Known] = {}
            unsealed: list[int] = []
            for issue_id, snap, wake, settled, seal in rows:
                if not hmac.compare_digest(
                    str(seal), self._seal(str(issue_id), snap, wake, str(settled))
                ):
                    unsealed.append(int(issue_id))
                    continue
                issues[int(issue_id)] = Known(
                    _snapshot(json.loads(snap)), _when(wake), settled=settled == 1
                )
        except Exception as exc:  # any decode error: the cache is only a cache
            log.warning("%s: unreadable (%s); starting afresh", self.path, exc)
            return State()
        full_listed_at = _when(meta.get("full_listed_at"))
        if unsealed:
            # Changed outside the tool: those issues are read again from the tracker, by a
            # full listing (an unchanged issue is in no incremental one).
            full_listed_at = None
            log.warning(
                "%s: %d issue(s) changed outside the tool (%s); read again from the tracker",
                self.path,
                len(unsealed),
                ", ".join(f"#{i}" for i in sorted(unsealed)[:10])
                + (", ..." if len(unsealed) > 10 else ""),
            )
        return State(
            issues=issues,
            listed_at=_when(meta.get("listed_at")),
            full_listed_at=full_listed_at,
            fingerprint=meta.get("fingerprint", ""),
        )

    def save(
        self,
        state: State,
        changed: Iterable[int] | None = None,
        removed: Iterable[int] | None = None,
    ) -> bool:
        """Write `state` in one transaction: every issue, or (`changed` given, and the file
        one of this version) only those issues, dropping the ones `state` no longer has
        (`removed`, when the caller knows them: else found by reading every id). Whether
        it was saved: a failure is a warning, never an error of the pass."""
        try:
            self._write(state, changed, removed)
            return True
        except (OSError, sqlite3.OperationalError) as exc:
            # Disk full, locked, read-only: the pass did its writes; a cache that could not
            # be saved costs the next pass more reads, nothing else.
            log.warning("%s: not saved (%s); the next pass costs more", self.path, exc)
        except sqlite3.DatabaseError as exc:
            # A corrupt file cannot be repaired in place: set it aside (kept, for a look)
            # and start a new one.
            aside = self.path.with_name(self.path.name + ".corrupt")
            log.warning("%s: %s; set aside as %s, writing a new file", self.path, exc, aside)
            try:
                os.replace(self.path, aside)
                self._write(state, None, None)
                return True
            except (OSError, sqlite3.Error) as again:
                log.warning("%s: not saved (%s); the next pass costs more", self.path, again)
        except sqlite3.Error as exc:
            log.warning("%s: not saved (%s); the next pass costs more", self.path, exc)
        finally:
            _private(self.path)
        return False

    def _write(
        self, state: State, changed: Iterable[int] | None, removed: Iterable[int] | None
    ) -> None:
        _create_private(self.path)
        # SQLite's rollback journal is created with the process' umask: 0600 too.
        umask = os.umask(0o077)
        try:
            self._write_rows(state, changed, removed)
        finally:
            os.umask(umask)

    def _write_rows(
        self, state: State, changed: Iterable[int] | None, removed: Iterable[int] | None
    ) -> None:
        with closing(sqlite3.connect(self.path)) as db, db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version != SCHEMA_VERSION:
                db.executescript("DROP TABLE IF EXISTS meta; DROP TABLE IF EXISTS issues;")
                changed = None  # nothing of this version there: write everything
            db.executescript(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
                "CREATE TABLE IF NOT EXISTS issues ("
                " id INTEGER PRIMARY KEY, updated_on TEXT, wake_at TEXT, snapshot TEXT,"
                " settled INTEGER, seal TEXT);"
                f"PRAGMA user_version = {SCHEMA_VERSION};"
            )
            db.execute("DELETE FROM meta")
            meta = {
                "listed_at": _stamp(state.listed_at),
                "full_listed_at": _stamp(state.full_listed_at),
                "fingerprint": state.fingerprint,
            }
            db.executemany(
                "INSERT INTO meta VALUES (?, ?)",
                [*meta.items(), ("seal", self._seal(*(meta[k] for k in META_KEYS)))],
            )
            rows: Iterable[tuple[int, Known]]
            if changed is None:
                db.execute("DELETE FROM issues")
                rows = state.issues.items()
            else:
                if removed is None:
                    kept = {row[0] for row in db.execute("SELECT id FROM issues")}
                    gone = kept - set(state.issues)
                else:  # an idle pass removes nothing: no read of 10,000 ids for it
                    gone = {i for i in removed if i not in state.issues}
                db.executemany("DELETE FROM issues WHERE id = ?", [(i,) for i in gone])
                rows = ((i, state.issues[i]) for i in set(changed) if i in state.issues)
            db.executemany(
                "INSERT OR REPLACE INTO issues VALUES (?, ?, ?, ?, ?, ?)",
                (
                    (i, updated, wake, snap, settled, self._seal(str(i), snap, wake, str(settled)))
                    for i, updated, wake, snap, settled in _rows(rows)
                ),
            )

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0


def _prepare(directory: Path, path: Path) -> None:
    """The directory exists (made 0700), is a directory, and the file can be written."""
    where = f"daemon.state_dir: {directory}"
    try:
        if directory.is_symlink() or (directory.exists() and not directory.is_dir()):
            raise ConfigError(f"{where}: not a directory")
        if not directory.exists():
            directory.mkdir(mode=0o700, parents=True)
            os.chmod(directory, 0o700)  # whatever the umask
        _create_private(path)
        _private(path)
    except ConfigError:
        raise
    except OSError as exc:
        raise ConfigError(f"{where}: cannot be written ({exc.strerror or exc})") from None


def _create_private(path: Path) -> None:
    """Create `path` 0600 if missing, never through a symlink; refuse one that is not a
    regular file."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
    finally:
        os.close(fd)


def _private(path: Path) -> None:
    """The file and SQLite's companions (-journal, -wal, -shm): 0600."""
    for name in (path, *(path.with_name(path.name + s) for s in ("-journal", "-wal", "-shm"))):
        try:
            if not name.is_symlink():
                os.chmod(name, 0o600)
        except OSError:
            pass


def _rows(
    items: Iterable[tuple[int, Known]],
) -> Iterable[tuple[int, str, str | None, str, int]]:
    for issue_id, known in items:
        snap = known.snapshot
        yield (
            issue_id,
            snap.updated_on.isoformat(),
            _stamp(known.wake_at),
            json.dumps(_plain(snap), ensure_ascii=False, separators=(",", ":")),
            int(known.settled),
        )


def _stamp(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _when(text: str | None) -> datetime | None:
    return None if not text else datetime.fromisoformat(text)


def _plain(snap: IssueSnapshot) -> dict[str, Any]:
    return {
        "id": snap.id,
        "subject": snap.subject,
        "tracker": snap.tracker,
        "status": snap.status,
        "priority": snap.priority,
        "author_id": snap.author_id,
        "created_on": snap.created_on.isoformat(),
        "updated_on": snap.updated_on.isoformat(),
        "project": snap.project,
        "description": snap.description,
        "assigned_to_id": snap.assigned_to_id,
        "due_date": snap.due_date.isoformat() if snap.due_date else None,
        "custom_fields": dict(snap.custom_fields),
        "watcher_ids": sorted(snap.watcher_ids),
        "journals": [
            [
                j.id,
                j.user_id,
                j.created_on.isoformat(),
                j.notes,
                j.private,
                [[c.name, c.old, c.new] for c in j.changes],
            ]
            for j in snap.journals
        ],
    }


def _snapshot(data: Mapping[str, Any]) -> IssueSnapshot:
    return IssueSnapshot(
        id=int(data["id"]),
        subject=data["subject"],
        tracker=data["tracker"],
        status=data["status"],
        priority=data["priority"],
        author_id=int(data["author_id"]),
        created_on=datetime.fromisoformat(data["created_on"]),
        updated_on=datetime.fromisoformat(data["updated_on"]),
        project=data["project"],
        description=data["description"],
        assigned_to_id=data["assigned_to_id"],
        due_date=date.fromisoformat(data["due_date"]) if data["due_date"] else None,
        custom_fields=dict(data["custom_fields"]),
        watcher_ids=frozenset(int(w) for w in data["watcher_ids"]),
        journals=tuple(
            Journal(
                int(j[0]),
                int(j[1]),
                datetime.fromisoformat(j[2]),
                j[3],
                bool(j[4]),
                tuple(FieldChange(c[0], c[1], c[2]) for c in j[5]),
            )
            for j in data["journals"]
        ),
    )
