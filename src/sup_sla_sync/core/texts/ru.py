"""Russian: every text the tool writes in Russian.

Every language file holds the same keys; each text is a `str.format` template.
"""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # --- SLA notes and transitions --------------------------------------------------------
    "clock.first_response": "срок первого ответа",
    "clock.resolution": "срок решения",
    "reminder": "Напоминание: {clock} — {due}; осталось {left} рабочего времени. {mentions}",
    "breach": "Нарушен {clock}: {due}, просрочено на {over} рабочего времени. {mentions}",
    "escalation": (
        "Эскалация, уровень {level}: {clock} — {due}, просрочено на {over} рабочего времени. "
        "{mentions}"
    ),
    "auto_close": (
        "Обращение закрыто: ответ от клиента не получен в течение {hours} рабочих часов "
        "(п. 15 регламента).\nВыполненные действия:\n\n{actions}"
    ),
    "auto_close.none": "- нет",
    "auto_close.warning": (
        "Мы ждём вашего ответа. Если ответа не будет, обращение будет закрыто {when} "
        "(п. 15 регламента: {hours} рабочих часов без ответа клиента)."
    ),
    "auto_close.when": "%d.%m.%Y в %H:%M",
    "action.note": "- {when} — ответ поддержки: {text}",
    "action.status": "- {when} — статус: {old} → {new}",
    "reopen": "Клиент ответил — обращение возвращено в работу (статус «{status}»).",
    "priority": "Приоритет повышен до «{priority}»: в обращении есть слова {words}.",
    "minutes": "{m} мин",
    "hours": "{h} ч {m} мин",
    # --- `report` (table and HTML) ---------------------------------------------------------
    "report.title": "Соблюдение SLA",
    "report.heading": "Соблюдение SLA по обращениям, созданным с {since} по {until}",
    "report.period": (
        "Обращения, созданные с {since} по {until} (местные даты, любой статус), "
        "по состоянию на {generated}."
    ),
    "report.decimal": ",",
    "report.pct": "{n}\u00a0%",
    "report.date": "%d.%m.%Y",
    "report.datetime": "%d.%m.%Y %H:%M",
    "report.na": "н/д",
    "report.dim.level": "уровень",
    "report.dim.priority": "приоритет",
    "report.dim.category": "категория",
    "report.dim.policy": "договор",
    "report.dim.assignee": "исполнитель",
    "report.level.vip": "VIP",
    "report.level.basic": "базовый",
    "report.priority.immediate": "немедленный",
    "report.priority.urgent": "срочный",
    "report.priority.normal": "обычный",
    "report.category.consultation": "консультация",
    "report.category.defect": "ошибка",
    "report.policy.default": "по умолчанию",
    "report.unassigned": "не назначен",
    "report.user": "пользователь {id}",
    "report.all": "все",
    "report.issues": "обращений",
    "report.issues_created": "создано обращений",
    "report.breached": "с нарушением",
    "report.first_response_met": "первый ответ в срок",
    "report.resolution_met": "решение в срок",
    "report.median_first_response": "медиана первого ответа, раб. мин",
    "report.median_resolution": "медиана решения, раб. мин",
    "report.clock.first_response": "первый ответ",
    "report.clock.resolution": "решение",
    "report.chart": "Соблюдение SLA: {dimension}",
    "report.chart.weekly": "Нарушения по неделям создания (ISO)",
    "report.chart.span": "с {first} по {last}",
    "report.week": "нед. {week}",
    "report.groups": "Группировка: {dimensions}",
    "report.breached_issues": "Обращения с нарушением SLA ({count})",
    "report.no_breach": "Ни одно обращение, созданное за период, не нарушило SLA.",
    "report.no_issues": "(за период обращений не создано)",
    "report.col.issue": "№",
    "report.col.created": "создано",
    "report.col.missed": "просрочено",
    "report.col.status": "статус",
    "report.col.subject": "тема",
    "report.legend": "медианы в рабочих минутах; «-»: пока ничего не решено (не остановлено)",
    "report.breached_count": "с нарушением: {count}",
    "report.notes": (
        "В срок: часы остановились в пределах норматива. Просрочено: норматив истёк — ответ "
        "дан поздно или ещё не дан. Обращения, чьи часы ещё идут (или на паузе) в пределах "
        "норматива, не входят ни туда, ни туда, а значит и в процент. Медианы — в рабочих "
        "минутах (решение — без времени паузы) по остановившимся часам. Обращения, созданные "
        "уже решёнными или закрытыми, учитываются только в числе обращений. Исполнитель — "
        "тот, кто был назначен, когда остановились часы решения, или текущий, пока они идут."
    ),
    # --- Intake notes (rules 6, 11, 16) ---------------------------------------------------
    "intake.scope": (
        "Тема вне компетенции поддержки (п. 6 регламента): {topics}. {mentions}\n\n"
        "Предлагаемый ответ:\n\n{answer}"
    ),
    "intake.language": (
        "В обращении оскорбительные или нецензурные выражения ({words}); по п. 16 "
        "регламента обслуживание можно прекратить и сообщить руководителю. {mentions}"
    ),
    "intake.identity": "Нет идентифицирующих данных (п. 11 регламента): {missing}. {mentions}",
    "topic.third_party_install": "установка стороннего ПО",
    "topic.workstation": "диагностика рабочего места пользователя",
    "topic.connection": "подключение к интернету или прокси",
    "topic.legislation": "толкование законодательства",
    "topic.third_parties": "действия третьих лиц",
    "missing.iin": "ИИН",
    "missing.iin_invalid": "ИИН (неверная контрольная цифра)",
    "missing.full_name": "ФИО",
    "missing.company": "наименование организации",
    # --- Standard answers, one per rule-6 topic (the wording of the regulation's original) --
    "scope_answer.third_party_install": (
        "Согласно п. 6 регламента техническая поддержка не выполняет установку стороннего "
        "программного обеспечения. Пожалуйста, обратитесь к вашему системному администратору "
        "или к разработчику этой программы. Мы с радостью проконсультируем по работе портала "
        "E-DOC и дадим общие рекомендации по выбору программ, необходимых для работы на "
        "портале."
    ),
    "scope_answer.workstation": (
        "Согласно п. 6 регламента техническая поддержка не проводит диагностику рабочего места "
        "пользователя (компьютера, его оборудования и настроек). Пожалуйста, обратитесь к "
        "вашему системному администратору или в сервисный центр. Если ошибка возникает при "
        "работе на портале E-DOC, опишите, пожалуйста, последовательность действий и "
        "приложите снимок экрана — мы её проверим."
    ),
    "scope_answer.connection": (
        "Согласно п. 6 регламента техническая поддержка не решает вопросы подключения к "
        "интернету и через прокси-сервер. Пожалуйста, обратитесь к вашему интернет-провайдеру "
        "или системному администратору. Если после восстановления подключения портал E-DOC "
        "работает с ошибкой, пожалуйста, сообщите нам."
    ),
    "scope_answer.legislation": (
        "Согласно п. 6 регламента техническая поддержка не даёт разъяснений и оценок "
        "законодательства Республики Казахстан. По правовым вопросам, пожалуйста, обратитесь "
        "к юристу или в уполномоченный государственный орган. Мы с радостью "
        "проконсультируем по работе функций портала E-DOC."
    ),
    "scope_answer.third_parties": (
        "Согласно п. 6 регламента техническая поддержка не даёт объяснений и оценок действий "
        "третьих лиц. Пожалуйста, уточните этот вопрос непосредственно у вашего контрагента "
        "или в соответствующей организации. Если вы считаете, что портал E-DOC сработал "
        "неверно, опишите, пожалуйста, ваши действия и приложите снимок экрана — мы проверим."
    ),
    # --- The public request for missing identifying information (rule 11) -----------------
    "identity_request.intro": (
        "Здравствуйте! Чтобы мы могли рассмотреть ваше обращение, согласно п. 11 регламента "
        "технической поддержки просим сообщить:"
    ),
    "identity_request.iin": "- ваш ИИН (12 цифр);",
    "identity_request.full_name": "- вашу фамилию, имя и отчество (при наличии);",
    "identity_request.company": (
        "- наименование организации, от имени которой вы обращаетесь (если вы её представляете)."
    ),
    "identity_request.iin_invalid": (
        "Указанный ИИН не проходит проверку контрольной цифры — пожалуйста, проверьте его."
    ),
    "identity_request.outro": (
        "Мы продолжим работу по обращению сразу после получения этих данных. Спасибо!"
    ),
    # --- Help-centre suggestion (rules 10, 14) ---------------------------------------------
    "faq": (
        "Статьи справочного центра по теме обращения: можно ответить ссылкой "
        "(пп. 10 и 14 регламента). {mentions}\n\n{articles}"
    ),
    # --- The acknowledgement: the client's receipt (rule 13) -------------------------------
    "acknowledge": (
        "Здравствуйте! Ваше обращение зарегистрировано под № {number} (п. 13 регламента). "
        "Категория: {category}; приоритет: {priority}."
    ),
    "acknowledge.opens": "Сейчас нерабочее время; работа по обращению начнётся: {when}.",
    "acknowledge.due": "Срок первого ответа специалиста: {when}.",
    "acknowledge.within": "Первый ответ специалиста — в течение {minutes} минут.",
    "acknowledge.when": "{weekday}, %d.%m.%Y, %H:%M",
    "acknowledge.category.consultation": "консультация",
    "acknowledge.category.defect": "ошибка (неисправность)",
    "acknowledge.priority.normal": "обычный",
    "acknowledge.priority.urgent": "срочный",
    "acknowledge.priority.immediate": "немедленный",
    "weekday.0": "понедельник",
    "weekday.1": "вторник",
    "weekday.2": "среда",
    "weekday.3": "четверг",
    "weekday.4": "пятница",
    "weekday.5": "суббота",
    "weekday.6": "воскресенье",
    # --- Сохранённые запросы задач (`setup-script`) -----------------------------------------
    "query.queue": "Очередь SLA",
    "query.mine": "Моя очередь SLA",
    "query.breached": "Нарушен SLA",
}
