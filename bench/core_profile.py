"""Where a warm pass spends the tool's CPU, step by step, on a seeded benchmark Redmine.

    .venv/bin/python bench/run.py --n 2000 --seed-only      # a seeded Redmine, kept
    .venv/bin/python bench/core_profile.py [--state-dir .redmine/bench] [--rounds 5]

Reads the open issues once (a pass, which stamps them if nobody has), then times, with
no network, each step a warm pass repeats for every listed issue: the snapshot from the
listing JSON, `evaluate` (timeline and clocks), `decide_transition`, `plan_updates`, and
inside the latter the intake checks. Also times the list pages' HTTP GET + JSON decoding
(the part of a warm pass' CPU no change in the tool can remove). Per issue, in µs, and
as seconds per 10,000 issues.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

from sup_sla_sync.adapters.redmine import RedmineAdapter  # noqa: E402
from sup_sla_sync.core import intake  # noqa: E402
from sup_sla_sync.core.clocks import evaluate  # noqa: E402
from sup_sla_sync.core.decide import decide  # noqa: E402
from sup_sla_sync.service.sync import SyncService  # noqa: E402

sys.path.insert(0, str(HERE))
from run import settings_for  # noqa: E402


def best_of(rounds: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-dir", default=str(REPO / ".redmine" / "bench"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    env = json.loads((Path(args.state_dir) / "env.json").read_text())
    settings = settings_for(env)
    adapter = RedmineAdapter(settings)
    service = SyncService(settings, adapter)
    service.run_pass()  # fills the adapter's journal cache (and stamps a fresh seed)
    service.run_pass()  # re-reads what the first one wrote

    pages: list[list[dict[str, Any]]] = []

    def list_pages() -> None:
        pages.clear()
        listed = adapter._list_issues(settings.redmine.projects, [{"status_id": "open"}])
        pages.append(list(listed.values()))

    wall0 = time.perf_counter()
    cpu_list = best_of(args.rounds, list_pages)
    raws = pages[0]
    n = len(raws)
    people = service.people()
    now = service.clock()
    snapshots = [adapter._from_listing(raw) for raw in raws]
    views = [evaluate(s, service.calendar, service.rules, people, now) for s in snapshots]

    def client_text(view: Any) -> str:
        notes = [j.notes for j in view.timeline.journals if people.is_client(j.user_id)]
        return "\n".join([view.issue.description, *notes])

    steps: dict[str, Callable[[], Any]] = {
        "list pages: GET + JSON (HTTP client)": lambda: None,
        "snapshot from listing (_from_listing)": lambda: [adapter._from_listing(r) for r in raws],
        "evaluate (timeline + clocks)": lambda: [
            evaluate(s, service.calendar, service.rules, people, now) for s in snapshots
        ],
        "decide (evaluate, transitions, plan)": lambda: [
            decide(s, service.rules, service.calendar, people, now, memo=service.memo)
            for s in snapshots
        ],
        "  intake: offensive_words": lambda: [
            intake.offensive_words(f"{v.issue.subject}\n{client_text(v)}") for v in views
        ],
        "  intake: out_of_scope (first response running)": lambda: [
            intake.out_of_scope(v.issue.subject, v.issue.description)
            for v in views
            if v.first_response.running
        ],
        "  intake: identity_check (basic, unanswered)": lambda: [
            intake.identity_check(v.issue.subject, client_text(v))
            for v in views
            if v.first_response.running
        ],
    }
    print(f"{n} open issues; best of {args.rounds} rounds, CPU (process_time)")
    print(f"{'step':<48} {'µs/issue':>9} {'s/10k':>7}")
    total = 0.0
    for name, fn in steps.items():
        seconds = cpu_list if name.startswith("list pages") else best_of(args.rounds, fn)
        if not name.startswith("  "):
            total += seconds
        print(f"{name:<48} {seconds / n * 1e6:>9.1f} {seconds / n * 10_000:>7.2f}")
    print(f"{'sum of the top-level steps':<48} {total / n * 1e6:>9.1f} {total / n * 10_000:>7.2f}")
    passes = []
    for _ in range(args.rounds):
        t0 = time.process_time()
        service.run_pass()
        passes.append(time.process_time() - t0)
    warm = statistics.median(passes)
    print(f"{'a whole warm pass (median)':<48} {warm / n * 1e6:>9.1f} {warm / n * 10_000:>7.2f}")
    print(f"({time.perf_counter() - wall0:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
