"""Guess a request's category (regulation rule 4) and its explicit urgency words.

Transparent keyword/stem rules, no model: every cue that fired is reported, so a support
engineer can see why a request was read as a *defect* ("the portal does not perform, or
performs wrongly, a function described in its rules of use") or a *consultation* (a question
about how a function works). Requests come in Russian, Kazakh and English; all tables are
applied to all text, because mixed-language requests are common.

Pattern syntax of the tables (matched against :func:`normalize`-d text, whole words):

* words separated by spaces must follow each other: ``"белый экран"``;
* ``stem*`` is a prefix (``"ошибк*"``: ошибка, ошибки, ошибкой), ``*end`` a suffix
  (``"*мейді"``: істемейді, келмейді);
* ``a|b`` inside one word is an alternative (``"не *ет|*ится"``), ``", "`` separates
  whole alternative phrases (``"каким образом, можно ли"``);
* ``…`` lets up to four words stand between its neighbours (``"so … dont"``).

Scoring: each cue counts once per field, weighted; subject cues count double. The score is
defect evidence minus consultation evidence; the request is a defect only if it is positive,
so ties and requests with no signal are consultations (the basic case).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .model import Category

D = Category.DEFECT
C = Category.CONSULTATION

# Cue kinds. "error" cues are the bare words for an error; an "avoid" cue anywhere in the
# request ("how do I avoid the error ...") makes them hypothetical, so they are dropped.
PLAIN, ERROR, AVOID = "plain", "error", "avoid"

SUBJECT_WEIGHT = 2.0
DESCRIPTION_WEIGHT = 1.0


@dataclass(frozen=True)
class Cue:
    pattern: str
    weight: float
    category: Category
    kind: str = PLAIN


def _d(pattern: str, weight: float = 2.0, kind: str = PLAIN) -> Cue:
    return Cue(pattern, weight, D, kind)


def _c(pattern: str, weight: float = 1.0, kind: str = PLAIN) -> Cue:
    return Cue(pattern, weight, C, kind)


# --- Russian ---------------------------------------------------------------------------------
RU: tuple[Cue, ...] = (
    _d("ошибк*|ошибок|ошибочн*", kind=ERROR),
    _d("сбой|сбоя|сбои|сбоем", kind=ERROR),
    # Negated present tense: не работает / не открывается / не подписывается / не приходят.
    # Infinitives ("чтобы не получить") and past tense ("ещё не открыл") are left out.
    _d("не *ет|*ут|*ют|*ит|*ат|*ят|*ется|*ются|*ится|*ятся"),
    _d("не могу|можем|удалось|удается|получилось|получается", 1.5),
    _d("завис*|висит|висят|виснет|тормозит|глючит|глюк*|баг|баги"),
    _d("вылета*|выкидыва*|падает|падают|упал|упала|упало|упали", 1.5),
    _d("белый|пустой экран|страница"),
    _d("бесконечно|крутится", 1.5),
    _d("пропал*|исчез*|перестал*", 1.5),
    _d("неактивн*|недоступ*|заблокирован*", 1.0),
    _d("неверн*|неправильн*|некорректн*", 1.0),
    _d("дубл*|дважды", 1.0),
    _d("отсутству*", 1.0),
    _d("не найден*, доступ запрещен", 1.0),
    _d("пошло не так"),
    # Expectation vs reality ("хотя все поля заполнены") is how malfunctions are described.
    _d("хотя, до сих пор", 1.0),
    # It used to work: a regression, not a how-to.
    _d("раньше|вчера … работал*|работало"),
    _d("раньше такого не было, раньше … без проблем"),
    _d("выдает|выскакивает", 0.5),
    _c("как|где|сколько"),
    _c("какой|какая|какое|какие|какую|каких|каком|каким"),
    _c("каким образом, можно|возможно|нужно|надо|есть ли, подскаж*", 1.5),
    _c("что означает|значит|делать|нужно", 1.5),
    _c("расскажите|объясните|уточните|опишите", 1.5),
    _c("избежать, чтобы не", 1.5, AVOID),
)

# --- Kazakh ----------------------------------------------------------------------------------
KK: tuple[Cue, ...] = (
    # қате also means "wrong" (қате сома), which is still evidence of a fault.
    _d("қате*|ақау*", kind=ERROR),
    # Negated present: жұмыс істемейді, ашылмайды, қол қойылмайды, келмейді. The -и forms are
    # the same words typed without Kazakh letters (жуктелмейди).
    _d("*мейді|*майды|*бейді|*байды|*пейді|*пайды|*мейди|*майди|*бейди|*пейди"),
    # Negated past: алмады, көмектеспеді, болмады.
    _d("*меді|*мады|*беді|*бады|*педі|*пады|*меди", 1.5),
    _d("алмай*", 1.5),  # -а алмаймын: "I cannot" (кіре алмаймын, қоя алмаймын)
    _d("ақ|бос экран|бет"),
    _d("қатып қал*"),
    # -ып қалды / -май қалды: an unexpected change of state (тұрып қалды, келмей қалды).
    _d("*ып|*іп|*май|*мей қалды|қалады", 1.0),
    _d("шексіз|тоқтап*|тоқтады|құлады|құлап*|жоғалып*|жоғалды", 1.5),
    _d("екі рет, бұғатта*, жарамсыз, тыйым салынған", 1.0),
    _d("дұрыс|белсенді емес", 1.0),
    _d("бірақ", 1.0),  # expectation vs reality
    _d("кеше бәрі", 1.5),  # it worked yesterday
    _c("қалай|қайда|қайдан|қандай|қанша|қашан"),
    _c("бола ма|ме", 1.5),
    _c("ма|ме|ба|бе|па|пе", 0.5),  # question particles
    _c("нені білдіреді, не істеу керек", 1.5),
    _c("айтып жіберіңіз*, айтыңыз*|түсіндіріп*|түсіндіріңіз*", 1.5),
    _c("болдырмау*", 1.5, AVOID),
    # Negative verbal noun of purpose: қате шықпауы үшін, "so that no error appears".
    _c("*мауы|*меуі|*бауы|*беуі|*пауы|*пеуі үшін", 1.5, AVOID),
)

# --- English ---------------------------------------------------------------------------------
EN: tuple[Cue, ...] = (
    _d("error*|errors", kind=ERROR),
    _d("exception*|fail|fails|failed|failing|failure", kind=ERROR),
    _d("crash*|bug|bugs|buggy|broken|stuck|hang|hangs|hanging|freez*|frozen"),
    _d(
        "doesnt|dont|wont|isnt|arent|not "
        "work|working|load|loading|open|opening|run|running|respond|responding"
        "|arrive|arriving|show|showing|appear|upload|send|sign|save"
    ),
    _d("no longer, went wrong"),
    _d("cant|cannot|unable|stopped|disappeared|vanished|missing|unresponsive", 1.5),
    _d("white|blank screen|page"),
    _d("greyed|grayed out", 1.5),
    _d("timeout, timed out", 1.5),
    _d("worked", 1.5),  # it used to work
    _d("never|forever|empty|wrong|incorrect|invalid|inactive|blocked", 1.0),
    _d("duplicate*|twice", 1.0),
    _d("although, even though", 1.0),
    _d("but|still", 0.5),
    _c("how|where|what|which"),
    _c("is it possible, can i|we|someone|it|they, could you, do you, is|are there", 1.5),
    _c("should we|i, do i|we need, what does … mean", 1.5),
    _c("explain, tell me, walk me through", 1.5),
    _c("avoid*|prevent*, so … dont|doesnt|wont", 1.5, AVOID),
)

# --- Language-neutral ------------------------------------------------------------------------
NEUTRAL: tuple[Cue, ...] = (
    _d("cannot read propert*, is not a function, of undefined, of null"),  # JS error messages
    # HTTP reason phrases quoted from an error page or API response.
    _d(
        "bad gateway, internal server error, server error, service unavailable, gateway timeout"
        ", forbidden, unauthorized, too many requests",
        1.5,
    ),
    _d("скрин*|screenshot*", 0.5),  # a screenshot is attached to show a malfunction
)

# Stack-trace lines, matched on the raw text (they need their punctuation).
STACK_TRACE = (
    r"Traceback \(most recent call last\)",
    r'File "[^"\n]+", line \d+',
    r"(?m)^\s*at [\w$.<>/]+ ?\([^)\n]*\)\s*$",  # Java, .NET, JavaScript frames
    r"(?m)^\s*at \S+:\d+:\d+\s*$",  # anonymous JavaScript frame
    r"\b[A-Z]\w*(?:Error|Exception)\b",
    r"\bUncaught\b",
)
STACK_TRACE_WEIGHT = 3.0

# HTTP error statuses. A bare 4xx/5xx number counts unless a unit follows it
# ("500 тенге", "400 документов" are amounts, not statuses).
HTTP_CODES = frozenset(
    {"400", "401", "403", "404", "405", "408", "409", "413", "415", "422", "429"}
    | {"500", "501", "502", "503", "504"}
)
HTTP_WEIGHT = 1.5
NOT_HTTP_AFTER = (
    "тенге",
    "теңге",
    "тг",
    "kzt",
    "руб",
    "мб",
    "mb",
    "кб",
    "kb",
    "шт",
    "документ",
    "құжат",
    "document",
    "доку",
    "минут",
    "секунд",
    "second",
    "minute",
    "рет",
    "раз",
)

QUESTION_MARK_WEIGHT = 0.5

Where = Literal["subject", "description"]


@dataclass(frozen=True)
class CategoryGuess:
    """The guessed category, the net evidence for a defect and the cues that fired.

    ``score`` is defect evidence minus consultation evidence; ``category`` is DEFECT iff it is
    positive. ``matched`` lists ``"<field>/<category>/<cue>"`` in the order found.
    """

    category: Category
    score: float
    matched: tuple[str, ...]


# --- Normalisation and pattern compilation -----------------------------------------------

_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NON_WORD = re.compile(r"[^\w]+")


# The characters of a text the classifier, the priority suggester, the help-centre matcher
# and the intake checks look at (about 5,000 words): a request is at its start; a 5 MB
# description must cost what 32 KB does (SPEC.md, principle 8: no input stalls a pass).
MAX_EXAMINED = 32_768
_CONTEXT = 256  # characters around a match that its neighbouring words are taken from


def examined(text: str) -> str:
    """The part of `text` that is examined (its first MAX_EXAMINED characters)."""
    return text[:MAX_EXAMINED]


def words_before(text: str, start: int, count: int) -> list[str]:
    """The last `count` whole words of `text` before `start`, read from a bounded window
    (a word cut by the window's edge is dropped): linear, whatever the number of matches."""
    left = max(0, start - _CONTEXT)
    words = text[left:start].split()
    if left > 0 and words and not text[left].isspace() and not text[left - 1].isspace():
        words = words[1:]
    return words[-count:] if count else []


def words_after(text: str, end: int, count: int) -> list[str]:
    """The first `count` words of `text` after `end`, from a bounded window."""
    return text[end : end + _CONTEXT].split()[:count]


def normalize(text: str) -> str:
    """Casefold, ё→е, drop apostrophes (don't → dont), punctuation to single spaces."""
    text = text.casefold().replace("ё", "е")
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def _word_regex(word: str) -> str:
    alts = []
    for alt in word.split("|"):
        if alt.endswith("*"):
            alts.append(re.escape(alt[:-1]) + r"\w*")
        elif alt.startswith("*"):
            alts.append(r"\w*" + re.escape(alt[1:]))
        else:
            alts.append(re.escape(alt))
    return "(?:" + "|".join(alts) + ")"


def _phrase_regex(phrase: str) -> str:
    parts: list[str] = []
    sep = ""
    for word in phrase.split():
        if word == "…":
            sep = r"(?: \w+){0,4} "
            continue
        parts.append(sep + _word_regex(word))
        sep = " "
    return "".join(parts)


def _compile(pattern: str) -> re.Pattern[str]:
    alts = "|".join(_phrase_regex(p) for p in pattern.split(", "))
    return re.compile(r"(?<!\w)(?:" + alts + r")(?!\w)")


_TABLES = RU + KK + EN + NEUTRAL
_COMPILED = tuple((cue, _compile(cue.pattern)) for cue in _TABLES)
_STACK_TRACE = tuple(re.compile(p) for p in STACK_TRACE)
_NUMBER_THEN_WORD = re.compile(r"(?<!\w)(\d{3})(?!\w)(?: (\w+))?")


@dataclass(frozen=True)
class _Hit:
    where: Where
    category: Category
    label: str
    weight: float
    kind: str


def _hits(raw: str, where: Where) -> list[_Hit]:
    text = normalize(raw)
    factor = SUBJECT_WEIGHT if where == "subject" else DESCRIPTION_WEIGHT
    hits = [
        _Hit(where, cue.category, match.group(0), cue.weight * factor, cue.kind)
        for cue, rx in _COMPILED
        if (match := rx.search(text))
    ]
    if any(rx.search(raw) for rx in _STACK_TRACE):
        hits.append(_Hit(where, D, "stack trace", STACK_TRACE_WEIGHT * factor, PLAIN))
    for code, after in _NUMBER_THEN_WORD.findall(text):
        if code in HTTP_CODES and not (after and after.startswith(NOT_HTTP_AFTER)):
            hits.append(_Hit(where, D, f"http {code}", HTTP_WEIGHT * factor, PLAIN))
            break
    if "?" in raw:
        hits.append(_Hit(where, C, "?", QUESTION_MARK_WEIGHT * factor, PLAIN))
    return hits


def classify_category(subject: str, description: str) -> CategoryGuess:
    """Guess consultation vs defect from a request's subject and description."""
    subject, description = examined(subject), examined(description)
    hits = _hits(subject, "subject") + _hits(description, "description")
    avoided = any(h.kind == AVOID for h in hits)
    score = 0.0
    matched = []
    for h in hits:
        if avoided and h.kind == ERROR:
            matched.append(f"{h.where}/ignored/{h.label}")
            continue
        score += h.weight if h.category == D else -h.weight
        matched.append(f"{h.where}/{h.category.value}/{h.label}")
    category = D if score > 0 else C
    return CategoryGuess(category, round(score, 2), tuple(matched))


# --- Urgency -------------------------------------------------------------------------------

# Explicit urgency words of the regulation, with their priority. "immediate" words ask for
# the immediate priority, the others for urgent.
URGENCY: tuple[tuple[str, Literal["urgent", "immediate"]], ...] = (
    ("срочн*", "urgent"),
    ("шұғыл*", "urgent"),
    ("urgent*", "urgent"),
    ("asap", "urgent"),
    ("as soon as possible", "urgent"),
    ("немедленн*", "immediate"),
    ("дереу", "immediate"),
    ("immediate*", "immediate"),
)
# A negation right before the urgency word, possibly through an intensifier (не срочно,
# не очень срочно, not urgent, not that urgent, non-urgent), or емес right after it
# (шұғыл емес), cancels it. "несрочно"/"nonurgent" never match: the stems are whole-word.
NEGATIONS_BEFORE = ("не", "not", "non", "no", "isnt", "nothing")
INTENSIFIERS = ("очень", "так", "совсем", "особо", "уж", "very", "that", "so", "really", "too")
NEGATIONS_AFTER = ("емес",)
# "crashes immediately after login" describes behaviour, it is not a request.
NOT_URGENCY_AFTER = {"immediately": ("after", "when", "on", "upon", "once", "as")}

_URGENCY = tuple((_compile(p), prio) for p, prio in URGENCY)


def _negated(before: list[str], after: list[str]) -> bool:
    if after and after[0] in NEGATIONS_AFTER:
        return True
    for word in reversed(before):
        if word not in INTENSIFIERS:
            return word in NEGATIONS_BEFORE
    return False


def _urgency_hits(text: str) -> list[tuple[int, str, Literal["urgent", "immediate"]]]:
    norm = normalize(examined(text))
    found = []
    for rx, prio in _URGENCY:
        for m in rx.finditer(norm):
            word = m.group(0)
            before = words_before(norm, m.start(), 3)
            after = words_after(norm, m.end(), 1)
            if _negated(before, after) or (after and after[0] in NOT_URGENCY_AFTER.get(word, ())):
                continue
            found.append((m.start(), word, prio))
    return sorted(found)


def urgency_words(text: str) -> tuple[str, ...]:
    """The explicit, non-negated urgency words in ``text``, normalised, in order, no repeats."""
    return tuple(dict.fromkeys(word for _, word, _prio in _urgency_hits(text)))


def suggest_priority(text: str) -> Literal["urgent", "immediate"] | None:
    """Immediate for немедленно/дереу/immediately, urgent for the other urgency words."""
    prios = {prio for _, _word, prio in _urgency_hits(text)}
    if "immediate" in prios:
        return "immediate"
    return "urgent" if prios else None


# --- The language of a request -------------------------------------------------------------


# Short words each of the three languages uses all the time and the others do not (Kazakh
# "не", "да" are Russian words too, so left out): with the cue tables above, the evidence
# of the language a request is written in.
def _words(*lines: str) -> frozenset[str]:
    """Space-separated words as a set."""
    return frozenset(" ".join(lines).split())


FUNCTION_WORDS: dict[str, frozenset[str]] = {
    "ru": _words(
        "и в во не на что с со по для как это я мы вы у при из от или но же ли уже нет",
        "если почему когда чтобы нам нас меня мне наш наша наши ваш был была было",
    ),
    "kk": _words(
        "және мен бен пен үшін бұл осы жоқ бар емес керек қалай неге біз сіз сіздің біздің",
        "ол оны мұнда ғой ма ме ба бе па пе әлі тағы",
    ),
    "en": _words(
        "the a an and is are was to of in on for i we my our not it this that with please",
        "can cannot how what when why you your have has do does",
    ),
}
KAZAKH_LETTER_WEIGHT = 2.0  # a word with ә, ғ, қ, ң, ө, ұ, ү, һ or і: Kazakh, nearly always

_CUE_TABLES = (("ru", RU), ("kk", KK), ("en", EN))
_LANGUAGE_CUES = tuple(
    (language, _compile(cue.pattern)) for language, table in _CUE_TABLES for cue in table
)
_KAZAKH_LETTER = re.compile(r"[әғқңөұүһі]")
_CYRILLIC_LETTER = re.compile(r"[а-яәғқңөұүһі]")
_LATIN_LETTER = re.compile(r"[a-z]")


def language_scores(subject: str, description: str) -> tuple[dict[str, float], int, int]:
    """The evidence for each language ("ru", "kk", "en") in a request's subject and
    description (its cues of the classifier's tables that fire, its function words and, for
    Kazakh, its words with Kazakh letters), and how many of its words are in Cyrillic and
    in Latin letters."""
    text = normalize(f"{examined(subject)}\n{examined(description)}")
    words = text.split()
    cyrillic = sum(1 for w in words if _CYRILLIC_LETTER.search(w))
    latin = sum(1 for w in words if _LATIN_LETTER.search(w) and not _CYRILLIC_LETTER.search(w))
    scores = dict.fromkeys(("ru", "kk", "en"), 0.0)
    for language, rx in _LANGUAGE_CUES:
        if rx.search(text):
            scores[language] += 1
    for word in words:
        for language, function_words in FUNCTION_WORDS.items():
            if word in function_words:
                scores[language] += 1
        if _KAZAKH_LETTER.search(word):
            scores["kk"] += KAZAKH_LETTER_WEIGHT
    return scores, cyrillic, latin


# Cyrillic words enough to read a request as Russian or Kazakh even when more of its words
# are Latin: a client quoting an English error message or stack trace still writes in theirs.
MIN_CYRILLIC_WORDS = 2


def request_language(subject: str, description: str) -> str | None:
    """The language a request is written in: "ru", "kk" or "en"; None when unsure (no
    evidence, or as much for Russian as for Kazakh)."""
    scores, cyrillic, latin = language_scores(subject, description)
    ru, kk = scores["ru"], scores["kk"]
    if max(ru, kk) > 0 and (cyrillic >= latin or cyrillic >= MIN_CYRILLIC_WORDS):
        return None if ru == kk else ("ru" if ru > kk else "kk")
    return "en" if scores["en"] > 0 and latin > 0 else None
