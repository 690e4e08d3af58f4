"""The pass lock: one pass at a time per configuration (SPEC principle 5).

The file lock for real; for the PostgreSQL and Redis locks, what needs no server: the
configuration, the lock name every instance derives, the drivers' absence, and a lock
service that cannot be reached (a closed loopback port). The real servers are in
tests/integration/test_two_daemons.py."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from sup_sla_sync import errors
from sup_sla_sync.adapters.locks import (
    FileLock,
    LockUnavailable,
    PostgresLock,
    RedisLock,
    advisory_key,
    lock_name,
    pass_lock,
)
from sup_sla_sync.config import LockConfig, Settings, load_settings
from sup_sla_sync.entrypoints.cli import main
from sup_sla_sync.errors import ConfigError, LockBusy
from sup_sla_sync.logs import redact


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
            "import sys, time; from sup_sla_sync.adapters.locks import FileLock\n"
            "from pathlib import Path\n"
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


def test_the_file_lock_is_the_default(tmp_path: Path) -> None:
    assert isinstance(pass_lock(Settings(), tmp_path), FileLock)


# --------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    ("lock", "message"),
    [
        ({"backend": "redis"}, "backend 'redis' needs lock.url"),
        ({"backend": "postgres", "url": ""}, "backend 'postgres' needs lock.url"),
        ({"backend": "redis", "url": "postgresql://db/x"}, "is not a redis://"),
        ({"backend": "postgres", "url": "redis://localhost"}, "is not a postgresql://"),
        ({"backend": "postgres", "url": "db.example:5432"}, "is not a postgresql://"),
        ({"backend": "postgres", "url": "postgresql://db:port/x"}, "invalid port"),
        ({"backend": "redis", "url": "redis://r", "ttl_seconds": 1}, "greater than or equal"),
        ({"backend": "redis", "url": "redis://r", "ttl_seconds": 7200}, "less than or equal"),
        ({"name": " padded "}, "without leading or trailing spaces"),
        ({"name": "two\nlines"}, "must be printable"),
        ({"backend": "etcd", "url": "http://e"}, "'file', 'postgres' or 'redis'"),
    ],
)
def test_lock_configuration_errors_name_the_key(tmp_path: Path, lock: dict, message: str) -> None:
    lines = [f"{key} = {value!r}" for key, value in lock.items()]
    path = tmp_path / "c.toml"
    path.write_text("[lock]\n" + "\n".join(lines).replace("'", '"') + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lock") as caught:
        load_settings(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("backend", "url"),
    [
        ("postgres", "postgresql://sla@db.example:5432/sla"),
        ("postgres", "postgres://db.example/sla?sslmode=require"),
        ("redis", "redis://:pw@cache.example:6379/2"),
        ("redis", "rediss://cache.example"),
        ("redis", "unix:///run/redis/redis.sock"),
    ],
)
def test_lock_urls_each_backend_accepts(backend: str, url: str) -> None:
    assert Settings(lock={"backend": backend, "url": url}).lock.url == url


@pytest.mark.parametrize(
    ("url", "shown", "password"),
    [
        ("redis://:s3cret@127.0.0.1:6379/0", "redis://:***@127.0.0.1:6379/0", "s3cret"),
        ("postgresql://sla:p%40ss@db/sla", "postgresql://sla:***@db/sla", "p%40ss"),
        ("postgresql://db/sla?password=xyz&a=b", "postgresql://db/sla?password=***&a=b", "xyz"),
        ("postgresql://sla:a@b@db/sla", "postgresql://sla:***@db/sla", "a@b"),
        ("redis://user@cache:6379", "redis://user@cache:6379", ""),
    ],
)
def test_the_lock_urls_password_is_masked(url: str, shown: str, password: str) -> None:
    config = LockConfig(backend="postgres" if url.startswith("postgres") else "redis", url=url)
    assert (config.shown_url, config.url_password) == (shown, password)


def test_config_output_masks_the_lock_password(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text('[lock]\nbackend = "redis"\n', encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["--config", str(path), "config"],
        env={"SUP_SLA_LOCK__URL": "redis://:hunter2hunter2@cache:6379/0"},
    )
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert '"url": "redis://:***@cache:6379/0"' in result.output


def test_a_wrong_lock_url_in_the_file_never_shows_its_password(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[lock]\nbackend = "postgres"\nurl = "redis://:hunter2hunter2@cache"\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(path)
    assert "lock.url" in str(caught.value) and "hunter2" not in str(caught.value)


# ------------------------------------------------------------------------- lock name
def test_the_lock_name_is_the_tracker_and_the_sorted_projects() -> None:
    one = Settings(redmine={"url": "https://sup.example/", "projects": ["edoc", "abc", "edoc"]})
    two = Settings(redmine={"url": "https://sup.example", "projects": ["abc", "edoc"]})
    assert lock_name(one) == lock_name(two) == "https://sup.example abc,edoc"
    other = Settings(redmine={"url": "https://sup.example", "projects": ["edoc"]})
    assert lock_name(other) != lock_name(one)
    everything = Settings(redmine={"url": "https://sup.mitwork.kz", "projects": []})
    assert lock_name(everything) == "https://sup.mitwork.kz *"


def test_lock_name_overrides_the_derived_name() -> None:
    settings = Settings(lock={"name": "support-desk"}, redmine={"projects": ["x"]})
    assert lock_name(settings) == "support-desk"


def test_the_advisory_key_is_a_stable_signed_64_bit_number() -> None:
    # Fixed forever: every machine, version and Python process must derive the same key.
    assert advisory_key("support-desk") == advisory_key("support-desk")
    assert advisory_key("https://sup.mitwork.kz edoc") == -3991068232309179780
    keys = {advisory_key(f"name {i}") for i in range(1000)}
    assert len(keys) == 1000
    assert all(-(2**63) <= key < 2**63 for key in keys)
    script = (
        "from sup_sla_sync.adapters.locks import advisory_key; print(advisory_key('support-desk'))"
    )
    other_process = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert int(other_process.stdout) == advisory_key("support-desk")  # no per-process salt


def test_service_locks_take_the_shared_name(tmp_path: Path) -> None:
    """Constructing a lock connects to nothing: only entering it does."""
    settings = Settings(
        redmine={"url": "https://sup.mitwork.kz", "projects": ["b", "a"]},
        lock={"backend": "postgres", "url": "postgresql://127.0.0.1:1/x"},
    )
    pg = pass_lock(settings, tmp_path)
    assert isinstance(pg, PostgresLock)
    assert pg.name == "https://sup.mitwork.kz a,b" and pg.key == advisory_key(pg.name)
    settings = Settings(lock={"backend": "redis", "url": "redis://127.0.0.1:1", "name": "desk"})
    rd = pass_lock(settings, tmp_path)
    assert isinstance(rd, RedisLock)
    assert rd.key == "sup-sla-sync:lock:desk" and rd.ttl == 60 and rd.check_seconds == 20


# --------------------------------------------------------------------------- drivers
@pytest.mark.parametrize(("backend", "module"), [("postgres", "psycopg"), ("redis", "redis")])
def test_a_missing_driver_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str, module: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # import fails as if not installed
    url = "postgresql://db/x" if backend == "postgres" else "redis://cache"
    settings = Settings(lock={"backend": backend, "url": url})
    with pytest.raises(ConfigError) as caught:
        pass_lock(settings, tmp_path)
    assert str(caught.value) == (
        f"lock.backend {backend!r} needs the {module} package: "
        f"pip install 'sup-sla-sync[{backend}]'"
    )


# ------------------------------------------------------------ an unreachable service
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nobody listens once it is closed


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://sla:hunter2hunter2@127.0.0.1:{port}/sla",
        "redis://:hunter2hunter2@127.0.0.1:{port}/0",
    ],
)
def test_an_unreachable_lock_service_skips_the_pass(tmp_path: Path, url: str) -> None:
    """LockUnavailable is a LockBusy: the daemon skips the pass, `sync` exits 1; the
    message names the service with its password masked."""
    backend = "postgres" if url.startswith("postgres") else "redis"
    settings = Settings(lock={"backend": backend, "url": url.format(port=_closed_port())})
    with pytest.raises(LockUnavailable) as caught, pass_lock(settings, tmp_path):
        pytest.fail("a pass ran without the lock")
    message = str(caught.value)
    assert isinstance(caught.value, LockBusy)
    assert "unreachable" in message and "this pass is skipped" in message
    assert ":***@127.0.0.1:" in message and "hunter2" not in message
    assert redact("the url was " + url) == "the url was " + url.replace("hunter2hunter2", "***")


def test_lock_unavailable_is_one_of_the_package_errors() -> None:
    """Defined in errors.py with every other error; still importable from adapters.locks."""
    assert LockUnavailable is errors.LockUnavailable
    assert issubclass(LockUnavailable, LockBusy)
    assert issubclass(LockUnavailable, errors.SlaSyncError)
    assert LockUnavailable.exit_code == LockBusy.exit_code == 1


def test_sync_exits_1_when_the_lock_service_is_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        f'[lock]\nbackend = "redis"\nurl = "redis://127.0.0.1:{_closed_port()}/0"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        main,
        ["--config", str(path), "sync"],
        env={"SUP_SLA_REDMINE__API_KEY": "k" * 40, "SUP_SLA_REDMINE__URL": "http://127.0.0.1:1"},
    )
    assert result.exit_code == 1, result.output
    assert "error: lock service at redis://127.0.0.1:" in result.output
    assert "unreachable" in result.output
