"""The file lock: one pass at a time per configuration, released when the holder ends."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sup_sla_sync.config import Settings
from sup_sla_sync.errors import ConfigError, LockBusy
from sup_sla_sync.lock import FileLock, pass_lock


def test_a_second_holder_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "sup-sla-sync.lock"
    with (
        FileLock(path),
        pytest.raises(LockBusy, match="another sup-sla-sync pass holds"),
        FileLock(path),
    ):
        pass
    with FileLock(path):  # released
        pass


def test_another_process_holding_the_lock_blocks_us(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from sup_sla_sync.lock import FileLock; from pathlib import Path\n"
            f"with FileLock(Path({str(path)!r})):\n    print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(LockBusy):
            FileLock(path).__enter__()
    finally:
        holder.kill()
        holder.wait()
    with FileLock(path):  # the kernel released the dead holder's lock
        pass


def test_relative_lock_paths_follow_the_configuration_file(tmp_path: Path) -> None:
    lock = pass_lock(Settings(lock={"path": "a.lock"}), tmp_path)
    assert isinstance(lock, FileLock) and lock.path == tmp_path / "a.lock"


def test_unsupported_backends_are_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"lock\.backend"):
        pass_lock(Settings(lock={"backend": "redis", "url": "redis://localhost"}), tmp_path)
