"""The words the importer recognises, declared once: tags, page chrome, section roles.

Maintenance tags are the inline cleanup templates of Wikipedia as they render in a copied
page (Category:Inline cleanup templates; the labels are the templates' display texts), and
a few of the Russian, French, Spanish, German, Japanese and Chinese editions' equivalents.
Page words (the "[edit]" link, "Contents", the tagline, "Categories:") are MediaWiki's
interface messages (``editsection``, ``toc``, ``tagline``, ``pagecategories``) as
Wikipedia shows them. Anything not listed here is not a tag: an editorial insertion such as
``[the]`` or ``[sic]`` is text and stays in the claim.
"""

from __future__ import annotations

import re

from .parsed import CITATION_NEEDED, NEUTRALITY_DISPUTED, OTHER, QUOTATION_NEEDED

CLARIFICATION_NEEDED = "clarification_needed"
VAGUE = "vague"
DUBIOUS = "dubious"
FAILED_VERIFICATION = "failed_verification"
BETTER_SOURCE_NEEDED = "better_source_needed"
PAGE_NEEDED = "page_needed"
ORIGINAL_RESEARCH = "original_research"
DEAD_LINK = "dead_link"
UPDATE_NEEDED = "update_needed"

# label as rendered (lower case, one space, "-" for any dash) -> flag kind
TAG_KINDS = {
    "citation needed": CITATION_NEEDED,
    "citation needed to verify": CITATION_NEEDED,
    "additional citation needed": CITATION_NEEDED,
    "additional citations needed": CITATION_NEEDED,
    "medical citation needed": CITATION_NEEDED,
    "non-primary source needed": BETTER_SOURCE_NEEDED,
    "third-party source needed": BETTER_SOURCE_NEEDED,
    "better source needed": BETTER_SOURCE_NEEDED,
    "better source": BETTER_SOURCE_NEEDED,
    "unreliable source?": BETTER_SOURCE_NEEDED,
    "unreliable source": BETTER_SOURCE_NEEDED,
    "self-published source?": BETTER_SOURCE_NEEDED,
    "self-published source": BETTER_SOURCE_NEEDED,
    "unreliable medical source?": BETTER_SOURCE_NEEDED,
    "obsolete source": BETTER_SOURCE_NEEDED,
    "irrelevant citation": FAILED_VERIFICATION,
    "failed verification": FAILED_VERIFICATION,
    "failed verification - see discussion": FAILED_VERIFICATION,
    "not in citation given": FAILED_VERIFICATION,
    "not in source given": FAILED_VERIFICATION,
    "verification needed": FAILED_VERIFICATION,
    "not verified in body": FAILED_VERIFICATION,
    "page needed": PAGE_NEEDED,
    "pages needed": PAGE_NEEDED,
    "full citation needed": PAGE_NEEDED,
    "year needed": PAGE_NEEDED,
    "volume & issue needed": PAGE_NEEDED,
    "title missing": PAGE_NEEDED,
    "isbn missing": PAGE_NEEDED,
    "dead link": DEAD_LINK,
    "permanent dead link": DEAD_LINK,
    "clarification needed": CLARIFICATION_NEEDED,
    "further explanation needed": CLARIFICATION_NEEDED,
    "definition needed": CLARIFICATION_NEEDED,
    "clarify": CLARIFICATION_NEEDED,
    "expand acronym": CLARIFICATION_NEEDED,
    "disambiguation needed": CLARIFICATION_NEEDED,
    "pronunciation?": CLARIFICATION_NEEDED,
    "non sequitur": CLARIFICATION_NEEDED,
    "vague": VAGUE,
    "ambiguous": VAGUE,
    "specify": VAGUE,
    "quantify": VAGUE,
    "examples needed": VAGUE,
    "who?": VAGUE,
    "whom?": VAGUE,
    "which?": VAGUE,
    "when?": VAGUE,
    "where?": VAGUE,
    "why?": VAGUE,
    "how?": VAGUE,
    "what?": VAGUE,
    "according to whom?": VAGUE,
    "by whom?": VAGUE,
    "by how much?": VAGUE,
    "how much?": VAGUE,
    "how many?": VAGUE,
    "attribution needed": VAGUE,
    "weasel words": VAGUE,
    "dubious - discuss": DUBIOUS,
    "dubious": DUBIOUS,
    "disputed - discuss": DUBIOUS,
    "contradictory": DUBIOUS,
    "inconsistent": DUBIOUS,
    "speculation?": DUBIOUS,
    "original research?": ORIGINAL_RESEARCH,
    "original research": ORIGINAL_RESEARCH,
    "synthesis?": ORIGINAL_RESEARCH,
    "improper synthesis?": ORIGINAL_RESEARCH,
    "neutrality is disputed": NEUTRALITY_DISPUTED,
    "unbalanced opinion?": NEUTRALITY_DISPUTED,
    "peacock prose": NEUTRALITY_DISPUTED,
    "promotional language": NEUTRALITY_DISPUTED,
    "opinion": NEUTRALITY_DISPUTED,
    "buzzword": NEUTRALITY_DISPUTED,
    "need quotation to verify": QUOTATION_NEEDED,
    "quotation needed": QUOTATION_NEEDED,
    "check quotation syntax": QUOTATION_NEEDED,
    "update needed": UPDATE_NEEDED,
    "needs update": UPDATE_NEEDED,
    "as of?": UPDATE_NEEDED,
    "timeframe?": UPDATE_NEEDED,
    "outdated": UPDATE_NEEDED,
    "relevant?": OTHER,
    "importance?": OTHER,
    "excessive citations": OTHER,
    "circular reference": BETTER_SOURCE_NEEDED,
    "image reference needed": CITATION_NEEDED,
    "translation needed": OTHER,
    # Russian
    "источник не указан": CITATION_NEEDED,
    "нет аи": CITATION_NEEDED,
    "уточнить": CLARIFICATION_NEEDED,
    "прояснить": CLARIFICATION_NEEDED,
    "нейтральность?": NEUTRALITY_DISPUTED,
    "значимость?": OTHER,
    # French
    "réf. nécessaire": CITATION_NEEDED,
    "réf. souhaitée": CITATION_NEEDED,
    "information douteuse": DUBIOUS,
    "par qui ?": VAGUE,
    "quand ?": VAGUE,
    "lequel ?": VAGUE,
    "où ?": VAGUE,
    "style à revoir": OTHER,
    "pas clair": CLARIFICATION_NEEDED,
    # Spanish
    "cita requerida": CITATION_NEEDED,
    "¿quién?": VAGUE,
    "¿cuándo?": VAGUE,
    "¿dónde?": VAGUE,
    "dudoso - discutir": DUBIOUS,
    "sin referencias": CITATION_NEEDED,
    # German
    "belege fehlen": CITATION_NEEDED,
    "quelle?": CITATION_NEEDED,
    # Japanese
    "要出典": CITATION_NEEDED,
    "要検証 - ノート": FAILED_VERIFICATION,
    "疑問点 - ノート": DUBIOUS,
    "いつ?": VAGUE,
    "誰?": VAGUE,
    "どこ?": VAGUE,
    "要ページ番号": PAGE_NEEDED,
    # Chinese
    "来源请求": CITATION_NEEDED,
    "來源請求": CITATION_NEEDED,
    "需要较好来源": BETTER_SOURCE_NEEDED,
    "需要較好來源": BETTER_SOURCE_NEEDED,
    "需要解释": CLARIFICATION_NEEDED,
    "谁?": VAGUE,
    "何时?": VAGUE,
}

_DASHES = re.compile(r"\s+[–—‐-]\s+")
# Tags that carry a count: ru "[источник не указан 123 дня]", "[нет АИ 5 лет]".
_COUNTED = re.compile(r"^(?P<label>.+?)\s+\d{1,5}\s+(?:дн[еяй]{1,2}|день|лет|года?|месяц\w*)$")


def _tag_key(label: str) -> str:
    key = " ".join(label.split()).casefold().replace("？", "?")
    return _DASHES.sub(" - ", key)


def tag_kind(label: str) -> str | None:
    """The flag kind of a maintenance tag (the text inside its brackets), or None for text."""
    key = _tag_key(label)
    kind = TAG_KINDS.get(key)
    if kind is None:
        counted = _COUNTED.match(key)
        if counted:
            kind = TAG_KINDS.get(counted.group("label"))
    return kind


# --------------------------------------------------------------------------- page words

# MediaWiki's "editsection" link after a heading, as rendered in several languages.
_EDIT_SUFFIX = re.compile(
    r"\s*\[(?:edit|edit source|править(?: \| править код)?|править код|"
    r"bearbeiten(?: \| quelltext bearbeiten)?|quelltext bearbeiten|"
    r"modifier(?: \| modifier le code)?|modifier le code|editar(?: \| editar código)?|"
    r"modifica(?: \| modifica wikitesto)?|edytuj(?: \| edytuj kod)?|"
    r"редагувати(?: \| редагувати код)?|编辑|編輯|編集|편집|ویرایش|עריכה|تعديل)\]\s*$",
    re.IGNORECASE,
)
_TOC_TITLES = {
    "contents",
    "table of contents",
    "содержание",
    "зміст",
    "inhaltsverzeichnis",
    "inhalt",
    "sommaire",
    "contenido",
    "índice",
    "indice",
    "spis treści",
    "目次",
    "目录",
    "目錄",
    "목차",
}
_TOC_NOISE = re.compile(r"\s*(?:\[?(?:hide|show|скрыть|verbergen|masquer|ocultar)\]?)\s*$", re.I)

_CHROME_LINES = {
    "from wikipedia, the free encyclopedia",
    "материал из википедии — свободной энциклопедии",
    "материал из википедии - свободной энциклопедии",
    "aus wikipedia, der freien enzyklopädie",
    "un article de wikipédia, l'encyclopédie libre.",
    "un article de wikipédia, l’encyclopédie libre.",
    "de wikipedia, la enciclopedia libre",
    "da wikipedia, l'enciclopedia libera.",
    "origem: wikipédia, a enciclopédia livre.",
    "z wikipedii, wolnej encyklopedii",
    "матеріал з вікіпедії — вільної енциклопедії",
    "出典: フリー百科事典『ウィキペディア（wikipedia）』",
    "维基百科，自由的百科全书",
    "維基百科，自由的百科全書",
    "jump to navigation",
    "jump to search",
    "jump to content",
    "перейти к навигации",
    "перейти к поиску",
    "zur navigation springen",
    "zur suche springen",
    "aller à la navigation",
    "aller à la recherche",
    "main menu",
    "personal tools",
    "navigation menu",
    "toggle the table of contents",
    "edit links",
    "print/export",
    "download as pdf",
    "printable version",
    "in other projects",
    "privacy policy",
    "about wikipedia",
    "disclaimers",
    "contact wikipedia",
    "code of conduct",
    "developers",
    "statistics",
    "cookie statement",
    "mobile view",
    "what links here",
    "related changes",
    "special pages",
    "permanent link",
    "page information",
    "cite this page",
    "wikidata item",
    "view history",
    "create account",
    "log in",
}
_CHROME_START = re.compile(
    r"^(?:retrieved from [\"“]?https?://|this page was last edited on |"
    r"text is available under the creative commons|\(redirected from .+\)$|"
    r"источник — [\"«]?https?://|quelle: [\"„]?https?://|"
    r"ce texte est disponible sous licence|coordinates: )",
    re.IGNORECASE,
)
_CATEGORY = re.compile(
    r"^(?:categories|category|hidden categories|категории|категория|скрытые категории|"
    r"kategorien|kategorie|versteckte kategorien|catégories|catégorie|categorías|categoría|"
    r"categorie|categoria|kategorie|kategorii|カテゴリ|分类|分類|隐藏分类)\s*[:：]",
    re.IGNORECASE,
)
_HATNOTE = re.compile(
    r"^(?:main articles?|see also|further information|further reading|main page|"
    r"основная статья|основные статьи|см\. также|hauptartikel|siehe auch|"
    r"article détaillé|articles détaillés|article connexe|artículo principal|"
    r"artículos principales|voce principale|artigo principal|osobny artykuł|"
    r"основна стаття)\s*:\s*\S"
    r"|^for (?:other uses|the [^,]{1,80}|[^,]{1,60}), see \S"
    r"|^this article is about \S|^not to be confused with \S|^[\"“].{1,120}[\"”] redirects here\b",
    re.IGNORECASE,
)
_MAINTENANCE = re.compile(
    r"learn how and when to remove this (?:template )?message"
    r"|^this (?:article|section|list) (?:needs additional citations|does not cite any sources"
    r"|has multiple issues|may require cleanup|relies (?:largely|too much) on|needs to be updated"
    r"|possibly contains original research|is written like|may be too long|may lend undue weight)"
    r"|^the neutrality of this (?:article|section) is disputed"
    r"|^please help (?:improve|update) this (?:article|section)"
    r"|^unsourced material may be challenged and removed"
    r"|^find sources: ",
    re.IGNORECASE,
)

_ROLES = {
    "references": "references",
    "reference": "references",
    "notes": "references",
    "footnotes": "references",
    "citations": "references",
    "notes and references": "references",
    "references and notes": "references",
    "explanatory notes": "references",
    "примечания": "references",
    "сноски": "references",
    "einzelnachweise": "references",
    "anmerkungen": "references",
    "références": "references",
    "notes et références": "references",
    "referencias": "references",
    "notas": "references",
    "note": "references",
    "przypisy": "references",
    "примітки": "references",
    "脚注": "references",
    "注释": "references",
    "註釋": "references",
    "参考资料": "references",
    "參考資料": "references",
    "出典": "references",
    "bibliography": "bibliography",
    "works cited": "bibliography",
    "further reading": "bibliography",
    "literature": "bibliography",
    "sources": "bibliography",
    "selected bibliography": "bibliography",
    "литература": "bibliography",
    "literatur": "bibliography",
    "bibliographie": "bibliography",
    "bibliografía": "bibliography",
    "bibliografia": "bibliography",
    "література": "bibliography",
    "参考文献": "bibliography",
    "see also": "navigation",
    "external links": "navigation",
    "related articles": "navigation",
    "см. также": "navigation",
    "ссылки": "navigation",
    "siehe auch": "navigation",
    "weblinks": "navigation",
    "voir aussi": "navigation",
    "liens externes": "navigation",
    "véase también": "navigation",
    "enlaces externos": "navigation",
    "voci correlate": "navigation",
    "collegamenti esterni": "navigation",
    "ver também": "navigation",
    "ligações externas": "navigation",
    "zobacz też": "navigation",
    "linki zewnętrzne": "navigation",
    "关联项目": "navigation",
    "関連項目": "navigation",
    "外部リンク": "navigation",
    "参见": "navigation",
    "參見": "navigation",
    "外部链接": "navigation",
    "外部連結": "navigation",
}


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def split_edit_suffix(line: str) -> tuple[str, str]:
    """A heading without its "[edit]" link, and the link as written ("" when there is none)."""
    match = _EDIT_SUFFIX.search(line)
    if match is None or not line[: match.start()].strip():
        return line, ""
    return line[: match.start()], match.group().strip()


def is_toc_title(line: str) -> bool:
    return _key(_TOC_NOISE.sub("", line)) in _TOC_TITLES


def is_chrome(line: str) -> bool:
    """Page chrome and footer lines of a rendered page, not the article."""
    text = line.strip()
    return _key(text) in _CHROME_LINES or bool(_CHROME_START.match(text))


def category_line(line: str) -> bool:
    return bool(_CATEGORY.match(line.strip()))


def hatnote(line: str) -> bool:
    """A one-line pointer to other articles ("Main article: …"), not a statement."""
    return bool(_HATNOTE.match(line.strip()))


def maintenance_box(line: str) -> bool:
    return bool(_MAINTENANCE.search(line.strip()))


def section_role(heading: str) -> str | None:
    """ "references", "bibliography" or "navigation" for the headings of apparatus lists."""
    return _ROLES.get(_key(split_edit_suffix(heading)[0]))
