"""Structure before sentences: what each line of a copy is, and nothing of it lost.

The rendered-page fixture is a made-up article written in the style of a copied Wikipedia
page: page chrome, a hatnote, infobox rows, a numbered table of contents, ``[edit]``
suffixes, a maintenance box, a see-also list, a caret reference list, categories.
"""

from collections import Counter
from pathlib import Path

import pytest

from archive.importer import parse, strip_markers

FIXTURES = Path(__file__).parent / "fixtures"
RENDERED = (FIXTURES / "exampleton_rendered.txt").read_text()


@pytest.fixture(scope="module")
def rendered():
    return parse(RENDERED, "exampleton_rendered.txt")


def apparatus_kinds(document, section=None):
    return Counter(a.kind for a in document.apparatus if section is None or a.section == section)


def test_rendered_copy_title_drops_the_site_suffix_and_chrome_is_kept_apart(rendered):
    assert rendered.title == "Battle of Exampleton"
    chrome = [a.text for a in rendered.apparatus if a.kind == "chrome"]
    assert chrome[:3] == [
        "From Wikipedia, the free encyclopedia",
        "Jump to navigation",
        "Jump to search",
    ]
    assert chrome[-1].startswith("Retrieved from")


def test_rendered_copy_headings_and_levels_follow_its_table_of_contents(rendered):
    assert [(s.heading, s.level) for s in rendered.sections] == [
        ("", 2),
        ("Background", 2),
        ("Fortifications", 3),
        ("Battle", 2),
        ("See also", 2),
        ("References", 2),
    ]
    assert apparatus_kinds(rendered)["toc"] == 6
    assert all(s.rule == "listed in the table of contents" for s in rendered.sections[1:])


def test_edit_suffix_is_left_out_of_the_heading_but_inside_its_span(rendered):
    background = rendered.sections[1]
    assert background.heading == "Background"
    assert rendered.text[background.start : background.end] == "Background[edit]"
    assert not any(f.label == "edit" for f in rendered.flags)


def test_apparatus_is_never_a_claim(rendered):
    texts = " ".join(c.text for c in rendered.claims)
    for phrase in ("Main article", "Jump to", "Learn how", "Categories", "Date", "Smith, John"):
        assert phrase not in texts
    kinds = apparatus_kinds(rendered)
    assert kinds["hatnote"] == 2  # "For the 1990 film, see …" and "Main article: …"
    assert kinds["infobox"] == 4
    assert kinds["maintenance_box"] == 1
    assert kinds["navigation"] == 2
    assert kinds["category"] == 1


def test_reference_list_gives_its_text_to_the_sources_it_numbers(rendered):
    sources = {s.label: s for s in rendered.sources}
    assert sorted(sources, key=int) == [str(n) for n in range(1, 9)]
    assert sources["1"].note_text.startswith("Smith, John (2005). The Ruritanian Wars.")
    assert sources["1"].isbn == "978-0-19-000000-0"
    assert sources["1"].author == "Smith, John" and sources["1"].published == "2005"
    assert sources["2"].note_text == "Jones 2001, p. 12."  # backlinks "Jump up to: a b" gone
    assert sources["8"].note_text == ""
    assert [a.message for a in rendered.anomalies if a.kind == "entries_without_text"] == [
        "1 of 8 reference entries have no text"
    ]
    entries = [a for a in rendered.apparatus if a.kind == "reference_entry"]
    assert [a.source_label for a in entries] == [str(n) for n in range(1, 9)]
    # an entry cites nothing: every citation comes from the article's text
    assert len(rendered.citations) == 8


def test_editorial_insertions_stay_in_the_text_and_unknown_brackets_are_reported(rendered):
    texts = [c.text for c in rendered.claims]
    assert 'He had said: "we shall take [the] town by spring".' in texts
    assert any('"the [old] fox"' in t for t in texts)
    unknown = [a for a in rendered.anomalies if a.kind == "unknown_bracket"]
    assert unknown == []  # both stand inside quotation marks


def test_an_unknown_bracket_outside_quotes_is_kept_and_reported_once():
    document = parse("T\n\nThe [second] army came.[1] The [second] one left.\n", "t.txt")
    assert [c.text for c in document.claims] == [
        "The [second] army came.",
        "The [second] one left.",
    ]
    [anomaly] = [a for a in document.anomalies if a.kind == "unknown_bracket"]
    assert "[second]" in anomaly.message and "2 times" in anomaly.message
    assert document.flags == []


def test_a_marker_glued_to_the_next_sentence_ends_it(rendered):
    texts = [c.text for c in rendered.claims]
    assert "The walls were built by I. K. Brunel's teacher." in texts
    assert "Later they were rebuilt." in texts
    assert any(a.kind == "glued_marker" for a in rendered.anomalies)


def test_a_marker_before_a_capital_without_a_full_stop_ends_the_sentence(rendered):
    texts = [c.text for c in rendered.claims]
    assert "The citadel, as of 1812, held 400 men" in texts
    assert "The garrison was small." in texts
    assert any(a.kind == "sentence_without_full_stop" for a in rendered.anomalies)


def test_citations_keep_where_they_stand_in_the_claim():
    document = parse("T\n\nA,[1] B[2] and C.[1]\n", "t.txt")
    [claim] = document.claims
    assert claim.text == "A, B and C."
    assert [(c.label, c.offset) for c in claim.citations] == [("1", 2), ("2", 4), ("1", 11)]


def test_image_markup_keeps_its_caption_as_a_caption():
    text = "T\n\nIntro sentence here.\n\n[[File:Berlin.jpg|thumb|upright=1.2|Soldiers in Berlin]]\n"
    document = parse(text, "t.txt")
    assert [(c.kind, c.text) for c in document.claims][-1] == ("caption", "Soldiers in Berlin")
    assert apparatus_kinds(document)["markup_remnant"] == 2
    assert document.unaccounted() == []


def test_short_lines_after_a_colon_are_a_list_not_a_quotation():
    text = "T\n\nThe causes were:\n\nPoverty and hunger\n\nThe war of 1810\n\nLater came peace.\n"
    document = parse(text, "t.txt")
    assert [(c.kind, c.text) for c in document.claims] == [
        ("statement", "The causes were:"),
        ("list_item", "Poverty and hunger"),
        ("list_item", "The war of 1810"),
        ("statement", "Later came peace."),
    ]


def test_bulleted_items_are_list_items_without_their_bullets():
    document = parse("T\n\nMembers:\n\n• Anna Berg[1]\n• Carl Dahl\n", "t.txt")
    items = [(c.kind, c.text) for c in document.claims if c.kind == "list_item"]
    assert items == [("list_item", "Anna Berg"), ("list_item", "Carl Dahl")]
    assert document.unaccounted() == []


def test_headings_without_blank_lines_around_them():
    text = (
        "Town\n"
        "The town lies on a river. It has a bridge.\n"
        "History\n"
        "The town was founded in 1200 by monks from the north.\n"
        "Geography\n"
        "The river floods every spring, and the bridge was rebuilt.\n"
    )
    document = parse(text, "t.txt")
    assert [s.heading for s in document.sections] == ["", "History", "Geography"]
    assert [len(s.claims) for s in document.sections] == [2, 1, 1]


def test_statements_opening_with_after_or_as_of_are_not_captions():
    text = "T\n\nFirst line of text.\n\nAs of 2020, three museums.\n\nAfter the war, new bridges.\n"
    kinds = {c.text: c.kind for c in parse(text, "t.txt").claims}
    assert kinds["As of 2020, three museums."] == "statement"
    assert kinds["After the war, new bridges."] == "statement"
    assert parse("T\n\nText.\n\nThe bridge in 1900.\n", "t.txt").claims[-1].kind == "caption"


def test_a_file_cut_off_mid_sentence_is_reported():
    document = parse("T\n\nThe first sentence ends. The second one was cut off in the\n", "t.txt")
    assert [a.kind for a in document.anomalies] == ["truncated"]
    complete = parse("T\n\nThe first sentence ends.\n", "t.txt")
    assert complete.anomalies == []


def test_wiki_markup_headings_give_their_levels_and_never_step_two_down():
    text = "T\n\nLead text here.\n\n== History ==\n\nOld times.\n\n==== Deep ====\n\nDeep text.\n"
    document = parse(text, "t.txt")
    assert [(s.heading, s.level) for s in document.sections] == [
        ("", 2),
        ("History", 2),
        ("Deep", 3),
    ]


def test_a_run_of_empty_headings_is_no_staircase():
    text = "T\n\nLead text.\n\nOne\n\nTwo\n\nThree\n\nFour\n\nBody text of four.\n"
    levels = [s.level for s in parse(text, "t.txt").sections]
    assert max(levels) <= 3


def test_non_latin_article_keeps_its_structure():
    text = (
        "Пример\n\nГород основан в 1200 году.[1] Он стоит на реке.\n\n"
        "История[править | править код]\n\nМосты построены в XIX веке.[2]\n\n"
        "Примечания[править | править код]\n\n↑ Иванов И. И. История города. — М., 1990.\n"
        "↑ Петров П. П. Мосты. — М., 2001.\n"
    )
    document = parse(text, "ru.txt")
    assert [s.heading for s in document.sections] == ["", "История", "Примечания"]
    assert [c.text for c in document.claims] == [
        "Город основан в 1200 году.",
        "Он стоит на реке.",
        "Мосты построены в XIX веке.",
    ]
    assert {s.label: bool(s.note_text) for s in document.sources} == {"1": True, "2": True}


@pytest.mark.parametrize("name", ["harbour_strikes.txt", "exampleton_rendered.txt"])
def test_nothing_of_the_file_is_unaccounted_for(name):
    document = parse((FIXTURES / name).read_text(), name)
    assert document.unaccounted() == []
    for claim in document.claims:
        assert strip_markers(document.text[claim.start : claim.end]) == claim.text


def test_nothing_of_the_seed_is_unaccounted_for(seed_parsed):
    assert seed_parsed.unaccounted() == []


def test_a_dropped_record_shows_as_unaccounted(seed_parsed):
    from dataclasses import replace

    broken = replace(seed_parsed, apparatus=seed_parsed.apparatus[1:])
    [(line, text)] = broken.unaccounted()
    assert line == 169 and "Der Umgang" in text


def test_one_megabyte_paragraph_is_parsed():
    sentence = "The army marched on the town of Exampleton in the spring.[1] "
    document = parse("T\n\n" + sentence * (1_000_000 // len(sentence)) + "\n", "big.txt")
    assert len(document.claims) == 1_000_000 // len(sentence)
    assert all(c.text.endswith("spring.") for c in document.claims[:50])


def test_a_marker_glued_to_a_capital_ends_the_sentence_even_without_a_full_stop():
    document = parse("T\n\nThe siege ended in 1945[7]The town was rebuilt.\n", "t.txt")
    assert [c.text for c in document.claims] == ["The siege ended in 1945", "The town was rebuilt."]
    assert [c.label for c in document.claims[0].citations] == ["7"]


def test_chrome_before_the_title_is_kept_and_the_title_follows_it():
    text = "Jump to navigation\nJump to search\nExampleton\n\nExampleton is a town.\n"
    document = parse(text, "t.txt")
    assert document.title == "Exampleton"
    assert [a.text for a in document.apparatus] == ["Jump to navigation", "Jump to search"]
    assert document.unaccounted() == []


# --------------------------------------------------------------------------- page headers

VECTOR_2022_COPY = """\
Lake Example - Wikipedia
Jump to content
Main menu
Main menu
move to sidebar
hide
Main pageContentsCurrent eventsRandom articleAbout Wikipedia
Contents
move to sidebar
hide
(Top)
1History
2Geography
Toggle Geography subsection
2.1Shores
Toggle the table of contents
Lake Example
Add languages
ArticleTalk
ReadEditView history
From Wikipedia, the free encyclopedia
Lake ExampleLocationNorth CountyTypeGlacial lakeBasin countriesExampleland
Lake Example is a glacial lake in the north of Exampleland, formed after the last ice age.[1]
History[edit]
The first settlers reached its shores in the twelfth century and built mills on its outflow.[2]
Geography[edit]
The lake lies in a basin between two moraines, and its water is unusually clear for the region.
Shores[edit]
Reed beds cover the northern shore, where the river enters the lake from the hills above it.
References[edit]
^ Smith, J. (1990). Lakes of Exampleland. Example Press.
^ Jones, A. (2001). Mills and Rivers. River Books.
"""


def test_a_page_header_above_the_tagline_is_chrome_and_its_table_of_contents_gives_levels():
    document = parse(VECTOR_2022_COPY, "lake.txt")
    assert document.title == "Lake Example"
    assert [(s.heading, s.level) for s in document.sections if s.heading] == [
        ("History", 2),
        ("Geography", 2),
        ("Shores", 3),
        ("References", 2),
    ]
    texts = [c.text for c in document.claims]
    assert texts[0].startswith("Lake Example is a glacial lake")
    assert not any("Main menu" in t or "ArticleTalk" in t or "Location" in t for t in texts)
    kinds = apparatus_kinds(document)
    assert kinds["toc"] >= 6  # the glued "1History" entries and the toggles between them
    assert kinds["infobox"] == 1  # the infobox row whose cells ran together
    assert document.unaccounted() == []


CHINESE_COPY = """\
# copy
测试湖[编辑]
维基百科，自由的百科全书
测试湖是一个位于北方的冰川湖，形成于最后一个冰期结束时。[1]
历史[编辑]
最早的定居者在十二世纪到达湖岸，并在其出水口修建了磨坊。[2]
地理[编辑]
湖泊位于两座冰碛之间的盆地中，湖水清澈。
参考文献[编辑]
^ 张三. 北方的湖泊. 北京: 示例出版社. 1990.
^ 李四. 磨坊与河流. 上海: 河流出版社. 2001.
"""


def test_a_title_with_an_edit_link_above_the_tagline_and_headings_in_a_script_without_case():
    document = parse(CHINESE_COPY, "lake-zh.txt")
    assert document.title == "测试湖"
    assert [s.heading for s in document.sections if s.heading] == ["历史", "地理", "参考文献"]
    # "参考文献" names a bibliography, but caret lines under it are the notes: they number
    # the sources their markers cite.
    texts = {s.label: s.note_text for s in document.sources}
    assert texts["1"].startswith("张三. 北方的湖泊")
    assert texts["2"].startswith("李四. 磨坊与河流")
    assert not any(c.text.startswith("^") for c in document.claims)


NAVBOX_COPY = """\
River Example

River Example is a short river that flows from Lake Example to the sea past two towns.

It was used to drive mills until the nineteenth century, when railways took its trade.

Rivers of Exampleland
v t e
Major rivers
River Example Long River North River
Minor rivers
Brook One Brook Two

Categories: Rivers of Exampleland
"""


def test_a_navigation_box_is_known_by_its_view_talk_edit_links():
    document = parse(NAVBOX_COPY, "river.txt")
    assert [c.text[:20] for c in document.claims] == [
        "River Example is a s",
        "It was used to drive",
    ]
    navigation = [a.text for a in document.apparatus if a.kind == "navigation"]
    assert navigation == [
        "Rivers of Exampleland",
        "v t e",
        "Major rivers",
        "River Example Long River North River",
        "Minor rivers",
        "Brook One Brook Two",
    ]


def test_a_copy_notice_with_the_page_address_is_chrome():
    text = (
        "Harbour Example\n\nCloned from https://en.wikipedia.org/wiki/Harbour_Example.\n\n"
        "Harbour Example is a small harbour on the west coast, sheltered by a long breakwater.\n"
    )
    document = parse(text, "harbour.txt")
    assert [a.kind for a in document.apparatus] == ["chrome"]
    assert [c.text[:15] for c in document.claims] == ["Harbour Example"]


def test_a_heading_marked_by_its_edit_link_ends_a_list_introduced_by_a_colon():
    text = (
        "Mail\n\nA backup server is chosen when one of these holds:\n"
        "the primary server is down\nthe primary server is overloaded\n"
        "Spammers[edit]\n"
        "Spammers often send mail to the backup server first, hoping it filters less.\n"
        "History[edit]\nThe rule was written down in 1986 and has not changed much since.\n"
    )
    document = parse(text, "mail.txt")
    assert [s.heading for s in document.sections if s.heading] == ["Spammers", "History"]
    assert [c.kind for c in document.sections[0].claims] == ["statement", "list_item", "list_item"]


def test_caret_notes_under_a_bibliography_heading_still_number_their_sources():
    text = (
        "Mill Example\n\nThe mill was built in 1820 by the town's weavers.[1] "
        "It closed in 1931.[2]\n\nSources\n"
        "^ Smith, J. (1990). Mills of Exampleland. Example Press.\n"
        "^ Jones, A. (2001). Weavers and Water. River Books.\n"
    )
    document = parse(text, "mill.txt")
    assert {s.label: s.note_text[:5] for s in document.sources} == {"1": "Smith", "2": "Jones"}
    assert apparatus_kinds(document)["footnote"] == 2


MARKDOWN_CONVERSION = """\



Contents
--------
* (Top)
* 1History
\t+ 1.1Mills
* 2References
Toggle the table of contents
Lake Example
============
* Read
* Edit
From Wikipedia, the free encyclopedia
|  |
| --- |
| Part of a series on lakes |
|
∂
|
Lake Example is a glacial lake in the north of Exampleland, formed after the last ice age.[1]

History[edit]
-------------
The first settlers reached its shores in the twelfth century.[2]

### Mills[edit]
Two mills stood on the outflow until the railway came:

def grind(grain):
    return flour
x = 10;
<p>Flour</p>

References[edit]
----------------
1. ^ ***a*** ***b*** Smith, J. (1990). *Lakes of Exampleland*. Example Press.
2. **^** Jones, A. (2001). *Mills and Rivers*. River Books.
"""


def test_a_markdown_conversion_of_a_page_keeps_its_structure():
    document = parse(MARKDOWN_CONVERSION, "lake.md.txt")
    assert document.title == "Lake Example"
    assert [(s.heading, s.level) for s in document.sections if s.heading] == [
        ("History", 2),
        ("Mills", 3),
        ("References", 2),
    ]
    texts = [c.text for c in document.claims]
    assert texts == [
        "Lake Example is a glacial lake in the north of Exampleland, formed after the last "
        "ice age.",
        "The first settlers reached its shores in the twelfth century.",
        "Two mills stood on the outflow until the railway came:",
    ]
    notes = {s.label: s.note_text for s in document.sources}
    assert notes["1"].startswith("Smith, J. (1990).") and notes["2"].startswith("Jones, A.")
    rules = {a.text: a.rule for a in document.apparatus}
    assert rules["def grind(grain):"] == rules["x = 10;"] == "a line of program code"
    assert rules["<p>Flour</p>"] == "a line of HTML: it opens with a tag"
    assert rules["∂"].startswith("no word on the line")
    assert document.unaccounted() == []


def test_an_entry_of_the_table_of_contents_makes_one_heading_only():
    text = (
        "Tool\n\nContents\n1 Libraries\n2 Uses\n\nLibraries[edit]\n"
        "The standard library is large and covers most everyday needs of a program.\n"
        "Uses[edit]\nIt is used for scripts, services and teaching in many schools.\n\n"
        "Related tools\nLibraries\nEditors\n"
    )
    document = parse(text, "tool.txt")
    assert [s.heading for s in document.sections if s.heading] == ["Libraries", "Uses"]


def test_marker_groups_named_by_a_symbol_cite_their_own_lists():
    text = (
        "Python\n\nIt was released in 1991.[1] The first version was 0.9.[† 1]\n\n"
        "出典\n^ Rossum, G. (1991). Release notes.\n\n"
        "一次文献\n^ van Rossum, G. Python 0.9.1 release.\n"
    )
    document = parse(text, "python.txt")
    assert [c.label for c in document.citations] == ["1", "† 1"]
    assert {s.label: s.note_text for s in document.sources} == {
        "1": "Rossum, G. (1991). Release notes.",
        "† 1": "van Rossum, G. Python 0.9.1 release.",
    }


def test_a_copy_header_of_labels_and_addresses_is_not_the_lead():
    text = (
        "Harbour Example\n\nCloned from https://en.wikipedia.org/wiki/Harbour_Example.\n\n"
        "Page id: 11946436.\n\n"
        "Harbour Example is a small harbour on the west coast, sheltered by a long breakwater.\n"
    )
    document = parse(text, "harbour.txt")
    assert [(a.kind, a.text[:8]) for a in document.apparatus] == [
        ("chrome", "Cloned f"),
        ("infobox", "Page id:"),
    ]
    assert [c.text[:15] for c in document.claims] == ["Harbour Example"]


def test_short_lines_that_touch_each_other_are_items_not_captions():
    text = (
        "Python\n\nThe standard library covers most everyday needs of a program, and more.\n\n"
        "Regular expressions\nOperating system calls\nXML processing\nSerialization\n\n"
        "The harbour was built in 1850 and rebuilt after the war of 1870.\n"
    )
    document = parse(text, "python.txt")
    kinds = {c.text: c.kind for c in document.claims}
    assert [kinds[t] for t in ("Regular expressions", "XML processing", "Serialization")] == [
        "list_item"
    ] * 3
    assert kinds["The harbour was built in 1850 and rebuilt after the war of 1870."] == (
        "statement"
    )


def test_a_copy_that_starts_at_a_section_is_titled_after_its_file_and_says_so():
    text = (
        "Views[edit]\nPolitics[edit]\n"
        "She joined the party in 1976 and has written about it in many columns since.\n\n"
        "Awards[edit]\nShe won the prize twice, in 1986 and again in 1987, for two novels.\n"
    )
    document = parse(text, "orson_scott-card.txt")
    assert document.title == "orson scott card"
    assert [(s.heading, s.level) for s in document.sections if s.heading] == [
        ("Views", 2),
        ("Politics", 3),  # directly under an empty heading
        ("Awards", 2),
    ]
    (note,) = [a for a in document.anomalies if a.kind == "no_title_line"]
    assert note.line == 1 and "titled after the file name" in note.message
    assert document.unaccounted() == []


# --------------------------------------------------------------------------- copy styles


def test_a_hard_wrapped_paragraph_is_read_across_its_lines():
    # The space at each cut is left at the end of a line, or put at the start of the next;
    # a line opening with a comma continues the one above.
    text = (
        "Egypt\n\n"
        "The ministry of state for sport runs sport in the country, and football is the \n"
        "most popular game there. The national team was the first from Africa to play\n"
        " in the World Cup, in 1934,[368][369] and it has won the African cup seven times\n"
        ", most recently in 2010.[370]\n"
    )
    document = parse(text, "egypt.txt")
    assert [" ".join(c.text.split()) for c in document.claims] == [
        "The ministry of state for sport runs sport in the country, and football is the "
        "most popular game there.",
        "The national team was the first from Africa to play in the World Cup, in 1934, and it "
        "has won the African cup seven times , most recently in 2010.",
    ]
    assert [x.label for x in document.claims[1].citations] == ["368", "369", "370"]
    assert document.unaccounted() == []


def test_lines_of_a_list_without_bullets_are_not_joined():
    text = (
        "Tk\n\nThe geometry managers are:\n"
        "place – positions widgets at absolute locations\n"
        "grid – arranges widgets in a grid\n"
        "pack – packs widgets into a cavity\n"
    )
    document = parse(text, "tk.txt")
    assert [c.kind for c in document.claims] == ["statement"] + ["list_item"] * 3


def test_a_marker_cut_off_at_the_end_of_its_line_is_a_stray_marker():
    text = (
        "Egypt\n\nEgypt celebrates its day of sport on 3 March of every year, with games.[373\n"
        "Television began in Egypt in 1960, when the Arab Television was founded.\n"
    )
    document = parse(text, "egypt.txt")
    assert document.claims[0].text.endswith("with games.")
    assert [a.kind for a in document.apparatus] == ["stray_markers"]
    assert document.unaccounted() == []


def test_a_copy_whose_first_line_is_a_sentence_is_titled_after_its_file():
    text = (
        "Egyptian fans cheering the national football team.\n"
        "Sport in Egypt is run by the ministry of state for sport, and football is loved.\n"
    )
    document = parse(text, "egypt-culture.txt")
    assert document.title == "egypt culture"
    (note,) = [a for a in document.anomalies if a.kind == "no_title_line"]
    assert "its first line is a sentence" in note.message
    assert len(document.claims) == 2


def test_a_title_ending_in_an_initial_is_still_a_title():
    document = parse("Washington, D.C.\n\nThe city is the capital of the country.\n", "dc.txt")
    assert document.title == "Washington, D.C."


def test_a_wikiextractor_dump_has_its_wrapper_as_chrome_and_full_stops_after_headings():
    text = (
        '<doc id="4936300" url="https://vi.wikipedia.org/wiki?curid=4936300" title="Tấn công">\n'
        "Tấn công\n\n"
        "Cuộc tấn công xảy ra vào ngày 17 tháng 8 năm 2017 tại La Rambla, Barcelona.\n"
        "Nạn nhân.\n"
        "Ngoài 7 kẻ tấn công, 16 người đã thiệt mạng và khoảng 130 người bị thương.\n"
        "Phản ứng.\n"
        "Trong nước.\n"
        "Một nghi phạm chính là người lái xe tải, vẫn còn đào tẩu.\n"
        "Ngày 21 tháng 8, cảnh sát bao vây ông ở Subirats.\n"
        "\n</doc>\n"
    )
    document = parse(text, "wiki_00")
    assert document.title == "Tấn công"
    assert [(s.heading, s.level) for s in document.sections if s.heading] == [
        ("Nạn nhân", 2),
        ("Phản ứng", 2),
        ("Trong nước", 3),
    ]
    # No image survives a dump, so no short line is a caption.
    assert {c.kind for c in document.claims} == {"statement"}
    assert [a.kind for a in document.apparatus] == ["chrome", "chrome"]
    assert document.unaccounted() == []


def test_rendered_pages_of_further_editions_have_their_edit_links_and_hatnotes():
    from archive.importer import vocabulary

    assert vocabulary.split_edit_suffix("السينما[عدل]") == ("السينما", "[عدل]")
    assert vocabulary.split_edit_suffix("역사[편집]") == ("역사", "[편집]")
    assert vocabulary.split_edit_suffix("היסטוריה[עריכת קוד מקור | עריכה]")[1]
    assert vocabulary.hatnote("Crystal Clear app kdict.png مقالة مفصلة: السينما المصرية")
    assert vocabulary.is_tagline("위키백과, 우리 모두의 백과사전")
    assert vocabulary.section_role("المراجع") == vocabulary.REFERENCES
    assert vocabulary.section_role("Liên kết ngoài") == vocabulary.NAVIGATION
