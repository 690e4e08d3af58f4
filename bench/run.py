"""The benchmark (`make bench`, N=2000 by default): seed a fresh local Redmine with N open
issues, then measure, in this process, the passes of one SyncService and the floor.

    .venv/bin/python bench/run.py --n 2000 [--state-dir .redmine/bench] [--keep]

Passes, in order, with one RedmineAdapter + SyncService (as the daemon runs them), the
daemon's memory persisted in a SQLite file (`daemon.state_dir`):
  cold        nothing known: a full listing, every issue's journals read, the fields
              stamped (one write per issue where the tracker allows)
  after-cold  the cold pass's own writes changed updated_on: those issues are listed as
              changed and read again (once)
  warm        nothing changed: an incremental listing and no evaluation but of the issues
              whose wake-up instant has come (run --repeat times, each after a floor run)
  changed-1%  after agent1 added a public note to 1% of the issues through the REST API
  restart     a new adapter and service on the same state file: a full listing, and no
              journal read of an unchanged issue
The floor is paging through the same open issues with plain `requests` GETs
(`/issues.json?project_id=edoc&status_id=open&sort=id&limit=100&offset=...`, the same
pages the tool asks for; each page is JSON-decoded, as any client must).

For each: wall time (perf_counter), this process' CPU time (process_time: the tool's
own work, JSON decoding of the answers included), HTTP requests by kind (the adapter's
RequestStats), writes by kind, and the process' RSS high-water mark. tracemalloc slows
allocation-heavy code, so it is not on while timing: a separate process (`--probe-memory`)
repeats a cold read (with a fresh adapter) and a warm pass under tracemalloc.

Results: a table on stdout and bench/results-N.json. The API key is never printed.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SCRIPTS = REPO / "scripts" / "redmine"
sys.path.insert(0, str(REPO / "tests" / "integration"))

import seed as seeding  # noqa: E402

from sup_sla_sync.adapters.redmine import PAGE_SIZE, UNSETTLED, RedmineAdapter  # noqa: E402
from sup_sla_sync.adapters.state import StateStore  # noqa: E402
from sup_sla_sync.config import Settings  # noqa: E402
from sup_sla_sync.service.memory import LISTING_MARGIN  # noqa: E402
from sup_sla_sync.service.sync import SyncService  # noqa: E402

from localredmine import LocalRedmine  # noqa: E402

MB = 1024 * 1024
# The targets (issue 12).
WARM_REQUESTS_MAX = 3
WARM_WALL_FLOOR_SHARE_MAX = 1 / 20
WARM_CPU_SECONDS_MAX = 0.2
RESTART_OVER_FLOOR_MAX = 1.3
COLD_WRITES_PER_STAMPED_MAX = 1.05
CPU_SECONDS_PER_10K_MAX = 2.0
MEMORY_MB_AT_10K_MAX = 300.0


# --- the tool, instrumented ---------------------------------------------------------------


class CountingAdapter(RedmineAdapter):
    """The product's adapter, counting its writes by what they carry."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.writes = Counter[str]()
        self.stamped: set[int] = set()  # issues whose SLA fields were written

    def update_issue(self, issue_id: int, **changes: Any) -> None:
        if changes.get("status") or changes.get("priority"):
            kind = "transition"
        else:
            parts = [k for k in ("custom_fields", "due_date") if changes.get(k)]
            if changes.get("notes"):
                parts.append("private_note" if changes.get("private_notes") else "public_note")
            kind = "+".join(parts) or "empty"
        self.writes[kind] += 1
        if changes.get("custom_fields"):
            self.stamped.add(issue_id)
        super().update_issue(issue_id, **changes)

    def add_watcher(self, issue_id: int, user_id: int) -> None:
        self.writes["watcher"] += 1
        super().add_watcher(issue_id, user_id)


def settings_for(env: dict[str, Any]) -> Settings:
    """The local Redmine as the integration tests set it up (scripts/redmine/setup.rb)."""
    return Settings(
        redmine={
            "url": env["url"],
            "api_key": env["keys"][env["admin_login"]],
            "projects": [seeding.PROJECT],
            "timeout_seconds": 120,
        },
        staff={"groups": ["Support"], "lead": "lead1"},
        service_level={"vip_groups": ["VIP clients"]},
    )


# --- measuring ------------------------------------------------------------------------------


def rss_high_water_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


@dataclass
class Measured:
    label: str
    wall: float
    cpu: float
    requests: dict[str, int]
    writes: dict[str, int] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)
    rss_mb: float = 0.0

    def row(self) -> list[str]:
        r = self.requests
        return [
            self.label,
            f"{self.wall:.2f}",
            f"{self.cpu:.2f}",
            str(r.get("list_pages", 0)),
            str(r.get("issue_reads", 0)),
            str(r.get("writes", 0)),
            str(r.get("other", 0)),
            f"{self.rss_mb:.0f}",
        ]


def measure_pass(label: str, service: SyncService, adapter: CountingAdapter) -> Measured:
    gc.collect()
    stats0, writes0 = adapter.stats.as_dict(), Counter(adapter.writes)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = service.run_pass()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    stats = {k: v - stats0[k] for k, v in adapter.stats.as_dict().items()}
    writes = dict(adapter.writes - writes0)
    summary = result.as_json()
    summary["errors"] = len(result.errors)
    if result.errors:
        print(f"  {label}: {len(result.errors)} issue errors, e.g. {result.errors[0]}", flush=True)
    return Measured(label, wall, cpu, stats, writes, summary, rss_high_water_mb())


def measure_floor(label: str, env: dict[str, Any]) -> Measured:
    """Every page of the open issues with plain GETs, as fast as a client can ask."""
    session = requests.Session()
    session.trust_env = False  # loopback: no proxy
    headers = {"X-Redmine-API-Key": env["keys"][env["admin_login"]]}
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    offset = pages = 0
    while True:
        response = session.get(
            env["url"] + "/issues.json",
            params={
                "project_id": seeding.PROJECT,
                "status_id": "open",
                "sort": "id",
                "limit": PAGE_SIZE,
                "offset": offset,
            },
            headers=headers,
            timeout=120,
        )
        response.raise_for_status()
        page = response.json()
        pages += 1
        offset += len(page["issues"])
        if not page["issues"] or offset >= page["total_count"]:
            break
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    session.close()
    return Measured(
        label, wall, cpu, {"list_pages": pages}, result={"seen": offset}, rss_mb=rss_high_water_mb()
    )


def change_some(rm: LocalRedmine, n: int, fraction: float, seed_value: int) -> list[int]:
    """agent1 adds a public note to `fraction` of the issues, through the REST API."""
    rng = random.Random(seed_value + 1)
    ids = sorted(rng.sample(range(1, n + 1), k=max(1, round(n * fraction))))
    for issue_id in ids:
        rm.update("agent1", issue_id, notes="Уточнили у разработчиков, ответ ниже.", check=False)
    return ids


def profile_pass(service: SyncService, path: Path) -> str:
    """One more warm pass under cProfile (not one of the measured ones)."""
    profiler = cProfile.Profile()
    profiler.enable()
    service.run_pass()
    profiler.disable()
    profiler.dump_stats(path)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("tottime")
    stats.print_stats(25)
    return out.getvalue()


# --- the memory probe (a separate process) ------------------------------------------------


def probe_memory(env_path: Path) -> dict[str, Any]:
    """A fresh adapter's first pass (reads every issue's journals) and a warm pass, under
    tracemalloc; what the process holds of Python objects at the peak and between passes."""
    env = json.loads(env_path.read_text())
    rss0 = rss_high_water_mb()
    tracemalloc.start()
    settings = settings_for(env)
    adapter = CountingAdapter(settings)
    service = SyncService(settings, adapter)

    def figures(seen: int, issue_reads: int) -> dict[str, Any]:
        current, peak = tracemalloc.get_traced_memory()
        return {
            "seen": seen,
            "traced_peak_mb": peak / MB,
            "traced_retained_mb": current / MB,
            "issue_reads": issue_reads,
            "rss_high_water_mb": rss_high_water_mb(),
        }

    first = figures(service.run_pass().seen, adapter.stats.issue_reads)
    first["writes"] = adapter.stats.writes
    tracemalloc.reset_peak()
    reads0 = adapter.stats.issue_reads
    seen = service.run_pass().seen
    warm = figures(seen, adapter.stats.issue_reads - reads0)
    tracemalloc.stop()
    return {"rss_before_mb": rss0, "first_pass": first, "warm_pass": warm}


# --- the run --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    redmine = subprocess.run(
        ["dpkg-query", "-W", "-f=${Version}", "redmine"], capture_output=True, text=True
    ).stdout.strip()
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "redmine_package": redmine,
        "kernel": platform.release(),
    }


def product_version() -> dict[str, Any]:
    """The commit measured, and whether src/ had uncommitted changes."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()

    return {
        "commit": git("rev-parse", "--short", "HEAD"),
        "src_dirty": bool(git("status", "--porcelain", "src")),
    }


def start_redmine(state_dir: Path) -> dict[str, Any]:
    subprocess.run([str(SCRIPTS / "stop.sh"), str(state_dir)], check=True)
    subprocess.run(
        [str(SCRIPTS / "start.sh"), str(state_dir)], check=True, stdout=subprocess.DEVNULL
    )
    return json.loads((state_dir / "env.json").read_text())


def table(rows: list[Measured]) -> str:
    head = ["pass", "wall s", "CPU s", "list pages", "journal reads", "writes", "other", "RSS MB"]
    lines = [head, *(m.row() for m in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    out = []
    for i, line in enumerate(lines):
        out.append(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w)
                for j, (c, w) in enumerate(zip(line, widths, strict=True))
            )
        )
        if i == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    n = args.n
    state_dir = Path(args.state_dir).resolve()
    print(f"benchmark: N={n}, Redmine state in {state_dir}", flush=True)
    t0 = time.perf_counter()
    env = start_redmine(state_dir)
    started_s = time.perf_counter() - t0
    print(f"fresh Redmine at {env['url']} in {started_s:.1f} s", flush=True)
    rm = LocalRedmine(env, state_dir / "env.json")
    try:
        return _measure(args, env, rm, started_s)
    finally:
        if args.keep:
            print(f"Redmine left running: {env['url']} (scripts/redmine/stop.sh {state_dir})")
        else:
            subprocess.run([str(SCRIPTS / "stop.sh"), str(state_dir)], check=False)


def _measure(
    args: argparse.Namespace, env: dict[str, Any], rm: LocalRedmine, started_s: float
) -> int:
    n = args.n
    state_dir = Path(args.state_dir).resolve()
    settings = settings_for(env)
    product = product_version()  # before the passes: other people may be editing src/
    print(
        f"product: commit {product['commit']}"
        + (" + uncommitted src/ changes" if product["src_dirty"] else ""),
        flush=True,
    )

    t0 = time.perf_counter()
    seeded_at, report = seeding.seed(rm, n, args.seed)
    seed_s = time.perf_counter() - t0
    print(f"seeded {n} issues in {seed_s:.1f} s: {report['counts']}", flush=True)
    print(f"  kinds {report['kinds']}, statuses {report['statuses']}", flush=True)
    with RedmineAdapter(settings) as checker:  # its own cache: the measured one starts cold
        problems = seeding.validate(rm, n, seeded_at, args.seed, checker)
    for problem in problems:
        print(f"  VALIDATION: {problem}", flush=True)
    if problems:
        return 1
    print("  validated: listing total, 5 issues via REST and via the adapter", flush=True)
    if args.seed_only:
        return 0

    zone = seeding.WorkCalendar().zone
    now_local = datetime.now(UTC).astimezone(zone)
    working_now = seeding.WorkCalendar().is_working_time(datetime.now(UTC))
    print(
        f"local time {now_local:%Y-%m-%d %H:%M %Z} ("
        + (
            "working hours: breach notes are posted"
            if working_now
            else "outside working hours: reminders and breach notes wait for 09:00"
        )
        + ")",
        flush=True,
    )

    cache_dir = state_dir / "daemon-state"
    shutil.rmtree(cache_dir, ignore_errors=True)
    adapter = CountingAdapter(settings)
    service = SyncService(settings, adapter, state_dir=cache_dir)
    rss_before = rss_high_water_mb()
    floors: list[Measured] = [measure_floor("floor (first)", env)]
    passes: list[Measured] = []

    def record(m: Measured) -> Measured:
        print(
            f"  {m.label}: {m.wall:.2f} s wall, {m.cpu:.2f} s CPU, {m.requests}, "
            f"writes {m.writes}, {m.result}",
            flush=True,
        )
        return m

    def settle() -> None:
        # A daemon's passes are minutes apart: let the previous writes leave the listing's
        # margin and the unsettled second (service/memory.py, adapters/redmine/adapter.py).
        time.sleep(max(LISTING_MARGIN, UNSETTLED).total_seconds() + 1)

    record(floors[0])
    cold = record(measure_pass("cold", service, adapter))
    cold_stamped = len(adapter.stamped)
    passes.append(cold)
    settle()
    passes.append(record(measure_pass("after-cold", service, adapter)))
    settle()
    warm: list[Measured] = []
    for i in range(1, args.repeat + 1):
        floors.append(record(measure_floor(f"floor #{i}", env)))
        warm.append(record(measure_pass(f"warm #{i}", service, adapter)))
    t0 = time.perf_counter()
    changed = change_some(rm, n, args.changed, args.seed)
    change_s = time.perf_counter() - t0
    print(f"  changed {len(changed)} issues (agent1 public note) in {change_s:.1f} s", flush=True)
    changed_pass = record(measure_pass("changed-1%", service, adapter))
    passes += [*warm, changed_pass]
    settle()
    # A daemon's next pass: the changed issues, read within seconds of their change, are
    # read once more now that no change can still come within their updated_on second.
    passes.append(record(measure_pass("after-change", service, adapter)))
    settle()
    cache_bytes = StateStore(cache_dir).size()
    restart_adapter = CountingAdapter(settings)
    restart_service = SyncService(settings, restart_adapter, state_dir=cache_dir)
    restarted = record(measure_pass("restart", restart_service, restart_adapter))
    passes.append(restarted)
    floors.append(record(measure_floor("floor (last)", env)))

    profile_text = ""
    if args.profile:
        path = HERE / f"profile-{n}-warm.prof"
        profile_text = profile_pass(service, path)
        print(f"cProfile of one more warm pass: {path}\n{profile_text}", flush=True)

    probe: dict[str, Any] = {}
    if not args.no_probe:
        print("memory probe (fresh process, tracemalloc on) ...", flush=True)
        out = subprocess.run(
            [sys.executable, __file__, "--probe-memory", str(state_dir / "env.json")],
            check=True,
            capture_output=True,
            text=True,
        )
        probe = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"  {probe}", flush=True)

    # --- targets
    floor_walls = [f.wall for f in floors[1 : args.repeat + 1]]
    warm_walls = [w.wall for w in warm]
    floor_wall, warm_wall = statistics.median(floor_walls), statistics.median(warm_walls)
    ratio = warm_wall / floor_wall
    restart_ratio = restarted.wall / floor_wall
    per_10k = 10_000 / n
    warm_cpu = statistics.median(w.cpu for w in warm)
    cold_writes = cold.requests.get("writes", 0)
    cold_writes_per_stamped = cold_writes / max(1, cold_stamped)
    traced_peak = max(
        probe.get("first_pass", {}).get("traced_peak_mb", 0.0),
        probe.get("warm_pass", {}).get("traced_peak_mb", 0.0),
    )
    # Memory: this process' RSS (no tracemalloc here), its growth over the passes, and
    # for N < 10,000 that growth projected linearly to 10,000 issues.
    rss_high = max(p.rss_mb for p in passes)
    rss_growth = rss_high - rss_before
    rss_at_10k = rss_high if n >= 10_000 else rss_before + rss_growth * per_10k
    targets = {
        "warm_at_most_3_requests_no_writes": all(
            w.requests["total"] <= WARM_REQUESTS_MAX and w.requests["writes"] == 0 for w in warm
        ),
        "warm_wall_at_most_1/20_of_floor": ratio <= WARM_WALL_FLOOR_SHARE_MAX,
        "warm_cpu_under_0.2s": warm_cpu < WARM_CPU_SECONDS_MAX,
        "changed_lists_1_or_2_pages": changed_pass.requests["list_pages"] <= 2,
        "changed_reads_exactly_the_changed": changed_pass.requests["issue_reads"] == len(changed),
        "restart_reads_no_unchanged_journal": restarted.requests["issue_reads"] == 0,
        "restart_wall_at_most_1.3x_floor": restart_ratio <= RESTART_OVER_FLOOR_MAX,
        "cold_at_most_1.05_writes_per_stamped_issue": cold_writes_per_stamped
        <= COLD_WRITES_PER_STAMPED_MAX,
        "cpu_under_2s_per_10k_changed": changed_pass.cpu * per_10k < CPU_SECONDS_PER_10K_MAX,
        "memory_at_10k_under_300mb" + ("" if n >= 10_000 else "_projected"): rss_at_10k
        < MEMORY_MB_AT_10K_MAX,
    }
    figures = {
        "floor_wall_median_s": floor_wall,
        "warm_wall_median_s": warm_wall,
        "warm_over_floor": ratio,
        "warm_cpu_median_s": warm_cpu,
        "restart_wall_s": restarted.wall,
        "restart_over_floor": restart_ratio,
        "cold_writes": cold_writes,
        "cold_stamped_issues": cold_stamped,
        "cold_writes_per_stamped_issue": cold_writes_per_stamped,
        "changed_cpu_per_10k_s": changed_pass.cpu * per_10k,
        "cold_cpu_per_10k_s": cold.cpu * per_10k,
        "changed_issues": len(changed),
        "cache_file_bytes": cache_bytes,
        "cache_bytes_per_issue": cache_bytes / n,
        "rss_before_passes_mb": rss_before,
        "rss_high_water_mb": rss_high,
        "rss_growth_kb_per_issue": rss_growth * 1024 / n,
        "rss_at_10k_mb" + ("" if n >= 10_000 else "_projected"): rss_at_10k,
        "traced_peak_mb": traced_peak,
        "traced_retained_kb_per_issue": probe.get("warm_pass", {}).get("traced_retained_mb", 0.0)
        * 1024
        / n,
    }

    print()
    print(f"N={n}  (seeding {seed_s:.1f} s; Redmine start {started_s:.1f} s)")
    print(table([*passes, *floors]))
    print()
    print(
        f"warm / floor (medians of {args.repeat}): "
        f"{warm_wall:.3f} s / {floor_wall:.2f} s = {ratio:.3f}x; warm CPU {warm_cpu:.3f} s"
    )
    print(f"restart / floor: {restarted.wall:.2f} s / {floor_wall:.2f} s = {restart_ratio:.2f}x")
    print(
        f"cold: {cold_writes} writes for {cold_stamped} stamped issues "
        f"({cold_writes_per_stamped:.3f} per issue)"
    )
    print(f"state file: {cache_bytes / 1024:.0f} KB ({cache_bytes / n:.0f} bytes per issue)")
    print(
        f"CPU per 10,000 issues: warm {warm_cpu * per_10k:.2f} s, changed-1% "
        f"{changed_pass.cpu * per_10k:.2f} s, cold {cold.cpu * per_10k:.2f} s"
    )
    print(
        f"memory: RSS {rss_before:.0f} MB before the passes, high-water {rss_high:.0f} MB"
        f" (+{rss_growth * 1024 / n:.1f} KB per issue)"
        + ("" if n >= 10_000 else f"; projected to 10,000 issues: {rss_at_10k:.0f} MB")
    )
    if probe:
        print(
            "  tracemalloc (separate process): peak {:.1f} MB in a fresh adapter's first pass,"
            " {:.1f} MB held between passes, peak {:.1f} MB in a warm pass".format(
                probe["first_pass"]["traced_peak_mb"],
                probe["warm_pass"]["traced_retained_mb"],
                probe["warm_pass"]["traced_peak_mb"],
            )
        )
    for name, ok in targets.items():
        print(f"  {'MET ' if ok else 'MISS' if ok is not None else 'n/a '}  {name}")

    results = {
        "n": n,
        "seed": args.seed,
        "run_at_utc": seeded_at.isoformat(timespec="seconds"),
        "local_time": now_local.isoformat(timespec="minutes"),
        "working_hours_at_run": working_now,
        "machine": machine(),
        "product": product,
        "command": f".venv/bin/python bench/run.py --n {n}",
        "redmine_start_s": started_s,
        "seeding": {"seconds": seed_s, **report},
        "rss_before_passes_mb": rss_before,
        "passes": [asdict(p) for p in passes],
        "floors": [asdict(f) for f in floors],
        "changed_ids": len(changed),
        "change_seconds": change_s,
        "memory_probe": probe,
        "figures": figures,
        "targets": targets,
    }
    out_path = HERE / f"results-{n}.json"
    out_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"\nresults: {out_path.relative_to(REPO)}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="open issues to seed (default 2000)")
    parser.add_argument("--state-dir", default=str(REPO / ".redmine" / "bench"))
    parser.add_argument("--keep", action="store_true", help="leave the Redmine running")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the data")
    parser.add_argument("--repeat", type=int, default=3, help="warm passes (each after a floor)")
    parser.add_argument("--changed", type=float, default=0.01, help="fraction changed")
    parser.add_argument("--profile", action="store_true", help="cProfile one more warm pass")
    parser.add_argument("--no-probe", action="store_true", help="skip the memory probe")
    parser.add_argument(
        "--seed-only", action="store_true", help="seed, validate and keep the Redmine (no passes)"
    )
    parser.add_argument("--probe-memory", metavar="ENV_JSON", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.keep = args.keep or args.seed_only
    if args.probe_memory:
        print(json.dumps(probe_memory(Path(args.probe_memory))))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
