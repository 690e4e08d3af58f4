"""Help-centre suggestions (regulation rules 10 and 14): the desk's articles that match a
consultation, posted privately once so that the agent can answer with a link.

The articles come from the `[faq] file` (read by `adapters/faq_file.py`, outside the core);
here they are plain values. Matching uses the stems of the category classifier
(:func:`~sup_sla_sync.core.classify.normalize` and its pattern compiler): each word of a
keyword loses a common Russian, Kazakh or English ending and is matched as a prefix
("контрагента" finds контрагенту, контрагенттер, контрагентті); a word of four letters or
fewer takes only a listed ending ("акт": акта, акты, актісі, but not актуальный); a word
written with a final ``*`` is a prefix as written ("қой*"). The words of a phrase follow
each other, up to four words apart: in order, or either way for two words ("документы
хранятся" for "хранятся документы").

Scoring: every keyword that matches counts once, twice as much in the subject; a phrase
counts more than a word, and a keyword that several articles share counts less. Articles
far behind the best, or below :data:`MIN_SCORE`, are left out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .classify import DESCRIPTION_WEIGHT, SUBJECT_WEIGHT, _compile, examined, normalize
from .memo import MemoFn, no_memo
from .model import Category, People
from .tags import FAQ
from .texts import mentions, text
from .writes import Note

if TYPE_CHECKING:
    from .clocks import SlaView
    from .rules import Rules


def _longest_first(*groups: str) -> tuple[str, ...]:
    """Space-separated endings as one tuple, longest first (the first that fits is taken)."""
    endings = dict.fromkeys(e for group in groups for e in group.split())
    return tuple(sorted(endings, key=len, reverse=True))


# Endings a word may lose before it is matched as a prefix.
# Russian: noun, adjective and verb endings, stripped once.
RU_ENDINGS = _longest_first(
    "иями ями ами ого его ому ему ыми ими ться ение ание ения ания ений аний ением анием "
    "ость ости остью ает яет ует ают яют уют ать ять ить еть уть ах ях ов ев ей ой ый ий "
    "ая яя ое ее ые ие ую юю ом ем ам ям ия ию ии а я ы и у ю е о ь"
)
# Kazakh: plural, case and possessive suffixes, stripped again and again (контрагенттерді).
KK_ENDINGS = _longest_first(
    "ның нің дың дің тың тің ымыз іміз ыңыз іңіз мыз міз лар лер дар дер тар тер "
    "дан ден тан тен нан нен нда нде мен бен пен ға ге қа ке на не ды ді ты ті ны ні "
    "да де та те сы сі ым ім ың ің ы і а е у"
)
# English: plural, verb and noun endings, stripped once.
EN_ENDINGS = _longest_first("ations ation ings ing ies ied ed es s e y")
# What a short word may take: the endings above, and common Kazakh verb forms.
SHORT_CYRILLIC = _longest_first(
    " ".join(RU_ENDINGS),
    " ".join(KK_ENDINGS),
    "ісі ісін іне інде інің ін сын сіне сына ына ында ының ын ні ны "
    "амын емін ады еді ам ем асыз есіз ып іп ған ген қан кен атын етін "
    "ылады іледі ылмайды ілмейді майды мейді уға уге дым дім тым тім",
)
SHORT_LATIN = _longest_first(" ".join(EN_ENDINGS), "er ers")
PREFIX_MIN = 4  # a stem shorter than this would find unrelated words as a prefix
SHORT_WORD = 4  # words this long or shorter take only the endings above
KK_ROUNDS = 3

PHRASE_BONUS = 0.5  # per word of a phrase beyond the first
MIN_SCORE = 1.0  # one keyword of its own in the description
RELATIVE = 0.35  # an article scoring less than this share of the best is left out


_CYRILLIC = re.compile(r"[а-яәғқңөұүһі]")
_KAZAKH = re.compile(r"[әғқңөұүһі]")


def _strip_once(word: str, endings: Sequence[str], keep: int) -> str:
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= keep:
            return word[: -len(ending)]
    return word


def stem(word: str) -> str:
    """The part of a normalised word its forms share (at least :data:`PREFIX_MIN` letters).

    A Kazakh word (one with a Kazakh letter, or none a Russian ending fits) loses its
    stacked suffixes; a Russian or English word one ending.
    """
    if not _CYRILLIC.search(word):
        return _strip_once(word, EN_ENDINGS, PREFIX_MIN)
    russian = _strip_once(word, RU_ENDINGS, PREFIX_MIN)
    if russian != word and not _KAZAKH.search(word):
        return russian
    for _ in range(KK_ROUNDS):
        shorter = _strip_once(word, KK_ENDINGS, PREFIX_MIN)
        if shorter == word:
            break
        word = shorter
    return word


def _word_pattern(word: str, prefix: bool) -> str:
    if prefix:
        return f"{word}*"
    if any(ch.isdigit() for ch in word):
        return word
    if len(word) > SHORT_WORD:
        return f"{stem(word)}*"
    endings = SHORT_CYRILLIC if _CYRILLIC.search(word) else SHORT_LATIN
    base = _strip_once(word, endings, 2)
    return "|".join(dict.fromkeys([word, base, *(base + e for e in endings)]))


def _word_patterns(keyword: str) -> list[str]:
    words: list[str] = []
    for token in keyword.split():
        parts = normalize(token.rstrip("*")).split()
        for i, part in enumerate(parts):
            words.append(_word_pattern(part, token.endswith("*") and i == len(parts) - 1))
    return words


def keyword_pattern(keyword: str) -> str:
    """A keyword as a pattern of :mod:`.classify` ("" when it holds no word)."""
    words = _word_patterns(keyword)
    if len(words) == 2:
        # Word order is free in Russian and differs in Kazakh: "документы хранятся".
        return f"{words[0]} … {words[1]}, {words[1]} … {words[0]}"
    return " … ".join(words)


@dataclass(frozen=True)
class Article:
    """One help-centre article: what the note shows, and the words that find it."""

    title: str
    url: str
    keywords: tuple[str, ...]
    # Compiled once, when the article is made (outside the pass).
    patterns: tuple[tuple[str, int, re.Pattern[str]], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        found: dict[str, int] = {}
        for keyword in self.keywords:
            pattern = keyword_pattern(keyword)
            if pattern:
                found.setdefault(pattern, len(_word_patterns(keyword)))
        compiled = tuple((p, n, _compile(p)) for p, n in found.items())
        object.__setattr__(self, "patterns", compiled)


@dataclass(frozen=True)
class Suggestion:
    article: Article
    score: float
    matched: tuple[str, ...]  # the keywords' matches, as found in the text


def suggest(
    subject: str, description: str, articles: tuple[Article, ...], limit: int
) -> tuple[Suggestion, ...]:
    """The articles that match a request, best first, at most `limit`; () when none does."""
    subject, description = examined(subject), examined(description)
    shared = Counter(p for article in articles for p in {p for p, _, _ in article.patterns})
    texts = ((normalize(subject), SUBJECT_WEIGHT), (normalize(description), DESCRIPTION_WEIGHT))
    scored: list[Suggestion] = []
    for article in articles:
        score, matched = 0.0, []
        for pattern, words, rx in article.patterns:
            for body, weight in texts:
                if match := rx.search(body):
                    score += weight * (1 + PHRASE_BONUS * (words - 1)) / shared[pattern]
                    matched.append(match.group(0))
                    break
        if score >= MIN_SCORE:
            scored.append(Suggestion(article, round(score, 2), tuple(dict.fromkeys(matched))))
    if not scored:
        return ()
    # Stable: equal scores keep the file's order.
    scored.sort(key=lambda s: -s.score)
    best = scored[0].score
    return tuple(s for s in scored if s.score >= RELATIVE * best)[:limit]


def faq_note(
    view: SlaView, rules: Rules, people: People, tags: set[str], memo: MemoFn = no_memo
) -> Note | None:
    """The private `[sla:faq]` note for a consultation nobody has answered yet, once."""
    if not rules.faq or FAQ in tags:
        return None
    if view.classification.category is not Category.CONSULTATION:
        return None
    if not view.first_response.running:
        return None
    issue = view.issue
    subject, description = examined(issue.subject), examined(issue.description)
    found = memo(suggest, subject, description, rules.faq, rules.max_suggestions)
    if not found:
        return None
    assignee = people.login(issue.assigned_to_id)
    body = text(
        rules.language,
        "faq",
        mentions=mentions([assignee or people.login(people.lead_id)]),
        articles="\n".join(f"- {s.article.title}: {s.article.url}" for s in found),
    )
    return Note(FAQ, body, private=True)
