"""A deterministic generator of synthetic readers in press's manuscript format.

``generate(folder, pages)`` writes book.yaml and enough documents for about ``pages`` printed
pages: conversation records with headnotes, speaker turns, omissions, footnotes and source
notes. The words are drawn from a fixed list with a seeded generator, so the same size gives
the same manuscript on every machine.
"""

from __future__ import annotations

import random
from pathlib import Path

WORDS = (
    "the delegation proposed a provisional line across the disputed waters and asked whether the ministry "
    "would accept joint inspection of licensed vessels during the winter season while the commission "
    "studied the catch figures submitted by both sides in the spring of that year the ambassador replied "
    "that his government could not agree to any arrangement which implied recognition of the other claim "
    "but that it was ready to discuss practical measures for the fishermen of the northern coast"
).split()
SPEAKERS = ("Halvorsen", "Grigoriev", "Vetrova", "Osipov")
WORDS_PER_PAGE = 280  # measured on the generated text: a 100-page reader comes out at about 100 pages


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, rng.randint(8, 22)) for _ in range(sentences))


def document(rng: random.Random, number: int, words: int) -> str:
    body, count, notes = [], 0, 0
    while count < words:
        speaker = SPEAKERS[len(body) % 2 + (2 if number % 3 == 0 else 0)]
        text = _paragraph(rng, rng.randint(2, 6))
        if rng.random() < 0.3:
            cut = text.find(" ", len(text) // 2)
            text = text[:cut] + " [...]" + text[cut:]
        if rng.random() < 0.12:
            notes += 1
            text += f"[^{notes}]"
            body.append(text)
            body.append(f"[^{notes}]: {_paragraph(rng, 1)}")
        else:
            body.append(f"{speaker}: {text}")
        count += len(text.split())
    front = [
        "---",
        f"number: {number}",
        f'title: "Record of Conversation No. {number}"',
        f'short_title: "Conversation {number}"',
        f"date: {1 + number % 28} March 1979",
        "translator: A. Translator",
        f"speakers: [{', '.join(SPEAKERS)}]",
        "headnote: |",
        f"  {_paragraph(rng, 4)}" + (f" Compare [§ 3](doc:{number - 1}#3) of the previous record." if number > 1 and number % 4 == 0 else ""),
        "",
        f"  {_paragraph(rng, 3)}",
        f'source: "Source: Synthetic Archive, Fond {number}, Opis 1, Delo {number * 7}."',
        "---",
    ]
    return "\n".join(front) + "\n" + "\n\n".join(body) + "\n"


def generate(folder: Path, pages: int, pages_per_document: int = 10, seed: int = 1979, index: bool = False) -> Path:
    """Write a reader of about ``pages`` pages into ``folder``. With ``index`` it also has an
    index.yaml (``index_yaml``) whose names are mentioned in the text; the words drawn for the
    text are the same either way (the mentions come from a generator of their own), so a build
    with the index and one with index.yaml removed differ by the index alone."""
    rng = random.Random(seed + pages)
    entries = index_entries() if index else []
    mentions = random.Random(seed + pages + 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "documents").mkdir(exist_ok=True)
    count = max(1, pages // pages_per_document)
    names = []
    for i in range(count):
        name = f"documents/{i + 1:04d}.md"
        text = document(rng, i + 1, pages_per_document * WORDS_PER_PAGE)
        if entries:
            text = mention(text, mentions, entries)
        (folder / name).write_text(text, encoding="utf-8")
        names.append(name)
    (folder / "book.yaml").write_text(
        "title: Synthetic Reader\neditors: [Bench Mark]\npublisher: Benchmark Press\nyear: 2025\n"
        "copyright: © Benchmark Press, 2025\nisbn:\n  print: 978-1-0000-0000-9\n  epub: 978-1-0000-0001-6\n"
        "documents:\n" + "".join(f"  - {n}\n" for n in names),
        encoding="utf-8",
    )
    if entries:
        (folder / "index.yaml").write_text(index_yaml(entries), encoding="utf-8")
    return folder


# ------------------------------------------------------------------ the index of a generated reader

_SYLLABLES = ("ka", "lo", "vi", "ren", "sto", "mar", "del", "ni", "ro", "tam", "be", "lin", "sa", "dor", "ve", "ki")
_CYRILLIC = {"ka": "ка", "lo": "ло", "vi": "ви", "ren": "рен", "sto": "сто", "mar": "мар", "del": "дел", "ni": "ни",
             "ro": "ро", "tam": "там", "be": "бе", "lin": "лин", "sa": "са", "dor": "дор", "ve": "ве", "ki": "ки"}
_GIVEN = ("Anna", "Boris", "Clara", "Dmitri", "Elise", "Fyodor", "Greta", "Henrik", "Irina", "Jonas", "Katya", "Lars")
_SUBJECT_HEADS = ("fishery", "boundary", "licence", "quota", "herring", "trawler", "shelf", "radar", "cable", "salvage")
_SUBJECT_TAILS = ("zone", "regime", "dispute", "station", "patrol")


def index_entries() -> list[tuple[str, str, list[str], list[str]]]:
    """150 entries (kind, heading, forms, sub-entry forms): the four speakers and 56 other persons
    (surname, full name, the surname in Cyrillic and its genitive), 40 places (name, adjective,
    Cyrillic) and 50 two-word subjects (singular, plural). Deterministic: no randomness at all."""
    out: list[tuple[str, str, list[str], list[str]]] = []
    for name in SPEAKERS:
        out.append(("persons", f"{name}, {_GIVEN[len(out)]}", [name], ["winter season"]))
    for i in range(56):
        parts = (_SYLLABLES[i % 16], _SYLLABLES[(i // 16 + 3) % 16], _SYLLABLES[(i * 5 + 1) % 16])  # unique by the first two
        surname = "".join(parts).capitalize() + "ov"
        cyrillic = "".join(_CYRILLIC[p] for p in parts).capitalize() + "ов"
        given = _GIVEN[i % len(_GIVEN)]
        subs = ["catch figures"] if i % 6 == 0 else []
        out.append(("persons", f"{surname}, {given}", [surname, f"{given} {surname}", cyrillic, cyrillic + "а"], subs))
    for i in range(40):
        parts = (_SYLLABLES[i % 16], _SYLLABLES[(i // 16 + 9) % 16])
        place = "".join(parts).capitalize() + ("sk" if i % 2 else "havn")
        cyrillic = "".join(_CYRILLIC[p] for p in parts).capitalize() + ("ск" if i % 2 else "хавн")
        out.append(("places", place, [place, place + "ian", cyrillic], []))
    for i in range(50):
        head, tail = _SUBJECT_HEADS[i % 10], _SUBJECT_TAILS[i // 10]
        out.append(("subjects", f"{head} {tail}", [f"{head} {tail}", f"{head} {tail}s"], []))
    return out


def index_yaml(entries: list[tuple[str, str, list[str], list[str]]]) -> str:
    """The entries as index.yaml, with see-also references between some of them and, at the end
    of the persons, five "see" entries (a person's other name pointing at the entry)."""
    lines = ["# A generated reader's index: persons, places and subjects with their forms.", "locators: both"]
    headings = [e[1] for e in entries]
    kind = None
    for n, (k, heading, forms, subs) in enumerate(entries):
        if k != kind:
            if kind == "persons":
                lines += [f'  "{forms_[1]} (other name)":\n    see: "{h}"' for _, h, forms_, _ in entries[10:15]]
            lines += ["", f"{k}:"]
            kind = k
        lines.append(f'  "{heading}":')
        lines.append("    forms: [" + ", ".join(f'"{f}"' for f in forms) + "]")
        if n % 25 == 7:
            lines.append(f'    see_also: ["{headings[(n + 40) % len(headings)]}"]')
        if subs:
            lines.append("    sub:")
            lines += [f'      "on the {s}":\n        forms: ["{s}"]' for s in subs]
    return "\n".join(lines) + "\n"


def mention(text: str, rng: random.Random, entries: list[tuple[str, str, list[str], list[str]]]) -> str:
    """Names of the index in the text: up to three in a paragraph, the first entries more often
    than the last (as a reader's principals are), each a whole word between two of the text's."""
    weights = [1 / (rank + 1) for rank in range(len(entries))]
    paragraphs = text.split("\n\n")
    for i in range(2, len(paragraphs)):  # the first two hold the front matter (the headnote, the source)
        words = paragraphs[i].split(" ")
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            entry = rng.choices(entries, weights)[0]
            at = rng.randrange(3, len(words)) if len(words) > 3 else len(words)
            words.insert(at, rng.choice(entry[2]))
        paragraphs[i] = " ".join(words)
    return "\n\n".join(paragraphs)
