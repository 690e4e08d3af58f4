"""Intake checks on a new request: out of scope (rule 6), insults (rules 9, 16), identity (rule 11).

Pure detection, no I/O: the caller posts the findings once, as a private note to the assignee,
and may post :func:`identity_request` publicly and wait for the client.

* :func:`out_of_scope` reads the request against the five topics support does not handle. A
  wrong "out of scope" note annoys agents, so it prefers precision: each topic needs a specific
  phrase (an install verb next to a named third-party product, "интернет не работает", "по закону
  мы обязаны", ...), never a lone keyword, and a request that reports an error of the E-DOC
  portal itself gets no finding at all.
* :func:`offensive_words` finds insults and obscenities in ru/kk/en, through word forms and
  simple obfuscation, and returns them masked only.
* :func:`identity_check` looks for the identifying information of rule 11 (IIN with a valid
  check digit, full name, company) in basic-level requests.

The word tables are declarative and use the pattern syntax of :mod:`sup_sla_sync.core.classify`
(``stem*``, ``*end``, ``a|b``, ``", "`` between phrases, ``…`` for a gap of up to four words),
matched against :func:`~sup_sla_sync.core.classify.normalize`-d text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .classify import EN, ERROR, KK, RU, _compile, classify_category, normalize
from .model import Category

LANGUAGES = ("ru", "kk", "en")

# --- Out of scope (rule 6) ------------------------------------------------------------------

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
            before = text[: m.start()].split()[-1:]
            after = text[m.end() :].split()[:1]
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


# Standard answers, one per topic, citing rule 6 (the wording of the regulation's original).
SCOPE_ANSWERS: dict[str, dict[str, str]] = {
    THIRD_PARTY_INSTALL: {
        "ru": (
            "Согласно п. 6 регламента техническая поддержка не выполняет установку стороннего "
            "программного обеспечения. Пожалуйста, обратитесь к вашему системному администратору "
            "или к разработчику этой программы. Мы с радостью проконсультируем по работе портала "
            "E-DOC и дадим общие рекомендации по выбору программ, необходимых для работы на "
            "портале."
        ),
        "kk": (
            "Регламенттің 6-тармағына сәйкес техникалық қолдау қызметі бөгде әзірлеушілердің "
            "бағдарламалық өнімдерін орнатпайды. Жүйелік әкімшіңізге немесе осы бағдарламаны "
            "әзірлеушіге жүгінуіңізді сұраймыз. E-DOC порталының жұмысы бойынша кеңес беруге және "
            "порталда жұмыс істеу үшін қажетті бағдарламаларды таңдау бойынша жалпы ұсыныстар "
            "беруге әрқашан дайынбыз."
        ),
        "en": (
            "Under rule 6 of the support regulation, technical support does not install "
            "third-party software. Please contact your system administrator or the software's "
            "vendor. We will gladly advise on how the E-DOC portal works and give general advice "
            "on choosing the software the portal needs."
        ),
    },
    WORKSTATION: {
        "ru": (
            "Согласно п. 6 регламента техническая поддержка не проводит диагностику рабочего места "
            "пользователя (компьютера, его оборудования и настроек). Пожалуйста, обратитесь к "
            "вашему системному администратору или в сервисный центр. Если ошибка возникает при "
            "работе на портале E-DOC, опишите, пожалуйста, последовательность действий и "
            "приложите снимок экрана — мы её проверим."
        ),
        "kk": (
            "Регламенттің 6-тармағына сәйкес техникалық қолдау қызметі пайдаланушының жұмыс "
            "орнын (компьютерді, оның жабдықтары мен баптауларын) диагностикаламайды. Жүйелік "
            "әкімшіңізге немесе сервистік орталыққа жүгінуіңізді сұраймыз. Егер қате E-DOC "
            "порталында жұмыс істеген кезде шықса, әрекеттер тізбегін сипаттап, экранның "
            "суретін қоса жіберіңіз — біз оны тексереміз."
        ),
        "en": (
            "Under rule 6 of the support regulation, technical support does not diagnose the "
            "user's workstation (the computer, its hardware and settings). Please contact your "
            "system administrator or a service centre. If the error occurs while you work on the "
            "E-DOC portal, please describe the steps you took and attach a screenshot, and we "
            "will look into it."
        ),
    },
    CONNECTION: {
        "ru": (
            "Согласно п. 6 регламента техническая поддержка не решает вопросы подключения к "
            "интернету и через прокси-сервер. Пожалуйста, обратитесь к вашему интернет-провайдеру "
            "или системному администратору. Если после восстановления подключения портал E-DOC "
            "работает с ошибкой, пожалуйста, сообщите нам."
        ),
        "kk": (
            "Регламенттің 6-тармағына сәйкес техникалық қолдау қызметі ғаламтор, прокси арқылы "
            "байланыс орнату мәселелерін шешпейді. Интернет-провайдеріңізге немесе жүйелік "
            "әкімшіңізге жүгінуіңізді сұраймыз. Егер байланыс қалпына келгеннен кейін E-DOC "
            "порталы қатемен жұмыс істесе, бізге хабарлаңыз."
        ),
        "en": (
            "Under rule 6 of the support regulation, technical support does not handle internet "
            "or proxy connection problems. Please contact your internet provider or system "
            "administrator. If the E-DOC portal still shows an error once the connection is "
            "restored, please let us know."
        ),
    },
    LEGISLATION: {
        "ru": (
            "Согласно п. 6 регламента техническая поддержка не даёт разъяснений и оценок "
            "законодательства Республики Казахстан. По правовым вопросам, пожалуйста, обратитесь "
            "к юристу или в уполномоченный государственный орган. Мы с радостью "
            "проконсультируем по работе функций портала E-DOC."
        ),
        "kk": (
            "Регламенттің 6-тармағына сәйкес техникалық қолдау қызметі Қазақстан Республикасының "
            "заңнамалық актілерін түсіндірмейді және бағаламайды. Құқықтық мәселелер бойынша "
            "заңгерге немесе уәкілетті мемлекеттік органға жүгінуіңізді сұраймыз. E-DOC "
            "порталының функциялары бойынша кеңес беруге әрқашан дайынбыз."
        ),
        "en": (
            "Under rule 6 of the support regulation, technical support does not interpret or "
            "assess the laws of the Republic of Kazakhstan. For legal questions, please consult "
            "a lawyer or the competent government body. We will gladly advise on how the E-DOC "
            "portal's functions work."
        ),
    },
    THIRD_PARTIES: {
        "ru": (
            "Согласно п. 6 регламента техническая поддержка не даёт объяснений и оценок действий "
            "третьих лиц. Пожалуйста, уточните этот вопрос непосредственно у вашего контрагента "
            "или в соответствующей организации. Если вы считаете, что портал E-DOC сработал "
            "неверно, опишите, пожалуйста, ваши действия и приложите снимок экрана — мы проверим."
        ),
        "kk": (
            "Регламенттің 6-тармағына сәйкес техникалық қолдау қызметі үшінші тұлғалардың "
            "іс-әрекеттерін түсіндірмейді және бағаламайды. Бұл мәселені тікелей контрагентіңізден "
            "немесе тиісті ұйымнан нақтылауыңызды сұраймыз. Егер E-DOC порталы дұрыс жұмыс "
            "істемеді деп есептесеңіз, әрекеттеріңізді сипаттап, экранның суретін қоса "
            "жіберіңіз — біз тексереміз."
        ),
        "en": (
            "Under rule 6 of the support regulation, technical support does not explain or "
            "assess the actions of third parties. Please raise the question directly with your "
            "counterparty or the organisation concerned. If you believe the E-DOC portal behaved "
            "incorrectly, please describe your steps and attach a screenshot, and we will check."
        ),
    },
}


def scope_answer(topic: str, language: str) -> str:
    """The standard answer for a rule-6 topic in ``language`` (ru, kk, en)."""
    if topic not in SCOPE_ANSWERS:
        raise ValueError(f"unknown topic {topic!r}; expected one of {', '.join(TOPICS)}")
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    return SCOPE_ANSWERS[topic][language]


# --- Insults and obscenities (rules 9, 16) ---------------------------------------------------

# Word syntax: ``a|b`` alternatives, ``stem*`` any ending, a leading ``~`` lets the usual Russian
# verbal prefixes stand before the root (заебал, нахуй, распиздяй, выблядок, долбоеб). Every
# other word is matched whole, so "употреблять", "рубля", "скребок", "хлебный", "себе",
# "вебинар", "страхуй", "команда", "Essex", "assess", "class", "Scunthorpe" stay clean.
# Entries with a space are phrases, matched on normalised text.
OBSCENE_RU = (
    "~хуй*|хуя*|хую*|хуе*|хуи*",
    "~пизд*",
    "~еб|ебать|ебал*|ебан*|ебат*|ебаш*|ебет|ебут*|ебу|ебешь|ебись|ебл*|ебн*|ебок|ебуч*|ебыр*",
    "~бля|блядь|бляд*|блять|бляти",
    "сука|суки|суке|суку|сукой|сучка|сучки|сучар*|сукин*|сучий",
    "мудак*|мудил*|мудач*|мудозвон*",
    "пидор*|пидар*|пидр*|педик|педики|педика|педиков",
    "гандон*|гондон*|шлюх*|шалав*|залуп*|манда|мандой|мандавош*",
    "~говн*|дерьм*|~сран*|~срать|~сраться|засранец*|засранк*|жоп*",
    "херн*|херов*|нахер|похер|хер",
    "мразь|мрази|мразью|мразот*|тварь|твари|тварью|сволочь|сволочи|сволочью|сволочн*|скотина",
    "ублюд*|урод|урода|уроды|уродов|уродина|уродск*|дебил*|идиот*|кретин*|придур*",
    "дурак|дураки|дурака|дура|дуры|дурачье|чмо|чмошн*|лох|лохи|лошара|гнида|гниды|падла",
)
OBSCENE_RU_LATIN = (  # Russian mat typed in Latin letters
    "blya|blyat*|blyad*|bljad*|pizd*|pezd*|ebat*|ebal*|eban*|yebat*|yeban*|eblan*|zaebal*|zaebis*",
    "nahuy|nahuj|nahui|pohuy|pohuj|pohui|ohuel*|ahuel*|ohuet*|ahuet*|huesos*|xuesos*|xuy*|xuj*",
    "suka|suki|suchka|mudak*|mudil*|pidor*|pidar*|pidr|gandon*|gondon*|debil|debily|kretin*",
)
OBSCENE_KK = (
    "ақымақ*|акымак*|малғұн*|малгун*|оңбаған*|онбаган*|жезөкше*|жезокше*|мақұлық*|макулык*",
    # "есексің", you donkey, but not "есек": the animal.
    "сіктір*|сиктир*|сігейін|сигейин|сігіп|сік|қотақ*|котак*|көтіңе|көтіңді|есексің",
    "иттің|итің|иттин баласы",
    "шешеңді|шешенди ұрайын|урайын|сігейін",
    "әкеңнің|шешеңнің|акеннин аузын",
)
OBSCENE_EN = (
    "fuck*|fck|fcking|fckin|motherfuck*|shit|shits|shitty|shitting|shithead*|bullshit|horseshit",
    "bitch*|ass|asshole*|arse|arsehole*|jackass*|dumbass*|cunt*|dickhead*|cocksucker*",
    "bastard|bastards|wanker*|twat*|bollocks|whore*|slut|sluts|slutty",
    "idiot*|moron|morons|moronic|imbecile*|retard|retards|retarded",
    "piss off",
)
OBSCENE = OBSCENE_RU + OBSCENE_RU_LATIN + OBSCENE_KK + OBSCENE_EN

RU_PREFIXES = (
    "а|за|от|отъ|на|по|вы|у|съ|сь|раз|разъ|рас|об|обо|объ|до|при|пере|про|недо|о|вз|взъ|из|изъ"
    "|ни|под|подъ|долбо|въ"
)
# What is typed for a letter: the look-alike in the other script, digits and the like.
LOOKALIKES = ("аa", "вb", "еe", "кk", "мm", "нh", "оo", "рp", "сc", "тt", "уy", "хx", "іi")
TYPED_FOR = {
    "а": "@4",
    "a": "@4",
    "б": "6",
    "з": "3",
    "и": "u",
    "й": "yиiu",
    "о": "0",
    "o": "0",
    "ч": "4",
    "я": "9",
    "i": "1!",
    "s": "5$",
    "e": "3",
    "t": "7",
}
# Characters typed to hide a letter ("бл*дь", "f#ck", "х@й"); they never stand for the first.
MASKS = "*#%@$"
# A token needs this many unmasked characters: "х**" or "f***" could be anything.
MIN_CLEAR = 2

_TOKEN = re.compile(r"[\w" + re.escape(MASKS) + r"]+")


def _typed(letter: str) -> str:
    chars = letter + TYPED_FOR.get(letter, "")
    for pair in LOOKALIKES:
        if letter in pair:
            chars += pair
    return "".join(dict.fromkeys(chars))


def _obscene_word_regex(word: str) -> str:
    open_end = word.endswith("*")
    parts = [
        "[" + re.escape(_typed(ch) + ("" if i == 0 else MASKS)) + "]+"
        for i, ch in enumerate(word.rstrip("*"))
    ]
    tail = "[" + r"\w" + re.escape(MASKS) + "]*" if open_end else ""
    return "".join(parts) + tail


def _obscene_entry_regex(entry: str) -> str:
    prefixed = entry.startswith("~")
    alts = "|".join(_obscene_word_regex(w) for w in entry.lstrip("~").split("|"))
    prefixes = "|".join(
        "".join("[" + re.escape(_typed(ch)) + "]" for ch in p) for p in RU_PREFIXES.split("|")
    )
    prefix = f"(?:{prefixes})?" if prefixed else ""
    return f"{prefix}(?:{alts})"


_OBSCENE_WORD = re.compile("|".join(_obscene_entry_regex(e) for e in OBSCENE if " " not in e))
_OBSCENE_PHRASE = _compile(", ".join(e for e in OBSCENE if " " in e))


def _mask(word: str) -> str:
    """First and last character kept, the rest starred: "б***ь", "f**k"."""
    if len(word) <= 2:
        return word[0] + "*" * (len(word) - 1)
    return word[0] + "*" * (len(word) - 2) + word[-1]


def offensive_words(text: str) -> list[str]:
    """Insults and obscenities in ``text``, masked, in order, without repeats."""
    found: dict[str, str] = {}
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        folded = token.casefold().replace("ё", "е")
        clear = sum(ch not in MASKS for ch in folded)
        if clear >= MIN_CLEAR and _OBSCENE_WORD.fullmatch(folded):
            found.setdefault(folded, _mask(token))
    for m in _OBSCENE_PHRASE.finditer(normalize(text)):
        found.setdefault(m.group(0), " ".join(_mask(w) for w in m.group(0).split()))
    return list(found.values())


# --- Identifying information (rule 11) -------------------------------------------------------

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


# The public request for what is missing (rule 11), one line per item.
IDENTITY_TEXTS: dict[str, dict[str, str]] = {
    "ru": {
        "intro": (
            "Здравствуйте! Чтобы мы могли рассмотреть ваше обращение, согласно п. 11 регламента "
            "технической поддержки просим сообщить:"
        ),
        IIN: "- ваш ИИН (12 цифр);",
        FULL_NAME: "- вашу фамилию, имя и отчество (при наличии);",
        COMPANY: (
            "- наименование организации, от имени которой вы обращаетесь (если вы её "
            "представляете)."
        ),
        "iin_invalid": (
            "Указанный ИИН не проходит проверку контрольной цифры — пожалуйста, проверьте его."
        ),
        "outro": "Мы продолжим работу по обращению сразу после получения этих данных. Спасибо!",
    },
    "kk": {
        "intro": (
            "Сәлеметсіз бе! Өтінішіңізді қарау үшін техникалық қолдау регламентінің 11-тармағына "
            "сәйкес мыналарды көрсетуіңізді сұраймыз:"
        ),
        IIN: "- ЖСН-іңіз (12 сан);",
        FULL_NAME: "- тегіңіз, атыңыз және әкеңіздің аты (бар болса);",
        COMPANY: "- атынан жүгініп отырған ұйымның атауы (егер ұйымның атынан әрекет етсеңіз).",
        "iin_invalid": (
            "Көрсетілген ЖСН бақылау санын тексеруден өтпеді — оны тексеруіңізді сұраймыз."
        ),
        "outro": (
            "Осы деректерді алған соң өтінішіңіз бойынша жұмысты бірден жалғастырамыз. Рақмет!"
        ),
    },
    "en": {
        "intro": (
            "Hello! To process your request, rule 11 of the support regulation asks you to provide:"
        ),
        IIN: "- your IIN (12 digits);",
        FULL_NAME: "- your surname, first name and patronymic (if any);",
        COMPANY: "- the name of the company on whose behalf you contact us (if you represent one).",
        "iin_invalid": "The IIN you gave fails the check-digit validation; please check it.",
        "outro": "We will continue with your request as soon as we have these details. Thank you!",
    },
}


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
    if language not in IDENTITY_TEXTS:
        raise ValueError(f"unknown language {language!r}; expected one of {', '.join(LANGUAGES)}")
    texts = IDENTITY_TEXTS[language]
    lines = [texts[item] for item in items]
    # The last item closes the list with a full stop.
    lines[-1] = lines[-1].rstrip(";.") + "."
    parts = [texts["intro"], "\n".join(lines)]
    if iin_invalid and IIN in items:
        parts.append(texts["iin_invalid"])
    parts.append(texts["outro"])
    return "\n\n".join(parts)
