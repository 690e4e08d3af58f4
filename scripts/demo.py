"""`make demo`: a local Redmine with realistic issues, one pass, the queue and an explain.

Starts a fresh local Redmine (scripts/redmine/start.sh into .redmine/demo), files a
handful of requests in Russian and Kazakh as real users, moves their history back in
time so that the SLA clocks have something to say now, and runs the real CLI.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATE = REPO / ".redmine" / "demo"
FAQ = REPO / "faq.example.toml"  # the help centre's articles, for the [sla:faq] suggestions
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "src"))

from sup_sla_sync.core.calendar import WorkCalendar  # noqa: E402

from localredmine import LocalRedmine  # noqa: E402


def working_minutes_ago(calendar: WorkCalendar, now: datetime, minutes: float) -> datetime:
    """The instant `minutes` working minutes before `now` (found by bisection)."""
    low, high = now - timedelta(days=60), now
    for _ in range(60):
        middle = low + (high - low) / 2
        if calendar.working_minutes(middle, now) > minutes:
            low = middle
        else:
            high = middle
    return high.replace(microsecond=0)


def start_redmine() -> LocalRedmine:
    subprocess.run([str(REPO / "scripts/redmine/stop.sh"), str(STATE)], check=False)
    print("Starting a fresh local Redmine (the first time installs it from Debian's packages)...")
    subprocess.run([str(REPO / "scripts/redmine/start.sh"), str(STATE)], check=True)
    return LocalRedmine.from_env_file(STATE / "env.json")


def seed(rm: LocalRedmine, calendar: WorkCalendar, now: datetime) -> dict[str, int]:
    def ago(minutes: float) -> datetime:
        return working_minutes_ago(calendar, now, minutes)

    issues: dict[str, int] = {}
    # VIP, urgent defect, nobody answered for 100 working minutes: 60 were allowed.
    issues["breached"] = rm.create_issue(
        "vipclient1",
        "Не подписывается ЭСФ: ошибка 500 в NCALayer",
        description="ТОО «Астана Логистик», ИИН 880101300388, Иванов Иван Иванович.\n"
        "При подписании счёта-фактуры NCALayer выдаёт ошибку 500. Скриншот приложен.",
        tracker="Bug",
        priority="High",
        assigned_to="agent1",
    )
    rm.backdate_issue(issues["breached"], created=ago(100), journal_times=[])

    # VIP consultation in Kazakh, 95 of 120 working minutes gone: a reminder is due, and the
    # help centre's "Как добавить контрагента" is suggested (faq.example.toml).
    issues["at_risk"] = rm.create_issue(
        "vipclient1",
        "Контрагентті қалай қосуға болады?",
        description="Сәлеметсіз бе! Жаңа контрагентті порталға қалай қосамын? "
        "Серікбаев Арман Қайратұлы, ЖШС «Дала Трейд».",
        tracker="Support",
        assigned_to="agent2",
    )
    rm.backdate_issue(issues["at_risk"], created=ago(95), journal_times=[])

    # Basic request waiting two working days for the client's answer: auto-closed (rule 15).
    issues["waiting"] = rm.create_issue(
        "client1",
        "Как продлить регистрационное свидетельство ЭЦП?",
        description="Срок действия ключа истекает через неделю. Что делать?",
        tracker="Support",
        assigned_to="agent1",
    )
    rm.add_note(
        "agent1",
        issues["waiting"],
        "Добрый день! Уточните, пожалуйста, ИИН и наименование организации.",
        status="Feedback",
    )
    # The tool warned the client the day before (auto_close.warn_before_working_hours).
    rm.add_note(
        "sla-bot",
        issues["waiting"],
        "[sla:auto_close:warning] Мы ждём вашего ответа. Если ответа не будет, обращение "
        "будет закрыто (п. 15 регламента).",
    )
    rm.backdate_issue(issues["waiting"], created=ago(1140), journal_times=[ago(1080), ago(960)])

    # Basic request waiting six and a half working hours for the client: the public
    # warning that it will be closed, and when.
    issues["warned"] = rm.create_issue(
        "client1",
        "Не приходит уведомление о входящем документе",
        description="Иванов Иван Иванович, ИИН 880101300388, ТОО «Дала Трейд». "
        "Уведомления на почту перестали приходить.",
        tracker="Support",
        assigned_to="agent2",
    )
    rm.add_note(
        "agent2",
        issues["warned"],
        "Проверьте, пожалуйста, папку «Спам» и пришлите адрес почты из профиля.",
        status="Feedback",
    )
    rm.backdate_issue(issues["warned"], created=ago(420), journal_times=[ago(390)])

    # VIP request in Feedback whose client has just answered: back to work.
    issues["answered"] = rm.create_issue(
        "vipclient1",
        "Акт выполненных работ не отображается у контрагента",
        description="Отправили акт № 15 вчера, у контрагента его нет.",
        tracker="Bug",
        priority="Normal",
        assigned_to="agent2",
    )
    rm.add_note(
        "agent2", issues["answered"], "Пришлите, пожалуйста, БИН контрагента.", status="Feedback"
    )
    rm.add_note("vipclient1", issues["answered"], "БИН 123456789012.")
    rm.backdate_issue(issues["answered"], created=ago(200), journal_times=[ago(150), ago(10)])

    # VIP defect handed to development three working days ago (statuses.on_hold): the
    # resolution clock is paused with 500 of 540 minutes left, and it is never auto-closed.
    issues["on_hold"] = rm.create_issue(
        "vipclient1",
        "Ошибка 500 при выгрузке реестра документов",
        description="При выгрузке реестра за март портал возвращает ошибку 500.",
        tracker="Bug",
        priority="Normal",
        assigned_to="agent1",
    )
    rm.add_note(
        "agent1",
        issues["on_hold"],
        "Воспроизвели ошибку, передали в разработку.",
        status="With development",
    )
    rm.backdate_issue(issues["on_hold"], created=ago(1660), journal_times=[ago(1620)])

    # Basic request on a tracker the configuration does not map: the keywords decide.
    issues["keywords"] = rm.create_issue(
        "client2",
        "Ошибка при загрузке файла договора",
        description="Не загружается PDF, страница висит. Браузер Chrome.",
        tracker="Feature",
    )
    rm.backdate_issue(issues["keywords"], created=ago(30), journal_times=[])
    return issues


def write_config(rm: LocalRedmine) -> Path:
    path = STATE / "demo.toml"
    path.write_text(
        f"""[redmine]
url = "{rm.url}"
projects = ["edoc"]

[staff]
groups = ["Support"]
lead = "lead1"

[statuses]
on_hold = ["With development"]

[auto_close]
warn_before_working_hours = 2

[service_level]
vip_groups = ["VIP clients"]

[notes]
language = "ru"

[faq]
file = "{FAQ}"

[lock]
path = "demo.lock"
""",
        encoding="utf-8",
    )
    return path


def cli(config: Path, key: str, *args: str) -> None:
    command = ["sup-sla-sync", "--config", str(config.relative_to(REPO)), *args]
    print(f"\n$ {' '.join(command)}", flush=True)
    env = {**os.environ, "SUP_SLA_REDMINE__API_KEY": key}
    subprocess.run(
        [sys.executable, "-m", "sup_sla_sync", *command[1:]], env=env, check=False, cwd=REPO
    )


def main() -> None:
    rm = start_redmine()
    calendar = WorkCalendar()
    now = datetime.now(UTC)
    issues = seed(rm, calendar, now)
    config = write_config(rm)
    print(f"\nRedmine: {rm.url} (log in as sla-bot / {rm.password('sla-bot')})")
    when = (
        "working time"
        if calendar.is_working_time(now)
        else "outside working time: reminders and breach notes wait for 09:00"
    )
    print(f"Local time in Astana: {calendar.local(now):%Y-%m-%d %H:%M} ({when})")
    print("Demo issues: " + json.dumps(issues))
    key = rm.key("sla-bot")
    cli(config, key, "sync")
    cli(config, key, "queue")
    cli(config, key, "explain", str(issues["breached"]))
    # The waiting request: closed now in working hours, or held until they begin.
    cli(config, key, "explain", str(issues["waiting"]))
    print(
        "\nThe Redmine keeps running; stop it with: scripts/redmine/stop.sh .redmine/demo\n"
        f"Try: SUP_SLA_REDMINE__API_KEY={'<sla-bot key from .redmine/demo/env.json>'} "
        "sup-sla-sync --config .redmine/demo/demo.toml explain "
        f"{issues['on_hold']} --at '2026-12-01 17:00'"
    )


if __name__ == "__main__":
    main()
