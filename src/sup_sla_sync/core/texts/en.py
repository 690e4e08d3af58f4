"""English: every text the tool writes in English.

Every language file holds the same keys; each text is a `str.format` template.
"""

from __future__ import annotations

TEXTS: dict[str, str] = {
    # --- SLA notes and transitions --------------------------------------------------------
    "clock.first_response": "first response due",
    "clock.resolution": "resolution due",
    "clock.update": "next update to the client due",
    "reminder": "Reminder: {clock} {due}; {left} of working time left. {mentions}",
    "breach": "Breached: {clock} {due}, overdue by {over} of working time. {mentions}",
    "escalation": (
        "Escalation, level {level}: {clock} {due}, overdue by {over} of working time. {mentions}"
    ),
    "auto_close": (
        "Closed: no response received from the client within {hours} working hours "
        "(regulation, rule 15).\nActions performed:\n\n{actions}"
    ),
    "auto_close.none": "- none",
    "auto_close.warning": (
        "We are waiting for your answer. Without an answer, the request will be closed on "
        "{when} (regulation, rule 15: {hours} working hours without the client's response)."
    ),
    "auto_close.when": "%d.%m.%Y at %H:%M",
    "action.note": "- {when} — support replied: {text}",
    "action.status": "- {when} — status: {old} → {new}",
    "reopen": 'The client replied: the request is back in work (status "{status}").',
    "priority": 'Priority raised to "{priority}": the request says {words}.',
    "minutes": "{m} min",
    "hours": "{h} h {m} min",
    # --- `report` (table and HTML) ---------------------------------------------------------
    "report.title": "SLA compliance",
    "report.heading": "SLA compliance of the issues created {since} to {until}",
    "report.period": (
        "Issues created from {since} to {until} (local dates, any status), as of {generated}."
    ),
    "report.decimal": ".",
    "report.pct": "{n}%",
    "report.date": "%Y-%m-%d",
    "report.datetime": "%Y-%m-%d %H:%M",
    "report.na": "n/a",
    "report.dim.level": "level",
    "report.dim.priority": "priority",
    "report.dim.category": "category",
    "report.dim.policy": "contract policy",
    "report.dim.assignee": "assignee",
    "report.level.vip": "vip",
    "report.level.basic": "basic",
    "report.priority.immediate": "immediate",
    "report.priority.urgent": "urgent",
    "report.priority.normal": "normal",
    "report.category.consultation": "consultation",
    "report.category.defect": "defect",
    "report.policy.default": "default",
    "report.unassigned": "unassigned",
    "report.user": "user {id}",
    "report.all": "all",
    "report.issues": "issues",
    "report.issues_created": "issues created",
    "report.breached": "breached",
    "report.first_response_met": "first response met",
    "report.resolution_met": "resolution met",
    "report.update_on_time": "updates on time",
    "report.median_first_response": "median first response, working min",
    "report.median_resolution": "median resolution, working min",
    "report.clock.first_response": "first response",
    "report.clock.resolution": "resolution",
    "report.chart": "Compliance by {dimension}",
    "report.chart.weekly": "Breached issues per ISO week of creation",
    "report.chart.span": "{first} to {last}",
    "report.week": "W{week}",
    "report.groups": "By {dimensions}",
    "report.breached_issues": "Breached issues ({count})",
    "report.no_breach": "No issue created in the period breached its SLA.",
    "report.no_issues": "(no issues created in the period)",
    "report.col.issue": "#",
    "report.col.created": "created",
    "report.col.missed": "missed",
    "report.col.status": "status",
    "report.col.subject": "subject",
    "report.legend": "medians in working minutes; '-': nothing decided (or stopped) yet",
    "report.breached_count": "breached: {count}",
    "report.notes": (
        "Met: the clock stopped within its target. Missed: the target passed, answered late "
        "or not yet. Issues whose clock is still running (or paused) within its target are in "
        "neither, so not in the percentage. Medians are working minutes (resolution without "
        "paused time) over the clocks that stopped. Issues created already resolved or closed "
        "count as issues only. The assignee is the one when the resolution clock stopped, or "
        "the current one while it runs."
    ),
    "report.notes.update": (
        "Updates on time: the share of the update clock's intervals (from a public staff note"
        " to the next, counted while the resolution clock runs) whose next public note came "
        "within the target; intervals still open within it are in neither."
    ),
    # --- Intake notes (rules 6, 11, 16) ---------------------------------------------------
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
    # --- Standard answers, one per rule-6 topic (the wording of the regulation's original) --
    "scope_answer.third_party_install": (
        "Under rule 6 of the support regulation, technical support does not install "
        "third-party software. Please contact your system administrator or the software's "
        "vendor. We will gladly advise on how the E-DOC portal works and give general advice "
        "on choosing the software the portal needs."
    ),
    "scope_answer.workstation": (
        "Under rule 6 of the support regulation, technical support does not diagnose the "
        "user's workstation (the computer, its hardware and settings). Please contact your "
        "system administrator or a service centre. If the error occurs while you work on the "
        "E-DOC portal, please describe the steps you took and attach a screenshot, and we "
        "will look into it."
    ),
    "scope_answer.connection": (
        "Under rule 6 of the support regulation, technical support does not handle internet "
        "or proxy connection problems. Please contact your internet provider or system "
        "administrator. If the E-DOC portal still shows an error once the connection is "
        "restored, please let us know."
    ),
    "scope_answer.legislation": (
        "Under rule 6 of the support regulation, technical support does not interpret or "
        "assess the laws of the Republic of Kazakhstan. For legal questions, please consult "
        "a lawyer or the competent government body. We will gladly advise on how the E-DOC "
        "portal's functions work."
    ),
    "scope_answer.third_parties": (
        "Under rule 6 of the support regulation, technical support does not explain or "
        "assess the actions of third parties. Please raise the question directly with your "
        "counterparty or the organisation concerned. If you believe the E-DOC portal behaved "
        "incorrectly, please describe your steps and attach a screenshot, and we will check."
    ),
    # --- The public request for missing identifying information (rule 11) -----------------
    "identity_request.intro": (
        "Hello! To process your request, rule 11 of the support regulation asks you to provide:"
    ),
    "identity_request.iin": "- your IIN (12 digits);",
    "identity_request.full_name": "- your surname, first name and patronymic (if any);",
    "identity_request.company": (
        "- the name of the company on whose behalf you contact us (if you represent one)."
    ),
    "identity_request.iin_invalid": (
        "The IIN you gave fails the check-digit validation; please check it."
    ),
    "identity_request.outro": (
        "We will continue with your request as soon as we have these details. Thank you!"
    ),
    # --- Help-centre suggestion (rules 10, 14) ---------------------------------------------
    "faq": (
        "Help-centre articles on this request: it may be answered with a link "
        "(regulation, rules 10 and 14). {mentions}\n\n{articles}"
    ),
    # --- The acknowledgement: the client's receipt (rule 13) -------------------------------
    "acknowledge": (
        "Hello! Your request is registered as #{number} (rule 13 of the regulation). "
        "Category: {category}; priority: {priority}."
    ),
    "acknowledge.opens": "It is outside working hours now; work on the request starts: {when}.",
    "acknowledge.due": "First answer due by: {when}.",
    "acknowledge.within": "First answer from a specialist: within {minutes} minutes.",
    "acknowledge.when": "{weekday}, %d.%m.%Y, %H:%M",
    "acknowledge.category.consultation": "consultation",
    "acknowledge.category.defect": "error (defect)",
    "acknowledge.priority.normal": "normal",
    "acknowledge.priority.urgent": "urgent",
    "acknowledge.priority.immediate": "immediate",
    "weekday.0": "Monday",
    "weekday.1": "Tuesday",
    "weekday.2": "Wednesday",
    "weekday.3": "Thursday",
    "weekday.4": "Friday",
    "weekday.5": "Saturday",
    "weekday.6": "Sunday",
    # --- Saved issue queries (`setup-script`): the queue inside the tracker --------------
    "query.queue": "SLA queue",
    "query.mine": "My SLA queue",
    "query.breached": "SLA breached",
}
