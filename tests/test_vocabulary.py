"""The importer's vocabulary: maintenance tags and the words of a rendered page's frame.

Lines here are as copies of rendered Wikipedia pages write them (the English, Russian,
German, French, Spanish, Japanese and Chinese editions); the negatives are prose and
editorial insertions that must not be taken for page furniture.
"""

import pytest

from archive.importer import vocabulary
from archive.importer.vocabulary import (
    BIBLIOGRAPHY,
    FLAG_KINDS,
    NAVIGATION,
    REFERENCES,
    TAG_KINDS,
    TAGS_BY_LANGUAGE,
    category_line,
    chrome_kind,
    fold,
    hatnote,
    is_chrome,
    is_toc_title,
    maintenance_box,
    section_role,
    split_edit_suffix,
    tag_kind,
)

# --------------------------------------------------------------------------- tags


@pytest.mark.parametrize(
    ("label", "kind"),
    [
        ("citation needed", "citation_needed"),
        ("Citation needed", "citation_needed"),  # copies capitalise it at times
        ("clarification needed", "clarification_needed"),
        ("dubious – discuss", "dubious"),
        ("dubious — discuss", "dubious"),
        ("dubious - discuss", "dubious"),
        ("dubious–discuss", "dubious"),
        ("who?", "vague"),
        ("when?", "vague"),
        ("which?", "vague"),
        ("according to whom?", "vague"),
        ("by whom?", "vague"),
        ("failed verification", "failed_verification"),
        ("not in citation given", "failed_verification"),
        ("better source needed", "better_source_needed"),
        ("unreliable source?", "better_source_needed"),
        ("self-published source?", "better_source_needed"),
        ("page needed", "page_needed"),
        ("full citation needed", "page_needed"),
        ("dead link", "dead_link"),
        ("permanent dead link", "dead_link"),
        ("neutrality is disputed", "neutrality_disputed"),
        ("need quotation to verify", "quotation_needed"),
        ("original research?", "original_research"),
        ("improper synthesis?", "original_research"),
        ("vague", "vague"),
        ("specify", "vague"),
        ("quantify", "vague"),
        ("examples needed", "clarification_needed"),
        ("update needed", "update_needed"),
        ("needs update", "update_needed"),
        ("peacock prose", "neutrality_disputed"),
        ("weasel words", "vague"),
        ("verification needed", "failed_verification"),
        ("additional citation(s) needed", "citation_needed"),
        ("non-primary source needed", "better_source_needed"),
        ("  citation   needed  ", "citation_needed"),
        ("[citation needed]", "citation_needed"),  # brackets tolerated
        # Russian: the dated {{Нет АИ}} with its day count, and the plain forms
        ("источник не указан 123 дня", "citation_needed"),
        ("источник не указан 1 день", "citation_needed"),
        ("источник не указан 3650 дней", "citation_needed"),
        ("нет АИ", "citation_needed"),
        ("уточнить", "clarification_needed"),
        ("кто?", "vague"),
        # French, with the narrow no-break space before "?" or without it
        ("réf. nécessaire", "citation_needed"),
        ("Par qui ?", "vague"),
        ("Par qui\u202f?", "vague"),
        ("Par qui?", "vague"),
        ("Quand ?", "vague"),
        # Spanish, Japanese, Chinese (both scripts, full-width "？")
        ("cita requerida", "citation_needed"),
        ("¿quién?", "vague"),
        ("要出典", "citation_needed"),
        ("来源请求", "citation_needed"),
        ("來源請求", "citation_needed"),
        ("谁？", "vague"),
        ("失效链接", "dead_link"),
    ],
)
def test_tags_and_their_kinds(label, kind):
    assert tag_kind(label) == kind


@pytest.mark.parametrize(
    "label",
    [
        "the",
        "sic",
        "Sic",
        "…",
        "...",
        "in another village",
        "emphasis added",
        "emphasis in original",
        "12",
        "notes 1",
        "a",
        "",
        "   ",
        "citation needed in 1990",
        "источник не указан много дней",
        "who? what? where?",
    ],
)
def test_editorial_insertions_and_markers_are_not_tags(label):
    assert tag_kind(label) is None


def test_every_tag_has_a_flag_kind_and_the_tables_are_readable():
    for table in TAGS_BY_LANGUAGE.values():
        for label, kind in table.items():
            assert kind in FLAG_KINDS, label
            assert label == label.strip() and "  " not in label
    assert len(TAGS_BY_LANGUAGE["en"]) >= 80
    for language in ("ru", "fr", "es", "ja", "zh"):
        assert TAGS_BY_LANGUAGE[language], language


def test_tag_kinds_keeps_the_plain_labels_the_parser_looks_up():
    assert TAG_KINDS["citation needed"] == "citation_needed"
    assert TAG_KINDS["neutrality is disputed"] == "neutrality_disputed"
    assert TAG_KINDS["need quotation to verify"] == "quotation_needed"
    assert all(tag_kind(label) == kind for label, kind in TAG_KINDS.items())


def test_fold_unifies_what_copies_vary():
    assert fold("Dubious\u00a0—\u2009Discuss") == "dubious - discuss"
    assert fold("Par qui\u202f?") == "par qui?"
    assert fold("（Wikipedia）") == "(wikipedia)"
    assert fold("l’encyclopédie") == "l'encyclopédie"


# --------------------------------------------------------------------------- headings


@pytest.mark.parametrize(
    ("line", "heading", "suffix"),
    [
        ("History[edit]", "History", "[edit]"),
        ("History [edit]", "History", "[edit]"),
        ("History[edit source]", "History", "[edit source]"),
        ("History[edit | edit source]", "History", "[edit | edit source]"),
        ("История[править | править код]", "История", "[править | править код]"),
        (
            "Geschichte[Bearbeiten | Quelltext bearbeiten]",
            "Geschichte",
            "[Bearbeiten | Quelltext bearbeiten]",
        ),
        ("Histoire[modifier | modifier le code]", "Histoire", "[modifier | modifier le code]"),
        ("Historia[editar]", "Historia", "[editar]"),
        ("Storia[modifica | modifica wikitesto]", "Storia", "[modifica | modifica wikitesto]"),
        ("Historia[edytuj | edytuj kod]", "Historia", "[edytuj | edytuj kod]"),
        ("Історія[ред. | ред. код]", "Історія", "[ред. | ред. код]"),
        ("历史[编辑]", "历史", "[编辑]"),
        ("歴史[編集]", "歴史", "[編集]"),
        ("  Early life[edit]  ", "  Early life", "[edit]"),
    ],
)
def test_split_edit_suffix(line, heading, suffix):
    assert split_edit_suffix(line) == (heading, suffix)
    assert line.startswith(heading) and suffix in line


@pytest.mark.parametrize(
    "line",
    ["History", "Notes [a]", "The treaty [sic]", "[edit]", "Results [1]", "Background[edited]"],
)
def test_no_edit_suffix(line):
    assert split_edit_suffix(line) == (line, "")


@pytest.mark.parametrize(
    "line",
    [
        "Contents",
        "Contents hide",
        "Contents [hide]",
        "Contents (hide)",
        "Contents move to sidebar hide",
        "Содержание",
        "Содержание скрыть",
        "Inhaltsverzeichnis",
        "Sommaire",
        "Índice",
        "Spis treści",
        "目次",
        "目录",
        "目錄",
    ],
)
def test_toc_titles(line):
    assert is_toc_title(line)


@pytest.mark.parametrize(
    "line", ["Contents of the tomb", "Table of contents", "Content", "Contents are listed below."]
)
def test_not_toc_titles(line):
    assert not is_toc_title(line)


# --------------------------------------------------------------------------- chrome


@pytest.mark.parametrize(
    "line",
    [
        "From Wikipedia, the free encyclopedia",
        "Jump to navigation",
        "Jump to search",
        "Jump to content",
        "Jump to: navigation, search",
        'Retrieved from "https://en.wikipedia.org/w/index.php?title=Battle_of_Exampleton&oldid=1"',
        "Retrieved from https://en.wikipedia.org/wiki/Battle_of_Exampleton",
        "This page was last edited on 5 May 2023, at 12:34 (UTC).",
        "This page was last modified on 12 March 2014, at 09:01.",
        "Text is available under the Creative Commons Attribution-ShareAlike License 4.0; "
        "additional terms may apply.",
        "About Wikipedia",
        "Contact Wikipedia",
        "Mobile view",
        "Cookie statement",
        "(Redirected from Exampleton battle)",
        "Toggle the table of contents",
        "Main menu",
        "Personal tools",
        "Edit links",
        "Print/export",
        "Download as PDF",
        "Printable version",
        "In other projects",
        "Wikimedia Commons has media related to Battle of Exampleton.",
        "Coordinates: 52°31′N 13°24′E",
        # the same frame in other editions
        "Материал из Википедии — свободной энциклопедии",
        "Перейти к навигации",
        "Перейти к поиску",
        "Источник — «https://ru.wikipedia.org/?curid=12345»",
        "Эта страница в последний раз была отредактирована 1 мая 2023 года в 12:34.",
        "Aus Wikipedia, der freien Enzyklopädie",
        "Wechseln zu: Navigation, Suche",
        "Abgerufen von „https://de.wikipedia.org/w/index.php?title=Boeing_707&oldid=1“",
        "Diese Seite wurde zuletzt am 13. Juli 2026 um 01:54 Uhr bearbeitet.",
        "Un article de Wikipédia, l’encyclopédie libre",
        "Récupérée de « https://fr.wikipedia.org/w/index.php?title=X&oldid=1 »",
        "Coordonnées : 48° 51′ 24″ nord, 2° 21′ 07″ est",
        "De Wikipedia, la enciclopedia libre",
        "Da Wikipedia, l'enciclopedia libera.",
        "Origem: Wikipédia, a enciclopédia livre.",
        "Z Wikipedii, wolnej encyklopedii",
        "Матеріал з Вікіпедії — вільної енциклопедії",
        "出典: フリー百科事典『ウィキペディア（Wikipedia）』",
        "「https://ja.wikipedia.org/w/index.php?title=X&oldid=1」から取得",
        "（日本から転送）",
        "维基百科，自由的百科全书",
        "取自“https://zh.wikipedia.org/w/index.php?title=X&oldid=1”",
    ],
)
def test_page_chrome(line):
    assert is_chrome(line)
    assert chrome_kind(line) == "page"


@pytest.mark.parametrize(
    "line", ["Tools", "Developers", "Disclaimers", "Privacy policy", "What links here", "Werkzeuge"]
)
def test_menu_labels_are_chrome_of_the_weaker_kind(line):
    # Chrome in a page's frame, though a few are words an article could use as a heading.
    assert is_chrome(line)
    assert chrome_kind(line) == "menu"


@pytest.mark.parametrize(
    "line", ["Views", "Languages", "Variants", "Appearance", "Statistics", "Search", "Навигация"]
)
def test_interface_words_are_not_chrome_alone(line):
    # Common article headings ("Views" heads a section of "Orson Scott Card"): only a caller
    # inside a run of chrome may take them as chrome.
    assert not is_chrome(line)
    assert chrome_kind(line) == "word"


@pytest.mark.parametrize(
    "line",
    [
        "Wikipedia, the free encyclopedia, was launched in 2001.",
        "From Wikipedia's early days, editors argued about notability.",
        "The article was copied from Wikipedia, the free encyclopedia, in 2010.",
        "Retrieved from the river, the bodies were buried at Exampleton.",
        "Jump to conclusions is a phrase.",
        "The tools were made of flint.",
        "Privacy policy of the company changed in 2018.",
        "This page was the first of the manuscript.",
        "Coordinates of the fort were never published.",
        "Text is available in the archive.",
        "The attack came at dawn on 3 May.",
        "",
    ],
)
def test_prose_is_not_chrome(line):
    assert not is_chrome(line)


@pytest.mark.parametrize(
    "line",
    [
        "Categories: 1812 battles Battles of Ruritania",
        "Category: Battles",
        "Hidden categories: Articles with short description",
        "Категории: Сражения по алфавиту",
        "Kategorien: Schlacht | Militärgeschichte",
        "Catégories : Bataille",
        "Categorías: Batallas",
        "カテゴリ: 戦い",
        "分类：战役",
    ],
)
def test_category_lines(line):
    assert category_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Categories of people were defined by law.",
        "Category 5 hurricanes are rare.",
        "Categories",
        "The categories: A, B and C.",
    ],
)
def test_not_category_lines(line):
    assert not category_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "Main article: Battle of Exampleton",
        "Main articles: Ruritanian wars and Siege of Exampleton",
        "See also: List of battles",
        "Further information: Ruritanian army",
        "Further reading: Smith 2005",
        "For other uses, see Exampleton (disambiguation).",
        "For the 1990 film, see Exampleton (film).",
        "This article is about the battle. For the village, see Exampleton.",
        "Not to be confused with Battle of Examplebury.",
        '"Exampleton" redirects here. For other uses, see Exampleton (disambiguation).',
        "Main page: Portal:Ruritania",
        "Основная статья: Битва при Экзамплтоне",
        "Не следует путать с Экзамплбери.",
        "Hauptartikel: Schlacht bei Exampleton",
        "Dieser Artikel behandelt die Schlacht. Zum Ort siehe Exampleton.",
        "Article détaillé : Bataille d'Exampleton",
        "Article connexe : Guerres ruritaniennes",
        "Pour les articles homonymes, voir Exampleton.",
        "Artículo principal: Batalla de Exampleton",
        "Voce principale: Battaglia di Exampleton",
        "主条目：战役",
        "「エグザンプルトン」はこの項目へ転送されています。",
    ],
)
def test_hatnotes(line):
    assert hatnote(line)


@pytest.mark.parametrize(
    "line",
    [
        "See also",  # a heading, not a hatnote
        "Main article",
        "The main article of the treaty was signed in 1812.",
        "For the next decade the town grew.",
        "This article of the constitution was repealed.",
        "Not to be outdone, the army advanced.",
    ],
)
def test_not_hatnotes(line):
    assert not hatnote(line)


@pytest.mark.parametrize(
    "line",
    [
        "This article needs additional citations for verification. Please help improve this "
        "article by adding citations to reliable sources. Unsourced material may be challenged "
        "and removed.",
        'Find sources: "Exampleton" – news · newspapers · books · scholar · JSTOR (May 2020) '
        "(Learn how and when to remove this template message)",
        "This section does not cite any sources. Please help improve this section by adding "
        "citations to reliable sources. (Learn how and when to remove this template message)",
        "This article has multiple issues. Please help improve it or discuss these issues on "
        "the talk page. (Learn how and when to remove this message)",
        "The neutrality of this article is disputed.",
        "This article may require cleanup to meet Wikipedia's quality standards.",
        "Unsourced material may be challenged and removed.",
        "[icon]\tThis section requires expansion. (July 2013)",  # BLEVE copy, 2014
        "В этой статье не хватает ссылок на источники информации.",
        "Dieser Artikel oder nachfolgende Abschnitt ist nicht hinreichend mit Belegen "
        "(beispielsweise Einzelnachweisen) ausgestattet.",
        "Teile dieses Abschnitts scheinen seit einigen Jahren nicht mehr aktuell zu sein.",
        "Cet article ne cite pas suffisamment ses sources (mai 2020).",
        "Cet article est une ébauche concernant la cuisine.",
    ],
)
def test_maintenance_boxes(line):
    assert maintenance_box(line)


@pytest.mark.parametrize(
    "line",
    [
        "This article is about the war.",
        "The article needs no introduction, said the editor.",
        "Please help the victims, the mayor asked.",
        "The neutrality of Switzerland was respected.",
    ],
)
def test_not_maintenance_boxes(line):
    assert not maintenance_box(line)


# --------------------------------------------------------------------------- section roles


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("References", REFERENCES),
        ("references ", REFERENCES),
        ("REFERENCES", REFERENCES),
        ("References[edit]", REFERENCES),
        ("Notes", REFERENCES),
        ("Footnotes", REFERENCES),
        ("Citations", REFERENCES),
        ("Notes and references", REFERENCES),
        ("Примечания", REFERENCES),
        ("Примечания[править | править код]", REFERENCES),
        ("Einzelnachweise", REFERENCES),
        ("Anmerkungen", REFERENCES),
        ("Références", REFERENCES),
        ("Notes et références", REFERENCES),
        ("Referencias", REFERENCES),
        ("Notas", REFERENCES),
        ("Note", REFERENCES),
        ("Przypisy", REFERENCES),
        ("Примітки", REFERENCES),
        ("脚注", REFERENCES),
        ("出典", REFERENCES),
        ("注释", REFERENCES),
        ("参考资料", REFERENCES),
        ("Bibliography", BIBLIOGRAPHY),
        ("Works cited", BIBLIOGRAPHY),
        ("Further reading", BIBLIOGRAPHY),
        ("Literature", BIBLIOGRAPHY),
        ("Sources", BIBLIOGRAPHY),
        ("Литература", BIBLIOGRAPHY),
        ("Literatur", BIBLIOGRAPHY),
        ("Bibliographie", BIBLIOGRAPHY),
        ("Bibliografía", BIBLIOGRAPHY),
        ("参考文献", BIBLIOGRAPHY),
        ("See also", NAVIGATION),
        ("External links", NAVIGATION),
        ("Related articles", NAVIGATION),
        ("См. также", NAVIGATION),
        ("Ссылки", NAVIGATION),
        ("Siehe auch", NAVIGATION),
        ("Weblinks", NAVIGATION),
        ("Voir aussi", NAVIGATION),
        ("Liens externes", NAVIGATION),
        ("Véase también", NAVIGATION),
        ("Enlaces externos", NAVIGATION),
        ("関連項目", NAVIGATION),
        ("外部リンク", NAVIGATION),
        ("参见", NAVIGATION),
        ("外部链接", NAVIGATION),
    ],
)
def test_section_roles(heading, role):
    assert section_role(heading) == role


@pytest.mark.parametrize(
    "heading",
    [
        "References to the past",
        "Notes on the text",
        "See also the river",
        "History",
        "Literature and art",
        "External relations",
        "Sources of the Nile",
        "",
    ],
)
def test_ordinary_sections_have_no_role(heading):
    assert section_role(heading) is None


def test_headings_whose_role_depends_on_the_edition():
    assert section_role("Sources") == BIBLIOGRAPHY  # en: the works cited
    assert section_role("Sources", language="fr") == REFERENCES  # fr: the notes
    assert section_role("参考文献") == BIBLIOGRAPHY  # ja
    assert section_role("参考文献", language="zh") == REFERENCES


def test_vocabulary_has_words_for_every_language_it_names():
    for table in (
        vocabulary.EDIT_LINK_WORDS,
        vocabulary.TOC_TITLES,
        vocabulary.TAGLINES,
        vocabulary.JUMP_LINKS,
        vocabulary.CATEGORY_LABELS,
        vocabulary.HATNOTE_PREFIXES,
    ):
        assert set(table) == set(vocabulary.LANGUAGES)
