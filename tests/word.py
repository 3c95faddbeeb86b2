"""Word files made in the tests, as translators send them (python-docx, footnotes added as Word writes them)."""

from __future__ import annotations

import io
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def translators_file(path: Path, *, footnotes: dict[int, list[tuple[str, bool]]] | None = None) -> Path:
    """A translated record of conversation in Word: styles for the front matter, turns, omissions typed
    four ways, footnotes with italics, a quotation, a list, a table, Cyrillic and Greek, a style press does
    not know, and an image with and one without a description."""
    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from docx.oxml import parse_xml
    from docx.shared import Inches
    from PIL import Image

    d = docx.Document()
    for name in ("Headnote", "Source", "Translator", "Date", "Letterhead"):
        d.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)

    def note(paragraph, number):
        paragraph._p.append(parse_xml(f'<w:r xmlns:w="{W}"><w:rPr><w:rStyle w:val="FootnoteReference"/></w:rPr>'
                                      f'<w:footnoteReference w:id="{number}"/></w:r>'))

    d.add_paragraph("Record of Conversation: Gromyko and Vance, 23 March 1977", style="Title")
    d.add_paragraph("23 March 1977", style="Date")
    d.add_paragraph("Translated by Miriam Castellane", style="Translator")
    d.add_paragraph("The first paragraph of the headnote.", style="Headnote")
    d.add_paragraph("Its second paragraph, on the talks.", style="Headnote")
    d.add_paragraph("MINISTRY OF FOREIGN AFFAIRS", style="Letterhead")
    p = d.add_paragraph("GROMYKO: We meet again, ")
    p.add_run("Mr Secretary").italic = True
    p.add_run(". [...] The question of the \"deep cuts\" -- as you call them.")
    note(p, 1)
    p = d.add_paragraph("Vance: Our proposal stands (...) and I say so plainly.")
    p.add_run(" ").bold = False
    p.add_run("Firmly.").bold = True
    d.add_paragraph("Gromyko: Горбачёв is not yet a name here [ … ] and ἀρχὴ is Greek <...>.")
    p = d.add_paragraph("Vance: Then let us write it down.")
    note(p, 2)
    d.add_paragraph("A quotation from the communiqué.", style="Quote")
    d.add_heading("Second session", level=2)
    d.add_paragraph("the first point", style="List Bullet")
    d.add_paragraph("the second point", style="List Bullet")
    table = d.add_table(rows=2, cols=2)
    for (r, c), text in {(0, 0): "Year", (0, 1): "Warheads", (1, 0): "1977", (1, 1): "2,400"}.items():
        table.cell(r, c).text = text
    buf = io.BytesIO()
    Image.new("RGB", (900, 600), (120, 120, 120)).save(buf, format="PNG")
    buf.seek(0)
    d.add_picture(buf, width=Inches(3))
    d.inline_shapes[0]._inline.docPr.set("descr", "A grey photograph of the table")
    buf.seek(0)
    d.add_picture(buf, width=Inches(3))
    d.add_paragraph("Source: Archive of Foreign Policy, fond 6, opis 37, delo 12.", style="Source")

    notes = footnotes or {1: [("The phrase is English in the record, ", False), ("deep cuts", True), (".", False)],
                          2: [("A note without italics.", False)]}
    body = "".join(
        f'<w:footnote w:id="{n}"><w:p>' + "".join(
            f'<w:r>{"<w:rPr><w:i/></w:rPr>" if italic else ""}<w:t xml:space="preserve">{text}</w:t></w:r>' for text, italic in runs)
        + "</w:p></w:footnote>" for n, runs in notes.items())
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
           f"{body}</w:footnotes>")
    part = Part(PackURI("/word/footnotes.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode(), d.part.package)
    d.part.relate_to(part, RT.FOOTNOTES)
    d.save(str(path))
    return path
