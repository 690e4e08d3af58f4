"""The core alone, in memory, no HTTP (`make bench-core`): what a daemon pass costs in CPU
when nothing is due and when 1% of the issues are due, at N = 1,000 / 10,000 / 100,000.

    .venv/bin/python bench/core_bench.py [--n 1000 10000 100000] [--rounds 5]

Each N: N synthetic issues (new and unanswered, answered and in progress, waiting for the
client, resolved), created over the previous five working days. A cold evaluation decides
every issue and computes its wake-up instant (what the first pass of a daemon does). Then,
at the same `now`:
  nothing due  the daemon's selection of due issues (service/memory.py) finds none
  1% due       1% of the issues have reached their wake-up instant: selected and decided
CPU is this process' process_time, best of --rounds. Results on stdout and in
bench/core-results.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from sup_sla_sync.config import Settings  # noqa: E402
from sup_sla_sync.core.calendar import WorkCalendar  # noqa: E402
from sup_sla_sync.core.decide import decide  # noqa: E402
from sup_sla_sync.core.memo import Memo  # noqa: E402
from sup_sla_sync.core.model import STATUS, FieldChange, IssueSnapshot, Journal, People  # noqa: E402
from sup_sla_sync.service.memory import PassMemory  # noqa: E402

TOOL, AGENT, CLIENT = 1, 10, 20
PEOPLE = People(
    tool_user_id=TOOL,
    staff_ids=frozenset({AGENT}),
    logins={TOOL: "sla-bot", AGENT: "agent1", CLIENT: "client1"},
)
NOW = datetime(2025, 1, 15, 7, 0, tzinfo=UTC)  # Wednesday 12:00 in Astana
FIELDS = (
    "SLA level",
    "Channel",
    "Category",
    "SLA first response due",
    "SLA resolution due",
    "SLA state",
)
SUBJECTS = (
    "Как подписать документ в NCALayer?",
    "Ошибка 500 при отправке акта",
    "Контрагентті қалай қосуға болады?",
    "Cannot find the archive of signed invoices",
)


def synthetic(n: int, seed: int = 7) -> list[IssueSnapshot]:
    rng = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        created = NOW - timedelta(minutes=rng.randint(10, 5 * 24 * 60))
        kind = rng.random()
        journals: list[Journal] = []
        status = "New"
        if kind > 0.4:
            answered = created + timedelta(minutes=rng.randint(5, 60))
            journals.append(Journal(i * 10 + 1, AGENT, min(answered, NOW), "Добрый день"))
            status = "In Progress"
        if 0.7 < kind <= 0.9:
            waiting = min(created + timedelta(minutes=rng.randint(61, 600)), NOW)
            change = (FieldChange(STATUS, "In Progress", "Feedback"),)
            journals.append(Journal(i * 10 + 2, AGENT, waiting, "Уточните", changes=change))
            status = "Feedback"
        elif kind > 0.9:
            done = min(created + timedelta(minutes=rng.randint(61, 600)), NOW)
            change = (FieldChange(STATUS, "In Progress", "Resolved"),)
            journals.append(Journal(i * 10 + 2, AGENT, done, "Готово", changes=change))
            status = "Resolved"
        out.append(
            IssueSnapshot(
                id=i,
                subject=SUBJECTS[i % len(SUBJECTS)],
                tracker="Support",
                status=status,
                priority="Normal",
                author_id=CLIENT,
                created_on=created,
                updated_on=max([created, *(j.created_on for j in journals)]),
                project="edoc",
                description="Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд».",
                custom_fields=dict.fromkeys(FIELDS),
                journals=tuple(journals),
            )
        )
    return out


def best_of(rounds: int, fn: Callable[[], Any]) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return min(times)


def measure(n: int, rounds: int) -> dict[str, Any]:
    settings = Settings(redmine={"url": "https://tracker.example"}, staff={"lead": ""})
    rules = settings.rules()
    calendar = WorkCalendar.from_rules(settings.calendar_rules())
    memo = Memo()
    issues = synthetic(n)
    memory = PassMemory(None, timedelta(minutes=60))

    def cold() -> None:
        for snapshot in issues:
            decision = decide(snapshot, rules, calendar, PEOPLE, NOW, memo=memo)
            memory.remember(snapshot, decision.wake_at)

    t0 = time.process_time()
    cold()
    cold_cpu = time.process_time() - t0
    by_id = {s.id: s for s in issues}

    def a_pass() -> int:
        due = memory.due(NOW, changed=set())
        for issue_id in due:
            decide(by_id[issue_id], rules, calendar, PEOPLE, NOW, memo=memo)
        return len(due)

    nothing_due = a_pass()
    nothing_cpu = best_of(rounds, a_pass)
    rng = random.Random(11)
    for issue_id in rng.sample(sorted(memory.known), max(1, n // 100)):
        memory.known[issue_id].wake_at = NOW
    one_percent = a_pass()
    one_cpu = best_of(rounds, a_pass)
    return {
        "n": n,
        "cold_cpu_s": round(cold_cpu, 3),
        "nothing_due_selected": nothing_due,
        "nothing_due_cpu_s": round(nothing_cpu, 4),
        "one_percent_selected": one_percent,
        "one_percent_cpu_s": round(one_cpu, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rows = [measure(n, args.rounds) for n in args.n]
    print(f"{'N':>8} {'cold CPU s':>11} {'nothing due s':>14} {'1% due s':>10} {'1% issues':>10}")
    for r in rows:
        print(
            f"{r['n']:>8} {r['cold_cpu_s']:>11.2f} {r['nothing_due_cpu_s']:>14.4f} "
            f"{r['one_percent_cpu_s']:>10.4f} {r['one_percent_selected']:>10}"
        )
    (HERE / "core-results.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
