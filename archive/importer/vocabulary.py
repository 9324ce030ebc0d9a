"""The words the importer recognises, declared once, with where each list comes from.

Pure Python: no Django, no I/O. Two families of words live here.

1. Maintenance tags: the inline cleanup templates of Wikipedia as they render in a copied
   page (``[citation needed]``, ``[who?]``, ``[источник не указан 123 дня]`` ...), each
   mapped to one flag kind (the values of ``archive.models.choices.FlagKind``).
   ``tag_kind(label)`` says which kind a bracket label raises, or None when the label is not
   a tag at all (an editorial insertion such as ``[sic]`` or ``[the]``).

2. Page structure words: what a rendered page puts around the article text (edit links after
   headings, the table of contents title, taglines, "Jump to navigation", footers, category
   lines, hatnotes, maintenance boxes) and the headings of the apparatus sections
   (references, bibliography, navigation). The functions at the end of the module classify
   one line or one heading.

Matching is done on a folded form of the text (Unicode NFKC, case folded, quotes, dashes and
spaces unified; see ``fold``), never on substrings of prose: a sentence that happens to
mention Wikipedia is not page chrome.

Sources (all read through the stored public copies available to the project):

- English tags: the members of "Category:Inline cleanup templates" and the inline section of
  "Wikipedia:Template index/Cleanup" (en.wikipedia.org), in the text each template renders;
  every label was checked against copies of rendered articles where one could be found.
- Other-language tags: the templates' rendered text (zh: the template sources in
  github.com/chinapedia/wikipedia.zh.mediawiki, e.g. Template/Citation needed, Who, When,
  Which, Where, Clarify, Dead link, Better source, Failed verification); ru, fr, es, ja:
  occurrences in copies of rendered articles.
- Interface words: MediaWiki's own messages, ``languages/i18n/<lang>.json`` of
  wikimedia/mediawiki ("editsection", "toc", "hidetoc", "showtoc", "tagline",
  "jumpto", "jumptonavigation", "jumptosearch", "retrievedfrom", "pagecategories",
  "hidden-categories", "lastmodifiedat", "redirectedfrom", "personaltools", "toolbox",
  "printableversion", "privacy", "aboutsite", "disclaimers"), of the Vector skin
  (``skins/Vector/i18n``: "vector-jumptocontent", "vector-jumptonavigation",
  "vector-toc-label", "vector-toc-collapsible-button-label", "vector-main-menu-label",
  "vector-page-tools-label", "vector-pin-element-label", "vector-unpin-element-label"),
  of VisualEditor ("visualeditor-ca-editsource-section"), Wikibase client
  ("wikibase-editlinks", "wikibase-otherprojects"), MobileFrontend ("mobile-frontend-view"),
  Collection ("coll-print_export"), ElectronPdfService ("...-sidebar-portlet-print-text")
  and WikimediaMessages ("wikimedia-copyright-footer", "wikimedia-developers",
  "wikimedia-statslink", "wikimedia-cookiestatement"). Where a Wikipedia overrides a
  message locally (the taglines, "modifier le code" on fr, "modifica wikitesto" on it) the
  rendered override is listed beside the message.
- Section headings: pywikibot ``scripts/noreferences.py`` (``referencesSections`` and
  ``placeBeforeSections``, per language), plus the headings named in each Wikipedia's
  layout guideline.
- Hatnotes and maintenance boxes: the rendered text of the hatnote templates ({{Main}},
  {{See also}}, {{Further}}, {{About}}, {{Redirect}}, {{Distinguish}} and their
  translations) and of the most used message boxes, checked against copies where found.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# The flag kinds: the values of archive.models.choices.FlagKind (no Django import here).
CITATION_NEEDED = "citation_needed"
NEUTRALITY_DISPUTED = "neutrality_disputed"
QUOTATION_NEEDED = "quotation_needed"
CLARIFICATION_NEEDED = "clarification_needed"
VAGUE = "vague"
DUBIOUS = "dubious"
FAILED_VERIFICATION = "failed_verification"
BETTER_SOURCE_NEEDED = "better_source_needed"
PAGE_NEEDED = "page_needed"
ORIGINAL_RESEARCH = "original_research"
DEAD_LINK = "dead_link"
UPDATE_NEEDED = "update_needed"
OTHER = "other"

FLAG_KINDS = frozenset(
    {
        CITATION_NEEDED,
        NEUTRALITY_DISPUTED,
        QUOTATION_NEEDED,
        CLARIFICATION_NEEDED,
        VAGUE,
        DUBIOUS,
        FAILED_VERIFICATION,
        BETTER_SOURCE_NEEDED,
        PAGE_NEEDED,
        ORIGINAL_RESEARCH,
        DEAD_LINK,
        UPDATE_NEEDED,
        OTHER,
    }
)

LANGUAGES = (
    "en",
    "ru",
    "de",
    "fr",
    "es",
    "it",
    "pt",
    "pl",
    "uk",
    "ja",
    "zh",
    "ar",
    "he",
    "ko",
    "hi",
    "el",
    "vi",
)

# --------------------------------------------------------------------------- folding

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d-"
_DASH_RE = re.compile(f"[{_DASHES[:-1]}]")  # all but the hyphen-minus they become
# Applied after whitespace is collapsed to single spaces.
_SPACED_DASH_RE = re.compile(r" - | -|- ")
_SPACE_BEFORE_PUNCT = (" ?", " !", " :", " ;")
_SPACE_BEFORE_PUNCT_RE = re.compile(r" ([?!:;])")
_QUOTES_RE = re.compile(
    "[\u2018\u2019\u201a\u201b\u2032\u201c-\u201f\u00ab\u00bb\u300c-\u300f\u00ad\u200b-\u200d\u2060\ufeff]"
)
_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u300c": '"',
        "\u300d": '"',
        "\u300e": '"',
        "\u300f": '"',
        "\u00ad": None,  # soft hyphen, as in de "Drucken/­exportieren"
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)


@lru_cache(maxsize=8192)  # the parser asks several questions of each line
@lru_cache(maxsize=64)  # each line is folded by every test it is put to, one after another
def fold(text: str) -> str:
    """The form every comparison in this module is made on.

    NFKC (full-width "？" and "（" become "?" and "("), case folded, typographic quotes and
    guillemets made straight, every dash variant made "-" and a spaced dash made " - ",
    no space before ? ! : ; (French typography), runs of whitespace (no-break and thin spaces
    included) made one space, stripped.
    """
    text = unicodedata.normalize("NFKC", text)
    if _QUOTES_RE.search(text):
        text = text.translate(_QUOTES)
    text = text.casefold()
    text = " ".join(_DASH_RE.sub("-", text).split())
    if " -" in text or "- " in text:
        text = _SPACED_DASH_RE.sub(" - ", text)
    if any(space in text for space in _SPACE_BEFORE_PUNCT):
        text = _SPACE_BEFORE_PUNCT_RE.sub(r"\1", text)
    return text


def _folded_set(words: Iterable[str]) -> frozenset[str]:
    return frozenset(fold(word) for word in words)


# --------------------------------------------------------------------------- 1. tags

# English Wikipedia: the inline cleanup templates ("Category:Inline cleanup templates",
# "Wikipedia:Template index/Cleanup", inline section), as each renders between brackets.
# The template is named in the comment where the label does not say it.
EN_TAGS: dict[str, str] = {
    # -- sourcing
    "citation needed": CITATION_NEEDED,  # {{Citation needed}}, {{cn}}, {{fact}}
    "medical citation needed": CITATION_NEEDED,  # {{Medical citation needed}}
    "additional citation(s) needed": CITATION_NEEDED,  # {{More citations needed inline}}
    "additional citations needed": CITATION_NEEDED,
    "need quotation to verify": QUOTATION_NEEDED,  # {{Request quotation}}
    "quotation needed": QUOTATION_NEEDED,
    "better source needed": BETTER_SOURCE_NEEDED,  # {{Better source needed}}
    "unreliable source?": BETTER_SOURCE_NEEDED,  # {{Unreliable source?}}
    "unreliable medical source?": BETTER_SOURCE_NEEDED,  # {{Unreliable medical source}}
    "unreliable fringe source?": BETTER_SOURCE_NEEDED,  # {{Unreliable fringe source}}
    "self-published source?": BETTER_SOURCE_NEEDED,  # {{Self-published inline}}
    "self-published source": BETTER_SOURCE_NEEDED,
    "non-primary source needed": BETTER_SOURCE_NEEDED,  # {{Primary source inline}}
    "third-party source needed": BETTER_SOURCE_NEEDED,  # {{Third-party inline}}
    "promotional source?": BETTER_SOURCE_NEEDED,  # {{Promotional source}}
    "deprecated source?": BETTER_SOURCE_NEEDED,  # {{Deprecated inline}}
    "predatory publisher": BETTER_SOURCE_NEEDED,  # {{Predatory publishing}}
    "user-generated source": BETTER_SOURCE_NEEDED,  # {{User-generated source}}
    "obsolete source": BETTER_SOURCE_NEEDED,  # {{Obsolete source}}
    "circular reference": BETTER_SOURCE_NEEDED,  # {{Circular reference}}
    # -- verification
    "failed verification": FAILED_VERIFICATION,  # {{Failed verification}}
    "failed verification – see discussion": FAILED_VERIFICATION,
    "not in citation given": FAILED_VERIFICATION,  # its older wording
    "verification needed": FAILED_VERIFICATION,  # {{Verify source}}
    "not verified in body": FAILED_VERIFICATION,  # {{Not verified in body}}
    "irrelevant citation": FAILED_VERIFICATION,  # {{Irrelevant citation}}
    # -- fuller citation
    "page needed": PAGE_NEEDED,  # {{Page needed}}
    "pages needed": PAGE_NEEDED,
    "page range too broad": PAGE_NEEDED,  # {{Page range too broad}}
    "full citation needed": PAGE_NEEDED,  # {{Full citation needed}}
    "not specific enough to verify": PAGE_NEEDED,  # {{Not specific enough to verify}}
    "year needed": PAGE_NEEDED,  # {{Year missing}}
    "time needed": PAGE_NEEDED,  # {{Time needed}} (audio/video timestamps)
    "bare url": PAGE_NEEDED,  # {{Bare URL inline}}
    "bare url pdf": PAGE_NEEDED,  # {{Bare URL PDF}}
    # -- dead links
    "dead link": DEAD_LINK,  # {{Dead link}}
    "permanent dead link": DEAD_LINK,  # {{Dead link|fix-attempted=yes}}
    # -- original research
    "original research?": ORIGINAL_RESEARCH,  # {{Original research inline}}
    "improper synthesis?": ORIGINAL_RESEARCH,  # {{Synthesis inline}}
    # -- disputed content
    "dubious – discuss": DUBIOUS,  # {{Dubious}}
    "disputed – discuss": DUBIOUS,  # {{Disputed inline}}
    "contradictory": DUBIOUS,  # {{Contradictory inline}}
    "inconsistent": DUBIOUS,  # {{Inconsistent inline}}
    "neutrality is disputed": NEUTRALITY_DISPUTED,  # {{POV statement}}
    "undue weight? – discuss": NEUTRALITY_DISPUTED,  # {{Undue weight inline}}
    "unbalanced opinion?": NEUTRALITY_DISPUTED,  # {{Unbalanced opinion}}
    "peacock prose": NEUTRALITY_DISPUTED,  # {{Peacock inline}}
    "loaded term": NEUTRALITY_DISPUTED,  # {{Loaded term}}
    # -- unattributed or vague wording (FlagKind.VAGUE: "who? when? which?")
    "who?": VAGUE,  # {{Who}}
    "whom?": VAGUE,  # {{Whom}}
    "by whom?": VAGUE,  # {{By whom}}
    "according to whom?": VAGUE,  # {{According to whom}}
    "attribution needed": VAGUE,  # {{Attribution needed}}
    "weasel words": VAGUE,  # {{Weasel inline}}
    "which?": VAGUE,  # {{Which}}
    "when?": VAGUE,  # {{When}}
    "where?": VAGUE,  # {{Where}}
    "how much?": VAGUE,  # {{How much}}
    "how many?": VAGUE,  # {{How many}}
    "by how much?": VAGUE,  # {{By how much}}
    "as of?": VAGUE,  # {{As of?}}
    "timeframe?": VAGUE,  # {{Clarify timeframe}}
    "vague": VAGUE,  # {{Vague}}
    "specify": VAGUE,  # {{Specify}}
    "quantify": VAGUE,  # {{Quantify}}
    # -- clarity
    "clarification needed": CLARIFICATION_NEEDED,  # {{Clarify}}
    "further explanation needed": CLARIFICATION_NEEDED,  # {{Explain}}, {{Elucidate}}
    "definition needed": CLARIFICATION_NEEDED,  # {{Definition needed}}
    "example needed": CLARIFICATION_NEEDED,  # {{Example needed}}
    "examples needed": CLARIFICATION_NEEDED,
    "ambiguous": CLARIFICATION_NEEDED,  # {{Ambiguous}}
    "jargon": CLARIFICATION_NEEDED,  # {{Technical inline}}
    "expand acronym": CLARIFICATION_NEEDED,  # {{Expand acronym}}
    "how?": CLARIFICATION_NEEDED,  # {{How}}
    "why?": CLARIFICATION_NEEDED,  # {{Why}}
    "what?": CLARIFICATION_NEEDED,  # {{What}}
    # -- currency
    "needs update": UPDATE_NEEDED,  # {{Update inline}}, {{Update after}}
    "update needed": UPDATE_NEEDED,
    "out of date": UPDATE_NEEDED,  # {{Out of date inline}}
    # -- everything else of the family
    "copyright violation?": OTHER,  # {{Copyvio link}}
    "relevant?": OTHER,  # {{Relevance inline}}
    "importance?": OTHER,  # {{Importance inline}}
    "non sequitur": OTHER,  # {{Non sequitur}}
    "buzzword": OTHER,  # {{Buzzword inline}}
    "disambiguation needed": OTHER,  # {{Disambiguation needed}}
    "spelling?": OTHER,  # {{Verify spelling}}
    "pronunciation?": OTHER,  # {{Pronunciation?}}
    "excessive citations": OTHER,  # {{Excessive citations inline}}
}

# Russian Wikipedia. {{Нет АИ}} renders "источник не указан N дней" (see TAG_PATTERNS);
# {{Уточнить}}, {{Кто?}} ... render the plain words below.
RU_TAGS: dict[str, str] = {
    "нет аи": CITATION_NEEDED,  # as named in the brief; the dated form is the pattern below
    "источник не указан": CITATION_NEEDED,
    "нет в источнике": FAILED_VERIFICATION,  # {{Нет в источнике}}
    "неавторитетный источник?": BETTER_SOURCE_NEEDED,  # {{Неавторитетный источник}}
    "недоступная ссылка": DEAD_LINK,  # {{Недоступная ссылка}}
    "уточнить": CLARIFICATION_NEEDED,  # {{Уточнить}}
    "уточнить ссылку": PAGE_NEEDED,  # {{Уточнить ссылку}}
    "значимость факта?": OTHER,  # {{Значимость факта}}
    "кто?": VAGUE,  # {{Кто?}}
    "кем?": VAGUE,
    "когда?": VAGUE,  # {{Когда?}}
    "где?": VAGUE,  # {{Где?}}
    "какой?": VAGUE,  # {{Какой?}}
    "какие?": VAGUE,
    "сколько?": VAGUE,  # {{Сколько?}}
    "что?": CLARIFICATION_NEEDED,  # {{Что?}}
    "как?": CLARIFICATION_NEEDED,
    "почему?": CLARIFICATION_NEEDED,
}

# German Wikipedia marks missing sources with message boxes ({{Belege fehlen}}, see
# MAINTENANCE_BOXES), not inline bracket tags; no common inline form was found.
DE_TAGS: dict[str, str] = {}

# French Wikipedia: {{Référence nécessaire}} / {{Refnec}}, {{Référence souhaitée}},
# {{Qui}}, {{Par qui}}, {{Quand}}, {{Où}}, {{Lequel}} ... (rendered with a narrow no-break
# space before "?", which folding removes).
FR_TAGS: dict[str, str] = {
    "réf. nécessaire": CITATION_NEEDED,
    "réf. souhaitée": CITATION_NEEDED,
    "citation nécessaire": QUOTATION_NEEDED,
    "réf. insuffisante": BETTER_SOURCE_NEEDED,  # {{Référence insuffisante}}
    "source insuffisante": BETTER_SOURCE_NEEDED,  # {{Source insuffisante}}
    "réf. incomplète": PAGE_NEEDED,  # {{Référence incomplète}}
    "pas clair": CLARIFICATION_NEEDED,  # {{Pas clair}}
    "précision nécessaire": CLARIFICATION_NEEDED,  # {{Précision nécessaire}}
    "style à revoir": OTHER,
    "non neutre": NEUTRALITY_DISPUTED,  # {{Non neutre}}
    "douteux": DUBIOUS,  # {{Douteux}}
    "information douteuse": DUBIOUS,  # {{Information douteuse}}
    "interprétation personnelle": ORIGINAL_RESEARCH,  # {{Interprétation personnelle}}
    "travail inédit ?": ORIGINAL_RESEARCH,  # {{Travail inédit}}
    "qui ?": VAGUE,
    "par qui ?": VAGUE,
    "selon qui ?": VAGUE,
    "quand ?": VAGUE,
    "où ?": VAGUE,
    "lequel ?": VAGUE,
    "laquelle ?": VAGUE,
    "lesquels ?": VAGUE,
    "combien ?": VAGUE,
    "comment ?": CLARIFICATION_NEEDED,
    "pourquoi ?": CLARIFICATION_NEEDED,
    "quoi ?": CLARIFICATION_NEEDED,
}

# Spanish Wikipedia: {{Cita requerida}}, {{¿Quién?}}, {{¿Cuándo?}} ...
ES_TAGS: dict[str, str] = {
    "cita requerida": CITATION_NEEDED,
    "¿quién?": VAGUE,
    "¿cuándo?": VAGUE,
    "¿dónde?": VAGUE,
    "¿cuál?": VAGUE,
    "¿según quién?": VAGUE,
    "aclaración requerida": CLARIFICATION_NEEDED,
    "dudoso – discutir": DUBIOUS,
    "enlace roto": DEAD_LINK,
    "definición imprecisa": CLARIFICATION_NEEDED,  # as it renders in Wiktionary copies too
}

# Japanese Wikipedia: {{要出典}}, {{要検証}}, {{要ページ番号}}, {{要説明}}, {{いつ}} ...
JA_TAGS: dict[str, str] = {
    "要出典": CITATION_NEEDED,
    "要検証": FAILED_VERIFICATION,
    "要ページ番号": PAGE_NEEDED,
    "要説明": CLARIFICATION_NEEDED,
    "独自研究?": ORIGINAL_RESEARCH,
    "リンク切れ": DEAD_LINK,
    "いつ?": VAGUE,
    "誰?": VAGUE,
    "どこ?": VAGUE,
    "どれ?": VAGUE,
}

# Chinese Wikipedia, from the template sources (chinapedia/wikipedia.zh.mediawiki):
# Template:Citation needed renders "來源請求" (shown "来源请求" in simplified script),
# Who "谁？", When "何时？", Where "哪裡？", Which "哪個／哪些？", Clarify "需要解释",
# Better source "需要較佳来源", Failed verification "與來源不符", Dead link
# "失效連結"/"失效链接" and, with fix-attempted, "永久失效連結". Both scripts are listed.
ZH_TAGS: dict[str, str] = {
    "來源請求": CITATION_NEEDED,
    "来源请求": CITATION_NEEDED,
    "需要較佳来源": BETTER_SOURCE_NEEDED,
    "需要較佳來源": BETTER_SOURCE_NEEDED,
    "需要较佳来源": BETTER_SOURCE_NEEDED,
    "與來源不符": FAILED_VERIFICATION,
    "与来源不符": FAILED_VERIFICATION,
    "需要解释": CLARIFICATION_NEEDED,
    "需要解釋": CLARIFICATION_NEEDED,
    "失效連結": DEAD_LINK,
    "失效链接": DEAD_LINK,
    "永久失效連結": DEAD_LINK,
    "永久失效链接": DEAD_LINK,
    "谁？": VAGUE,
    "誰？": VAGUE,
    "何时？": VAGUE,
    "何時？": VAGUE,
    "哪裡？": VAGUE,
    "哪里？": VAGUE,
    "哪個／哪些？": VAGUE,
    "哪个／哪些？": VAGUE,
}

TAGS_BY_LANGUAGE: dict[str, dict[str, str]] = {
    "en": EN_TAGS,
    "ru": RU_TAGS,
    "de": DE_TAGS,
    "fr": FR_TAGS,
    "es": ES_TAGS,
    "ja": JA_TAGS,
    "zh": ZH_TAGS,
}

# Tags with a variable part, matched on the folded label.
TAG_PATTERNS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    # ru {{Нет АИ}}: "источник не указан 123 дня" (день / дня / дней after the number).
    ("ru", re.compile(r"источник не указан \d{1,5} (?:день|дня|дней)"), CITATION_NEEDED),
)

# The plain labels (as they render) -> kind, every language together. The current parser
# looks labels up here as written; tag_kind() is the tolerant lookup.
TAG_KINDS: dict[str, str] = {
    label: kind for table in TAGS_BY_LANGUAGE.values() for label, kind in table.items()
}


_ANY_DASH_RE = re.compile(r"\s*-\s*")


def _tag_key(label: str) -> str:
    # Dashes are spaced the same way on both sides: "dubious–discuss" and "dubious - discuss"
    # meet, and so do "self-published" and "self - published".
    return _ANY_DASH_RE.sub(" - ", fold(label))


def _index_tags() -> dict[str, str]:
    index: dict[str, str] = {}
    for table in TAGS_BY_LANGUAGE.values():
        for label, kind in table.items():
            key = _tag_key(label)
            if kind not in FLAG_KINDS:
                raise ValueError(f"tag {label!r}: {kind!r} is not a flag kind")
            if index.get(key, kind) != kind:
                raise ValueError(f"tag {label!r} is declared with two kinds")
            index[key] = kind
    return index


_TAG_INDEX = _index_tags()


def tag_kind(label: str) -> str | None:
    """The flag kind of a label that is a maintenance tag, else None.

    ``label`` is the text inside the brackets ("citation needed"); surrounding brackets are
    tolerated. Case, whitespace, dash variants (– — -), straight/curly quotes and the space
    French puts before "?" do not matter. Anything that is not in the vocabulary - an
    editorial insertion like "sic", "the", "…", "emphasis added" - is not a tag.
    """
    text = label.strip()
    if len(text) >= 2 and text[0] in "[［" and text[-1] in "]］":
        text = text[1:-1]
    key = _tag_key(text)
    if not key:
        return None
    kind = _TAG_INDEX.get(key)
    if kind is not None:
        return kind
    folded = fold(text)
    for _language, pattern, pattern_kind in TAG_PATTERNS:
        if pattern.fullmatch(folded):
            return pattern_kind
    return None


# --------------------------------------------------------------------------- 2. page words

# Section edit links: core "editsection", VisualEditor "visualeditor-ca-editsource-section"
# and the local overrides Wikipedias render ("modifier le code", "modifica wikitesto").
EDIT_LINK_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("edit", "edit source"),
    "ru": ("править", "править код"),
    "de": ("Bearbeiten", "Quelltext bearbeiten"),
    "fr": ("modifier", "modifier le code", "modifier le wikicode"),
    "es": ("editar", "editar código"),
    "it": ("modifica", "modifica wikitesto", "modifica sorgente"),
    "pt": ("editar", "editar código", "editar código-fonte", "editar código fonte"),
    "pl": ("edytuj", "edytuj kod"),
    "uk": ("ред.", "ред. код", "редагувати", "редагувати код"),
    "ja": ("編集", "ソースを編集"),
    "zh": ("编辑", "編輯", "编辑源代码", "編輯原始碼"),
}

# Table of contents: core "toc" and Vector "vector-toc-label".
TOC_TITLES: dict[str, tuple[str, ...]] = {
    "en": ("Contents",),
    "ru": ("Содержание",),
    "de": ("Inhaltsverzeichnis",),
    "fr": ("Sommaire",),
    "es": ("Índice", "Contenido", "Contenidos"),
    "it": ("Indice",),
    "pt": ("Índice", "Conteúdos"),
    "pl": ("Spis treści",),
    "uk": ("Зміст",),
    "ja": ("目次",),
    "zh": ("目录", "目錄", "目次"),
}

# What follows the TOC title: core "hidetoc"/"showtoc", Vector pin/unpin labels.
TOC_TOGGLES: dict[str, tuple[str, ...]] = {
    "en": ("hide", "show", "move to sidebar"),
    "ru": ("скрыть", "показать", "переместить в боковую панель"),
    "de": ("Verbergen", "Anzeigen", "In die Seitenleiste verschieben"),
    "fr": ("masquer", "afficher", "déplacer vers la barre latérale"),
    "es": ("ocultar", "mostrar", "mover a la barra lateral"),
    "it": ("nascondi", "mostra", "sposta nella barra laterale"),
    "pt": ("ocultar", "esconder", "mostrar", "mover para a barra lateral"),
    "pl": ("ukryj", "pokaż", "przypnij"),
    "uk": ("сховати", "показати", "перемістити на бічну панель"),
    "ja": ("非表示", "表示", "サイドバーに移動"),
    "zh": ("隐藏", "隱藏", "显示", "顯示", "移至侧栏", "移至側邊欄"),
}

# The tagline under the title: MediaWiki:Tagline as each Wikipedia overrides it.
TAGLINES: dict[str, tuple[str, ...]] = {
    "en": ("From Wikipedia, the free encyclopedia",),
    "ru": ("Материал из Википедии — свободной энциклопедии",),
    "de": ("Aus Wikipedia, der freien Enzyklopädie",),
    "fr": ("Un article de Wikipédia, l'encyclopédie libre",),
    "es": ("De Wikipedia, la enciclopedia libre",),
    "it": ("Da Wikipedia, l'enciclopedia libera",),
    "pt": ("Origem: Wikipédia, a enciclopédia livre",),
    "pl": ("Z Wikipedii, wolnej encyklopedii",),
    "uk": ("Матеріал з Вікіпедії — вільної енциклопедії",),
    "ja": (
        "出典: フリー百科事典『ウィキペディア（Wikipedia）』",
        "出典: フリー百科事典『ウィキペディア』",
    ),
    "zh": ("维基百科，自由的百科全书", "維基百科，自由的百科全書"),
}

# Skip links: Vector "vector-jumptocontent", "vector-jumptonavigation", "vector-jumptosearch",
# and the older core "jumpto" + "jumptonavigation" + ", " + "jumptosearch" line.
JUMP_LINKS: dict[str, tuple[str, ...]] = {
    "en": (
        "Jump to content",
        "Jump to navigation",
        "Jump to search",
        "Jump to: navigation, search",
    ),
    "ru": (
        "Перейти к содержанию",
        "Перейти к навигации",
        "Перейти к поиску",
        "Перейти к: навигация, поиск",
    ),
    "de": (
        "Zum Inhalt springen",
        "Zur Navigation springen",
        "Zur Suche springen",
        "Wechseln zu: Navigation, Suche",
    ),
    "fr": (
        "Aller au contenu",
        "Aller à la navigation",
        "Aller à la recherche",
        "Aller à : navigation, rechercher",
    ),
    "es": (
        "Ir al contenido",
        "Ir a la navegación",
        "Ir a la búsqueda",
        "Saltar a: navegación, búsqueda",
    ),
    "it": (
        "Vai al contenuto",
        "Vai alla navigazione",
        "Vai alla ricerca",
        "Vai a: navigazione, ricerca",
    ),
    "pt": (
        "Ir para o conteúdo",
        "Ir para a navegação",
        "Ir para a procura",
        "Ir para navegação",
        "Ir para pesquisar",
        "Saltar para a navegação",
        "Saltar para a pesquisa",
    ),
    "pl": ("Przejdź do zawartości", "Przejdź do nawigacji", "Przejdź do wyszukiwania"),
    "uk": ("Перейти до вмісту", "Перейти до навігації", "Перейти до пошуку"),
    "ja": ("コンテンツにスキップ", "ナビゲーションに移動", "検索に移動"),
    "zh": (
        "跳转到内容",
        "跳至內容",
        "跳转到导航",
        "跳至導覽",
        "跳到导航",
        "跳转到搜索",
        "跳至搜尋",
        "跳到搜索",
    ),
}

# Footer and menu lines that cannot be article text ("page" chrome): core "aboutsite" with
# the Wikipedia site name, Wikibase "wikibase-editlinks" / "wikibase-otherprojects",
# Collection "coll-print_export", ElectronPdfService print text, core "printableversion",
# "personaltools", MobileFrontend "mobile-frontend-view", WikimediaMessages
# "wikimedia-cookiestatement", Vector "vector-main-menu-label" and
# "vector-toc-collapsible-button-label".
PAGE_CHROME_LINES: dict[str, tuple[str, ...]] = {
    "en": (
        "About Wikipedia",
        "Contact Wikipedia",
        "Mobile view",
        "Cookie statement",
        "Edit preview settings",
        "Legal & safety contacts",
        "Main menu",
        "Personal tools",
        "Navigation menu",
        "Edit links",
        "In other projects",
        "In other languages",
        "Print/export",
        "Download as PDF",
        "Printable version",
        "Toggle the table of contents",
        "Page tools",
        "Language links are at the top of the page.",
        "Language links are at the top of the page across from the title.",
        "Pages for logged out editors learn more",
    ),
    "ru": (
        "О Википедии",
        "Мобильная версия",
        "Заявление о куки",
        "Главное меню",
        "Персональные инструменты",
        "Править ссылки",
        "В других проектах",
        "Печать/экспорт",
        "Скачать как PDF",
        "Версия для печати",
        "Отобразить/Скрыть содержание",
    ),
    "de": (
        "Über Wikipedia",
        "Mobile Ansicht",
        "Stellungnahme zu Cookies",
        "Hauptmenü",
        "Meine Werkzeuge",
        "Links bearbeiten",
        "In anderen Projekten",
        "Drucken/exportieren",
        "Als PDF herunterladen",
        "Druckversion",
        "Inhaltsverzeichnis umschalten",
    ),
    "fr": (
        "À propos de Wikipédia",
        "Version mobile",
        "Déclaration sur les témoins (cookies)",
        "Menu principal",
        "Outils personnels",
        "Modifier les liens",
        "Dans d'autres projets",
        "Sur les autres projets Wikimedia :",
        "Imprimer / exporter",
        "Télécharger en PDF",
        "Version imprimable",
        "Basculer la table des matières",
    ),
    "es": (
        "Acerca de Wikipedia",
        "Versión para móviles",
        "Declaración de cookies",
        "Menú principal",
        "Herramientas personales",
        "Editar enlaces",
        "En otros proyectos",
        "Imprimir/exportar",
        "Descargar en PDF",
        "Versión para imprimir",
        "Cambiar a la tabla de contenidos",
    ),
    "it": (
        "Informazioni su Wikipedia",
        "Versione mobile",
        "Dichiarazione sui cookie",
        "Menu principale",
        "Strumenti personali",
        "Modifica collegamenti",
        "In altri progetti",
        "Stampa/esporta",
        "Scarica in formato PDF",
        "Versione stampabile",
        "Mostra/Nascondi l'indice",
    ),
    "pt": (
        "Sobre a Wikipédia",
        "Versão móvel",
        "Declaração sobre cookies",
        "Menu principal",
        "Ferramentas pessoais",
        "Editar hiperligações",
        "Noutros projetos",
        "Em outros projetos",
        "Imprimir/exportar",
        "Descarregar como PDF",
        "Versão para impressão",
        "Alternar o índice",
    ),
    "pl": (
        "O Wikipedii",
        "Wersja mobilna",
        "Oświadczenie o ciasteczkach",
        "Menu główne",
        "Narzędzia osobiste",
        "Edytuj linki",
        "W innych projektach",
        "Drukuj lub eksportuj",
        "Pobierz jako PDF",
        "Wersja do druku",
        "Przełącz stan spisu treści",
    ),
    "uk": (
        "Про Вікіпедію",
        "Мобільний вигляд",
        "Головне меню",
        "Особисті інструменти",
        "Редагувати посилання",
        "В інших проєктах",
        "Друк/експорт",
        "Завантажити як PDF",
        "Версія для друку",
        "Сховати/показати зміст",
    ),
    "ja": (
        "ウィキペディアについて",
        "モバイルビュー",
        "Cookieに関する声明",
        "メインメニュー",
        "個人用ツール",
        "リンクを編集",
        "他のプロジェクト",
        "印刷/書き出し",
        "PDF形式で書き出す",
        "印刷用バージョン",
        "目次の表示・非表示を切り替え",
    ),
    "zh": (
        "关于维基百科",
        "關於維基百科",
        "移动版视图",
        "行動版檢視",
        "Cookie声明",
        "Cookie聲明",
        "主菜单",
        "主選單",
        "个人工具",
        "個人工具",
        "编辑链接",
        "編輯連結",
        "在其他项目中",
        "在其他專案中",
        "打印/导出",
        "列印/匯出",
        "下载为PDF",
        "下載為PDF",
        "可打印版本",
        "可列印版",
        "开关目录",
        "切換目次",
    ),
}

# Menu and footer labels of the page frame ("menu" chrome): core "toolbox", WikimediaMessages
# "wikimedia-developers", core "disclaimers" and "privacy", the sidebar's links. They are
# chrome wherever they stand, but some are words an article could use too ("Tools",
# "Developers" as a heading): chrome_kind() says "menu" so a caller can ask for chrome
# around them.
MENU_LABELS: dict[str, tuple[str, ...]] = {
    "en": (
        "Tools",
        "Developers",
        "Disclaimers",
        "Privacy policy",
        "Terms of Use",
        "Code of Conduct",
        "Create account",
        "Log in",
        "Main page",
        "Random article",
        "Contact us",
        "Learn to edit",
        "Community portal",
        "Recent changes",
        "Upload file",
        "What links here",
        "Related changes",
        "Special pages",
        "Permanent link",
        "Page information",
        "Cite this page",
        "Get shortened URL",
        "Download QR code",
        "Wikidata item",
        "View history",
        "move to sidebar",
        "hide",
    ),
    "ru": (
        "Инструменты",
        "Разработчики",
        "Отказ от ответственности",
        "Политика конфиденциальности",
    ),
    "de": ("Werkzeuge", "Entwickler", "Haftungsausschluss", "Impressum", "Datenschutz"),
    "fr": ("Outils", "Développeurs", "Avertissements", "Politique de confidentialité"),
    "es": (
        "Herramientas",
        "Desarrolladores",
        "Limitación de responsabilidad",
        "Política de privacidad",
    ),
    "it": ("Strumenti", "Sviluppatori", "Avvertenze", "Informativa sulla privacy"),
    "pt": ("Ferramentas", "Desenvolvedores", "Avisos gerais", "Política de privacidade"),
    "pl": ("Narzędzia", "Dla deweloperów", "Zasady ochrony prywatności"),
    "uk": (
        "Інструменти",
        "Розробники",
        "Відмова від відповідальності",
        "Політика конфіденційності",
    ),
    "ja": ("ツール", "開発者", "免責事項", "プライバシー・ポリシー"),
    "zh": ("工具", "开发者", "開發人員", "免责声明", "免責聲明", "隐私政策", "隱私政策"),
}

# Single interface words of the frame that are ordinary words too - "Views", "Languages",
# "Variants", "Appearance", "Statistics" are common article headings. Alone they are not
# chrome: is_chrome() says False and chrome_kind() says "word", so a caller that is inside a
# run of chrome (the menus copied before the title) can take them with it.
# The view / talk / edit links every navigation box (navbox, sidebar) renders in a corner:
# Template:Navbar as each Wikipedia words it. A line of only these marks a navigation box.
NAVBOX_LINKS: dict[str, tuple[str, ...]] = {
    "en": ("v t e", "vte", "v · t · e", "view talk edit"),
    "ru": ("п о р", "п · о · р", "просмотр обсуждение править"),
    "uk": ("п о р", "п · о · р", "переглянути обговорити редагувати"),
    "de": ("v t e", "v · d · b"),
    "fr": ("v · d · m", "v d m", "modifier"),
    "es": ("v t e", "v · d · e", "v d e"),
    "it": ("v · d · m", "v d m"),
    "pt": ("v · d · e", "v d e", "v t e"),
    "pl": ("p · d · e", "p d e"),
    "ja": ("表 話 編 歴", "表示 ノート 編集 履歴", "表 話 編"),
    "zh": ("查 论 编", "查论编", "查 論 編", "查論編", "閱 論 編", "阅 论 编"),
}

MENU_WORDS: dict[str, tuple[str, ...]] = {
    "en": (
        "Navigation",
        "Contribute",
        "Appearance",
        "Actions",
        "General",
        "Namespaces",
        "Views",
        "Variants",
        "Languages",
        "Search",
        "Donate",
        "Current events",
        "Help",
        "Article",
        "Talk",
        "Read",
        "Edit",
        "Statistics",
    ),
    "ru": ("Навигация", "Поиск", "Внешний вид", "Статистика", "Участие", "Языки"),
    "de": ("Navigation", "Suche", "Erscheinungsbild", "Statistiken", "Mitmachen", "Sprachen"),
    "fr": ("Navigation", "Rechercher", "Apparence", "Statistiques", "Contribuer", "Langues"),
    "es": ("Navegación", "Buscar", "Apariencia", "Estadísticas", "Contribuir", "Idiomas"),
    "it": ("Navigazione", "Ricerca", "Aspetto", "Statistiche", "Partecipa", "Lingue"),
    "pt": ("Navegação", "Pesquisa", "Aparência", "Estatísticas", "Colaboração", "Línguas"),
    "pl": ("Nawigacja", "Szukaj", "Wygląd", "Statystyki", "Dla czytelników", "Języki"),
    "uk": ("Навігація", "Пошук", "Зовнішній вигляд", "Статистика", "Участь", "Мови"),
    "ja": ("案内", "検索", "表示", "統計", "ヘルプ", "言語"),
    "zh": ("导航", "導覽", "搜索", "搜尋", "外观", "外觀", "统计", "統計", "帮助", "說明"),
}

# Lines that begin a chrome sentence; the rest of the line is the variable part.
# Core "lastmodifiedat" up to its $1 ("This page was last edited on $1, at $2."), the
# WikimediaMessages "wikimedia-copyright-footer" opening, and the sister-project boxes.
CHROME_PREFIXES: dict[str, tuple[str, ...]] = {
    "en": (
        "This page was last edited on ",
        "This page was last modified on ",
        "Text is available under the Creative Commons",
        "Wikipedia text is available under ",
        "Content is available under ",
        "Wikipedia® is a registered trademark of the Wikimedia Foundation",
        "Wikimedia Commons has media related to ",
        "Wikiquote has quotations related to ",
        "Wikisource has original text related to ",
        "Wikisource has original works ",
        "Wikibooks has a book on the topic of",
        "Wikinews has news related to ",
        "Wikiversity has learning resources about ",
        "Wikivoyage has a travel guide for ",
        "Wiktionary has definitions related to ",
    ),
    "ru": (
        "Эта страница в последний раз была отредактирована ",
        "Текст доступен по лицензии Creative Commons",
        "Медиафайлы на Викискладе",
    ),
    "de": (
        "Diese Seite wurde zuletzt am ",
        "Der Text ist unter der Lizenz Creative Commons",
        "Der Inhalt ist verfügbar unter der Lizenz",
    ),
    "fr": (
        "La dernière modification de cette page a été faite le ",
        "Les textes sont disponibles sous licence Creative Commons",
    ),
    "es": (
        "Esta página se editó por última vez el ",
        "El texto está disponible bajo la Licencia Creative Commons",
        "Wikimedia Commons alberga una categoría multimedia sobre ",
        "Wikimedia Commons alberga contenido multimedia sobre ",
    ),
    "it": (
        "Questa pagina è stata modificata per l'ultima volta il ",
        "Il testo è disponibile secondo la licenza Creative Commons",
        "Wikimedia Commons contiene immagini o altri file ",
    ),
    "pt": (
        "Esta página foi editada pela última vez às ",
        "Este texto é disponibilizado nos termos da licença",
        "O Commons possui uma categoria com imagens e outros ficheiros sobre ",
    ),
    "pl": (
        "Tę stronę ostatnio edytowano ",
        "Tekst udostępniany na licencji Creative Commons",
    ),
    "uk": (
        "Цю сторінку востаннє відредаговано ",
        "Текст доступний на умовах ліцензії Creative Commons",
    ),
    "ja": (
        "このページの最終更新日時は ",
        "テキストはクリエイティブ・コモンズ",
    ),
    "zh": (
        "本页面最后修订于",
        "本頁面最後修訂於",
        "此页面最后编辑于",
        "此頁面最後編輯於",
        "本网站文字内容采用知识共享",
        "本站的全部文字在知识共享",
        "所有文字皆受 創用 CC",
    ),
}

# "Retrieved from "https://..."" (core "retrievedfrom" before its $1); the rest must hold
# the page's address.
RETRIEVED_FROM: dict[str, tuple[str, ...]] = {
    "en": ("Retrieved from",),
    "ru": ("Источник —", "Источник:"),
    "de": ("Abgerufen von",),
    "fr": ("Récupérée de", "Ce document provient de"),
    "es": ("Obtenido de",),
    "it": ("Estratto da",),
    "pt": ("Obtida de", "Obtido de", "Retirado de"),
    "pl": ("Źródło:",),
    "uk": ("Отримано з",),
    "ja": (),  # "「$1」から取得": the address comes first, see _RETRIEVED_SUFFIXES
    "zh": ("取自", "检索自", "檢索自"),
}
_RETRIEVED_SUFFIXES = ("から取得", "से प्राप्त")

# "(Redirected from X)": core "redirectedfrom" up to its $1.
REDIRECTED_FROM: dict[str, tuple[str, ...]] = {
    "en": ("(Redirected from ",),
    "ru": ("(перенаправлено с ",),
    "de": ("(Weitergeleitet von ",),
    "fr": ("(Redirigé depuis ",),
    "es": ("(Redirigido desde ",),
    "it": ("(Reindirizzamento da ",),
    "pt": ("(Redirecionado de ",),
    "pl": ("(Przekierowano z ",),
    "uk": ("(Перенаправлено з ",),
    "ja": (),  # "（$1から転送）": the name comes first, checked by its ending
    "zh": ("（重定向自", "(重定向自"),
}

# "Coordinates: 52°31′N 13°24′E" (the {{Coord}} title line).
COORDINATES_LABELS: tuple[str, ...] = (
    "Coordinates",
    "Координаты",
    "Koordinaten",
    "Coordonnées",
    "Coordenadas",
    "Coordinate",
    "Współrzędne",
    "Координати",
    "座標",
    "坐标",
)

# Category box: core "pagecategories" and "hidden-categories", singular and plural.
CATEGORY_LABELS: dict[str, tuple[str, ...]] = {
    "en": ("Category", "Categories", "Hidden category", "Hidden categories"),
    "ru": ("Категория", "Категории", "Скрытая категория", "Скрытые категории"),
    "de": ("Kategorie", "Kategorien", "Versteckte Kategorie", "Versteckte Kategorien"),
    "fr": ("Catégorie", "Catégories", "Catégorie cachée", "Catégories cachées"),
    "es": ("Categoría", "Categorías", "Categoría oculta", "Categorías ocultas"),
    "it": ("Categoria", "Categorie", "Categoria nascosta", "Categorie nascoste"),
    "pt": ("Categoria", "Categorias", "Categoria oculta", "Categorias ocultas"),
    "pl": ("Kategoria", "Kategorie", "Ukryta kategoria", "Ukryte kategorie"),
    "uk": ("Категорія", "Категорії", "Прихована категорія", "Приховані категорії"),
    "ja": ("カテゴリ", "隠しカテゴリ"),
    "zh": ("分类", "分類", "页面分类", "頁面分類", "隐藏分类", "隱藏分類"),
}

# Hatnotes: the opening words of {{Main}}, {{Main list}}, {{See also}}, {{Further}},
# {{About}}, {{For}}, {{Other uses}}, {{Distinguish}}, {{Redirect}} and their translations
# (ru {{Основная статья}}, {{Не путать}}, {{Другие значения}}; de {{Hauptartikel}},
# {{Dieser Artikel}}, {{Begriffsklärungshinweis}}; fr {{Article détaillé}}, {{Voir
# homonymes}}, {{Confusion}}; es {{AP}}, {{VT}}, {{Otros usos}}; it {{Vedi anche}}; pt
# {{Artigo principal}}; pl {{Osobny artykuł}}; uk {{Докладніше}}; ja {{Main}},
# {{Otheruses}}; zh {{Main}}, {{Otheruses}}).
HATNOTE_PREFIXES: dict[str, tuple[str, ...]] = {
    "en": (
        # Template:Excerpt says where the transcluded text comes from.
        "This section is an excerpt from ",
        "This paragraph is an excerpt from ",
        "This article is an excerpt from ",
        "Main article:",
        "Main articles:",
        "Main page:",
        "Main pages:",
        "Main category:",
        "Main list:",
        "See also:",
        "Further information:",
        "Further:",
        "Further reading:",
        "Related articles:",
        "For other uses, see",
        "For other uses of",
        "For a list of",
        "This article is about",
        "This page is about",
        "This section is about",
        "This list is about",
        "Not to be confused with",
    ),
    "ru": (
        "Основная статья:",
        "Основные статьи:",
        "См. также:",
        "Подробнее см.",
        "Не следует путать с",
        "Не путать с",
        "У этого термина существуют и другие значения",
        "Эта статья — о",
        "Эта статья о",
    ),
    "de": (
        "Hauptartikel:",
        "Siehe auch:",
        "Dieser Artikel behandelt",
        "Dieser Artikel beschreibt",
        "Dieser Artikel befasst sich",
        "Zu weiteren Bedeutungen siehe",
        "Weitere Bedeutungen sind unter",
        "Nicht zu verwechseln mit",
    ),
    "fr": (
        "Article détaillé :",
        "Articles détaillés :",
        "Article connexe :",
        "Articles connexes :",
        "Article principal :",
        "Voir aussi :",
        "Pour les articles homonymes, voir",
        "Pour l'article homonyme, voir",
        "Pour les articles ayant des titres homophones, voir",
        "Ne doit pas être confondu avec",
        "Ne pas confondre avec",
        "Cet article concerne",
    ),
    "es": (
        "Artículo principal:",
        "Artículos principales:",
        "Véase también:",
        "No debe confundirse con",
        "Para otros usos de este término, véase",
        "Este artículo trata sobre",
    ),
    "it": (
        "Voce principale:",
        "Lo stesso argomento in dettaglio:",
        "Vedi anche:",
        "Da non confondere con",
        "Disambiguazione –",
        "Se stai cercando",
    ),
    "pt": (
        "Artigo principal:",
        "Artigos principais:",
        "Ver artigo principal:",
        "Ver também:",
        "Não confundir com",
        "Nota: Para outros significados",
        "Este artigo é sobre",
    ),
    "pl": (
        "Osobny artykuł:",
        "Osobne artykuły:",
        "Główny artykuł:",
        "Zobacz też:",
        "Ten artykuł dotyczy",
        "Nie mylić z",
    ),
    "uk": (
        "Докладніше:",
        "Основна стаття:",
        "Див. також:",
        "Не плутати з",
        "Ця стаття про",
        "У Вікіпедії є статті про інші значення цього терміна",
    ),
    "ja": (
        "詳細は「",
        "この項目では、",
        "関連項目:",
    ),
    "zh": (
        "主条目：",
        "主條目：",
        "参见：",
        "參見：",
        "此条目介绍的是",
        "此條目介紹的是",
        "本文介绍的是",
        "本文介紹的是",
        "关于与“",
        "關於與「",
        "提示：此条目的主题不是",
        "提示：此條目的主題不是",
    ),
}

# Hatnotes recognised by a whole-line shape rather than their opening words.
_HATNOTE_PATTERNS = (
    # en {{Redirect}}: '"X" redirects here.' and '"X" and "Y" redirect here.'
    re.compile(r'^"[^"]{1,200}"(?:,? (?:and|or) "[^"]{1,200}")* redirects? here\b.*$'),
    re.compile(r"^[^.\"]{1,200} redirects? here\.(?: .*)?$"),
    # en {{For}}: "For the river in Chile, see Bío Bío River."
    re.compile(r"^for (?:the|a|an|other|more|related|similar|information)\b[^.]{0,300}?,? see .+$"),
    # ru {{Перенаправление}}: "Запрос «X» перенаправляется сюда"
    re.compile(r'^запрос "[^"]{1,200}" перенаправляется сюда.*$'),
    # de: "X ist eine Weiterleitung auf diesen Artikel."
    re.compile(r"^.{1,200} ist eine weiterleitung auf diesen artikel\b.*$"),
    # fr, es: '« X » redirige ici.' / '«X» redirige aquí.'
    re.compile(r'^"[^"]{1,200}" redirige (?:ici|aquí)\b.*$'),
    # ja: "「X」はこの項目へ転送されています。", "「X」とは異なります。"
    re.compile(r'^"[^"]{1,200}"(?:はこの項目へ転送されています|とは異なります).*$'),
    re.compile(r'^詳細は"[^"]{1,200}"を参照.*$'),
    # ja {{see also}}: "「X」も参照", "「X」および「Y」も参照"
    re.compile(r'^"[^"]{1,200}"(?:(?:および|、|と)"[^"]{1,200}")*(?:も|を)参照$'),
    # zh: "“X”重定向至此。"
    re.compile(r'^"[^"]{1,200}"重定向至此.*$'),
)

# Message boxes ("This article needs additional citations for verification." ...): their
# opening words, from the most used {{Ambox}} templates of each Wikipedia.
MAINTENANCE_BOX_PREFIXES: dict[str, tuple[str, ...]] = {
    "en": (
        "This article needs additional citations for verification",
        "This section needs additional citations for verification",
        "This article does not cite any sources",
        "This section does not cite any sources",
        "This article has multiple issues",
        "This article has an unclear citation style",
        "The neutrality of this article is disputed",
        "The neutrality of this section is disputed",
        "This article's factual accuracy is disputed",
        "This section's factual accuracy is disputed",
        "This article may require cleanup",
        "This section may require cleanup",
        "This article may need to be rewritten",
        "This article possibly contains original research",
        "This section possibly contains original research",
        "This article relies excessively on references to primary sources",
        "This article relies largely or entirely on a single source",
        "This article includes a list of references, related reading, or external links",
        "This article includes a list of general references",
        "This article needs to be updated",
        "This section needs to be updated",
        "This article's tone or style may not reflect",
        "This section's tone or style may not reflect",
        "This article contains weasel words",
        "This article may be too long",
        "This article may be too technical",
        "This article may be confusing or unclear",
        "This article is written like",
        "This article needs attention from an expert",
        "This section needs expansion",
        "This section requires expansion",
        "This section is empty",
        "This article is an orphan",
        "This article needs more links",
        "Please help improve this article",
        "Please help improve this section",
        "Please help improve it",
        "Unsourced material may be challenged and removed",
        "Find sources:",
    ),
    "ru": (
        "В этой статье не хватает ссылок на источники",
        "В этом разделе не хватает ссылок на источники",
        "Информация должна быть проверяема",
        "Эта статья или раздел нуждается в переработке",
        "Нейтральность этой статьи под сомнением",
        "Нейтральность этого раздела под сомнением",
        "Эту статью предлагается удалить",
    ),
    "de": (
        "Dieser Artikel oder nachfolgende Abschnitt ist nicht hinreichend mit Belegen",
        "Dieser Artikel oder Abschnitt bedarf einer Überarbeitung",
        "Die Neutralität dieses Artikels oder Abschnitts ist umstritten",
        "Angaben ohne ausreichenden Beleg könnten demnächst entfernt werden",
        "Bitte hilf Wikipedia, indem du",
        "Bitte hilf uns dabei, die fehlenden Informationen",
        "Teile dieses Artikels scheinen seit",
        "Teile dieses Abschnitts scheinen seit",
    ),
    "fr": (
        "Cet article ne cite pas suffisamment ses sources",
        "Cet article ne cite aucune source",
        "Cette section ne cite pas suffisamment ses sources",
        "Cet article ne s'appuie pas, ou pas assez, sur des sources secondaires",
        "Si vous disposez d'ouvrages ou d'articles de référence",
        "La neutralité de cet article est à vérifier",
        "La neutralité de cet article est remise en cause",
        "Cet article est une ébauche concernant",
        "Vous pouvez partager vos connaissances en l'améliorant",
        "Cet article doit être recyclé",
        "Cette section est vide, insuffisamment détaillée ou incomplète",
        "Cet article contient peut-être un travail inédit",
        "Comment ajouter mes sources ?",
    ),
    "es": (
        "Este artículo o sección necesita referencias que aparezcan en una publicación acreditada",
        "Este artículo tiene referencias, pero necesita más para complementar su verificabilidad",
        "Este aviso fue puesto el",
        "Busca fuentes:",
    ),
}

# Whatever its opening, a line carrying this sentence is a message box.
MAINTENANCE_BOX_MARKERS: tuple[str, ...] = (
    "(Learn how and when to remove this template message)",
    "(Learn how and when to remove this message)",
    "Learn how and when to remove this template message",
    "Learn how and when to remove this message",
    "You can help Wikipedia by expanding it",
)

# Apparatus section headings, whole-heading match. Sources: pywikibot
# scripts/noreferences.py (referencesSections, placeBeforeSections) and the layout
# guidelines; entries used by more than one role across languages are decided by
# SECTION_ROLE_BY_LANGUAGE.
REFERENCES = "references"
BIBLIOGRAPHY = "bibliography"
NAVIGATION = "navigation"

SECTION_ROLES: dict[str, dict[str, tuple[str, ...]]] = {
    REFERENCES: {
        "en": (
            "References",
            "Notes",
            "Footnotes",
            "Citations",
            "Endnotes",
            "Notes and references",
            "References and notes",
            "Notes and citations",
            "Notes & references",
            "Reference notes",
            "Source notes",
            "Inline citations",
            "Explanatory notes",
        ),
        "ru": ("Примечания", "Сноски", "Комментарии", "Источники"),
        "de": (
            "Einzelnachweise",
            "Anmerkungen",
            "Belege",
            "Endnoten",
            "Fußnoten",
            "Fuß-/Endnoten",
            "Quellen",
            "Quellenangaben",
            "Anmerkungen und Einzelnachweise",
        ),
        "fr": ("Notes et références", "Références", "Référence", "Note", "Notes et sources"),
        "es": ("Referencias", "Notas", "Notas y referencias"),
        "it": ("Note", "Riferimenti"),
        "pt": ("Referências", "Notas", "Notas e referências"),
        "pl": ("Przypisy", "Uwagi"),
        "uk": ("Примітки", "Виноски"),
        "ja": ("脚注", "脚注欄", "注釈", "出典", "註", "脚注・出典"),
        "zh": (
            "参考资料",
            "參考資料",
            "參考文獻",
            "资料来源",
            "資料來源",
            "注释",
            "註釋",
            "脚注",
            "腳註",
        ),
    },
    BIBLIOGRAPHY: {
        "en": (
            "Bibliography",
            "Works cited",
            "Further reading",
            "Literature",
            "Sources",
            "Selected bibliography",
            "General references",
            "General and cited references",
            "Cited sources",
            "Sources and further reading",
        ),
        "ru": ("Литература",),
        "de": ("Literatur",),
        "fr": ("Bibliographie",),
        "es": ("Bibliografía",),
        "it": ("Bibliografia",),
        "pt": ("Bibliografia",),
        "pl": ("Bibliografia",),
        "uk": ("Література", "Джерела"),
        "ja": ("参考文献",),
        "zh": ("延伸阅读", "延伸閱讀"),
    },
    NAVIGATION: {
        "en": ("See also", "External links", "Related articles", "Other websites"),
        "ru": ("См. также", "Ссылки"),
        "de": ("Siehe auch", "Weblinks", "Weblink"),
        "fr": ("Voir aussi", "Liens externes", "Lien externe", "Articles connexes"),
        "es": ("Véase también", "Enlaces externos"),
        "it": ("Voci correlate", "Collegamenti esterni", "Altri progetti", "Vedi anche"),
        "pt": ("Ver também", "Veja também", "Ligações externas"),
        "pl": ("Zobacz też", "Linki zewnętrzne"),
        "uk": ("Див. також", "Посилання", "Зовнішні посилання"),
        "ja": ("関連項目", "外部リンク"),
        "zh": (
            "参见",
            "參見",
            "外部链接",
            "外部連結",
            "外部連结",
            "外部连接",
            "相关条目",
            "相關條目",
        ),
    },
}

# Headings whose role depends on the Wikipedia: "Sources" holds the notes on fr and de
# ("Quellen") but the full works cited on en; "参考文献" is the bibliography on ja and the
# reference list on zh.
SECTION_ROLE_BY_LANGUAGE: dict[str, dict[str, str]] = {
    "fr": {"Sources": REFERENCES, "Source": REFERENCES},
    "zh": {"参考文献": REFERENCES},
}


# Wikipedias in further scripts and languages (Arabic, Hebrew, Korean, Hindi, Greek,
# Vietnamese): the same interface messages as above, one block per edition, so a copy of a
# rendered page in any of them has its edit links, contents box, tagline, skip links,
# category box, hatnotes and apparatus headings known.
_EDITIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "ar": {
        "edit": ("عدل", "تعديل", "عدل المصدر", "تعديل مصدري", "تعديل المصدر"),
        "toc": ("المحتويات", "محتويات"),
        "toggles": ("إخفاء", "أظهر", "عرض", "انقل للشريط الجانبي"),
        "tagline": ("من ويكيبيديا، الموسوعة الحرة",),
        "jump": ("اذهب إلى التنقل", "اذهب إلى البحث", "انتقل إلى المحتوى"),
        "retrieved": ("مأخوذة من", "استرجع من"),
        "categories": ("تصنيف", "تصنيفات", "تصنيف مخفي", "تصنيفات مخفية"),
        "hatnotes": (
            "مقالة مفصلة:",
            "مقالات مفصلة:",
            "مقالة رئيسية:",
            "طالع أيضًا:",
            "طالع أيضا:",
            "انظر أيضًا:",
            "انظر أيضا:",
            "لمعلومات أعمق:",
            "هذه المقالة عن",
            "لمعانٍ أخرى، طالع",
        ),
        REFERENCES: ("المراجع", "مراجع", "المصادر", "مصادر", "الهوامش", "ملاحظات"),
        BIBLIOGRAPHY: ("قراءات إضافية", "قراءة إضافية", "ببليوغرافيا"),
        NAVIGATION: ("وصلات خارجية", "روابط خارجية", "انظر أيضًا", "انظر أيضا", "طالع أيضًا"),
    },
    "he": {
        "edit": ("עריכה", "עריכת קוד מקור"),
        "toc": ("תוכן עניינים",),
        "toggles": ("הסתרה", "הצגה"),
        "tagline": ("מתוך ויקיפדיה, האנציקלופדיה החופשית",),
        "jump": ("קפיצה לניווט", "קפיצה לחיפוש", "לדלג לתוכן"),
        "retrieved": ("אוחזר מתוך",),
        "categories": ("קטגוריה", "קטגוריות", "קטגוריה מוסתרת", "קטגוריות מוסתרות"),
        "hatnotes": ("ערך מורחב –", "ערך מורחב:", "ערכים מורחבים –", "ראו גם:", "לפירושים נוספים"),
        REFERENCES: ("הערות שוליים", "הערות"),
        BIBLIOGRAPHY: ("לקריאה נוספת", "מקורות", "ביבליוגרפיה"),
        NAVIGATION: ("קישורים חיצוניים", "ראו גם"),
    },
    "ko": {
        "edit": ("편집", "원본 편집"),
        "toc": ("목차",),
        "toggles": ("숨기기", "보이기", "사이드바로 이동"),
        "tagline": ("위키백과, 우리 모두의 백과사전",),
        "jump": ("둘러보기로 가기", "검색하러 가기", "본문으로 이동"),
        "retrieved": ("원본 주소",),
        "categories": ("분류", "숨은 분류"),
        "hatnotes": ("이 부분의 본문은", "같이 보기:", "다른 뜻에 대해서는", "이 문서는"),
        REFERENCES: ("각주", "내용주", "출처", "주석"),
        BIBLIOGRAPHY: ("참고 문헌", "참고문헌", "더 읽어보기"),
        NAVIGATION: ("외부 링크", "같이 보기"),
    },
    "hi": {
        "edit": ("संपादित करें", "सम्पादित करें", "स्रोत संपादित करें", "स्रोत सम्पादित करें"),
        "toc": ("अनुक्रम", "विषय सूची"),
        "toggles": ("छिपाएँ", "दिखाएँ"),
        "tagline": ("मुक्त ज्ञानकोश विकिपीडिया से",),
        "jump": ("नेविगेशन पर जाएँ", "खोज पर जाएँ", "सामग्री पर जाएँ"),
        "retrieved": (),  # '"$1" से प्राप्त': the address comes first, see _RETRIEVED_SUFFIXES
        "categories": ("श्रेणी", "श्रेणियाँ", "छुपी हुई श्रेणी", "छुपी हुई श्रेणियाँ"),
        "hatnotes": ("मुख्य लेख:", "इन्हें भी देखें:", "यह लेख"),
        REFERENCES: ("सन्दर्भ", "संदर्भ", "टिप्पणियाँ", "टीका टिप्पणी"),
        BIBLIOGRAPHY: ("अतिरिक्त पठन", "ग्रन्थसूची"),
        NAVIGATION: ("बाहरी कड़ियाँ", "इन्हें भी देखें"),
    },
    "el": {
        "edit": ("επεξεργασία", "επεξεργασία κώδικα"),
        "toc": ("Περιεχόμενα",),
        "toggles": ("απόκρυψη", "εμφάνιση"),
        "tagline": ("Από τη Βικιπαίδεια, την ελεύθερη εγκυκλοπαίδεια",),
        "jump": ("Μετάβαση στην πλοήγηση", "Πήδηση στην αναζήτηση", "Μετάβαση στο περιεχόμενο"),
        "retrieved": ("Ανακτήθηκε από",),
        "categories": ("Κατηγορία", "Κατηγορίες", "Κρυμμένη κατηγορία", "Κρυμμένες κατηγορίες"),
        "hatnotes": ("Κύριο λήμμα:", "Κύρια λήμματα:", "Δείτε επίσης:", "Για άλλες χρήσεις"),
        REFERENCES: ("Παραπομπές", "Σημειώσεις", "Υποσημειώσεις"),
        BIBLIOGRAPHY: ("Βιβλιογραφία", "Περαιτέρω ανάγνωση"),
        NAVIGATION: ("Εξωτερικοί σύνδεσμοι", "Δείτε επίσης"),
    },
    "vi": {
        "edit": ("sửa", "sửa mã nguồn"),
        "toc": ("Mục lục",),
        "toggles": ("ẩn", "hiện", "chuyển sang thanh bên"),
        "tagline": ("Bách khoa toàn thư mở Wikipedia",),
        "jump": ("Bước tới điều hướng", "Bước tới tìm kiếm", "Bước tới nội dung"),
        "retrieved": ("Lấy từ",),
        "categories": ("Thể loại", "Thể loại ẩn"),
        "hatnotes": ("Bài chi tiết:", "Xem thêm:", "Đối với các định nghĩa khác"),
        REFERENCES: ("Tham khảo", "Chú thích", "Ghi chú", "Nguồn"),
        BIBLIOGRAPHY: ("Đọc thêm", "Thư mục"),
        NAVIGATION: ("Liên kết ngoài", "Xem thêm"),
    },
}
for _language, _words in _EDITIONS.items():
    EDIT_LINK_WORDS[_language] = _words["edit"]
    TOC_TITLES[_language] = _words["toc"]
    TOC_TOGGLES[_language] = _words["toggles"]
    TAGLINES[_language] = _words["tagline"]
    JUMP_LINKS[_language] = _words["jump"]
    RETRIEVED_FROM[_language] = _words["retrieved"]
    CATEGORY_LABELS[_language] = _words["categories"]
    HATNOTE_PREFIXES[_language] = _words["hatnotes"]
    for _role in (REFERENCES, BIBLIOGRAPHY, NAVIGATION):
        SECTION_ROLES[_role][_language] = _words[_role]


def _by_folded(table: dict[str, tuple[str, ...]]) -> frozenset[str]:
    return _folded_set(word for words in table.values() for word in words)


def _prefixes(table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    # Longest first, so "Categories" is tried before "Category".
    folded = {fold(word) for words in table.values() for word in words if word}
    return tuple(sorted(folded, key=len, reverse=True))


_EDIT_WORDS = _by_folded(EDIT_LINK_WORDS)
_TOC_TITLES = _prefixes(TOC_TITLES)
_TOC_TOGGLES = _prefixes(TOC_TOGGLES)
_TAGLINES = _by_folded(TAGLINES)
_NAVBOX_LINKS = _by_folded(NAVBOX_LINKS)
_JUMP_LINKS = _by_folded(JUMP_LINKS)
_PAGE_LINES = _by_folded(PAGE_CHROME_LINES)
_MENU_LABELS = _by_folded(MENU_LABELS)
_MENU_WORDS = _by_folded(MENU_WORDS)
_CHROME_PREFIXES = _prefixes(CHROME_PREFIXES)
_RETRIEVED_PREFIXES = _prefixes(RETRIEVED_FROM)
_REDIRECT_PREFIXES = _prefixes(REDIRECTED_FROM)
_CATEGORY_LABELS = _prefixes(CATEGORY_LABELS)
_HATNOTE_PREFIXES = _prefixes(HATNOTE_PREFIXES)
_BOX_PREFIXES = _prefixes(MAINTENANCE_BOX_PREFIXES)
_BOX_MARKER_RE = re.compile("|".join(re.escape(fold(m)) for m in MAINTENANCE_BOX_MARKERS))

_EDIT_SUFFIX_RE = re.compile(
    r"[^\S\n]*(?P<suffix>[\[［]\s*(?P<words>[^\[\]［］]{1,60}?)\s*[\]］])[^\S\n]*$"
)
_COORDINATES_RE = re.compile(
    r"^(?:" + "|".join(re.escape(fold(label)) for label in COORDINATES_LABELS) + r") ?: ?\S*\d"
)
_SISTER_PATTERNS = (
    re.compile(r"^look up .{1,120} in wiktionary, the free dictionary\.?$"),
    re.compile(r"^media related to .{1,200} at wikimedia commons\.?$"),
    re.compile(r"^quotations related to .{1,200} at wikiquote\.?$"),
    re.compile(r"^commons: .{1,200} - (?:sammlung von bildern|album mit bildern)"),
)
# The lines a dump-to-text converter wraps each article in: WikiExtractor's
# '<doc id="12" url="https://…?curid=12" title="Title">' … '</doc>'.
DUMP_WRAPPER_RE = re.compile(r'^<doc id="[^"]{1,40}"(?: [a-z]{1,20}="[^"]{0,600}")*>$|^</doc>$')
# The file name of an icon a hatnote template shows before its words, as a copy keeps it
# when the image itself is lost ("Crystal Clear app kdict.png مقالة مفصلة: X").
_ICON_NAME_RE = re.compile(r"^[^\s.:]{1,40}(?: [^\s.:]{1,40}){0,5}\.(?:png|svg|gif|jpe?g) ")
# The page address after "Retrieved from": a wiki's own URL.
_URLISH_RE = re.compile(r"https?://\S*(?:wiki|index\.php)|/wiki/")


# Longest lines each kind of apparatus is looked for in: longer ones are prose, and are not
# folded and compared with every entry of the vocabulary.
SHORT_LINE_MAX = 120  # table-of-contents titles and toggles, taglines, navigation-box links
HATNOTE_MAX = 600
CHROME_LINE_MAX = 1200  # "Retrieved from" with a long address, the licence footer
MAINTENANCE_BOX_MAX = 2000


def heading_key(text: str) -> str:
    """A heading as compared with a table of contents' entry or a list's heading."""
    return " ".join(split_edit_suffix(text)[0].split()).casefold()


def split_edit_suffix(heading_line: str) -> tuple[str, str]:
    """Split a copied heading from the section edit link rendered after it.

    "History[edit]" and "History [edit]" give ("History", "[edit]"); so do the localized
    links ("История[править | править код]", "Geschichte[Bearbeiten | Quelltext
    bearbeiten]", "历史[编辑]"). The heading returned is a prefix of ``heading_line``
    (trailing spaces removed) and the suffix is the bracket as written, so offsets can be
    kept. A line without an edit link gives (heading_line, "").
    """
    end = heading_line.rstrip()
    if end[-1:] not in "]］":
        return heading_line, ""
    opening = max(end.rfind("["), end.rfind("［"))
    match = _EDIT_SUFFIX_RE.match(heading_line, opening) if opening >= 0 else None
    if match:
        parts = [fold(part) for part in match.group("words").split("|")]
        if parts and all(part in _EDIT_WORDS for part in parts):
            heading = heading_line[: match.start()].rstrip()
            if heading.strip():
                return heading, match.group("suffix")
    return heading_line, ""


def is_toc_title(line: str) -> bool:
    """True for the title of a copied table of contents ("Contents", "Содержание",
    "Inhaltsverzeichnis", "Sommaire", "目次", "目录" ...), with or without the toggle that
    renders after it ("Contents hide", "Contents [hide]", "Contents move to sidebar hide")."""
    if len(line) > SHORT_LINE_MAX:
        return False
    text = fold(line)
    for title in _TOC_TITLES:
        if text == title:
            return True
        rest = text[len(title) :]
        if text.startswith(title) and rest[:1] in " [(" and is_toc_toggle(rest):
            return True
    return False


def is_toc_toggle(line: str) -> bool:
    """True for a line holding only the toggles a table of contents renders ("hide",
    "[show]", "move to sidebar", "(Top)", "Toggle the table of contents", "隐藏")."""
    if len(line) > SHORT_LINE_MAX:
        return False
    rest = re.sub(r"[\[\]()|]", " ", fold(line))
    rest = " ".join(rest.split())
    if not rest:
        return False
    while rest:
        for toggle in _TOC_TOGGLES:
            if rest == toggle or rest.startswith(toggle + " "):
                rest = rest[len(toggle) :].strip()
                break
        else:
            return False
    return True


def chrome_kind(line: str) -> str | None:
    """What kind of page chrome a line is: "page", "menu", "word" or None.

    "page": lines no article contains - taglines ("From Wikipedia, the free encyclopedia"),
    skip links ("Jump to navigation"), "Retrieved from "https://..."", "This page was last
    edited on ...", the license footer, "(Redirected from X)", "Toggle the table of
    contents", "About Wikipedia", "Mobile view", "Print/export", "Coordinates: 52°N ...",
    sister-project boxes ("Wikimedia Commons has media related to X.").
    "menu": menu and footer labels ("Tools", "Developers", "Disclaimers", "Privacy
    policy", "What links here") - chrome, though a few could also be an article's heading.
    "word": interface words that are ordinary words too ("Views", "Languages", "Search",
    "Statistics"); chrome only inside a run of chrome, which the caller must see.
    """
    if len(line) > CHROME_LINE_MAX:
        return None
    if DUMP_WRAPPER_RE.match(line.strip()):
        return "page"
    text = fold(line)
    if not text:
        return None
    bare = text.rstrip(".")
    if bare in _TAGLINES or text in _JUMP_LINKS or text in _PAGE_LINES or bare in _PAGE_LINES:
        return "page"
    if len(text) <= 400 and text.startswith(_CHROME_PREFIXES):
        return "page"
    if text.startswith(_RETRIEVED_PREFIXES):
        for prefix in _RETRIEVED_PREFIXES:
            if text.startswith(prefix) and _URLISH_RE.search(text[len(prefix) :]):
                return "page"
    if text.endswith(_RETRIEVED_SUFFIXES) and _URLISH_RE.search(text):
        return "page"
    if text.startswith("(") and text.endswith(")") and len(text) <= 300:
        for prefix in _REDIRECT_PREFIXES:
            if text.startswith(prefix):
                return "page"
        if text.endswith("から転送)"):
            return "page"
    if _COORDINATES_RE.match(text):
        return "page"
    if any(pattern.match(text) for pattern in _SISTER_PATTERNS):
        return "page"
    if text in _MENU_LABELS:
        return "menu"
    if text in _MENU_WORDS:
        return "word"
    return None


def is_navbox_links(line: str) -> bool:
    """True for a line holding only a navigation box's view / talk / edit links ("v t e",
    "v · t · e", "п · о · р", "查 论 编")."""
    if len(line) > SHORT_LINE_MAX:
        return False
    return " ".join(fold(line).replace("•", "·").split()) in _NAVBOX_LINKS


def is_tagline(line: str) -> bool:
    """True for the tagline a rendered page prints under its title ("From Wikipedia, the
    free encyclopedia", "Материал из Википедии — свободной энциклопедии",
    "维基百科，自由的百科全书")."""
    if len(line) > SHORT_LINE_MAX:
        return False
    return fold(line).rstrip(".") in _TAGLINES


def is_chrome(line: str) -> bool:
    """True for a line of page chrome: chrome_kind() is "page" or "menu" ("word" is not)."""
    return chrome_kind(line) in ("page", "menu")


def category_line(line: str) -> bool:
    """True for the category box of a copied page: "Categories: A | B", "Category: X",
    "Hidden categories: ...", "Категории: ...", "Kategorien: ...", "Catégories : ...",
    "カテゴリ: ...", "分类：..."."""
    text = fold(line)
    for label in _CATEGORY_LABELS:
        if text.startswith(label):
            rest = text[len(label) :]
            if rest.startswith(":") and len(rest) <= 2000:
                return True
    return False


def hatnote(line: str) -> bool:
    """True for a one-line hatnote: "Main article: X", "See also: X", "Further information:
    X", "For other uses, see X", "For the river, see X", "This article is about X",
    "Not to be confused with X", '"X" redirects here.', and their translations
    ("Основная статья: X", "Hauptartikel: X", "Article détaillé : X", "Artículo principal:
    X", "主条目：X" ...). A heading "See also" alone is not a hatnote (see section_role)."""
    if len(line) > HATNOTE_MAX:
        return False
    text = _ICON_NAME_RE.sub("", fold(line))
    if not text:
        return False
    if text.startswith(_HATNOTE_PREFIXES):
        for prefix in _HATNOTE_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                return True
    return any(pattern.match(text) for pattern in _HATNOTE_PATTERNS)


def maintenance_box(line: str) -> bool:
    """True for a line of a maintenance message box: it carries "(Learn how and when to
    remove this template message)", or it opens like one of the common boxes ("This
    article needs additional citations for verification", "This section does not cite any
    sources", "The neutrality of this article is disputed", "Unsourced material may be
    challenged and removed", "В этой статье не хватает ссылок на источники", "Dieser
    Artikel oder nachfolgende Abschnitt ist nicht hinreichend mit Belegen", "Cet article ne
    cite pas suffisamment ses sources" ...). A leading "[icon]" placeholder is ignored."""
    if len(line) > MAINTENANCE_BOX_MAX:
        return False
    text = fold(line)
    text = re.sub(r"^\[(?:icon|edit|\?)\]\s*", "", text)
    return bool(_BOX_MARKER_RE.search(text)) or text.startswith(_BOX_PREFIXES)


def _role_index() -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    index: dict[str, str] = {}
    for role, table in SECTION_ROLES.items():
        for words in table.values():
            for word in words:
                key = fold(word)
                if index.get(key, role) != role:
                    raise ValueError(
                        f"heading {word!r} has two roles; see SECTION_ROLE_BY_LANGUAGE"
                    )
                index[key] = role
    by_language = {
        language: {fold(word): role for word, role in table.items()}
        for language, table in SECTION_ROLE_BY_LANGUAGE.items()
    }
    return index, by_language


_ROLE_INDEX, _ROLE_BY_LANGUAGE = _role_index()


def section_role(heading: str, language: str | None = None) -> str | None:
    """The apparatus role of a section heading: "references", "bibliography",
    "navigation", or None for an ordinary section.

    The whole heading is compared (case and whitespace do not matter, an edit link after it
    is ignored): "References" is a references section, "References to the past" is not.
    ``language`` (a Wikipedia language code) settles the few headings whose role differs
    between Wikipedias: "Sources" is a bibliography on en but the notes on fr.
    """
    text, _suffix = split_edit_suffix(heading)
    key = fold(text).rstrip(":").strip()
    if language and key in _ROLE_BY_LANGUAGE.get(language, {}):
        return _ROLE_BY_LANGUAGE[language][key]
    return _ROLE_INDEX.get(key)
