"""Intake checks: rule 6 topics, rule 16 insults, rule 11 identity and the IIN check digit."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sup_sla_sync.core.intake import (
    IDENTITY_ITEMS,
    LANGUAGES,
    TOPICS,
    IdentityCheck,
    ScopeFinding,
    identity_check,
    identity_request,
    iin_is_valid,
    offensive_words,
    out_of_scope,
    scope_answer,
)

# --- IIN / BIN check digit -------------------------------------------------------------------

# Public numbers: BINs that python-stdnum's tests list as "found online"; the IINs of the
# READMEs of py-kz-validators (791028302728) and kz-iin-validator (061211600012).
PUBLIC_VALID = [
    "940140000385",
    "990140004654",
    "171140900016",
    "981240000488",
    "100240019642",
    "210840900029",
    "011140001654",  # first pass gives 10: checked with weights 3..11, 1, 2
    "011140001666",  # same
    "791028302728",
    "061211600012",  # same
]
# Computed by hand with the algorithm (weights 1..11, sum mod 11).
COMPUTED_VALID = [
    "850315300128",  # 1985-03-15, male, 20th century; first pass gives 8
    "771225654320",
    "000512600786",
    "950630456123",
    "900101400453",  # first pass gives 10, second gives 3
    "920715400601",  # first pass gives 10, second gives 1
]


@pytest.mark.parametrize("number", PUBLIC_VALID + COMPUTED_VALID)
def test_valid_iin_and_bin(number: str) -> None:
    assert iin_is_valid(number)


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("940140000386", "check digit changed"),
        ("850315300129", "check digit changed"),
        ("791028302727", "check digit changed"),
        ("061211600013", "check digit changed, second-pass number"),
        ("900101400454", "check digit changed, second-pass number"),
        ("950315300128", "first digit changed"),
        ("851315300128", "second digit changed"),
        ("940140100385", "eighth digit changed"),
        # Both passes give 10 for this prefix: no check digit makes it valid.
        ("880412300250", "both passes 10"),
        ("880412300255", "both passes 10"),
        ("880412300259", "both passes 10"),
        ("88041230025", "11 digits"),
        ("9401400003850", "13 digits"),
        ("94014000038X", "a letter"),
        ("９４０１４００００３８５", "full-width digits"),
        ("", "empty"),
    ],
)
def test_invalid_iin(number: str, why: str) -> None:
    assert not iin_is_valid(number), why


def test_separators_are_allowed() -> None:
    assert iin_is_valid("940 140 000 385")
    assert iin_is_valid("9401-4000-0385")


def test_the_eleventh_digit_escapes_the_first_pass() -> None:
    # Its weight is 11 ≡ 0 (mod 11): a typo there keeps the first pass unchanged. The check
    # digit cannot catch every typo, so "valid" means "well-formed", not "issued".
    assert iin_is_valid("940140000395")


@given(st.text(alphabet="0123456789", min_size=11, max_size=11))
def test_at_most_one_check_digit_per_prefix(prefix: str) -> None:
    assert sum(iin_is_valid(prefix + d) for d in "0123456789") <= 1


# --- Identity (rule 11) ----------------------------------------------------------------------


def check(description: str, subject: str = "") -> IdentityCheck:
    return identity_check(subject, description)


@pytest.mark.parametrize(
    "text",
    [
        # Russian
        "Иванов Иван Иванович",
        "Петрова Мария Сергеевна, бухгалтер",
        "Иван Иванович Иванов",
        "Козлова Анна Ильинична",
        "ИВАНОВ ИВАН ИВАНОВИЧ",
        "С уважением, Петров И.И.",
        "И. И. Сидоров, директор",
        "ФИО: Ким Сергей",
        "С уважением,\nСидоров Пётр",
        "Меня зовут Айгерим Сейтказы",
        "Отправляю от имени директора. Сидоров Пётр, тел. 87011234567",
        "Мамедов Эльдар Рашид оглы",
        # Kazakh
        "Сериков Нұрлан Ержанұлы",
        "Ахметова Айгерім Серікқызы",
        "Сериков Нурлан Ержанулы",
        "Нұрлан Ержан ұлы Сериков",
        "Аты-жөні: Серік Болат",
        "Құрметпен, Әлиев Бауыржан",
        # English / Latin
        "Ivanov Ivan Ivanovich",
        "Serikov Nurlan Erzhanuly",
        "Akhmetova Aigerim Serikkyzy",
        "Full name: Aigerim Seitkazy",
        "Best regards,\nJohn Smith",
    ],
)
def test_full_name_found(text: str) -> None:
    assert check(text).has_full_name


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Добрый день! Не подписывается акт.", ""),
        ("Меня зовут Айгерим, помогите", ""),  # a first name only
        ("Иван Иванович, помогите", ""),  # no surname
        ("«Алтын Дән» ЖШС атынан жазып отырмын", ""),  # a company's name, quoted
        ("Касперский Антивирус блокирует портал", ""),
        ("Помогите", "Подписание Документов"),  # Title Case subject
        ("", "НЕ РАБОТАЕТ ПОДПИСАНИЕ ДОКУМЕНТОВ"),
        ("Установил NCALayer на Windows 10", ""),
        ("Иванов\nИван\nИванович", ""),  # one word a line is a list, not a name
    ],
)
def test_full_name_not_found(text: str, subject: str) -> None:
    assert not check(text, subject).has_full_name


@pytest.mark.parametrize(
    "text",
    [
        "ТОО «Ромашка»",
        'ТОО "Ромашка"',
        "ТОО 'Ромашка'",
        "ТОО Ромашка",
        "тоо «ромашка»",
        'АО"Казпочта"',
        "АО Казпочта",
        "ИП Иванов И.И.",
        "ЖШС «Алтын Дән»",
        "«Алтын Дән» ЖШС",
        "Ромашка ЖШС",
        "АҚ «Қазпошта»",
        "ЖК Серіков",
        "КГУ «Школа-гимназия №5»",
        'LLP "Green Field"',
        "Green Field LLP",
        "Kazakhtelecom JSC",
        "Товарищество с ограниченной ответственностью «Ромашка»",
        "Жауапкершілігі шектеулі серіктестігі «Нұр»",
        'компания "Нур Трейд"',
        "Организация: Ромашка",
        "Company: Green Field",
    ],
)
def test_company_found(text: str) -> None:
    assert check(text).has_company


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("Мы ТОО, у нас ошибка в ЭСФ", ""),
        ("Можно ли зарегистрироваться как ИП?", "Регистрация ИП"),
        ("Как подписать ключом ИП ЭЦП?", ""),
        ("Для ТОО и ИП одинаково?", ""),
        ("Не работает в IE 11", ""),  # Internet Explorer, not a form
        ("Установил NCALayer на ПК Windows 10", ""),  # ПК is a computer
        ("Жаңа ЖШС ашылды, порталға тіркелу керек", ""),
        ("Portal is too slow", ""),
    ],
)
def test_company_not_found(text: str, subject: str) -> None:
    assert not check(text, subject).has_company


@pytest.mark.parametrize(
    ("text", "iin", "valid"),
    [
        ("ИИН 850315300128", "850315300128", True),
        ("ИИН: 850 315 300 128", "850315300128", True),
        ("ЖСН 900101400453", "900101400453", True),
        ("IIN: 7712-2565-4320", "771225654320", True),
        ("ИИН/БИН 850315300128", "850315300128", True),
        ("мой иин 850315300128", "850315300128", True),
        ("850315300128", "850315300128", True),  # unlabelled but shaped like an IIN
        ("ИИН 850315300129", "850315300129", False),  # labelled: reported even if wrong
        ("Иванов, 850315300129", "850315300129", False),
        # The labelled number wins over an unlabelled one.
        ("Договор 771225654320, ИИН 850315300128", "850315300128", True),
        # Of two unlabelled IIN-shaped numbers, the valid one.
        ("850315300129 или 850315300128", "850315300128", True),
        ("БИН 940140000385", None, False),  # a company's BIN is not the user's IIN
        ("940140000385", None, False),  # BIN-shaped (5th digit 4): not taken for an IIN
        ("Документ № 000000123456", None, False),  # not a date of birth
        ("Тел. +7 701 123 45 67", None, False),
        ("Счёт KZ12345678901234567890", None, False),  # part of a longer number
        ("Сумма 1234567890123 тенге", None, False),  # 13 digits
    ],
)
def test_iin_found(text: str, iin: str | None, valid: bool) -> None:
    result = check(text)
    assert (result.iin, result.iin_valid) == (iin, valid)
    assert ("iin" in result.missing) is not valid


def test_everything_present() -> None:
    text = (
        "Добрый день! Не подписывается акт.\nИванов Иван Иванович, ИИН 850315300128, ТОО «Ромашка»"
    )
    assert check(text) == IdentityCheck("850315300128", True, True, True, ())


def test_nothing_present() -> None:
    result = identity_check("Ошибка", "Не работает подписание, помогите")
    assert result == IdentityCheck(None, False, False, False, ("iin", "full_name", "company"))


def test_bad_check_digit_counts_as_missing() -> None:
    result = check("С уважением, Петров И.И.\nИП Петров\nИИН 850315300129")
    assert result.iin == "850315300129"
    assert not result.iin_valid
    assert result.missing == ("iin",)


def test_subject_counts_too() -> None:
    assert identity_check("ТОО «Ромашка», ИИН 850315300128", "Иванов Иван Иванович").missing == ()


@pytest.mark.parametrize(
    ("language", "lines"),
    [
        ("ru", ("ИИН", "фамилию, имя и отчество", "наименование организации")),
        ("kk", ("ЖСН", "тегіңіз, атыңыз", "ұйымның атауы")),
        ("en", ("IIN", "surname, first name and patronymic", "name of the company")),
    ],
)
def test_identity_request_lists_exactly_the_missing_items(
    language: str, lines: tuple[str, str, str]
) -> None:
    for n in range(1, 8):
        missing = tuple(item for i, item in enumerate(IDENTITY_ITEMS) if n >> i & 1)
        body = identity_request(missing, language)
        items = [line for line in body.splitlines() if line.startswith("- ")]
        assert len(items) == len(missing)
        for item, words in zip(IDENTITY_ITEMS, lines, strict=True):
            assert (words in body) is (item in missing), (missing, words)
        assert items[-1].endswith(".")
        assert all(line.endswith(";") for line in items[:-1])
        assert "11" in body  # cites rule 11


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("ru", "контрольной цифры"),
        ("kk", "бақылау санын"),
        ("en", "check-digit"),
    ],
)
def test_identity_request_says_the_iin_is_wrong(language: str, words: str) -> None:
    assert words in identity_request(["iin"], language, iin_invalid=True)
    assert words not in identity_request(["iin"], language)
    # Nothing to say about an IIN that is not asked for.
    assert words not in identity_request(["company"], language, iin_invalid=True)


def test_identity_request_from_a_check() -> None:
    result = check("Иванов Иван Иванович, ИИН 850315300129")
    body = identity_request(result.missing, "ru", iin_invalid=result.iin is not None)
    assert body.splitlines()[2:4] == [
        "- ваш ИИН (12 цифр);",
        "- наименование организации, от имени которой вы обращаетесь (если вы её представляете).",
    ]
    assert "контрольной цифры" in body
    assert "850315300129" not in body  # personal data is not echoed in a public note


@pytest.mark.parametrize(
    ("missing", "language"),
    [((), "ru"), (("passport",), "ru"), (("iin",), "de")],
)
def test_identity_request_rejects(missing: tuple[str, ...], language: str) -> None:
    with pytest.raises(ValueError):
        identity_request(missing, language)


# --- Out of scope (rule 6) -------------------------------------------------------------------


INSTALL, WORKSTATION, CONNECTION, LAW, PARTIES = TOPICS


def topics(description: str, subject: str = "") -> list[str]:
    return [f.topic for f in out_of_scope(subject, description)]


@pytest.mark.parametrize(
    ("subject", "description", "topic"),
    [
        # Installing third-party software: the work asked of support, or a named product.
        ("Установка антивируса", "Помогите установить антивирус Касперского", INSTALL),
        ("", "Установите нам, пожалуйста, 1С на второй компьютер", INSTALL),
        ("", "Можете подключиться и установить Microsoft Office?", INSTALL),
        ("", "Не устанавливается драйвер принтера HP, помогите", INSTALL),
        ("", "Установите нам NCALayer удаленно", INSTALL),
        ("", "Установите мне программу для ЭЦП", INSTALL),
        ("", "Как переустановить Windows?", INSTALL),
        ("", "Антивирусты орнатып беріңізші", INSTALL),
        ("", "1С бағдарламасын қалай орнату керек?", INSTALL),
        ("", "Could you install Office for us remotely?", INSTALL),
        ("", "How do I install the printer driver?", INSTALL),
        # The user's workstation.
        ("Компьютер тормозит", "Проверьте, пожалуйста, мой компьютер", WORKSTATION),
        ("", "Ноутбук зависает и перезагружается сам", WORKSTATION),
        ("", "Принтер не печатает", WORKSTATION),
        ("", "На компьютере вирус, всё медленно", WORKSTATION),
        ("", "Синий экран после включения", WORKSTATION),
        ("", "Компьютерім баяу, тексеріп беріңізші", WORKSTATION),
        ("", "My laptop keeps restarting, can you diagnose it?", WORKSTATION),
        # Internet and proxy.
        ("", "У нас пропал интернет с утра", CONNECTION),
        ("", "Интернет у нас опять не работает", CONNECTION),
        ("", "Нет подключения к интернету", CONNECTION),
        ("", "Как настроить прокси-сервер для работы с порталом?", CONNECTION),
        ("", "Роутер не работает, что делать?", CONNECTION),
        ("", "Интернет жоқ, көмектесіңіз", CONNECTION),
        ("", "Интернетке қосыла алмаймын", CONNECTION),
        ("", "Our internet is down since morning", CONNECTION),
        ("", "ERR_PROXY_CONNECTION_FAILED в браузере", CONNECTION),
        # The laws of Kazakhstan.
        ("", "По закону мы обязаны подписывать акты ЭЦП?", LAW),
        ("", "Разъясните статью 412 Налогового кодекса", LAW),
        ("", "Разъясните требования закона об электронном документе", LAW),
        ("", "Законно ли не выписывать ЭСФ при экспорте?", LAW),
        ("", "Какой штраф за несвоевременную выписку ЭСФ?", LAW),
        ("", "Заң бойынша біз ЭСФ жазуға міндеттіміз бе?", LAW),
        ("", "Салық кодексінің бабын түсіндіріп беріңізші", LAW),
        ("", "Is it legal to sign an invoice after the deadline?", LAW),
        ("", "Under the law we must keep invoices for 5 years?", LAW),
        # Third parties' actions.
        ("", "Почему контрагент отклонил наш акт сверки?", PARTIES),
        ("", "Почему банк отклонил платеж?", PARTIES),
        ("", "Оцените, пожалуйста, действия поставщика", PARTIES),
        ("", "Вправе ли покупатель требовать оригинал на бумаге?", PARTIES),
        ("", "Неге контрагент құжатқа қол қоймады?", PARTIES),
        ("", "Why did the supplier reject our invoice?", PARTIES),
        ("", "Does the supplier have the right to refuse signing?", PARTIES),
    ],
)
def test_out_of_scope(subject: str, description: str, topic: str) -> None:
    assert topics(description, subject) == [topic]


@pytest.mark.parametrize(
    "text",
    [
        # Advice on software the portal needs is handled (rule 6).
        "Как установить NCALayer?",
        "Помогите установить NCALayer на Windows 10",
        "NCALayer орнатуға көмектесіңіз",
        "Какой браузер лучше установить для работы на портале?",
        "Как установить сертификат ЭЦП в браузер?",
        "How do I install NCALayer on a Mac?",
        # A portal error quoted or message shown by the portal.
        "Please install NCALayer message appears on login",
        "На портале ошибка 500 при отправке документа",
        "Ошибка на портале при подписании: нет подключения к интернету",
        "Портал не открывается, у нас прокси",
        "После установки антивируса портал не открывается",
        "Акт по закону о государственных закупках не отправляется, выходит ошибка",
        # The words in passing.
        "Товар купили в интернет-магазине, как выставить счет на портале?",
        "Нашёл в интернете инструкцию, но у меня не работает подписание",
        "Как подписать документ на компьютере без интернета?",
        "Проверьте, пожалуйста, на своем компьютере, открывается ли сайт",
        "На компьютере зависает NCALayer",
        "У нас установлена 1С, можно ли выгружать документы на портал?",
        "Установите мне роль администратора на портале",
        "Как сформировать акт по закону о госзакупках?",
        "Разъясните порядок подписания по закону",
        "Объясните статью из FAQ про подписание",
        "Какие документы нужны по закону для регистрации?",
        "Имеет ли электронный документ юридическую силу?",
        "Заңды тұлға ретінде тіркелуді түсіндіріңізші",
        # Third parties as portal users: a portal question.
        "Контрагент не видит документ, который мы отправили",
        "Может ли контрагент отклонить документ после подписания?",
        "Контрагент отклонил документ, где посмотреть причину?",
        "Почему статус документа не меняется, хотя контрагент подписал?",
        "Where can I set up my signature on the portal?",
        "Как настроить доступ сотруднику к личному кабинету?",
    ],
)
def test_in_scope(text: str) -> None:
    assert out_of_scope("", text) == []


def test_a_portal_error_is_never_out_of_scope() -> None:
    text = "Интернет работает, но портал E-DOC выдает ошибку. Антивирус и прокси отключали."
    assert out_of_scope("Ошибка на портале", text) == []


def test_several_topics_and_their_words() -> None:
    findings = out_of_scope(
        "Компьютер тормозит",
        "Интернет не работает, а ещё установите нам антивирус.",
    )
    assert findings == [
        ScopeFinding("third_party_install", ("установите нам", "установите нам антивирус")),
        ScopeFinding("workstation", ("компьютер тормозит",)),
        ScopeFinding("connection", ("интернет не работает",)),
    ]


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize(
    ("language", "citation"),
    [("ru", "Согласно п. 6 регламента"), ("kk", "6-тармағына"), ("en", "rule 6")],
)
def test_scope_answer(topic: str, language: str, citation: str) -> None:
    answer = scope_answer(topic, language)
    assert answer.startswith(("Согласно", "Регламенттің", "Under"))
    assert citation in answer
    assert "E-DOC" in answer


def test_scope_answers_differ_by_topic() -> None:
    for language in LANGUAGES:
        assert len({scope_answer(t, language) for t in TOPICS}) == len(TOPICS)


@pytest.mark.parametrize(("topic", "language"), [("printing", "ru"), ("workstation", "de")])
def test_scope_answer_rejects(topic: str, language: str) -> None:
    with pytest.raises(ValueError):
        scope_answer(topic, language)


# --- Insults and obscenities (rules 9, 16) ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # Russian mat and its word forms, prefixes and letter repeats.
        ("Вы там бл*дь работать будете?", ["б***ь"]),
        ("Блядь, опять", ["Б***ь"]),
        ("БЛЯЯЯЯ", ["Б****Я"]),
        ("пошёл нахуй", ["н***й"]),
        ("ЗАЕБАЛИ уже", ["З*****И"]),
        ("отъебись", ["о******ь"]),
        ("ёбаный портал", ["ё****й"]),
        ("долбоёб", ["д*****б"]),
        ("это пиздец", ["п****ц"]),
        ("распиздяи", ["р*******и"]),
        ("выблядок", ["в******к"]),
        ("хуйня какая-то", ["х***я"]),
        ("сука", ["с**а"]),
        ("мудаки", ["м****и"]),
        ("вы идиоты", ["и****ы"]),
        ("дебилы", ["д****ы"]),
        # Obfuscation: masks, digits, Latin look-alikes, transliteration.
        ("x*y вам", ["x*y"]),
        ("х*й", ["х*й"]),
        ("п@здец", ["п****ц"]),
        ("3аебали", ["3*****и"]),
        ("6лять", ["6***ь"]),
        ("0хуеть", ["0****ь"]),
        ("ху*ня", ["х***я"]),
        ("xуй", ["x*й"]),  # Latin x
        ("cyкa", ["c**a"]),  # Latin c and a
        ("blyat", ["b***t"]),
        ("suka blyad", ["s**a", "b***d"]),
        # Kazakh
        ("сен ақымақсың", ["а*******ң"]),
        ("сіктір", ["с****р"]),
        ("иттің баласы", ["и***ң б****ы"]),
        ("оңбаған неме", ["о*****н"]),
        # English
        ("what the fuck", ["f**k"]),
        ("f*ck this", ["f**k"]),
        ("fuuuuck", ["f*****k"]),
        ("sh1t", ["s**t"]),
        ("b1tch", ["b***h"]),
        ("a$$hole", ["a*****e"]),
        ("motherfuckers", ["m***********s"]),
        ("you morons", ["m****s"]),
        # Several, in order, each once.
        ("Сука, блядь, сука!", ["С**а", "б***ь"]),
    ],
)
def test_offensive_words(text: str, masked: list[str]) -> None:
    assert offensive_words(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        # Stems inside innocent words.
        "употреблять",
        "скребок",
        "хлебный",
        "себе",
        "вебинар",
        "рубля",
        "корабля",
        "оскорблять",
        "наблюдать",
        "ухудшение",
        "страхуем",
        "хулиган",
        "Хуавей",
        "команда",
        "мандарин",
        "гандбол",
        "педикюр",
        "скипидар",
        "сукно",
        "Сукачев",
        "мудрый",
        "идиома",
        "шлюз",
        "херувим",
        "трахея",
        "сучок",
        "бляха",
        "Дураков",
        "Козлов",
        "ебетейлі",  # Kazakh: handy
        "есеп",
        "көтеру",
        "Essex",
        "assess",
        "class",
        "Scunthorpe",
        "Dickens",
        "cocktail",
        "shiitake",
        "bass",
        "debility",
        "muddling",
        "retardant",
        "Slutsk",
        # Masks and numbers that are no words.
        "Карта 4400 **** **** 1234",
        "пароль: п*****",
        "f***",
        "ИИН 850315300128, почта ivanov@mail.kz, 100$",
    ],
)
def test_innocent_words(text: str) -> None:
    assert offensive_words(text) == []


@pytest.mark.parametrize(
    "text",
    ["бл*дь", "пиздец", "fucking", "ахуеть", "иттің баласы", "сіктір", "mudak"],
)
def test_the_result_never_shows_the_word(text: str) -> None:
    found = offensive_words(text)
    assert found
    for word in found:
        assert "*" in word
        assert word not in text


@given(st.text(max_size=200))
def test_offensive_words_are_always_masked(text: str) -> None:
    for word in offensive_words(text):
        assert "*" in word
