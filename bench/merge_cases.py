"""Labelled three-way merges: (name, base, theirs, mine, expected), expected None for a
conflict. The archive's merge (``archive.diffs.merge``) is held to them in
tests/test_diffs.py, and ``make bench`` measures the candidate libraries on them.

"Theirs" is the text as approved since the change was written, "mine" the change. Edits
of different words combine; edits of the same or touching words conflict, as diff3 and
git decide (a merge that guesses there could undo an approved edit without anyone seeing).
"""

from __future__ import annotations

BASE = "Those found guilty were executed in 1945 by the NKVD."

CASES: list[tuple[str, str, str, str, str | None]] = [
    (
        "different words replaced",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
        "Those found guilty were executed in 1946 by the NKVD.",
        "Those found guilty were shot in 1946 by the NKVD.",
    ),
    (
        "the same word replaced differently",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
        "Those found guilty were hanged in 1945 by the NKVD.",
        None,
    ),
    (
        "the same edit on both sides",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
        "Those found guilty were shot in 1945 by the NKVD.",
        "Those found guilty were shot in 1945 by the NKVD.",
    ),
    (
        "insertions at different places",
        BASE,
        "All those found guilty were executed in 1945 by the NKVD.",
        "Those found guilty were executed in 1945 by the Soviet NKVD.",
        "All those found guilty were executed in 1945 by the Soviet NKVD.",
    ),
    (
        "different insertions at the same place",
        BASE,
        "Those found guilty were executed in May 1945 by the NKVD.",
        "Those found guilty were executed in June 1945 by the NKVD.",
        None,
    ),
    (
        "a deletion across words the other side replaced",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
        "Those found guilty were executed.",
        None,
    ),
    (
        "deletions of different words",
        BASE,
        "Those guilty were executed in 1945 by the NKVD.",
        "Those found guilty were executed in 1945 by NKVD.",
        "Those guilty were executed in 1945 by NKVD.",
    ),
    (
        "punctuation on one side, a word elsewhere on the other",
        "Those found guilty were executed, in 1945, by the NKVD.",
        "Those found guilty were executed, in 1945 by the NKVD.",
        "Those found guilty were shot, in 1945, by the NKVD.",
        "Those found guilty were shot, in 1945 by the NKVD.",
    ),
    (
        "a comma removed on one side, the word before it replaced on the other",
        "Those found guilty were executed, in 1945, by the NKVD.",
        "Those found guilty were executed in 1945, by the NKVD.",
        "Those found guilty were shot, in 1945, by the NKVD.",
        None,
    ),
    (
        "a replacement touching the other side's insertion",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
        "Those found guilty were executed summarily in 1945 by the NKVD.",
        None,
    ),
    (
        "only the other side changed",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
        BASE,
        "Those found guilty were shot in 1945 by the NKVD.",
    ),
    (
        "a phrase moved on one side, edited on the other",
        BASE,
        "In 1945 those found guilty were executed by the NKVD.",
        "Those found guilty were executed in late 1945 by the NKVD.",
        None,
    ),
    (
        "Cyrillic: different words",
        "Виновные были расстреляны в 1945 году органами НКВД.",
        "Виновные были казнены в 1945 году органами НКВД.",
        "Виновные были расстреляны в 1946 году органами НКВД.",
        "Виновные были казнены в 1946 году органами НКВД.",
    ),
    (
        "Japanese: different characters of an unspaced text",
        "有罪とされた者は一九四五年に処刑された。",
        "有罪とされた者は一九四五年に銃殺された。",
        "有罪とされた者は一九四六年に処刑された。",
        "有罪とされた者は一九四六年に銃殺された。",
    ),
    (
        "Arabic: different words",
        "أعدم المدانون في عام 1945 على يد الشرطة.",
        "أعدم المدانون في عام 1945 على يد الجيش.",
        "أعدم جميع المدانون في عام 1945 على يد الشرطة.",
        "أعدم جميع المدانون في عام 1945 على يد الجيش.",
    ),
    (
        "separate sentences of a long claim",
        "The court sat in March. It heard forty witnesses. The verdict came in April.",
        "The court sat in early March. It heard forty witnesses. The verdict came in April.",
        "The court sat in March. It heard forty witnesses. The verdict came in May.",
        "The court sat in early March. It heard forty witnesses. The verdict came in May.",
    ),
]
