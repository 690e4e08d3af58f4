"""One pass at a time per configuration (SPEC.md, principle 5).

Three backends, chosen by `[lock] backend`:

* ``file``: an OS lock (flock) on one machine. The kernel releases it when the process
  dies, so a crashed daemon never leaves a stale lock behind.
* ``postgres``: a session-level advisory lock (``pg_try_advisory_lock``) on a connection
  of its own, held for the pass. PostgreSQL releases it when the session ends: at
  ``pg_advisory_unlock``, when the connection is closed, or when the holder dies (its
  socket closes; a holder whose machine vanished is noticed through TCP keepalives, which
  this module asks the server to send every few seconds).
* ``redis``: redis-py's `Lock` (``SET key token NX PX ttl``, released by a Lua script that
  deletes the key only if it still holds our token), renewed by a watchdog thread every
  third of its TTL, so a long pass keeps it and a dead holder's lock expires after the TTL.

Every lock is taken per pass, never blocking: a second instance gets `LockBusy` and the
daemon skips that pass. A lock service that cannot be reached also raises `LockBusy`
(`LockUnavailable`, in errors.py and importable from here): a pass never runs without
the lock. A lock found lost during the pass (Redis key expired, PostgreSQL connection
dropped) is logged as an error and flagged in `lost`; Redmine's tags and the re-read
before every close limit the harm.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import importlib
import logging
import os
import socket
import stat
import threading
import time
import uuid
from contextlib import AbstractContextManager
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any
from urllib.parse import unquote

from sup_sla_sync.config import LockConfig, Settings
from sup_sla_sync.errors import ConfigError, LockBusy, LockUnavailable
from sup_sla_sync.logs import register_secret

log = logging.getLogger("sup_sla_sync.lock")

CONNECT_TIMEOUT_SECONDS = 10
# How often the PostgreSQL lock's connection is checked during a pass.
POSTGRES_CHECK_SECONDS = 10.0
# Server-side TCP keepalives for the lock's session: a holder whose machine or network
# vanished without closing its socket is dropped (and its lock released) after about
# idle + interval * count = 25 s, instead of the operating system's default two hours.
POSTGRES_KEEPALIVE_OPTIONS = (
    "-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3"
)
# The same on our side, and a bound on unacknowledged writes: a query on a connection
# into a black hole fails within 30 s instead of hanging the pass's end.
POSTGRES_CLIENT_KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 30_000,
}
# What a PostgreSQL server says when the URL itself is wrong (user, password, database).
_POSTGRES_REFUSALS = ("authentication failed", "does not exist", "pg_hba.conf")
REDIS_KEY_PREFIX = "sup-sla-sync:lock:"


def lock_name(settings: Settings) -> str:
    """The name every instance of one configuration shares: `lock.name`, or else the
    tracker's URL and the sorted projects (identical however the file lists them)."""
    if settings.lock.name:
        return settings.lock.name
    projects = ",".join(sorted(set(settings.redmine.projects))) or "*"
    return f"{settings.redmine.shown_url} {projects}"


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL advisory locks take a bigint):
    the first 8 bytes of its SHA-256. Python's hash() is salted per process: never that."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def _holder_id() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class FileLock(AbstractContextManager["FileLock"]):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None
        self.lost = threading.Event()  # never set: the kernel keeps an flock while we live

    def __enter__(self) -> FileLock:
        # Never through a symlink (its target would be truncated), never anything but a
        # regular file, and the tool's user's alone (SPEC.md, principle 7).
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
        try:
            fd = os.open(self.path, flags, 0o600)
        except OSError as exc:
            why = "a symlink (not followed)" if exc.errno == errno.ELOOP else exc.strerror
            raise ConfigError(f"lock.path: cannot open {self.path}: {why}") from None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise ConfigError(f"lock.path: {self.path} is not a regular file")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise LockBusy(
                f"another sup-sla-sync pass holds the lock {self.path}; try again later"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class _ServiceLock(AbstractContextManager[Any]):
    """What the PostgreSQL and Redis locks share: a name, a masked URL for messages, and a
    watchdog thread that keeps (Redis) or checks (PostgreSQL) the lock during the pass."""

    kind = ""
    check_seconds = 10.0

    def __init__(self, config: LockConfig, name: str) -> None:
        self.url = config.url
        self.shown_url = config.shown_url
        self.name = name
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._watchdog: threading.Thread | None = None
        self._acquired_at = 0.0
        password = config.url_password
        self._secrets = {password, unquote(password)} - {""}
        for secret in self._secrets:
            register_secret(secret)  # masked in every log line and CLI error from now on

    def _masked(self, exc: BaseException) -> str:
        """An exception's first line, without the lock URL's password."""
        lines = str(exc).strip().splitlines()
        text = lines[0] if lines else type(exc).__name__
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _unreachable(self, exc: BaseException) -> LockUnavailable:
        return LockUnavailable(
            f"lock service at {self.shown_url} unreachable: {self._masked(exc)}; "
            "this pass is skipped (a pass never runs without the lock)"
        )

    def _start_watchdog(self) -> None:
        self._acquired_at = time.monotonic()
        self._stop.clear()
        self._watchdog = threading.Thread(
            target=self._watch, name=f"sup-sla-sync {self.kind} lock", daemon=True
        )
        self._watchdog.start()

    def _stop_watchdog(self) -> None:
        self._stop.set()
        if self._watchdog is not None:
            self._watchdog.join()
            self._watchdog = None

    def _watch(self) -> None:
        while not self._stop.wait(self.check_seconds):
            if not self._keep():
                return

    def _keep(self) -> bool:
        """One watchdog round; False once the lock is known lost (the watchdog stops)."""
        raise NotImplementedError

    def _mark_lost(self, reason: str) -> None:
        if self.lost.is_set():
            return
        self.lost.set()
        held = time.monotonic() - self._acquired_at
        log.error(
            "lost the %s lock %r after %.0f s of this pass: %s; another instance may start "
            "a pass now (Redmine's tags and the re-read before every close keep that from "
            "posting a note or closing an issue twice in most cases)",
            self.kind,
            self.name,
            held,
            reason,
        )


class PostgresLock(_ServiceLock):
    """A session-level advisory lock on a dedicated connection, held for one pass."""

    kind = "postgres"
    check_seconds = POSTGRES_CHECK_SECONDS

    def __init__(self, config: LockConfig, name: str) -> None:
        super().__init__(config, name)
        self.key = advisory_key(name)
        self._psycopg = _driver("postgres", "psycopg")
        self._conn: Any = None
        self._conn_lock = threading.Lock()  # the watchdog and the owner share one connection

    def _connect(self) -> Any:
        psycopg = self._psycopg
        kwargs: dict[str, Any] = {"autocommit": True}
        defaults = {
            "connect_timeout": CONNECT_TIMEOUT_SECONDS,
            "application_name": f"sup-sla-sync {_holder_id()}"[:63],
            **POSTGRES_CLIENT_KEEPALIVES,
            "options": POSTGRES_KEEPALIVE_OPTIONS,
        }
        for key, value in defaults.items():  # a parameter in the URL wins
            if f"{key}=" not in self.url:
                kwargs[key] = value
        try:
            return psycopg.connect(self.url, **kwargs)
        except psycopg.ProgrammingError as exc:  # an unparsable URL or an unknown parameter
            raise ConfigError(f"lock.url: {self.shown_url}: {self._masked(exc)}") from None
        except psycopg.Error as exc:
            # libpq gives no SQLSTATE for a refused connection: read the server's words. A
            # server that is starting, full or localised falls through to "unreachable".
            if any(words in str(exc) for words in _POSTGRES_REFUSALS):
                raise ConfigError(
                    f"lock.url: the lock service at {self.shown_url} refused us: "
                    f"{self._masked(exc)}"
                ) from None
            raise self._unreachable(exc) from None

    def __enter__(self) -> PostgresLock:
        conn = self._connect()
        try:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
            if not (row and row[0]):
                holder = self._holder(conn)
                raise LockBusy(
                    f"another sup-sla-sync pass holds the lock {self.name!r} "
                    f"(PostgreSQL advisory lock {self.key} at {self.shown_url}{holder}); "
                    "try again later"
                )
        except LockBusy:
            conn.close()
            raise
        except self._psycopg.Error as exc:
            conn.close()
            raise self._unreachable(exc) from None
        self._conn = conn
        self._start_watchdog()
        return self

    def _holder(self, conn: Any) -> str:
        """`, held by …` naming the holder's application name, if the server tells us."""
        unsigned = self.key & 0xFFFF_FFFF_FFFF_FFFF
        try:
            row = conn.execute(
                "SELECT a.application_name, a.client_addr::text FROM pg_locks l "
                "JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                "AND l.classid = %s::bigint::oid AND l.objid = %s::bigint::oid",
                (unsigned >> 32, unsigned & 0xFFFF_FFFF),
            ).fetchone()
        except self._psycopg.Error:
            return ""
        if not row or not row[0]:
            return ""
        return f", held by {row[0]}" + (f" from {row[1]}" if row[1] else "")

    def _keep(self) -> bool:
        # The lock lives exactly as long as the session: a live connection still holds it.
        with self._conn_lock:
            conn = self._conn
            if conn is None:
                return False
            try:
                conn.execute("SELECT 1")
            except self._psycopg.Error as exc:
                self._mark_lost(f"the connection to {self.shown_url} dropped: {self._masked(exc)}")
                return False
        return True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_watchdog()
        with self._conn_lock:
            conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            row = conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,)).fetchone()
            if not (row and row[0]):
                self._mark_lost("PostgreSQL says this session no longer held it")
        except self._psycopg.Error as exc:
            self._mark_lost(f"the connection to {self.shown_url} dropped: {self._masked(exc)}")
        finally:
            conn.close()  # closing the session releases the lock in any case


class RedisLock(_ServiceLock):
    """redis-py's Lock with a TTL, renewed every third of it while the pass runs."""

    kind = "redis"

    def __init__(self, config: LockConfig, name: str) -> None:
        super().__init__(config, name)
        self.ttl = config.ttl_seconds
        self.check_seconds = self.ttl / 3
        self.key = REDIS_KEY_PREFIX + name
        self._redis = _driver("redis", "redis")
        self._client: Any = None
        self._lock: Any = None
        self._last_renewal = 0.0

    def _connect(self) -> Any:
        try:
            return self._redis.Redis.from_url(
                self.url,
                socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
                socket_timeout=max(1.0, min(CONNECT_TIMEOUT_SECONDS, self.ttl / 3)),
                client_name="sup-sla-sync",
            )
        except ValueError as exc:  # redis-py's word for an unparsable URL
            raise ConfigError(f"lock.url: {self.shown_url}: {self._masked(exc)}") from None

    def __enter__(self) -> RedisLock:
        errors = self._redis.exceptions
        client = self._connect()
        # thread_local=False: the watchdog thread renews with the token the owner took.
        lock = client.lock(self.key, timeout=self.ttl, blocking=False, thread_local=False)
        token = f"{_holder_id()} {uuid.uuid4().hex}"
        try:
            acquired = lock.acquire(blocking=False, token=token)
            if not acquired:
                holder = self._holder(client)
                raise LockBusy(
                    f"another sup-sla-sync pass holds the lock {self.name!r} "
                    f"(Redis key {self.key!r} at {self.shown_url}{holder}); try again later"
                )
        except LockBusy:
            client.close()
            raise
        except errors.AuthenticationError as exc:
            client.close()
            raise ConfigError(
                f"lock.url: the lock service at {self.shown_url} refused us: {self._masked(exc)}"
            ) from None
        except errors.RedisError as exc:
            client.close()
            raise self._unreachable(exc) from None
        except (TypeError, ValueError) as exc:  # redis-py: an unknown URL parameter
            client.close()
            raise ConfigError(f"lock.url: {self.shown_url}: {self._masked(exc)}") from None
        self._client, self._lock = client, lock
        self._last_renewal = time.monotonic()
        self._start_watchdog()
        return self

    def _holder(self, client: Any) -> str:
        try:
            token = client.get(self.key)
            ttl_ms = client.pttl(self.key)
        except self._redis.exceptions.RedisError:
            return ""
        if not token:
            return ""
        holder = token.decode("utf-8", "replace").rsplit(" ", 1)[0]
        expires = f", expiring in {ttl_ms / 1000:.0f} s unless renewed" if ttl_ms > 0 else ""
        return f", held by {holder}{expires}"

    def _keep(self) -> bool:
        errors = self._redis.exceptions
        try:
            self._lock.reacquire()  # the TTL starts again, if the key still holds our token
        except errors.LockNotOwnedError:
            self._mark_lost(f"the key expired (TTL {self.ttl:g} s) before it was renewed")
            return False
        except errors.RedisError as exc:
            since = time.monotonic() - self._last_renewal
            if since >= self.ttl:
                self._mark_lost(
                    f"Redis at {self.shown_url} unreachable for {since:.0f} s, longer than "
                    f"the TTL: {self._masked(exc)}"
                )
                return False
            log.warning(
                "cannot renew the redis lock %r (%s); trying again in %.0f s",
                self.name,
                self._masked(exc),
                self.check_seconds,
            )
            return True
        self._last_renewal = time.monotonic()
        return True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop_watchdog()
        client, lock, self._client, self._lock = self._client, self._lock, None, None
        if lock is None:
            return
        errors = self._redis.exceptions
        try:
            lock.release()  # deletes the key only if it still holds our token
        except errors.LockNotOwnedError:
            self._mark_lost(f"the key expired (TTL {self.ttl:g} s) before the pass ended")
        except errors.RedisError as exc:
            log.warning(
                "cannot release the redis lock %r (%s); it expires within %g s",
                self.name,
                self._masked(exc),
                self.ttl,
            )
        finally:
            client.close()


def _driver(backend: str, module: str) -> ModuleType:
    """The backend's driver, imported only when that backend is configured."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"lock.backend {backend!r} needs the {module} package: "
            f"pip install 'sup-sla-sync[{backend}]'"
        ) from None


def pass_lock(settings: Settings, config_dir: Path) -> AbstractContextManager[Any]:
    """The lock named by `[lock]`; a relative file path is taken from the config file's folder.

    Nothing is connected before the `with`: entering takes the lock or raises `LockBusy`."""
    config = settings.lock
    if config.backend == "file":
        path = Path(config.path)
        return FileLock(path if path.is_absolute() else config_dir / path)
    if config.backend == "postgres":
        return PostgresLock(config, lock_name(settings))
    return RedisLock(config, lock_name(settings))
