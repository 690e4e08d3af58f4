"""Every text the tool writes into the tracker, in Russian, Kazakh and English.

Plain sentences and `-` lists only, so the notes read the same under Markdown and Textile.
Each note starts with its machine-readable tag (added by the planner, not here).
"""

from __future__ import annotations

from collections.abc import Sequence

TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "clock.first_response": "срок первого ответа",
        "clock.resolution": "срок решения",
        "reminder": "Напоминание: {clock} — {due}; осталось {left} рабочего времени. {mentions}",
        "breach": "Нарушен {clock}: {due}, просрочено на {over} рабочего времени. {mentions}",
        "auto_close": (
            "Обращение закрыто: ответ от клиента не получен в течение {hours} рабочих часов "
            "(п. 15 регламента).\nВыполненные действия:\n\n{actions}"
        ),
        "auto_close.none": "- нет",
        "action.note": "- {when} — ответ поддержки: {text}",
        "action.status": "- {when} — статус: {old} → {new}",
        "reopen": "Клиент ответил — обращение возвращено в работу (статус «{status}»).",
        "priority": "Приоритет повышен до «{priority}»: в обращении есть слова {words}.",
        "minutes": "{m} мин",
        "hours": "{h} ч {m} мин",
        "intake.scope": (
            "Тема вне компетенции поддержки (п. 6 регламента): {topics}. {mentions}\n\n"
            "Предлагаемый ответ:\n\n{answer}"
        ),
        "intake.language": (
            "В обращении оскорбительные или нецензурные выражения ({words}); по п. 16 "
            "регламента обслуживание можно прекратить и сообщить руководителю. {mentions}"
        ),
        "intake.identity": (
            "Нет идентифицирующих данных (п. 11 регламента): {missing}. {mentions}"
        ),
        "topic.third_party_install": "установка стороннего ПО",
        "topic.workstation": "диагностика рабочего места пользователя",
        "topic.connection": "подключение к интернету или прокси",
        "topic.legislation": "толкование законодательства",
        "topic.third_parties": "действия третьих лиц",
        "missing.iin": "ИИН",
        "missing.iin_invalid": "ИИН (неверная контрольная цифра)",
        "missing.full_name": "ФИО",
        "missing.company": "наименование организации",
    },
    "kk": {
        "clock.first_response": "алғашқы жауап мерзімі",
        "clock.resolution": "шешу мерзімі",
        "reminder": ("Еске салу: {clock} — {due}; жұмыс уақытынан {left} қалды. {mentions}"),
        "breach": "{clock} бұзылды: {due}, жұмыс уақытынан {over} асып кетті. {mentions}",
        "auto_close": (
            "Өтініш жабылды: {hours} жұмыс сағаты ішінде клиенттен жауап алынбады "
            "(регламенттің 15-тармағы).\nОрындалған әрекеттер:\n\n{actions}"
        ),
        "auto_close.none": "- жоқ",
        "action.note": "- {when} — қолдау қызметінің жауабы: {text}",
        "action.status": "- {when} — мәртебе: {old} → {new}",
        "reopen": "Клиент жауап берді — өтініш жұмысқа қайтарылды («{status}» мәртебесі).",
        "priority": "Басымдық «{priority}» деңгейіне көтерілді: өтініште {words} сөздері бар.",
        "minutes": "{m} мин",
        "hours": "{h} сағ {m} мин",
        "intake.scope": (
            "Тақырып қолдау қызметінің құзыретіне кірмейді (регламенттің 6-тармағы): {topics}. "
            "{mentions}\n\nҰсынылатын жауап:\n\n{answer}"
        ),
        "intake.language": (
            "Өтініште қорлайтын немесе әдепсіз сөздер бар ({words}); регламенттің 16-тармағы "
            "бойынша қызмет көрсетуді тоқтатып, басшыға хабарлауға болады. {mentions}"
        ),
        "intake.identity": (
            "Сәйкестендіру деректері жоқ (регламенттің 11-тармағы): {missing}. {mentions}"
        ),
        "topic.third_party_install": "бөгде бағдарламалық қамтамасыз етуді орнату",
        "topic.workstation": "пайдаланушының жұмыс орнын диагностикалау",
        "topic.connection": "интернетке немесе проксиге қосылу",
        "topic.legislation": "заңнаманы түсіндіру",
        "topic.third_parties": "үшінші тұлғалардың әрекеттері",
        "missing.iin": "ЖСН",
        "missing.iin_invalid": "ЖСН (бақылау саны қате)",
        "missing.full_name": "аты-жөні",
        "missing.company": "ұйымның атауы",
    },
    "en": {
        "clock.first_response": "first response due",
        "clock.resolution": "resolution due",
        "reminder": "Reminder: {clock} {due}; {left} of working time left. {mentions}",
        "breach": "Breached: {clock} {due}, overdue by {over} of working time. {mentions}",
        "auto_close": (
            "Closed: no response received from the client within {hours} working hours "
            "(regulation, rule 15).\nActions performed:\n\n{actions}"
        ),
        "auto_close.none": "- none",
        "action.note": "- {when} — support replied: {text}",
        "action.status": "- {when} — status: {old} → {new}",
        "reopen": 'The client replied: the request is back in work (status "{status}").',
        "priority": 'Priority raised to "{priority}": the request says {words}.',
        "minutes": "{m} min",
        "hours": "{h} h {m} min",
        "intake.scope": (
            "Outside support's remit (regulation, rule 6): {topics}. {mentions}\n\n"
            "Suggested answer:\n\n{answer}"
        ),
        "intake.language": (
            "The request contains insulting or obscene language ({words}); under rule 16 "
            "support may stop serving the user and inform a supervisor. {mentions}"
        ),
        "intake.identity": "Identifying information missing (rule 11): {missing}. {mentions}",
        "topic.third_party_install": "installing third-party software",
        "topic.workstation": "diagnosing the user's workstation",
        "topic.connection": "internet or proxy connection",
        "topic.legislation": "interpreting legislation",
        "topic.third_parties": "actions of third parties",
        "missing.iin": "IIN",
        "missing.iin_invalid": "IIN (wrong check digit)",
        "missing.full_name": "full name",
        "missing.company": "company name",
    },
}

# Shown in the resolution-due field while the clock is paused (SPEC.md, fixed wording).
PAUSED_FIELD = "paused, {minutes} min left"


def text(language: str, key: str, **params: object) -> str:
    return TEXTS[language][key].format(**params).strip()


def duration(language: str, minutes: float) -> str:
    whole = max(0, int(minutes))
    hours, rest = divmod(whole, 60)
    if hours:
        return text(language, "hours", h=hours, m=rest)
    return text(language, "minutes", m=rest)


def mentions(logins: Sequence[str | None]) -> str:
    seen: list[str] = []
    for login in logins:
        if login and login not in seen:
            seen.append(login)
    return " ".join(f"@{login}" for login in seen)


def quote(words: Sequence[str]) -> str:
    return ", ".join(f"«{w}»" for w in words)


def snippet(note: str, limit: int = 120) -> str:
    """The first line of a note, shortened for a list of actions."""
    line = next((ln.strip() for ln in note.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"
