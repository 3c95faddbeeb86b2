"""press's Word template, ``styles/word/press-template.docx``, made here with python-docx.

A translator who writes in it gives each part of a document the style press reads: Title,
Date, Translator, Headnote, Source, headings, Quote for block quotations. The template holds one
example paragraph in each style, saying what goes there.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.styles import STYLES

TEMPLATE = STYLES / "word" / "press-template.docx"

#: The styles press reads, each with the example paragraph the template shows in it.
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("Title", "The document's title: Record of Conversation, 9 October 1978"),
    ("Date", "9 October 1978"),
    ("Translator", "Translated by A. Translator"),
    ("Headnote", "The editor's headnote: who met, when, and why it matters. Each paragraph in this style."),
    ("Normal", "The text. A paragraph opening with a speaker's name and a colon is a turn:"),
    ("Normal", "KISSINGER: Words left out are marked [...] and the text goes on."),
    ("Heading 2", "A heading inside the document"),
    ("Quote", "A block quotation."),
    ("Source", "Source: Archive, Fond 3, Opis 1, Delo 114, ll. 1–19."),
)
#: Styles a stock Word document lacks, added as paragraph styles based on Normal.
ADDED = ("Date", "Translator", "Headnote", "Source")


def make_template(target: Path = TEMPLATE) -> Path:
    """Write the template to ``target``."""
    import docx  # only the template needs python-docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    document = docx.Document()
    for name in ADDED:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        if name in ("Headnote", "Date", "Translator"):
            style.font.italic = True
        if name == "Source":
            style.font.size = Pt(9)
    core = document.core_properties
    core.title, core.author, core.comments = "press: a document of a reader", "press", "Write each part in its style."
    for style, text in EXAMPLES:
        document.add_paragraph(text, style=style)
    target.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(target))
    return target


if __name__ == "__main__":  # python -m pipeline.intake.template: write it again after changing it
    print(make_template())
