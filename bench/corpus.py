"""Deterministic synthetic articles in the seed's format, at any multiple of its size.

Benchmarks and the query-count tests need documents that look like the seed (sections,
lost headings, citation runs with locators, notes, maintenance tags, captions, quotations)
but are 10x or 100x larger. The same ``scale`` and ``seed`` always give the same text.

    python bench/corpus.py 10 > /tmp/article-10x.txt
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "soviet_war_crimes.txt"
TAGS = ["citation needed", "neutrality is disputed", "need quotation to verify", "dubious"]


def _vocabulary() -> list[str]:
    words = re.findall(r"[A-Za-z]{3,}", SEED_FILE.read_text(encoding="utf-8"))
    return sorted({word.lower() for word in words})


def generate(scale: float = 1.0, *, seed: int = 0) -> str:
    """An article of about ``scale`` times the seed's length, in the seed's format."""
    rng = random.Random(f"{seed}:{scale}")
    vocabulary = _vocabulary()
    target = int(len(SEED_FILE.read_text(encoding="utf-8")) * scale)
    next_source = 1
    notes: list[str] = []
    out = [f"Synthetic article {scale:g}x (seed {seed})", ""]
    size = len(out[0])

    def sentence() -> str:
        nonlocal next_source
        words = [rng.choice(vocabulary) for _ in range(rng.randint(8, 28))]
        text = " ".join(words).capitalize() + "."
        roll = rng.random()
        if roll < 0.35:
            markers = []
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                if next_source > 1 and rng.random() < 0.2:
                    markers.append(f"[{rng.randint(1, next_source - 1)}]")
                else:
                    markers.append(f"[{next_source}]")
                    next_source += 1
            if rng.random() < 0.1:
                start = rng.randint(1, 400)
                markers[-1] += f": {start}–{start + rng.randint(1, 9)}"
            text += "".join(markers)
        elif roll < 0.40:
            text += f"[{rng.choice(TAGS)}]"
        elif roll < 0.42:
            notes.append(" ".join(rng.choice(vocabulary) for _ in range(15)).capitalize() + ".")
            text += f"[notes {len(notes)}]"
        return text

    def paragraph() -> str:
        roll = rng.random()
        if roll < 0.06:
            caption = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(3, 9)))
            return f"Photo of the {caption}."
        return " ".join(sentence() for _ in range(rng.randint(2, 7)))

    section = 0
    while size < target:
        section += 1
        if section > 1:
            if rng.random() < 0.4:
                out += ["", ""]  # a section break whose heading was lost
            else:
                heading = " ".join(rng.choice(vocabulary) for _ in range(rng.randint(2, 5)))
                out += [heading.capitalize(), ""]
        for number in range(rng.randint(2, 6)):
            if number == 1 and rng.random() < 0.15:
                out += ["The report states:", "", paragraph() + f"[{next_source}]", ""]
                next_source += 1
            text = paragraph()
            out += [text, ""]
            size += len(text) + 2
    out += [f"  {number}. ^ {text}" for number, text in enumerate(notes, start=1)]
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(generate(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0))
