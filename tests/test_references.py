"""Reference-list entries and the fields read from them, on real rendered reference lines.

Sources of the lines (copies of rendered pages found in public GitHub files through the
project's search tools; the index id of each file is given so the copy can be found again):

- GIT: English Wikipedia "Git", a plain-text copy of the rendered page (id 19055531881).
- BLEVE: English Wikipedia "Boiling liquid expanding vapor explosion", 2014 copy with the old
  "Jump up ^" backlinks (id 984102176).
- BEER: English Wikipedia "Beer", copy with both "Jump up ^" and "^ Jump up to:" (id
  24375477694).
- EXPLOSION: English Wikipedia "Principle of explosion", indented copy (id 20411824331).
- LPC: English Wikipedia "LPC (programming language)" (id 12922888386).
- MX: English Wikipedia "MX record" (id 28602232763).
- HEJLSBERG: English Wikipedia "Anders Hejlsberg" (id 51823453013).
- NORD: English Wikipedia "NORD-10", a bulleted copy with numbered backlinks (id 59175098533).
- HEAP: English Wikipedia "Fibonacci heap" comparison table notes, "1.  ^" (id 4444544332).
- MITM: English Wikipedia "Man-in-the-middle attack", a Markdown copy (id 55364359305); its
  link targets are written out in parentheses here, as a text export of it keeps them.
- MINECRAFT: Minecraft Wiki (MediaWiki) block pages, notes "1. ↑ a b c ..." (ids 7165771,
  288630462, 168671442).
- RU_HTTP: Russian Wikipedia "Список кодов состояния HTTP", flattened copy (id 21439036435).
- CARD, PANDA, TCPIP_ZH: the copies of English Wikipedia "Orson Scott Card" and "Numbered
  Panda" and Chinese Wikipedia "TCP/IP协议族" in the project's own corpus (tests/corpus/);
  the lines are quoted here so these tests do not depend on those files.

Lines marked "constructed" are built on a real line's shape to reach one case (an address
too long, a backlink form seen only in another language); they say so.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archive.importer.references import (
    AUTHOR_MAX,
    DOI_MAX,
    ISBN_MAX,
    PUBLISHED_MAX,
    PUBLISHER_MAX,
    TITLE_MAX,
    URL_MAX,
    ReferenceFields,
    ReferenceLine,
    isbn_checksum_ok,
    read_reference,
    reference_entry,
    valid_url,
)

# --------------------------------------------------------------------------- entry forms

ENTRY_CASES = [
    # (line, in_reference_section, key, backlinks, text)
    (  # GIT
        '^ "Git Source Code Mirror". GitHub. Archived from the original on 3 June 2022. '
        "Retrieved 9 June 2022.",
        False,
        None,
        (),
        '"Git Source Code Mirror". GitHub. Archived from the original on 3 June 2022. '
        "Retrieved 9 June 2022.",
    ),
    (  # GIT
        "^ Jump up to: a b Torvalds, Linus (10 June 2007). "
        '"Re: fatal: serious inflate inconsistency". git (Mailing list).',
        False,
        None,
        ("a", "b"),
        'Torvalds, Linus (10 June 2007). "Re: fatal: serious inflate inconsistency". '
        "git (Mailing list).",
    ),
    (  # GIT: nineteen backlinks, then a note whose first word is capitalised
        "^ Jump up to: a b c d e f g h i j k l m n o p q r s Not listed as an option in this "
        "survey",
        False,
        None,
        tuple("abcdefghijklmnopqrs"),
        "Not listed as an option in this survey",
    ),
    (  # GIT: a note whose text is an identifier
        "^ Jump up to: a b c d RFC 5321",
        False,
        None,
        ("a", "b", "c", "d"),
        "RFC 5321",
    ),
    (  # BLEVE: the 2013-2017 rendering
        'Jump up ^ "Chemical Process Safety" (PDF). Retrieved 2011-07-12.',
        False,
        None,
        (),
        '"Chemical Process Safety" (PDF). Retrieved 2011-07-12.',
    ),
    (  # BEER: indented
        "    Jump up ^ Joshua J. Mark (2011). Beer. Ancient History Encyclopedia.",
        False,
        None,
        (),
        "Joshua J. Mark (2011). Beer. Ancient History Encyclopedia.",
    ),
    (  # EXPLOSION: indented, "^ Jump up to:"
        "    ^ Jump up to: a b McKubre-Jordens, Maarten (August 2011). "
        '"This is not a carrot: Paraconsistent mathematics". Plus Magazine.',
        False,
        None,
        ("a", "b"),
        'McKubre-Jordens, Maarten (August 2011). "This is not a carrot: Paraconsistent '
        'mathematics". Plus Magazine.',
    ),
    (  # HEAP: numbered, two spaces after the point
        "1.  ^ Jump up to: a b c d e f g h i Amortized time.",
        False,
        "1",
        tuple("abcdefghi"),
        "Amortized time.",
    ),
    (  # NORD: numbered backlinks, then a text that starts with digits
        "- ^ 1.0 1.1 1.2 1.3 1.4 30.001.01A NORD-10/NORD-50, Operator's Guide",
        False,
        None,
        ("1.0", "1.1", "1.2", "1.3", "1.4"),
        "30.001.01A NORD-10/NORD-50, Operator's Guide",
    ),
    (  # NORD
        "- ^ Whetstone Benchmark History and Results",
        False,
        None,
        (),
        "Whetstone Benchmark History and Results",
    ),
    (  # MINECRAFT: "↑" with letter backlinks
        "1. ↑ a b c d e f Brightness here refers to ITU-R BT.601 luminance value (luma)",
        False,
        "1",
        tuple("abcdef"),
        "Brightness here refers to ITU-R BT.601 luminance value (luma)",
    ),
    (  # MINECRAFT: the last label glued to the text
        "2. ↑ a b c d e f g h i j k l m n o p q r s t u vUnavailable with /give command",
        False,
        "2",
        tuple("abcdefghijklmnopqrstuv"),
        "Unavailable with /give command",
    ),
    (  # MINECRAFT: no space after the arrow, no backlinks
        "1. ↑ID of block's direct item form, which is used in savegame files and addons.",
        False,
        "1",
        (),
        "ID of block's direct item form, which is used in savegame files and addons.",
    ),
    (  # MINECRAFT: unnumbered arrow
        "↑ a b The block's direct item form has the same id as the block.",
        False,
        None,
        ("a", "b"),
        "The block's direct item form has the same id as the block.",
    ),
    (  # constructed: ru numbered backlinks "↑ 1 2" on the RU_HTTP reference text
        "↑ 1 2 draft-ietf-httpbis-legally-restricted-status-04. datatracker.ietf.org. "
        "Дата обращения 22 декабря 2015.",
        False,
        None,
        ("1", "2"),
        "draft-ietf-httpbis-legally-restricted-status-04. datatracker.ietf.org. "
        "Дата обращения 22 декабря 2015.",
    ),
    (  # constructed: "[12] text", as lynx-style dumps number their lists
        '[12] Brown, Zack (27 July 2018). "A Git Origin Story". Linux Journal.',
        False,
        "12",
        (),
        'Brown, Zack (27 July 2018). "A Git Origin Story". Linux Journal.',
    ),
    (  # constructed: a lettered note "a. ^"
        "a. ^ GPL-2.0-only since 2005-04-11. Some parts under compatible licenses such as "
        "LGPLv2.1.",
        False,
        "a",
        (),
        "GPL-2.0-only since 2005-04-11. Some parts under compatible licenses such as LGPLv2.1.",
    ),
    (  # constructed: a plain numbered line, inside a reference section only
        '12. Torvalds, Linus (6 April 2005). "Kernel SCM saga." linux-kernel (Mailing list).',
        True,
        "12",
        (),
        'Torvalds, Linus (6 April 2005). "Kernel SCM saga." linux-kernel (Mailing list).',
    ),
    (  # constructed: the same without the point
        '3 Hamano, Junio C. (21 December 2005). "Announce: Git 1.0.0". git (Mailing list).',
        True,
        "3",
        (),
        'Hamano, Junio C. (21 December 2005). "Announce: Git 1.0.0". git (Mailing list).',
    ),
    (  # constructed: fr "↑ a, b et c"
        "↑ a, b et c Texte de la note.",
        False,
        None,
        ("a", "b", "c"),
        "Texte de la note.",
    ),
]


@pytest.mark.parametrize(("line", "in_section", "key", "backlinks", "text"), ENTRY_CASES)
def test_entry_forms_give_key_text_and_exact_offset(line, in_section, key, backlinks, text):
    entry = reference_entry(line, in_reference_section=in_section)
    assert entry == ReferenceLine(key, text, entry.text_start, backlinks)
    assert line[entry.text_start : entry.text_start + len(entry.text)] == text


def test_backlink_letters_never_eat_the_first_word():
    # "^ a b Smith": the letters go; "^ A history": the capital A is the text's own.
    assert reference_entry("^ a b Smith 2001, p. 4.").text == "Smith 2001, p. 4."
    assert reference_entry("^ A history of the county (1901).").text == (
        "A history of the county (1901)."
    )
    # A single letter is not a backlink run: single use has no labels.
    assert reference_entry("^ a priori reasoning, as in Kant.").text == (
        "a priori reasoning, as in Kant."
    )
    # Out of order is not a run either.
    assert reference_entry("^ b a c text").text == "b a c text"
    # "cDNA" is a word, not the label "c" glued to "DNA".
    assert reference_entry("^ a b cDNA libraries, 1990.").text == "cDNA libraries, 1990."
    # "^ 1 Kings 3:4": a lone number is the text's own.
    assert reference_entry("^ 1 Kings 3:4.").text == "1 Kings 3:4."


def test_entries_without_text_are_still_entries():
    entry = reference_entry("^")
    assert entry is not None and entry.text == "" and entry.key is None
    assert reference_entry("[8]") == ReferenceLine("8", "", 3)


@pytest.mark.parametrize(
    "line",
    [
        "",
        "   ",
        "The Soviet Union did not recognize the entry of Imperial Russia to the Hague Conventions.",
        "12. The war began in 1812 and ended two years later.",  # not in a reference section
        "12 Angry Men is a 1957 film.",
        "References[edit]",
        "Jump to navigation",
        "a. The first item of a list",
    ],
)
def test_lines_that_are_not_entries(line):
    assert reference_entry(line) is None


# --------------------------------------------------------------------------- fields

FIELD_CASES = [
    (  # GIT: web page with a work and dates
        '"Git Source Code Mirror". GitHub. Archived from the original on 3 June 2022. '
        "Retrieved 9 June 2022.",
        ReferenceFields(title="Git Source Code Mirror", publisher="GitHub"),
    ),
    (  # GIT: quotes inside the title
        '"Initial revision of "git", the information manager from hell". GitHub. 8 April 2005. '
        "Archived from the original on 16 November 2015. Retrieved 20 December 2015.",
        ReferenceFields(
            title='Initial revision of "git", the information manager from hell',
            published="8 April 2005",
            publisher="GitHub",
        ),
    ),
    (  # GIT: news, author and date; the work named twice is the publisher
        'Brown, Zack (27 July 2018). "A Git Origin Story". Linux Journal. Linux Journal. '
        "Archived from the original on 13 April 2020. Retrieved 28 May 2020.",
        ReferenceFields(
            author="Brown, Zack",
            title="A Git Origin Story",
            published="27 July 2018",
            publisher="Linux Journal",
        ),
    ),
    (  # GIT: mailing list; the title keeps its own final point; the quote after is text
        'Torvalds, Linus (7 April 2005). "Re: Kernel SCM saga." linux-kernel (Mailing list). '
        "Archived from the original on 1 July 2019. Retrieved 3 February 2017. "
        '"So I\'m writing some scripts to try to track things a whole lot faster."',
        ReferenceFields(
            author="Torvalds, Linus",
            title="Re: Kernel SCM saga.",
            published="7 April 2005",
            publisher="linux-kernel",
        ),
    ),
    (  # GIT: a book chapter with its edition; the date stands alone
        '"A Short History of Git". Pro Git (2nd ed.). Apress. 2014. Archived from the original '
        "on 25 December 2015. Retrieved 26 December 2015.",
        ReferenceFields(title="A Short History of Git", published="2014", publisher="Apress"),
    ),
    (  # GIT: a book, place and publisher
        "Chacon, Scott (24 December 2014). Pro Git (2nd ed.). New York, NY: Apress. pp. 29–30. "
        "ISBN 978-1-4842-0077-3. Archived from the original on 25 December 2015.",
        ReferenceFields(
            author="Chacon, Scott",
            title="Pro Git",
            published="24 December 2014",
            publisher="Apress",
            isbn="978-1-4842-0077-3",
        ),
    ),
    (  # GIT: two authors, a chapter
        'Chacon, Scott; Straub, Ben (2014). "Git on the Server – Setting Up the Server". '
        "Pro Git (2nd ed.). Apress. ISBN 978-1484200773.",
        ReferenceFields(
            author="Chacon, Scott; Straub, Ben",
            title="Git on the Server – Setting Up the Server",
            published="2014",
            publisher="Apress",
            isbn="978-1484200773",
        ),
    ),
    (  # GIT: "Inc." keeps its point
        '"Stack Overflow Annual Developer Survey". Stack Exchange, Inc. Retrieved 9 January '
        "2020. Stack Overflow’s annual Developer Survey is the largest and most comprehensive "
        "survey of people who code around the world.",
        ReferenceFields(
            title="Stack Overflow Annual Developer Survey", publisher="Stack Exchange, Inc."
        ),
    ),
    (  # GIT: the date after the title, no work
        '"[ANNOUNCE] Git v2.38.0". 3 October 2022. Retrieved 4 October 2022.',
        ReferenceFields(title="[ANNOUNCE] Git v2.38.0", published="3 October 2022"),
    ),
    (  # GIT: a user name as author
        'iabervon (22 December 2005). "Git rocks!". Archived from the original on 14 September '
        "2016., praising Git's scriptability.",
        ReferenceFields(author="iabervon", title="Git rocks!", published="22 December 2005"),
    ),
    (  # GIT: author without a date
        'Torvalds, Linus. "Re: VCS comparison table". git (Mailing list). Retrieved 10 April '
        "2009., describing Git's script-oriented design",
        ReferenceFields(
            author="Torvalds, Linus", title="Re: VCS comparison table", publisher="git"
        ),
    ),
    (  # GIT: "et al."; the title is cut off in the copy, so no title
        'Blake Burkhart; et al. (5 October 2015). "Re: CVE Request',
        ReferenceFields(author="Blake Burkhart; et al.", published="5 October 2015"),
    ),
    (  # GIT: {{citation}} style with commas: the title only
        '"SQL interface to Git repositories, written in Go.", github.com, retrieved 19 April 2019',
        ReferenceFields(title="SQL interface to Git repositories, written in Go."),
    ),
    (  # GIT: nothing stated reliably
        "github/renaming, GitHub, 4 December 2020, retrieved 4 December 2020",
        ReferenceFields(),
    ),
    (  # GIT: a bare title with an archive note
        "BitKeeper and Linux: The end of the road? Archived 8 June 2017 at the Wayback Machine",
        ReferenceFields(),
    ),
    (  # GIT: a title quoted in the middle is not read
        'Jst\'s Blog on Mozillazine "bzr/hg/git performance". Archived from the original on '
        "29 May 2010. Retrieved 12 February 2015.",
        ReferenceFields(),
    ),
    (  # GIT: video, unquoted title without a publisher's marks: the title is not guessed
        "Linus Torvalds (3 May 2007). Google tech talk: Linus Torvalds on git. Event occurs at "
        "02:30. Archived from the original on 28 May 2007. Retrieved 16 May 2007.",
        ReferenceFields(author="Linus Torvalds", published="3 May 2007"),
    ),
    (  # BLEVE: book, place and publisher, ISBN-10
        "Kletz, Trevor (March 1990). Critical Aspects of Safety and Loss Prevention. London: "
        "Butterworth–Heinemann. pp. 43–45. ISBN 0-408-04429-2.",
        ReferenceFields(
            author="Kletz, Trevor",
            title="Critical Aspects of Safety and Loss Prevention",
            published="March 1990",
            publisher="Butterworth–Heinemann",
            isbn="0-408-04429-2",
        ),
    ),
    (  # BLEVE: a format marker after the title
        '"Chemical Process Safety" (PDF). Retrieved 2011-07-12.',
        ReferenceFields(title="Chemical Process Safety"),
    ),
    (  # BLEVE: ISO retrieval date, site as publisher
        '"Temperature Pressure Relief Valves on Water Heaters: test, inspect, replace, repair '
        'guide". Inspect-ny.com. Retrieved 2011-07-12.',
        ReferenceFields(
            title="Temperature Pressure Relief Valves on Water Heaters: test, inspect, replace, "
            "repair guide",
            publisher="Inspect-ny.com",
        ),
    ),
    (  # BEER: three authors with initials
        "Black, Jeremy A.; Cunningham, Graham; Robson, Eleanor (2004). The literature of "
        "ancient Sumer. Oxford: Oxford University Press. ISBN 0-19-926311-6.",
        ReferenceFields(
            author="Black, Jeremy A.; Cunningham, Graham; Robson, Eleanor",
            title="The literature of ancient Sumer",
            published="2004",
            publisher="Oxford University Press",
            isbn="0-19-926311-6",
        ),
    ),
    (  # BEER: no quotes, no author-date: nothing guessed
        "Nin-kasi: Mesopotamian Goddess of Beer. Matrifocus 2006, Johanna Stuckey. Archived from "
        "the original on 24 May 2008. Retrieved 13 May 2008.",
        ReferenceFields(),
    ),
    (  # EXPLOSION: journal article with a DOI
        'Başkent, Can (2013-01-31). "Some topological properties of paraconsistent models". '
        "Synthese. 190 (18): 4023. doi:10.1007/s11229-013-0246-8.",
        ReferenceFields(
            author="Başkent, Can",
            title="Some topological properties of paraconsistent models",
            published="2013-01-31",
            publisher="Synthese",
            doi="10.1007/s11229-013-0246-8",
        ),
    ),
    (  # EXPLOSION: a series and a publisher after the title: the publisher is not guessed
        "Carnielli, Walter; Coniglio, Marcelo Esteban (2016). Paraconsistent Logic: "
        "Consistency, Contradiction and Negation. Logic, Epistemology, and the Unity of "
        "Science. 40. Springer International Publishing. ix. doi:10.1007/978-3-319-33205-5. "
        "ISBN 978-3-319-33203-1.",
        ReferenceFields(
            author="Carnielli, Walter; Coniglio, Marcelo Esteban",
            title="Paraconsistent Logic: Consistency, Contradiction and Negation",
            published="2016",
            doi="10.1007/978-3-319-33205-5",
            isbn="978-3-319-33203-1",
        ),
    ),
    (  # EXPLOSION: a hand-written citation; "CiteSeerx: 10.1.1.107.70" is not a DOI
        'Carnielli, Walter, and João Marcos. [2000] 2001. "Ex contradictione non sequitur '
        'quodlibet (PDF)." Bulletin of Advanced Reasoning and Knowledge 1:89–109. '
        "CiteSeerx: 10.1.1.107.70.",
        ReferenceFields(),
    ),
    (  # EXPLOSION: work and publisher, told apart by nothing: neither is guessed
        'McKubre-Jordens, Maarten (August 2011). "This is not a carrot: Paraconsistent '
        'mathematics". Plus Magazine. Millennium Mathematics Project. Retrieved January 14, 2017.',
        ReferenceFields(
            author="McKubre-Jordens, Maarten",
            title="This is not a carrot: Paraconsistent mathematics",
            published="August 2011",
        ),
    ),
    (  # LPC: a publisher with "Inc.", a quotation after the ISBN
        "Shah, Rawn; Romine, James (1995). Playing MUDs on the Internet. John Wiley & Sons, Inc. "
        "p. 159. ISBN 0-471-11633-5. LPC is very much like another common programming language "
        "known as C [...]",
        ReferenceFields(
            author="Shah, Rawn; Romine, James",
            title="Playing MUDs on the Internet",
            published="1995",
            publisher="John Wiley & Sons, Inc.",
            isbn="0-471-11633-5",
        ),
    ),
    (  # MX: a report with an RFC number
        "Craig Partridge (January 1986). MAIL ROUTING AND THE DOMAIN SYSTEM. IETF. RFC 974. "
        'Retrieved 18 November 2011. "For each MX, a WKS query',
        ReferenceFields(
            author="Craig Partridge",
            title="MAIL ROUTING AND THE DOMAIN SYSTEM",
            published="January 1986",
            publisher="IETF",
        ),
    ),
    (  # HEJLSBERG
        '"Anders Hejlsberg: Microsoft Technical Fellow". Microsoft. Archived from the original '
        "on 2009-04-27. Retrieved 2003-04-06.",
        ReferenceFields(
            title="Anders Hejlsberg: Microsoft Technical Fellow", publisher="Microsoft"
        ),
    ),
    (  # NORD
        "30.001.01A NORD-10/NORD-50, Operator's Guide",
        ReferenceFields(),
    ),
    (  # MITM: DOI from the text; its doi.org link is not the source's address
        'Shamir, Adi (November 1982). "A polynomial time algorithm for breaking the basic '
        'Merkle-Hellman cryptosystem". 23rd Annual Symposium on Foundations of Computer Science '
        "(SFCS 1982). pp. 145–152. doi:10.1109/SFCS.1982.5 (https://doi.org/10.1109%2FSFCS.1982.5).",
        ReferenceFields(
            author="Shamir, Adi",
            title="A polynomial time algorithm for breaking the basic Merkle-Hellman cryptosystem",
            published="November 1982",
            publisher="23rd Annual Symposium on Foundations of Computer Science (SFCS 1982)",
            doi="10.1109/SFCS.1982.5",
        ),
    ),
    (  # MITM: the source's address written out after its title
        'Tunggal, Abi (20 February 2020). "What Is a Man-in-the-Middle Attack and How Can It Be '
        'Prevented – Where do man-in-the-middle attacks happen?" '
        "(https://www.upguard.com/blog/man-in-the-middle-attack#where). UpGuard. "
        "Retrieved 26 June 2020.",
        ReferenceFields(
            author="Tunggal, Abi",
            title="What Is a Man-in-the-Middle Attack and How Can It Be Prevented – Where do "
            "man-in-the-middle attacks happen?",
            published="20 February 2020",
            url="https://www.upguard.com/blog/man-in-the-middle-attack#where",
        ),
    ),
    (  # MITM: an archived copy; the original address is written inside the archive's
        'martin (30 January 2013). "China, GitHub and the man-in-the-middle" '
        "(https://web.archive.org/web/20160819165216/https://en.greatfire.org/blog/2013/jan/"
        "china-github-and-man-middle). GreatFire.",
        ReferenceFields(
            author="martin",
            title="China, GitHub and the man-in-the-middle",
            published="30 January 2013",
            url="https://en.greatfire.org/blog/2013/jan/china-github-and-man-middle",
            archive_url="https://web.archive.org/web/20160819165216/https://en.greatfire.org/"
            "blog/2013/jan/china-github-and-man-middle",
        ),
    ),
    (  # RU_HTTP: Russian rendering; only what is certain (nothing here)
        "Hypertext Transfer Protocol (HTTP) Status Code Registry (англ.). IANA (17 октября 2007)."
        " — реестр кодов состояния HTTP. Дата обращения 30 июля 2009. Архивировано 17 февраля "
        "2012 года.",
        ReferenceFields(),
    ),
    (  # RU_HTTP
        "draft-ietf-httpbis-legally-restricted-status-04. datatracker.ietf.org. Дата обращения "
        "22 декабря 2015.",
        ReferenceFields(),
    ),
    (  # CARD: pages glued to the journal's name: no publisher guessed
        'Card, Orson Scott (February 1990). "A Changed Man: The Hypocrites of Homosexuality" '
        "(PDF). Sunstone Magazine: 44–45. Retrieved June 16, 2017.",
        ReferenceFields(
            author="Card, Orson Scott",
            title="A Changed Man: The Hypocrites of Homosexuality",
            published="February 1990",
        ),
    ),
    (  # CARD: a translated title in brackets after the original
        '"星雲賞受賞作・参考候補作一覧" [List of The Seiun Awards Winners & Candidates] (in '
        "Japanese). Retrieved March 25, 2016.",
        ReferenceFields(title="星雲賞受賞作・参考候補作一覧"),
    ),
    (  # CARD: newspaper and its publisher, not told apart: no publisher
        'Groeger, Gina (November 13, 2000). "Orson Scott Card visits BYU". The Daily Universe. '
        "Brigham Young University. Retrieved September 25, 2019.",
        ReferenceFields(
            author="Groeger, Gina",
            title="Orson Scott Card visits BYU",
            published="November 13, 2000",
        ),
    ),
    (  # CARD: an editor's book
        "Nevarez, Lisa A., ed. (2013). The Vampire Goes to College : Essays on Teaching With the "
        "Undead. McFarland. p. 145. ISBN 978-0786475544.",
        ReferenceFields(
            author="Nevarez, Lisa A., ed.",
            title="The Vampire Goes to College : Essays on Teaching With the Undead",
            published="2013",
            publisher="McFarland",
            isbn="978-0786475544",
        ),
    ),
    (  # PANDA: a newspaper with an ISSN
        'Perlroth, Nicole (2013-01-30). "Chinese Hackers Infiltrate New York Times Computers". '
        "The New York Times. ISSN 0362-4331. Retrieved 2017-04-24.",
        ReferenceFields(
            author="Perlroth, Nicole",
            title="Chinese Hackers Infiltrate New York Times Computers",
            published="2013-01-30",
            publisher="The New York Times",
        ),
    ),
    (  # PANDA: report without author, the date after the publisher
        '"Illuminating the Etumbot APT Backdoor" (PDF). Arbor Networks. June 2014.',
        ReferenceFields(
            title="Illuminating the Etumbot APT Backdoor",
            published="June 2014",
            publisher="Arbor Networks",
        ),
    ),
    (  # TCPIP_ZH: a Chinese book citation; only the ISBN is certain
        "谢希仁. 计算机网络. 北京: 电子工业出版社. 2008: 30. ISBN 9787121053863.",
        ReferenceFields(isbn="9787121053863"),
    ),
    (  # TCPIP_ZH: an English book in the Chinese article, without CS1's author-date
        "Andrew G. Blank. TCP/IP Foundations. New Jersey: John Wiley & Sons. 2006: 2. "
        "ISBN 9780782143706.",
        ReferenceFields(isbn="9780782143706"),
    ),
    (  # MINECRAFT: a note, not a citation
        'Only if cheats are enabled and the "Operator Items Tab" option is turned on.',
        ReferenceFields(),
    ),
]


@pytest.mark.parametrize(("text", "fields"), FIELD_CASES)
def test_fields_read_from_real_reference_text(text, fields):
    assert read_reference(text) == fields


def test_identifier_forms():
    # "DOI 10.…" with a space, "ISBN-13:", an ISBN written with spaces.
    assert read_reference("Smith (2001). DOI 10.1000/xyz123. Retrieved 2002.").doi == (
        "10.1000/xyz123"
    )
    assert read_reference("Oxford: Clarendon. ISBN-13: 978-0-19-926311-9.").isbn == (
        "978-0-19-926311-9"
    )
    assert read_reference("ISBN 0 19 926311 6").isbn == "0 19 926311 6"
    # A DOI with parentheses keeps them; the sentence's point does not belong to it.
    assert (
        read_reference("doi:10.1016/S0140-6736(97)11096-0.").doi == "10.1016/S0140-6736(97)11096-0"
    )


def test_ambiguous_identifiers_are_not_read():
    # Two different books in one note: which ISBN is the entry's?
    two = "Smith 2001, ISBN 0-408-04429-2; Jones 2003, ISBN 0-19-926311-6."
    assert read_reference(two).isbn == ""
    # Two different pages of two sites.
    assert read_reference("See https://example.org/a and https://example.com/b.").url == ""
    # The same ISBN twice is one ISBN.
    assert read_reference("ISBN 0-19-926311-6; also ISBN 0-19-926311-6.").isbn == "0-19-926311-6"
    # Digits that are not ISBN-shaped are not an ISBN.
    assert read_reference("ISBN 12345").isbn == ""
    assert read_reference("ISBN 123-4567-890-123").isbn == ""


def test_isbn_as_written_even_with_a_wrong_check_digit():
    # The source's own mistake is kept as written; callers can check it.
    fields = read_reference(
        "Smith, John (2005). The Ruritanian Wars. Oxford University Press. ISBN 978-0-19-000000-0."
    )
    assert fields.isbn == "978-0-19-000000-0"
    assert not isbn_checksum_ok("9780190000000")
    assert isbn_checksum_ok("9781484200773") and isbn_checksum_ok("0408044292")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.upguard.com/blog/man-in-the-middle-attack#where",
        "http://example.org",
        "https://例え.jp/パス",
        "http://192.168.0.1:8080/x?y=1",
    ],
)
def test_valid_urls(url):
    assert valid_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "",
        "http://",
        "ftp://example.org/file",
        "https://exa mple.com/",
        "https://example/",  # no top-level domain
        "https://example.org:99999/",
        "javascript:alert(1)",
        "https://" + "a" * 990 + ".org/",  # longer than the column
    ],
)
def test_invalid_urls(url):
    assert not valid_url(url)


def test_a_url_in_text_is_read_only_when_valid_and_trimmed_of_punctuation():
    assert read_reference("Retrieved from https://example.org/page.").url == (
        "https://example.org/page"
    )
    assert read_reference("(see https://en.wikipedia.org/wiki/Foo_(bar))").url == ""  # the wiki
    assert (
        read_reference("(at https://example.org/Foo_(bar)).").url == "https://example.org/Foo_(bar)"
    )
    assert read_reference("ftp://example.org/a.txt").url == ""


def test_values_longer_than_their_column_are_dropped_not_cut():
    long_title = "Word " * 120  # 600 characters
    fields = read_reference(f'"{long_title.strip()}". GitHub. Retrieved 9 June 2022.')
    assert fields.title == "" and fields.publisher == "GitHub"
    assert read_reference('"T". ' + "Y" * 300 + ". Retrieved 2001.").publisher == ""
    long_author = "Smith, " + "J" * 300
    assert read_reference(f'{long_author} (2001). "Title". Site.').author == ""
    long_url = "https://example.org/" + "a" * 1000
    assert read_reference(f"Online at {long_url} (PDF).").url == ""
    long_doi = "10.1000/" + "x" * 300
    assert read_reference(f"doi:{long_doi}").doi == ""


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_fields_within_their_columns(text):
    fields = read_reference(text)
    limits = {
        "author": AUTHOR_MAX,
        "title": TITLE_MAX,
        "published": PUBLISHED_MAX,
        "publisher": PUBLISHER_MAX,
        "url": URL_MAX,
        "archive_url": URL_MAX,
        "isbn": ISBN_MAX,
        "doi": DOI_MAX,
    }
    for name, limit in limits.items():
        assert len(getattr(fields, name)) <= limit
    for name in ("url", "archive_url"):
        value = getattr(fields, name)
        assert value == "" or valid_url(value)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.booleans())
def test_any_line_gives_an_entry_whose_text_is_where_it_says(line, in_section):
    entry = reference_entry(line, in_reference_section=in_section)
    if entry is not None:
        assert line[entry.text_start : entry.text_start + len(entry.text)] == entry.text
        assert entry.text == entry.text.strip()


def test_real_lines_give_fields_within_their_columns():
    for text, _fields in FIELD_CASES:
        fields = read_reference(text)
        assert len(fields.title) <= TITLE_MAX and len(fields.author) <= AUTHOR_MAX
        assert len(fields.published) <= PUBLISHED_MAX and len(fields.isbn) <= ISBN_MAX
