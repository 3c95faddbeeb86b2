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


def generate(folder: Path, pages: int, pages_per_document: int = 10, seed: int = 1979) -> Path:
    rng = random.Random(seed + pages)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "documents").mkdir(exist_ok=True)
    count = max(1, pages // pages_per_document)
    names = []
    for i in range(count):
        name = f"documents/{i + 1:04d}.md"
        (folder / name).write_text(document(rng, i + 1, pages_per_document * WORDS_PER_PAGE), encoding="utf-8")
        names.append(name)
    (folder / "book.yaml").write_text(
        "title: Synthetic Reader\neditors: [Bench Mark]\npublisher: Benchmark Press\nyear: 2025\n"
        "copyright: © Benchmark Press, 2025\nisbn:\n  print: 978-1-0000-0000-9\n  epub: 978-1-0000-0001-6\n"
        "documents:\n" + "".join(f"  - {n}\n" for n in names),
        encoding="utf-8",
    )
    return folder
