"""Whether a short paragraph is an image caption: a noun phrase naming what a picture shows.

Captions cannot be told from short statements without a part-of-speech tagger, so this
asks cheaper questions of the words (auxiliaries, common irregular past tenses, active
"-ed" verbs, subordinating openers) and states where it stops being sure.
"""

from __future__ import annotations

import re

CAPTION_MAX_WORDS = 30
CAPTION_MAX_CHARS = 600  # longer than any caption of CAPTION_MAX_WORDS words
_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_AUXILIARIES = _word_set(
    "is are was were be been being am has have had do does did will would shall should "
    "can could may might must"
)
_IRREGULAR_PAST = _word_set(
    "took fell fought began wrote said made gave went came saw found led left held kept "
    "brought thought told became met ran stood won lost sent built paid heard knew spoke "
    "drew grew rose struck sank fled hid swore tore wore bore chose froze forgot"
)
# Adverbs that stand before a finite verb ("Spammers often send …"), not in a noun phrase.
_VERB_ADVERBS = _word_set(
    "often usually frequently sometimes rarely seldom never always generally typically "
    "mostly mainly largely still already also"
)
_CLAUSE_OPENERS = _word_set(
    "who whom whose which that where when while after before because since although though "
    "if as until unless"
)
# A sentence opening with one of these is a statement ("After the war, …", "As of 2020, …").
_STATEMENT_OPENERS = _CLAUSE_OPENERS | _word_set(
    "during following despite however according in on by from between"
)
_NOT_SUBJECTS = _word_set("the a an of in on at by to for from with and or")
_PICTURE_WORDS = _word_set(
    "photo photograph picture image map painting drawing poster illustration portrait "
    "engraving sketch detail view"
)


def looks_like_caption(sentences: list[str]) -> bool:
    """A caption names what a picture shows: short noun phrases, not clauses.

    Each sentence's phrase before any relative or subordinate clause ("One of the mass
    graves at X where ...") must have no finite verb: no auxiliary, no common irregular past
    tense, and no "-ed" verb used actively (a participle followed by "by" is passive).
    Present-tense verbs cannot be told from nouns without a tagger, so a paragraph of several
    sentences counts as a caption only when one of them names the picture ("Photo by ...");
    otherwise its sentences would wrongly be merged into one claim. A sentence that opens
    with a subordinating word ("After …", "As of …") is a statement, however short.
    """
    text = " ".join(sentences)
    if len(text) > CAPTION_MAX_CHARS:
        return False
    words = _WORD_RE.findall(text)
    if not words or len(words) > CAPTION_MAX_WORDS or text.rstrip()[-1:] in {":", "?", "!"}:
        return False
    if words[0].lower() in _STATEMENT_OPENERS:
        return False
    if len(sentences) > 1 and not any(
        (_WORD_RE.findall(sentence) or [""])[0].lower() in _PICTURE_WORDS for sentence in sentences
    ):
        return False
    return all(_is_verbless(sentence) for sentence in sentences)


def _is_verbless(text: str) -> bool:
    words = _WORD_RE.findall(text)
    if not words:
        return False
    head = []
    for word in words:
        if word.lower() in _CLAUSE_OPENERS:
            break
        head.append(word.lower())
    for i, word in enumerate(head):
        if word in _AUXILIARIES or word in _IRREGULAR_PAST or word in _VERB_ADVERBS:
            return False
        if i > 0 and len(word) > 4 and word.endswith("ed") and head[i - 1] not in _NOT_SUBJECTS:
            following = head[i + 1] if i + 1 < len(head) else ""
            if following != "by":
                return False
    return True
