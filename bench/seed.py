"""Seed the benchmark's local Redmine with N open issues, straight into its SQLite DB.

Creating 10,000 issues through the REST API takes about an hour on a small machine;
one SQLite transaction takes seconds. The rows are what Redmine 5.0 itself writes
(checked against issues created through the API): `issues` with the nested-set columns
of a root issue (root_id = id, lft = 1, rgt = 2), one `custom_values` row per issue
custom field of the tracker (the SLA fields empty: the tool has never run), `journals`
with `journal_details` for status changes, and the assignee and author as watchers.
Timestamps are naive UTC text, as the server (started with TZ=UTC) writes them.

The data looks like a support desk's open backlog: Support and Bug issues from client1,
client2 and vipclient1 (a member of "VIP clients"), some with the SLA level "VIP",
priorities mostly Normal, created in working hours (some in the evening) over the last
four working weeks, each with 2 to 5 journals: staff public and private notes, client
notes, status changes New -> In Progress -> Feedback -> In Progress.
"""

from __future__ import annotations

import random
import sqlite3
import sys
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

from sup_sla_sync.core.calendar import WorkCalendar  # noqa: E402
from sup_sla_sync.core.intake import iin_is_valid  # noqa: E402

from localredmine import LocalRedmine, format_db_time  # noqa: E402

PROJECT = "edoc"
WORKING_DAYS_BACK = 20  # creation times spread over the last four working weeks
# Issues that end in Feedback entered it this recently (the tool would have auto-closed
# older ones after 8 working hours): keeps the cold pass free of mass auto-closes.
FEEDBACK_MAX_AGE = timedelta(hours=3)

SUBJECTS_SUPPORT = [
    "Как добавить сотрудника в организацию?",
    "Не могу найти входящие документы",
    "Вопрос по подписанию договора ЭЦП",
    "Как отозвать отправленный документ?",
    "Прошу разъяснить порядок согласования",
    "Не приходит уведомление о новом документе",
    "Как сменить руководителя в профиле организации",
    "Қызметкерді қалай қосамын?",
    "How do I export signed documents?",
    "Вопрос по тарифу и продлению подписки",
]
SUBJECTS_BUG = [
    "Ошибка 500 при загрузке документа",
    "Не работает подписание документа",
    "Кнопка «Отправить» не реагирует",
    "Документ завис в статусе «На подписании»",
    "Ошибка при проверке ЭЦП",
    "Қате: құжат жүктелмейді",
    "Error when opening the archive",
    "Не отображается список контрагентов",
]
DETAILS = [
    "Со вчерашнего дня при попытке открыть раздел система показывает пустую страницу.",
    "Пробовали в Chrome и Edge, результат одинаковый, кэш очищали.",
    "Документ был отправлен контрагенту, но в его кабинете он не появился.",
    "Прикладываю скриншот, номер документа указан в теме письма.",
    "Срок по договору заканчивается в пятницу, просим помочь.",
    "Ранее такой проблемы не было, изменений на нашей стороне не вносили.",
    "Подскажите, пожалуйста, где в интерфейсе находится эта настройка.",
    "Құжат нөмірі хатта көрсетілген, көмектесуіңізді сұраймыз.",
    "We tried again this morning with the same result.",
]
NAMES = ["Иванов Сергей Петрович", "Ахметова Айгерим Бекболатовна", "Ким Виктор Алексеевич"]
COMPANIES = ["ТОО «Алтын Дән»", "АО «КазЭнергоСервис»", "ТОО «Astana Logistics»"]
STAFF_PUBLIC = [
    "Здравствуйте! Приняли ваше обращение в работу, проверяем.",
    "Уточните, пожалуйста, номер документа и время, когда возникла ошибка.",
    "Проблема воспроизводится, передали разработчикам, сообщим о результате.",
    "Исправление установлено, проверьте, пожалуйста, у себя.",
    "Инструкция по настройке: Профиль → Организация → Сотрудники → Добавить.",
]
STAFF_PRIVATE = [
    "Похоже на проблему с сертификатом, смотрю логи подписи.",
    "Связался с клиентом по телефону, ждём скриншот.",
    "Нужна помощь второй линии, лог приложен к задаче.",
    "Дубль обращения от того же клиента, объединить после ответа.",
]
CLIENT_NOTES = [
    "Добрый день, проблема сохраняется.",
    "Номер документа ЭД-2024-00871, ошибка появилась около 10:30.",
    "Спасибо, попробуем и отпишемся.",
    "Скриншот приложили, посмотрите, пожалуйста.",
    "Рахмет, қазір тексереміз.",
]
FEEDBACK_NOTE = "Проверьте, пожалуйста, после обновления и сообщите результат."
BACK_TO_WORK_NOTE = "Спасибо за ответ, продолжаем работу над обращением."


@dataclass
class SeededJournal:
    user: str
    created: datetime
    notes: str = ""
    private: bool = False
    status_change: tuple[str, str] | None = None


@dataclass
class SeededIssue:
    id: int
    tracker: str
    priority: str
    author: str
    assignee: str | None
    sla_level: str
    channel: str
    subject: str
    description: str
    created: datetime
    status: str
    kind: str
    journals: list[SeededJournal] = field(default_factory=list)

    @property
    def updated(self) -> datetime:
        return max([self.created, *(j.created for j in self.journals)])


@dataclass
class SeedReport:
    n: int
    seconds: float
    issues: int
    journals: int
    journal_details: int
    custom_values: int
    watchers: int
    kinds: dict[str, int]
    statuses: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _iin(rng: random.Random) -> str:
    """A valid-looking Kazakh IIN (YYMMDD, century digit, serial, check digit)."""
    while True:
        born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
        head = f"{born:%y%m%d}{rng.choice('3456')}{rng.randrange(0, 10_000):04d}"
        for check in range(10):
            if iin_is_valid(head + str(check)):
                return head + str(check)


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def _creation_time(rng: random.Random, days: list[date], calendar: WorkCalendar) -> datetime:
    day = rng.choice(days)
    if rng.random() < 0.85:  # in working hours
        minutes = rng.randrange(9 * 60, 18 * 60)
    else:  # the evening or the early morning
        minutes = rng.choice([rng.randrange(18 * 60, 23 * 60), rng.randrange(6 * 60, 9 * 60)])
    local = datetime(day.year, day.month, day.day, tzinfo=calendar.zone) + timedelta(
        minutes=minutes, seconds=rng.randrange(60), microseconds=rng.randrange(1, 1_000_000)
    )
    return local.astimezone(UTC)


def _plan(rng: random.Random, kind: str, author: str, assignee: str | None) -> list[SeededJournal]:
    """The journals' content in order (times are set afterwards)."""
    agent = assignee or "agent1"
    private = SeededJournal(agent, datetime.min, rng.choice(STAFF_PRIVATE), private=True)
    # Clients cite times and numbers: no two notes are quite the same.
    client = SeededJournal(
        author,
        datetime.min,
        f"{rng.choice(CLIENT_NOTES)} (проверили в {rng.randrange(8, 19)}:{rng.randrange(60):02d})",
    )
    if kind == "new":  # nobody answered publicly yet
        return rng.sample([client, private], k=2)
    first = SeededJournal(
        agent, datetime.min, rng.choice(STAFF_PUBLIC), status_change=("New", "In Progress")
    )
    public = SeededJournal(agent, datetime.min, rng.choice(STAFF_PUBLIC))
    if kind == "working":
        extra = rng.sample([private, client, public], k=rng.randrange(1, 4))
        return [first, *extra]
    to_feedback = SeededJournal(
        agent, datetime.min, FEEDBACK_NOTE, status_change=("In Progress", "Feedback")
    )
    if kind == "feedback":
        middle = rng.sample([private, client], k=rng.randrange(1, 3))
        return [first, *middle, to_feedback]
    back = SeededJournal(
        agent, datetime.min, BACK_TO_WORK_NOTE, status_change=("Feedback", "In Progress")
    )
    journals = [first, to_feedback, client, back]
    if rng.random() < 0.5:
        journals.insert(1, private)
    return journals


def _set_times(rng: random.Random, issue: SeededIssue, now: datetime) -> None:
    journals = issue.journals
    latest = now - timedelta(minutes=1)
    if issue.kind == "feedback":
        end = now - timedelta(seconds=rng.randrange(300, int(FEEDBACK_MAX_AGE.total_seconds())))
    else:
        end = min(latest, issue.created + timedelta(days=rng.uniform(0.2, 6)))
    if end <= issue.created:  # created moments ago
        end = issue.created + (now - issue.created) * 0.9
    span = end - issue.created
    # The first answer comes soon; the rest spread over the issue's life.
    points = sorted(rng.uniform(0.02, 1.0) for _ in journals)
    points[0] = min(points[0], rng.uniform(0.005, 0.1))
    if issue.kind == "feedback":
        points[-1] = 1.0
    for journal, point in zip(journals, points, strict=True):
        journal.created = (
            issue.created + span * point + timedelta(microseconds=rng.randrange(1, 999))
        )


def generate(n: int, now: datetime, seed: int = 1) -> Iterator[SeededIssue]:
    """N issues with ids 1..N (deterministic for a seed, relative to `now`)."""
    rng = random.Random(seed)
    calendar = WorkCalendar()
    today = calendar.local(now).date()
    days: list[date] = []
    day = today
    while len(days) < WORKING_DAYS_BACK:
        if calendar.is_working_day(day):
            days.append(day)
        day -= timedelta(days=1)
    iins = [_iin(rng) for _ in range(50)]
    for issue_id in range(1, n + 1):
        tracker = _weighted(rng, {"Support": 0.7, "Bug": 0.3})
        author = _weighted(rng, {"client1": 0.4, "client2": 0.4, "vipclient1": 0.2})
        kind = _weighted(rng, {"new": 0.1, "working": 0.55, "feedback": 0.2, "back": 0.15})
        assignee = (
            None if kind == "new" and rng.random() < 0.5 else rng.choice(["agent1", "agent2"])
        )
        subject = rng.choice(SUBJECTS_SUPPORT if tracker == "Support" else SUBJECTS_BUG)
        lines = rng.sample(DETAILS, k=rng.randrange(2, 5))
        # Every request names its own document: descriptions are unique, as in real life
        # (which matters to the tool's caches keyed by text).
        lines.insert(0, f"Документ № ЭД-{rng.randrange(2024, 2027)}-{rng.randrange(10**7):07d}.")
        if rng.random() < 0.6:  # most clients introduce themselves
            lines += [
                f"ИИН: {rng.choice(iins)}",
                f"{rng.choice(NAMES)}, {rng.choice(COMPANIES)}",
            ]
        created = _creation_time(rng, days, calendar)
        if created > now - timedelta(minutes=5):
            created = now - timedelta(minutes=rng.randrange(5, 600))
        issue = SeededIssue(
            id=issue_id,
            tracker=tracker,
            priority=_weighted(
                rng, {"Normal": 0.7, "Low": 0.05, "High": 0.15, "Urgent": 0.07, "Immediate": 0.03}
            ),
            author=author,
            assignee=assignee,
            sla_level=_weighted(rng, {"VIP": 0.15, "Basic": 0.8, "": 0.05}),
            channel=_weighted(
                rng,
                {"Online assistant": 0.3, "Official letter": 0.1, "E-mail": 0.45, "Phone": 0.15},
            ),
            subject=subject,
            description="\n".join(lines),
            created=created,
            status="New",
            kind=kind,
        )
        issue.journals = _plan(rng, kind, author, assignee)
        _set_times(rng, issue, now)
        for journal in issue.journals:
            if journal.status_change:
                issue.status = journal.status_change[1]
        yield issue


def _t(when: datetime) -> str:
    return format_db_time(when.astimezone(UTC).replace(tzinfo=None))


def insert(rm: LocalRedmine, issues: Iterator[SeededIssue]) -> dict[str, Any]:
    """Insert the issues in one transaction; returns row counts by table."""
    ids = rm.env["ids"]
    users, statuses = ids["users"], ids["statuses"]
    trackers, priorities, cfs = ids["trackers"], ids["priorities"], ids["custom_fields"]
    project_id = ids["projects"][PROJECT]
    field_order = [
        "SLA level",
        "Channel",
        "Category",
        "SLA first response due",
        "SLA resolution due",
        "SLA state",
    ]
    counts = {"issues": 0, "journals": 0, "journal_details": 0, "custom_values": 0, "watchers": 0}
    kinds: dict[str, int] = {}
    final_statuses: dict[str, int] = {}
    with closing(sqlite3.connect(rm.db_path, timeout=60)) as conn:
        conn.execute("PRAGMA busy_timeout = 60000")
        (existing,) = conn.execute("SELECT COUNT(*) FROM issues").fetchone()
        if existing:
            raise RuntimeError(f"{rm.db_path} already holds {existing} issues: start a fresh one")
        (journal_id,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM journals").fetchone()
        (detail_id,) = conn.execute("SELECT COALESCE(MAX(id), 0) FROM journal_details").fetchone()
        issue_rows, journal_rows, detail_rows, value_rows, watcher_rows = [], [], [], [], []
        with conn:
            for issue in issues:
                kinds[issue.kind] = kinds.get(issue.kind, 0) + 1
                final_statuses[issue.status] = final_statuses.get(issue.status, 0) + 1
                issue_rows.append(
                    (
                        issue.id,
                        trackers[issue.tracker],
                        project_id,
                        issue.subject,
                        issue.description,
                        statuses[issue.status],
                        users[issue.assignee] if issue.assignee else None,
                        priorities[issue.priority],
                        users[issue.author],
                        len(issue.journals),
                        _t(issue.created),
                        _t(issue.updated),
                        issue.created.date().isoformat(),
                        issue.id,
                    )
                )
                values = {"SLA level": issue.sla_level, "Channel": issue.channel}
                for name in field_order:
                    value_rows.append(("Issue", issue.id, cfs[name], values.get(name, "")))
                for login in dict.fromkeys([issue.author, issue.assignee]):
                    if login:
                        watcher_rows.append(("Issue", issue.id, users[login]))
                for journal in issue.journals:
                    journal_id += 1
                    journal_rows.append(
                        (
                            journal_id,
                            issue.id,
                            users[journal.user],
                            journal.notes,
                            _t(journal.created),
                            int(journal.private),
                        )
                    )
                    if journal.status_change:
                        old, new = journal.status_change
                        detail_id += 1
                        detail_rows.append(
                            (detail_id, journal_id, str(statuses[old]), str(statuses[new]))
                        )
                if len(issue_rows) >= 1000:
                    _flush(
                        conn,
                        issue_rows,
                        journal_rows,
                        detail_rows,
                        value_rows,
                        watcher_rows,
                        counts,
                    )
            _flush(conn, issue_rows, journal_rows, detail_rows, value_rows, watcher_rows, counts)
    return {"counts": counts, "kinds": kinds, "statuses": final_statuses}


def _flush(
    conn: sqlite3.Connection,
    issue_rows: list[tuple[Any, ...]],
    journal_rows: list[tuple[Any, ...]],
    detail_rows: list[tuple[Any, ...]],
    value_rows: list[tuple[Any, ...]],
    watcher_rows: list[tuple[Any, ...]],
    counts: dict[str, int],
) -> None:
    conn.executemany(
        "INSERT INTO issues (id, tracker_id, project_id, subject, description, status_id,"
        " assigned_to_id, priority_id, author_id, lock_version, created_on, updated_on,"
        " start_date, done_ratio, root_id, lft, rgt, is_private)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, 1, 2, 0)",
        issue_rows,
    )
    conn.executemany(
        "INSERT INTO journals (id, journalized_id, journalized_type, user_id, notes, created_on,"
        " private_notes) VALUES (?, ?, 'Issue', ?, ?, ?, ?)",
        journal_rows,
    )
    conn.executemany(
        "INSERT INTO journal_details (id, journal_id, property, prop_key, old_value, value)"
        " VALUES (?, ?, 'attr', 'status_id', ?, ?)",
        detail_rows,
    )
    conn.executemany(
        "INSERT INTO custom_values (customized_type, customized_id, custom_field_id, value)"
        " VALUES (?, ?, ?, ?)",
        value_rows,
    )
    conn.executemany(
        "INSERT INTO watchers (watchable_type, watchable_id, user_id) VALUES (?, ?, ?)",
        watcher_rows,
    )
    for name, rows in (
        ("issues", issue_rows),
        ("journals", journal_rows),
        ("journal_details", detail_rows),
        ("custom_values", value_rows),
        ("watchers", watcher_rows),
    ):
        counts[name] += len(rows)
        rows.clear()


def validate(rm: LocalRedmine, n: int, now: datetime, seed: int, adapter: Any) -> list[str]:
    """Read a few seeded issues back through the REST API and the tool's adapter and
    compare them with what was generated; returns the problems found."""
    problems: list[str] = []
    listing = rm.get(
        "/issues.json", params={"project_id": PROJECT, "status_id": "open", "limit": 1}
    )
    if listing["total_count"] != n:
        problems.append(f"open issues listed: {listing['total_count']}, seeded {n}")
    wanted = {1, 2, 3, max(1, n // 2), n}
    for issue in generate(n, now, seed):
        if issue.id not in wanted:
            continue
        raw = rm.issue(issue.id)
        where = f"issue {issue.id}"
        if raw["status"]["name"] != issue.status:
            problems.append(f"{where}: status {raw['status']['name']!r}, seeded {issue.status!r}")
        if raw["author"]["id"] != rm.user_id(issue.author):
            problems.append(f"{where}: author {raw['author']}, seeded {issue.author}")
        journals = raw.get("journals") or []
        if [j.get("notes") for j in journals] != [j.notes for j in issue.journals]:
            problems.append(f"{where}: journals differ from the seeded ones")
        if [bool(j.get("private_notes")) for j in journals] != [j.private for j in issue.journals]:
            problems.append(f"{where}: private flags differ")
        level = rm.custom_field_value(raw, "SLA level")
        if (level or "") != issue.sla_level:
            problems.append(f"{where}: SLA level {level!r}, seeded {issue.sla_level!r}")
        snapshot = adapter.snapshot(issue.id)
        statuses = [c.new for j in snapshot.journals for c in j.changes if c.name == "status"]
        seeded = [j.status_change[1] for j in issue.journals if j.status_change]
        if statuses != seeded or snapshot.status != issue.status:
            problems.append(f"{where}: the adapter sees statuses {statuses}, seeded {seeded}")
        if abs((snapshot.created_on - issue.created).total_seconds()) > 1:
            problems.append(f"{where}: created_on {snapshot.created_on}, seeded {issue.created}")
    return problems


def seed(rm: LocalRedmine, n: int, seed_value: int = 1) -> tuple[datetime, dict[str, Any]]:
    now = datetime.now(UTC)
    return now, insert(rm, generate(n, now, seed_value))
