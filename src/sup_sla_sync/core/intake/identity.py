"""Identifying information (rule 11) of a basic-level request: the IIN with a valid check
digit, the full name, the company.

:func:`identity_check` says what the request carries; :func:`identity_request` is the polite
public request for what is missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..classify import examined
from ..texts import LANGUAGES
from ..texts import text as note_text

IIN = "iin"
FULL_NAME = "full_name"
COMPANY = "company"
IDENTITY_ITEMS = (IIN, FULL_NAME, COMPANY)

IIN_WEIGHTS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
IIN_WEIGHTS_AGAIN = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)


@dataclass(frozen=True)
class IdentityCheck:
    """What rule 11's identifying information the request carries.

    ``iin`` is the IIN found (the labelled one if any), ``iin_valid`` whether its check digit
    holds; an IIN with a bad check digit is listed in ``missing`` like an absent one.
    """

    iin: str | None
    iin_valid: bool
    has_full_name: bool
    has_company: bool
    missing: tuple[str, ...]


def iin_is_valid(value: str) -> bool:
    """The check digit of a Kazakh IIN or BIN (12 digits; spaces and hyphens allowed).

    Weights 1..11 over the first eleven digits, sum mod 11; a result of 10 is computed again
    with weights 3..11, 1, 2, and a second 10 means no number is issued with these digits.
    """
    digits = re.sub(r"[ -]", "", value)
    if len(digits) != 12 or not digits.isascii() or not digits.isdigit():
        return False
    nums = [int(d) for d in digits]
    for weights in (IIN_WEIGHTS, IIN_WEIGHTS_AGAIN):
        check = sum(w * n for w, n in zip(weights, nums, strict=False)) % 11
        if check != 10:
            return check == nums[11]
    return False


# Twelve digits, whole or in groups of 3, 4 or 6 ("940140000385", "940 140 000 385").
_IIN_CANDIDATE = re.compile(
    r"(?<!\d)(?<!\d[ -])(\d{12}|\d{3}(?:[ -]\d{3}){3}|\d{4}(?:[ -]\d{4}){2}|\d{6}[ -]\d{6})"
    r"(?![ -]?\d)"
)
_IIN_LABEL = re.compile(r"(?:ИИН|ЖСН|IIN|ИИН\s*/\s*БИН|ЖСН\s*/\s*БСН|IIN\s*/\s*BIN)\W{0,4}$", re.I)
_BIN_LABEL = re.compile(r"(?:БИН|БСН|BIN)\W{0,4}$", re.I)


def _iin_shaped(digits: str) -> bool:
    """YYMMDD, then the century-and-sex digit (0 for some foreigners): not a BIN or a count."""
    month, day, century = int(digits[2:4]), int(digits[4:6]), int(digits[6])
    return 1 <= month <= 12 and 1 <= day <= 31 and century <= 6


def _find_iin(text: str) -> str | None:
    labelled, unlabelled = [], []
    for m in _IIN_CANDIDATE.finditer(text):
        digits = re.sub(r"[ -]", "", m.group(1))
        before = text[max(0, m.start() - 16) : m.start()]
        if _IIN_LABEL.search(before):
            labelled.append(digits)
        elif not _BIN_LABEL.search(before) and _iin_shaped(digits):
            unlabelled.append(digits)
    for group in (labelled, unlabelled):
        if group:
            return next((d for d in group if iin_is_valid(d)), group[0])
    return None


_UP = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_SP = r"[ \t\u00a0]+"  # within a line: a name never runs on into the next one
_QUOTED = r"[«\"“„‘]\s*([^»\"”“’\n]{2,80}?)\s*[»\"”“’]"
# After a legal form a straight single quote quotes too (ТОО 'Ромашка'); elsewhere it is an
# apostrophe.
_QUOTED_AFTER_FORM = rf"(?:{_QUOTED}|'\s*([^'\n]{{2,80}}?)\s*')"
_LOW = "a-zа-яёәғқңөұүһі"
# A capitalised or all-capital name, possibly double-barrelled (Мухаммед-Али, Петрова-Водкина).
_TITLE = rf"[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
_NAME = rf"(?:{_TITLE}|[{_UP}]{{2,}}(?:-[{_UP}]{{2,}})?)"
# Patronymics: Russian -ович/-евна/-ична/-ич, Kazakh -ұлы/-қызы (also written apart), Turkic
# оглы/кызы, and their Latin spellings.
PATRONYMIC_ENDINGS = (
    "вич|вна|ична|ьич|мич|кич|тич|ұлы|улы|қызы|кызы|оглы|угли"
    "|vich|vna|ichna|uly|ulu|kyzy|qyzy|kizi|ogly|ugli"
)
SURNAME_ENDINGS = (
    "ов|ова|ев|ева|ёв|ёва|ин|ина|ын|ына|ский|ская|цкий|цкая|енко|ук|юк|ян|дзе|швили|ұлы|улы|қызы|кызы"
    "|ov|ova|ev|eva|yev|yeva|sky|skiy|skaya|enko|uly|kyzy|yan|dze|shvili"
)
# Capitalised pairs that end like surnames but are products, places or greetings.
NOT_A_SURNAME = frozenset(
    {"касперский", "kaspersky", "магазин", "казахстан", "бин", "иин", "login", "admin", "astana"}
)
_PATRONYMIC = (
    rf"(?:{_NAME}{_SP}(?:ұлы|улы|қызы|кызы|оглы|угли|uly|kyzy)"
    rf"|[{_UP}]\w*(?i:{PATRONYMIC_ENDINGS}))"
)
_FULL_NAME_PATTERNS = (
    # Иванов Иван Иванович / Сериков Нұрлан Ержанұлы / Иван Иванович Иванов.
    rf"\b{_NAME}{_SP}{_NAME}{_SP}{_PATRONYMIC}\b",
    rf"\b{_NAME}{_SP}{_PATRONYMIC}{_SP}{_NAME}\b",
    # Иванов И.И. / И. И. Иванов
    rf"\b{_NAME}{_SP}[{_UP}]\.\s?[{_UP}]\.",
    rf"(?<!\w)[{_UP}]\.\s?[{_UP}]\.\s?{_NAME}\b",
    # The name the user gives after a label or a sign-off, patronymic or not.
    r"(?i:ф\.?\s?и\.?\s?о\.?|аты[- ]жөні\w*|аты[- ]жоні\w*|толық аты\w*|full name|name|"
    r"заявитель|контактное лицо|contact person|пользователь|отправитель)\s*[:—-]\s*"
    rf"{_NAME}{_SP}{_NAME}",
    r"(?i:с уважением|меня зовут|my name is|regards|sincerely|құрметпен|менің атым)\s*[,:—-]?"
    rf"\s+{_NAME}{_SP}{_NAME}",
)
_FULL_NAME = tuple(re.compile(p) for p in _FULL_NAME_PATTERNS)
# Title case only: in capitals "НЕ РАБОТАЕТ ПОДПИСАНИЕ ДОКУМЕНТОВ" would pass for a name.
_NAME_PAIR = re.compile(rf"\b({_TITLE}){_SP}({_TITLE})\b")
_SURNAME = re.compile(rf"(?i:{SURNAME_ENDINGS})$")


def _has_full_name(subject: str, description: str) -> bool:
    # Quoted text is a company's or a document's name: «Алтын Дән» is nobody's surname.
    subject, description = (re.sub(_QUOTED, " ", t) for t in (subject, description))
    if any(rx.search(t) for rx in _FULL_NAME for t in (subject, description)):
        return True
    # Иванов Иван, Ivanova Aigerim: two names, one ending like a surname. Not in the subject,
    # whose Title Case ("Подписание Документов") is no name.
    for m in _NAME_PAIR.finditer(description):
        pair = (m.group(1), m.group(2))
        if any(w.casefold() in NOT_A_SURNAME for w in pair):
            continue
        if any(len(w) > 3 and _SURNAME.search(w) for w in pair):
            return True
    return False


# Legal forms; abbreviations count only as typed in capitals (ИП is never "ип", ПК is a PC).
COMPANY_FORMS = (
    "ТОО|ЖШС|АО|АҚ|АК|ИП|ЖК|ЧП|КХ|ШҚ|ФХ|ГУ|КГУ|ММ|КММ|РГП|ГКП|КГП|РМК|МКК|ОО|ҚБ|ОФ|НАО|КеАҚ|ПТ"
    "|LLP|LLC|JSC|Ltd|LTD|Inc|GmbH"
)
COMPANY_WORDS = (
    "товарищество с ограниченной ответственностью|акционерное общество"
    "|индивидуальный предприниматель|крестьянское хозяйство|государственное учреждение"
    "|жауапкершілігі шектеулі серіктест\\w*|акционерлік қоғам\\w*|жеке кәсіпкер\\w*"
    "|limited liability (?:partnership|company)|joint[- ]stock company|individual entrepreneur"
    "|компания|организация|предприятие|фирма|компаниясы|ұйым\\w*|мекеме\\w*|company"
)
# Words after a form that are not a name: abbreviations of the portal's trade and pronouns.
NOT_A_COMPANY_NAME = frozenset(
    {"ЭЦП", "ЕЦП", "ЭЦҚ", "ЭСФ", "НУЦ", "ЦОН", "ИИН", "БИН", "ЖСН", "БСН", "РК", "ҚР", "И"}
)
_UNQUOTED = rf"([{_UP}0-9][\w&.-]*)"
_FORM_THEN_NAME = re.compile(
    rf"(?<!\w)(?:{COMPANY_FORMS})[ \t\u00a0]*(?:{_QUOTED_AFTER_FORM}|{_SP}{_UNQUOTED})"
)
_LOWER_FORM_THEN_QUOTED = re.compile(
    rf"(?<!\w)(?i:{COMPANY_FORMS}|{COMPANY_WORDS})[ \t\u00a0]*{_QUOTED_AFTER_FORM}"
)
_QUOTED_THEN_FORM = re.compile(rf"{_QUOTED}[ \t\u00a0]*(?:{COMPANY_FORMS})(?!\w)")
# Kazakh and English put the form after the name: Ромашка ЖШС, Green Field LLP.
_NAME_THEN_FORM = re.compile(
    rf"(?<!\w)({_TITLE}){_SP}(?:ЖШС|АҚ|ЖК|ШҚ|LLP|LLC|JSC|Ltd|LTD|Inc|GmbH)(?!\w)"
)
_COMPANY_LABEL = re.compile(
    r"(?i:компания|организация|наименование организации|наименование компании|company"
    r"|company name|ұйым|ұйымның атауы|компания атауы)\s*:\s*\S+"
)
# Capitalised words that stand before a form without naming a company ("Жаңа ЖШС ашылды").
NOT_BEFORE_FORM = frozenset(
    {"Біз", "Мен", "Біздің", "Менің", "Сіз", "Сіздің", "Жаңа", "Бұл", "Осы", "Сол", "Ол", "Басқа"}
    | {"Our", "The", "A", "New"}
)


def _has_company(text: str) -> bool:
    for m in _FORM_THEN_NAME.finditer(text):
        name = next((g for g in m.groups() if g), None)
        if name and name.strip() not in NOT_A_COMPANY_NAME:
            return True
    if _LOWER_FORM_THEN_QUOTED.search(text) or _QUOTED_THEN_FORM.search(text):
        return True
    if any(m.group(1) not in NOT_BEFORE_FORM for m in _NAME_THEN_FORM.finditer(text)):
        return True
    return bool(_COMPANY_LABEL.search(text))


def identity_check(subject: str, description: str) -> IdentityCheck:
    """Rule 11 for a basic-level request: the IIN, the full name and the company it names."""
    subject, description = examined(subject), examined(description)
    text = f"{subject}\n{description}"
    iin = _find_iin(text)
    valid = iin is not None and iin_is_valid(iin)
    has_name = _has_full_name(subject, description)
    has_company = _has_company(text)
    missing = tuple(
        item
        for item, present in ((IIN, valid), (FULL_NAME, has_name), (COMPANY, has_company))
        if not present
    )
    return IdentityCheck(iin, valid, has_name, has_company, missing)


def identity_request(missing: Iterable[str], language: str, *, iin_invalid: bool = False) -> str:
    """The polite public request for exactly the ``missing`` items, in ``language``.

    With ``iin_invalid`` (an IIN was given but its check digit is wrong) the text says so.
    """
    items = [item for item in IDENTITY_ITEMS if item in set(missing)]
    unknown = set(missing) - set(IDENTITY_ITEMS)
    if unknown:
        raise ValueError(f"unknown items {sorted(unknown)}; expected some of {IDENTITY_ITEMS}")
    if not items:
        raise ValueError("nothing is missing: no request to make")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    lines = [note_text(language, f"identity_request.{item}") for item in items]
    # The last item closes the list with a full stop.
    lines[-1] = lines[-1].rstrip(";.") + "."
    parts = [note_text(language, "identity_request.intro"), "\n".join(lines)]
    if iin_invalid and IIN in items:
        parts.append(note_text(language, "identity_request.iin_invalid"))
    parts.append(note_text(language, "identity_request.outro"))
    return "\n\n".join(parts)


def _iin_invalid(check: IdentityCheck) -> bool:
    return check.iin is not None and not check.iin_valid


def note_params(check: IdentityCheck, language: str) -> dict[str, str] | None:
    """The identity note's missing items, or None: nothing is missing."""
    if not check.missing:
        return None
    invalid = _iin_invalid(check)
    missing = [
        note_text(language, "missing.iin_invalid" if m == IIN and invalid else f"missing.{m}")
        for m in check.missing
    ]
    return {"missing": ", ".join(missing)}


def request_text(check: IdentityCheck, language: str) -> str | None:
    """The public request for what is missing, or None: nothing is."""
    if not check.missing:
        return None
    return identity_request(check.missing, language, iin_invalid=_iin_invalid(check))
