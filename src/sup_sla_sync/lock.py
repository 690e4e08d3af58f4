"""One pass at a time per configuration (SPEC.md, principle 5).

The file lock is an OS lock (flock): it is released by the kernel when the process dies,
so a crashed daemon never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType

from .config import Settings
from .errors import ConfigError, LockBusy


class FileLock(AbstractContextManager["FileLock"]):
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def __enter__(self) -> FileLock:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ConfigError(f"lock.path: cannot open {self.path}: {exc.strerror}") from None
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


def pass_lock(settings: Settings, config_dir: Path) -> AbstractContextManager[object]:
    """The lock named by `[lock]`; a relative path is taken from the config file's folder."""
    config = settings.lock
    if config.backend == "file":
        path = Path(config.path)
        return FileLock(path if path.is_absolute() else config_dir / path)
    raise ConfigError(
        f"lock.backend: {config.backend!r} is not supported by this version yet; "
        'use "file" (one machine)'
    )
