"""Out of scope (rule 6): the five topics support does not handle.

A wrong "out of scope" note annoys agents, so :func:`out_of_scope` prefers precision: each
topic needs a specific phrase (an install verb next to a named third-party product, "интернет
не работает", "по закону мы обязаны", ...), never a lone keyword, and a request that reports an
error of the E-DOC portal itself gets no finding at all.

The word tables are declarative and use the pattern syntax of :mod:`sup_sla_sync.core.classify`
(``stem*``, ``*end``, ``a|b``, ``", "`` between phrases, ``…`` for a gap of up to four words),
matched against :func:`~sup_sla_sync.core.classify.normalize`-d text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..classify import (
    EN,
    ERROR,
    KK,
    RU,
    _compile,
    classify_category,
    examined,
    normalize,
    words_after,
    words_before,
)
from ..model import Category
from ..texts import LANGUAGES
from ..texts import text as note_text

THIRD_PARTY_INSTALL = "third_party_install"
WORKSTATION = "workstation"
CONNECTION = "connection"
LEGISLATION = "legislation"
THIRD_PARTIES = "third_parties"
TOPICS = (THIRD_PARTY_INSTALL, WORKSTATION, CONNECTION, LEGISLATION, THIRD_PARTIES)


@dataclass(frozen=True)
class ScopeFinding:
    """One topic of rule 6's "not handled" list and the phrases that showed it, normalised."""

    topic: str
    words: tuple[str, ...]


def _seq(*parts: str, gap: bool = False) -> str:
    """Every combination of the parts' ``", "``-separated phrases, in order, as one pattern."""
    combos = [""]
    for part in parts:
        combos = [
            f"{c} {'… ' if gap and c else ''}{p}".strip() for c in combos for p in part.split(", ")
        ]
    return ", ".join(combos)


def _either(a: str, b: str, gap: bool = True) -> str:
    return _seq(a, b, gap=gap) + ", " + _seq(b, a, gap=gap)


# Installing, asked for: infinitive, imperative, noun, "won't install". The past ("установил",
# "орнатқан", "installed") only tells the story, so it is left out.
INSTALL = (
    "установить|установите|установка|установку|установке|установкой|установки"
    "|переустановить|переустановите|переустановка|переустановку|переустановки"
    "|устанавливать|устанавливается|устанавливаются|инсталлировать|инсталляци*"
    "|поставить|поставьте"
    ", орнату*|орнатып|орнатыңыз*|орната|орнатылмай*|орнатпай*"
    ", install|installing|installation|reinstall|reinstalling|reinstallation|setup, set up"
)
# Software and devices the portal does not need. NCALayer, keys, tokens, browsers are needed
# for the portal: advice on them is handled (rule 6), so they are not here.
THIRD_PARTY_PRODUCTS = (
    "антивирус*|antivirus*|касперск*|kaspersky|eset|nod32|avast|avira|drweb, dr web, доктор веб"
    ", 1с|1c, microsoft|майкрософт|ms|мс office|офис, office|ворд|word|эксель|excel|outlook"
    ", принтер*|сканер*|мфу|printer*|scanner*"
    ", windows|виндовс*|виндоус*|винду|винда, операционн* систем*, operating system"
)
# Named anywhere in the request, software the portal needs makes "how do I install ..." a
# consultation; only asking support to do the installation stays out of scope.
PORTAL_SOFTWARE = (
    "ncalayer|нкалеер|нкалейер|нкалайер|нкалаер, nca|нка|нуц layer|лейер|леер|лайер"
    ", эцп|ецп|эцқ|ецқ|ecp|eds|эдс, сертификат*|certificate*|куәлі*"
    ", ключ|ключи|ключей|ключа|kaztoken|казтокен*|токен*|token*|etoken|jacarta|джакарта"
    ", java|джава, браузер*|browser*|chrome|хром|firefox|edge|opera|опера|яндекс"
    ", плагин*|plugin*|расширени*|extension*"
)
# "установите мне ..." is about installing only when the request names something to install:
# "установите мне роль администратора" is a portal question.
SOFTWARE = (
    "программ*|приложени*|софт|software|program*|application*|app|бағдарлам*|драйвер*|driver*"
)
INSTALL_FOR_US = (
    "установите|поставьте|переустановите|инсталлируйте|проинсталлируйте нам|мне"
    ", установите|поставьте|переустановите пожалуйста нам|мне"
    ", установить|переустановить|поставить|установите|переустановите за нас"
    ", удаленно|дистанционно установите|установить|переустановите|переустановить|поставить"
    ", установите|установить|переустановите|переустановить … удаленно|дистанционно"
    ", подключитесь … установите|переустановите"
    ", сделайте|произведите|выполните установку|переустановку"
    ", орнатып беріңіз*|бересіз*|беріңдер*|беріңізші|бере|берсеңіз*|берулеріңізді"
    ", қашықтан орнат*"
    ", install|reinstall … for us|me, can|could|would you install|reinstall"
    ", install|reinstall … remotely, remote installation|install|reinstall"
)
# "после установки 1С ...", "антивирус орнатудан кейін ...": the story, not a request.
NOT_A_REQUEST_BEFORE = ("после", "after", "since")
NOT_A_REQUEST_AFTER = ("кейін", "соң")

# The computer as the subject or the object of the sentence; "на компьютере" is only where
# something else happens ("на компьютере зависает NCALayer").
DEVICE = (
    "компьютер|компьютеры|комп|ноутбук|ноутбуки|ноут|пк|моноблок|компьютерім|компьютеріміз"
    "|ноутбугім|computer|computers|pc|laptop"
)
WORKSTATION_PATTERNS = (
    _seq(
        "проверьте|продиагностируйте|диагностируйте|диагностику|почините|отремонтируйте",
        f"{DEVICE}, рабочее место, рабочую станцию",
        gap=True,
    ),
    _seq(
        DEVICE,
        "тормозит|тормозят|зависает|зависают|виснет|глючит|греется|перегревается|шумит"
        "|перезагружается|выключается, не включается|загружается, медленно работает",
    ),
    _seq("медленно работает|тормозит|зависает|виснет|глючит, не включается", DEVICE),
    "синий экран, экран смерти, bsod, blue screen",
    "вирус|вирусы|вирусом|вирусов|вирусами|virus|viruses|вирусқа, вирус жұқ*",
    "клавиатура|мышь|мышка|монитор|принтер|сканер|мфу не работает|включается|печатает|сканирует",
    "клавиатура|мышь|мышка|монитор|принтер|сканер|мфу сломал*|сломан*",
    _either(
        "компьютерімді|компьютерді|компьютерлерді|ноутбукты|ноутбугімді",
        "тексеріңіз*|диагностикала*, тексеріп беріңіз*|бере*",
    ),
    _seq(
        "компьютер|компьютерім|компьютеріміз|ноутбук|ноутбугім",
        "баяу|қатып|өшіп|қосылмайды|істемейді|жүктелмейді",
    ),
    "check|diagnose|fix|repair|clean … computer*|pc|laptop*|workstation*",
    _seq(
        "computer*|pc|laptop*|workstation*",
        "slow|freezes|freezing|overheats|overheating, is slow|freezing, keeps restarting"
        ", wont|doesnt boot|start",
    ),
)

# Only the forms of "интернет" that speak of connectivity: "в интернете" (online) is left out.
NET = "интернет|интернета|интернетом|ғаламтор|internet"
NET_DEVICE = "wi fi, wifi|вайфай|роутер|модем|маршрутизатор, вай фай"
NET_DOWN = (
    "не работает|работают|подключается, пропал|пропадает|отключился|отключили|отключается"
    "|отключен|тормозит|глючит|лагает|упал|нестабильный|медленный|слабый"
    ", работает плохо|медленно|нестабильно, периодически|постоянно пропадает"
)
CONNECTION_PATTERNS = (
    _seq(
        "нет|нету|пропал|пропадает|отключили|отключают|плохой|медленный|слабый|нестабильный"
        ", не работает, плохо|медленно работает",
        f"{NET}, {NET_DEVICE}",
    ),
    _seq(f"{NET}, {NET_DEVICE}", NET_DOWN),
    _seq(f"{NET}, {NET_DEVICE}", "у нас|меня, вообще|опять|снова|постоянно|сегодня", NET_DOWN),
    _seq(f"{NET}, {NET_DEVICE}", "у нас|меня", "вообще|опять|снова|постоянно|сегодня", NET_DOWN),
    "проблем*|неполад* с интернетом|сетью|прокси|роутером|wifi"
    ", проблем*|неполад* с подключением|соединением к интернету|сети",
    "нет подключения|соединения|доступа к интернету|сети, нет сети",
    "прокси*|proxy*",
    "err_internet_disconnected|err_proxy_connection_failed|err_tunnel_connection_failed"
    "|err_network_changed|err_connection_timed_out|err_name_not_resolved",
    _seq("интернет|ғаламтор, интернет байланыс*", "жоқ|істемейді|баяу|нашар|өшіп|ажырап*|үзіл*"),
    _seq("интернетке|ғаламторға", "қосыла алмай*, қосылу мүмкін емес, қосылмай*"),
    "no internet|wifi",
    _seq(
        "internet|wifi|router|modem",
        "is down|slow|unstable, is not working, not working, down|dropped|drops, keeps dropping",
    ),
    "internet connection … down|lost|slow|unstable|problem*|issue*",
    "problem*|issue*|trouble with … internet|wifi|proxy|router",
)

LAW = (
    "закон|закона|закону|законом|законе|законы|законов|законам|законах|законодательств*"
    "|кодекс*|нпа, нормативн* акт*|актов"
    ", заң|заңы|заңның|заңға|заңда|заңын|заңына|заңнама*|кодекс*"
    ", law|laws|legislation, tax|civil|labour|labor code"
)
EXPLAIN = (
    "разъясните|объясните|поясните|растолкуйте|прокомментируйте|трактуйте|оцените|разъяснение"
    "|разъяснения|толкование|трактовку|трактовка"
)
LEGISLATION_PATTERNS = (
    "законно|законна|законен|законны|правомерно|правомерна|правомерны|легитимно|легитимен"
    "|легитимна|легально ли",
    _seq(
        "по закону|законодательству, согласно закону|законодательству"
        ", в соответствии с законом|законодательством",
        "должны|должен|должна|обязаны|обязан|обязана|можно|нужно|надо|вправе|разрешено|запрещено"
        "|требуется, имеем|имеет|имеют право",
        gap=True,
    ),
    _seq(f"{EXPLAIN}", LAW),
    _seq(
        EXPLAIN,
        "статью|статьи|статья|пункт|пункты|нормы|норму|положения|требования|требование",
        LAW,
        gap=True,
    ),
    _seq("противоречит|противоречат|нарушает|нарушают|нарушением|нарушение", LAW),
    _seq("соответствует|соответствуют ли", LAW, gap=True),
    "какой|какая|какие штраф*|пени|санкци*",  # not "ответственность": also a duty
    "юридическ* консультаци*|оценк*, консультаци* юриста, правов* оценк*|консультаци*",
    _seq(
        "заң|заңнама|заңнамасы|кодекс бойынша, заңға|заңнамаға сәйкес",
        "міндетті|міндеттіміз|рұқсат|тыйым, керек пе, бола ма",
        gap=True,
    ),
    "заңды ма, заңсыз ба, заңға сәйкес пе, заңға қайшы",
    _either("заң|заңның|заңын|заңнама*|кодекс*|бабын|бабы", "түсіндір*|бағала*|түсініктеме*"),
    "is it|this|that legal|lawful, legally required|obliged|obligated",
    _seq(
        "according to, under",
        "the law|legislation, law|legislation, the tax code",
        "must|required|obliged|should|allowed",
        gap=True,
    ),
    "interpret*|explain … law|legislation, interpret*|explain … tax code",
    "legal advice|opinion",
    _seq("does", "comply with, violate", "the law|legislation, law|legislation", gap=True),
)

PARTY = (
    "контрагент*|поставщик*|покупател*|заказчик*|партнер*|банк|банка|банком|нуц|цон|кгд"
    "|налоговая|налоговой|налоговую|госорган*|акимат*"
    ", другая|другой сторона|стороны|компании, третьи|третьих лиц, третьей стороны"
    ", контрагент*|жеткізуші*|серіктес*|банк*|салық, сатып алушы*, тапсырыс беруші*"
    ", үшінші тұлға*|тарап*"
    ", counterpart*|supplier*|vendor*|customer*|buyer*|partner*|bank, third parties"
    ", the other party"
)
PARTY_DECISION = (
    "отклонил*|отклоняет|отклоняют|отказал*|отказыва*|отозвал*|аннулировал*|требует|требуют"
    "|заблокировал*|игнорирует|игнорируют"
    ", не принял|приняли|принимает|принимают|подписал|подписала|подписали|подписывает|подписывают"
    ", так поступил*"
)
THIRD_PARTIES_PATTERNS = (
    _seq("почему|зачем, с какой целью, на каком основании", PARTY, PARTY_DECISION, gap=True),
    _seq(
        "почему … отклонен|отклонена|отклонено|отозван|отозвана|аннулирован|аннулирована",
        "контрагентом|поставщиком|покупателем|заказчиком|банком|партнером",
        gap=True,
    ),
    _seq(
        "объясните|поясните|прокомментируйте|оцените|разъясните",
        "действи*|поведени*|решени*|позици*",
        PARTY,
        gap=True,
    ),
    _seq(
        "правомерн*|законн*|правильн*|корректн* ли", "действи*|поведени*|решени*", PARTY, gap=True
    ),
    _seq("действи*|поведени*|решени*", PARTY, "правомерн*|законн*|корректн*|правильн*", gap=True),
    _seq("вправе ли, имеет|имеют ли право", PARTY, gap=True),
    _seq(
        "неге|неліктен, не себепті, не үшін",
        PARTY,
        "бас|кері тартты|тартады|қайтарды, қабылдамады|қабылдамайды|қайтарды, қол қоймады"
        "|қоймайды, талап ет*",
        gap=True,
    ),
    _seq(PARTY, "әрекет*|шешім*", "түсіндір*|бағала*, заңды ма", gap=True),
    _seq(
        "why",
        PARTY,
        "reject|rejected|refuse|refused|decline|declined|revoke|revoked|cancel|cancelled"
        "|canceled|require|requires|demand|demands"
        ", didnt|hasnt|wont sign|signed, did|has not sign|signed",
        gap=True,
    ),
    _seq(
        "explain|assess|evaluate|comment",
        "actions|behavior|behaviour|conduct|decision",
        PARTY,
        gap=True,
    ),
    _seq("does|do|is", PARTY, "have the right, entitled", gap=True),
)

# A request reporting an error of the portal itself is never out of scope: it mentions the
# portal and reads as a defect, or it names an error in one of the portal's functions.
PORTAL = "портал*|portal*|edoc|эдок, e doc, личн* кабинет*, жеке кабинет*"
PORTAL_FUNCTION = (
    "подпис*|подпиш*|эцп|ецп|эцқ|ecp|ncalayer|нкалеер|нкалейер|нкалайер|документ*|құжат*"
    "|document*|sign|signing|signature*|қолтаңба*|эсф|авр|договор*|шарт*, қол қой*, счет фактур*"
)
# classify's bare error words: ошибка, сбой, қате, error, failed ...
ERROR_WORDS = ", ".join(c.pattern for c in RU + KK + EN if c.kind == ERROR)

_INSTALL_FOR_US = _compile(INSTALL_FOR_US)
_INSTALL_PRODUCT = _compile(_either(INSTALL, THIRD_PARTY_PRODUCTS))
_PORTAL_SOFTWARE = _compile(PORTAL_SOFTWARE + ", портал*|portal*|edoc, e doc")
_INSTALL_OBJECT = _compile(", ".join((SOFTWARE, THIRD_PARTY_PRODUCTS, PORTAL_SOFTWARE)))
_SCOPE: dict[str, tuple[re.Pattern[str], ...]] = {
    WORKSTATION: tuple(_compile(p) for p in WORKSTATION_PATTERNS),
    CONNECTION: tuple(_compile(p) for p in CONNECTION_PATTERNS),
    LEGISLATION: tuple(_compile(p) for p in LEGISLATION_PATTERNS),
    THIRD_PARTIES: tuple(_compile(p) for p in THIRD_PARTIES_PATTERNS),
}
_PORTAL = _compile(PORTAL)
_PORTAL_FUNCTION = _compile(PORTAL_FUNCTION)
_ERROR_WORDS = _compile(ERROR_WORDS)
# "интернет-магазин", "интернет банкинг": a kind of shop or bank, not the connection.
_NET_COMPOUND = re.compile(
    r"\b(интернет|internet) (магазин|банк|ресурс|портал|сайт|страниц|издани|торгов|платеж|эквайр"
    r"|кассир|shop|store|bank|banking|portal)"
)


def _scope_text(raw: str) -> str:
    return _NET_COMPOUND.sub(r"\1_\2", normalize(raw))


def _words(rx: re.Pattern[str], text: str) -> list[str]:
    return [m.group(0) for m in rx.finditer(text)]


def _install_words(texts: Sequence[str]) -> list[str]:
    whole = " , ".join(texts)
    found = []
    for text in texts:
        if _INSTALL_OBJECT.search(whole):
            found += _words(_INSTALL_FOR_US, text)
        if _PORTAL_SOFTWARE.search(whole):
            continue
        for m in _INSTALL_PRODUCT.finditer(text):
            before = words_before(text, m.start(), 1)
            after = words_after(text, m.end(), 1)
            if set(before) & set(NOT_A_REQUEST_BEFORE) or set(after) & set(NOT_A_REQUEST_AFTER):
                continue
            found.append(m.group(0))
    return found


def _portal_error(subject: str, description: str, texts: Sequence[str]) -> bool:
    mentions_portal = any(_PORTAL.search(t) for t in texts)
    if mentions_portal and classify_category(subject, description).category == Category.DEFECT:
        return True
    return any(_ERROR_WORDS.search(t) and _PORTAL_FUNCTION.search(t) for t in texts)


def out_of_scope(subject: str, description: str) -> list[ScopeFinding]:
    """The rule-6 topics the request is about, in :data:`TOPICS` order, with the phrases found."""
    subject, description = examined(subject), examined(description)
    texts = [_scope_text(subject), _scope_text(description)]
    if _portal_error(subject, description, texts):
        return []
    findings = []
    for topic in TOPICS:
        if topic == THIRD_PARTY_INSTALL:
            words = _install_words(texts)
        else:
            words = [w for text in texts for rx in _SCOPE[topic] for w in _words(rx, text)]
        if words:
            findings.append(
                ScopeFinding(topic, tuple(dict.fromkeys(w.replace("_", " ") for w in words)))
            )
    return findings


def topics_found(subject: str, description: str) -> tuple[ScopeFinding, ...]:
    """:func:`out_of_scope` as the intake table runs it: the memo hands one answer to every
    caller, so it is a tuple nobody can change."""
    return tuple(out_of_scope(subject, description))


def scope_answer(topic: str, language: str) -> str:
    """The standard answer for a rule-6 topic in ``language`` (one of the note languages)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    return note_text(language, f"scope_answer.{topic}")


def note_params(found: Sequence[ScopeFinding], language: str) -> dict[str, str] | None:
    """The scope note's topics and the standard answer to each, or None: nothing found."""
    if not found:
        return None
    return {
        "topics": ", ".join(note_text(language, f"topic.{f.topic}") for f in found),
        "answer": "\n\n".join(scope_answer(f.topic, language) for f in found),
    }
