"""The one door to WeasyPrint's private structures (``pipeline/engine/boxes.py``) still opens.

press reads laid-out boxes that WeasyPrint does not promise to keep; an upgrade of the engine
must fail here first, by name, not somewhere in a layout.
"""

from __future__ import annotations

from importlib import metadata

import weasyprint

from pipeline.engine import ENGINE_VERSION, boxes

HTML = """<!DOCTYPE html><html lang="en"><head><style>
@page { size: 200px 200px; margin: 20px }
section { break-before: right }
</style></head><body>
<p id="a" class="one two" data-key="doc1-b1">First page.</p>
<section id="b"><p data-key="doc1-b2">Third <img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNgAAAAAgABSK+kcQAAAABJRU5ErkJggg=="></p></section>
</body></html>"""


def test_the_installed_engine_is_the_one_whose_private_api_press_reads():
    assert metadata.version("weasyprint") == ENGINE_VERSION == weasyprint.__version__


def test_pages_and_boxes_read_through_the_engine_door():
    document = weasyprint.HTML(string=HTML).render()
    assert len(document.pages) == 3  # page 2 is the blank verso before the section's recto
    assert [boxes.is_blank(p) for p in document.pages] == [False, True, False]
    assert [boxes.is_recto(p) for p in document.pages] == [True, False, True]
    assert boxes.anchor_pages(document) == {"a": 0, "b": 2}

    first = [b for b in boxes.descendants(boxes.page_box(document.pages[0])) if boxes.attribute(b, "data-key")]
    assert boxes.classes(first[0]) == {"one", "two"} and boxes.attribute(first[0], "id") == "a"
    assert any(boxes.is_text(b) and b.text == "First page." for b in boxes.descendants(first[0]))
    assert any(boxes.is_line(b) for b in boxes.descendants(first[0]))
    assert all(boxes.is_flow_block(b) for b in boxes.flow_blocks(document.pages[0]))
    third = list(boxes.descendants(boxes.page_box(document.pages[2])))
    assert sum(boxes.is_replaced(b) for b in third) == 1


LINKED = """<!DOCTYPE html><html lang="en"><head><style>
@page { size: 220px 300px; margin: 20px } p { font-size: 11px; width: 90px }
</style></head><body><p id="t">Target.</p>
<p><span data-links="{links}">4 § 15, 16 (33); 5 § 39 (48)</span></p></body></html>"""


def test_links_set_after_layout_become_the_engine_own_links_in_both_forms():
    """engine/links.py sets links on laid-out text through the engine's private structures: an
    empty ``a`` box over each number (print), then the text cut into pieces (screen), and the PDF
    gets a link annotation over each number either way. The line breaks inside the span."""
    import io

    import pikepdf

    from pipeline.engine.links import cut_links, set_links

    ranges = "4-6:#t 8-10:#t 12-14:#t 21-23:#t 25-27:#t"  # 15, 16, 33, 39, 48
    for cut in (False, True):
        document = weasyprint.HTML(string=LINKED.replace("{links}", ranges)).render()
        lines = [b for b in boxes.descendants(boxes.page_box(document.pages[0])) if boxes.is_line(b)]
        assert len(lines) > 2  # the span is broken across lines
        assert set_links(document) == 5
        if cut:
            cut_links(document)
        texts = [b.text for b in boxes.descendants(boxes.page_box(document.pages[0])) if boxes.is_text(b)]
        assert ("15" in texts) == cut and ("48" in texts) == cut  # the numbers are pieces of their own only when cut
        with pikepdf.open(io.BytesIO(document.write_pdf(pdf_tags=cut))) as pdf:
            rects = [[float(v) for v in a.Rect] for a in pdf.pages[0].Annots if a.Subtype == "/Link"]
        assert len(rects) == 5 and all(r[2] - r[0] > 5 for r in rects)
    # a justified line (a book's own CSS may ask for it): cut for the screen, its letters stand
    # where print paints the line whole, and each link sits on its number
    import pypdfium2

    justified = LINKED.replace("{links}", ranges).replace("width: 90px", "width: 90px; text-align: justify")
    placed = []
    for cut in (False, True):
        document = weasyprint.HTML(string=justified).render()
        assert any(getattr(b, "justification_spacing", 0) for b in boxes.descendants(boxes.page_box(document.pages[0]))
                   if boxes.is_text(b))
        set_links(document)
        if cut:
            cut_links(document)
        written = document.write_pdf(pdf_tags=cut)
        text = pypdfium2.PdfDocument(written)[0].get_textpage()
        chars = [(text.get_text_range(i, 1), text.get_charbox(i)) for i in range(text.count_chars())]
        placed.append([(c, round(box[0], 1)) for c, box in chars if c.strip()])
        with pikepdf.open(io.BytesIO(written)) as pdf:
            rects = [[float(v) for v in a.Rect] for a in pdf.pages[0].Annots if a.Subtype == "/Link"]
        for rect, number in zip(rects, ["15", "16", "33", "39", "48"]):
            x0, x1, bottom, top = rect[0], rect[2], min(rect[1], rect[3]), max(rect[1], rect[3])
            inside = "".join(c for c, (l, b, r, t) in chars if bottom < (b + t) / 2 < top and x0 - 0.5 <= l and r <= x1 + 0.5)
            assert inside == number, (number, inside, rect)
    assert len(placed[0]) == len(placed[1])
    assert all(a == b and abs(x - y) < 0.3 for (a, x), (b, y) in zip(*placed)), placed
    # what a book's own template or CSS may do is no link, not a failed build: ranges past the text,
    # no target, text in other capitals, text hidden
    assert set_links(weasyprint.HTML(string=LINKED.replace("{links}", "4-60:#t x 2-1:#t 4-6: 4-6:#t")).render()) == 1
    shouting = LINKED.replace("{links}", "0-2:#t").replace("4 § 15", "iv § 15").replace("width: 90px", "text-transform: uppercase")
    assert set_links(weasyprint.HTML(string=shouting).render()) == 1  # "IV", a roman folio in capitals
    assert set_links(weasyprint.HTML(string=LINKED.replace("{links}", ranges).replace("width: 90px", "display: none")).render()) == 0


def test_cut_pieces_share_one_layout_unless_their_line_may_end_in_an_ellipsis():
    """The screen PDF's pieces with the same text and font share one Pango layout set up once
    (``links._KeptLayout``); a line the painter may end with an ellipsis keeps its own, since the
    painter rewrites that layout's text, with the width left from where the piece stands (without
    one the engine's painter failed: a book.css ellipsizing the index's lines stopped the build).
    Painted, the cut lines look as print's whole ones do, the ellipsis where print has it."""
    import io

    import pikepdf
    import pypdfium2

    from pipeline.engine.links import _KeptLayout, cut_links, set_links

    span = '<span data-links="4-6:#t 8-10:#t 21-23:#t">4 § 15, 16 (33); 5 § 39 (48)</span>'
    clipped = "overflow: hidden; text-overflow: ellipsis; white-space: nowrap"
    html = LINKED.replace('<p><span data-links="{links}">4 § 15, 16 (33); 5 § 39 (48)</span></p>',
                          f'<p>{span}</p><p>{span}</p><p style="{clipped}">{span}</p>')
    document = weasyprint.HTML(string=html).render()
    assert set_links(document) == 9
    cut_links(document)
    paragraphs = [b for b in boxes.descendants(boxes.page_box(document.pages[0]))
                  if boxes.kind(b) == "BlockBox" and boxes.tag(b) == "p"][1:]
    layouts = [[t.pango_layout for t in boxes.descendants(p) if boxes.is_text(t) and t.text == "15"] for p in paragraphs]
    assert all(len(found) == 1 for found in layouts)
    assert layouts[0][0] is layouts[1][0] and isinstance(layouts[0][0], _KeptLayout)
    assert not isinstance(layouts[2][0], _KeptLayout)
    written = document.write_pdf(pdf_tags=True)
    with pikepdf.open(io.BytesIO(written)) as pdf:
        assert len([a for a in pdf.pages[0].Annots if a.Subtype == "/Link"]) == 9
    text = pypdfium2.PdfDocument(written)[0].get_textpage().get_text_range()
    assert " ".join(text.split()).count("4 § 15, 16 (33); 5 § 39 (48)") == 2, text
    import numpy as np

    whole = weasyprint.HTML(string=html).render()
    set_links(whole)  # print: each line painted whole, the last one ellipsized by the engine
    drawn = [np.asarray(pypdfium2.PdfDocument(pdf)[0].render(scale=2).to_pil().convert("L"), dtype=int)
             for pdf in (whole.write_pdf(), written)]
    assert np.abs(drawn[0] - drawn[1]).max() <= 8  # the same glyphs in the same places, ellipsis included


COLUMNS = """<!DOCTYPE html><html lang="en"><head><style>
@page {{ size: 300px 260px; margin: 20px }}
body {{ font-size: 9px; line-height: 11px }}
.cols {{ columns: 2; column-gap: 12px; {extra} }} .cols ul {{ {ul} }}
h2 {{ font-size: 10px; margin: 6px 0 2px; break-after: avoid }}
ul {{ list-style: none; padding: 0; margin: 0 }} li {{ orphans: 2; widows: 2; padding-left: 8px; text-indent: -8px }}
</style></head><body><h1>Index</h1><div class="cols"><p style="column-span: all">A headnote across both columns.</p>
{body}</div></body></html>"""


def _columns_html(extra: str = "", inside: str = "", ul: str = "") -> str:
    words = "Gorbachev Dobrynin Scowcroft Kissinger Brezhnev Vance Gromyko Shultz".split()
    body = []
    for kind in range(3):
        items = "".join(f"<li>{words[(kind + i) % 8]}, {i} {inside if i == 7 else ''}"
                        f"{' '.join(str(n) for n in range(i, i + (i % 9) * 3))}</li>" for i in range(60))
        body.append(f"<h2>Kind {kind}</h2><ul>{items}</ul>")
    return COLUMNS.format(extra=extra, ul=ul, body="".join(body))


def _geometry(document) -> list[tuple]:
    out = []
    for number, page in enumerate(document.pages):
        for box in boxes.descendants(boxes.page_box(page)):
            text = box.text if boxes.is_text(box) else None
            out.append((number, boxes.kind(box), text, *(round(getattr(box, name), 3) for name in
                                                            ("position_x", "position_y", "width", "height"))))
    return out


def test_full_pages_of_columns_are_laid_out_once_and_exactly_as_the_engine_lays_them_out(monkeypatch):
    """``engine/columns.py`` lays a page of columns out once where WeasyPrint lays it out twice;
    every box comes out where the engine's own layout puts it: full pages, the balanced last page,
    a spanning headnote, and columns holding what the module leaves to the engine (a float, a
    footnote, a forced break, a given height, list markers, which are absolutely positioned)."""
    from weasyprint.layout import block
    from weasyprint.text import line_break

    from pipeline.engine import columns

    calls = {"n": 0}
    first_line = line_break.split_first_line

    def counted(*args, **kwargs):
        calls["n"] += 1
        return first_line(*args, **kwargs)

    monkeypatch.setattr(line_break, "split_first_line", counted)
    import weasyprint.layout.inline as inline

    monkeypatch.setattr(inline, "split_first_line", counted)
    cases = [("", ""), ("column-gap: 2em; direction: ltr", ""), ("", '<span style="float: right">f</span>'),
             ("", '<span style="float: footnote">a note</span>'), ("", '<br style="break-before: column">'),
             ("height: 180px", ""), ("", "", "list-style: disc")]
    for extra, inside, *ul in cases:
        html = _columns_html(extra, inside, *ul)
        laid = {}
        for name, layout in (("engine", columns.ENGINE_COLUMNS), ("press", columns.columns_layout)):
            monkeypatch.setattr(block, "columns_layout", layout)
            calls["n"] = 0
            document = weasyprint.HTML(string=html).render()
            laid[name] = (_geometry(document), calls["n"], len(document.pages))
        assert laid["press"][0] == laid["engine"][0], (extra, inside)
        if (extra, inside, *ul) == ("", ""):
            assert laid["engine"][2] >= 4  # several full pages and a balanced last one
            lines = sum(1 for box in laid["press"][0] if box[1] == "LineBox")
            # the engine breaks each line twice or more; press once, but where the engine takes over
            # (the first page, with its headnote across the columns, and the balanced last page)
            assert laid["engine"][1] > 2 * lines and laid["press"][1] < 0.6 * laid["engine"][1], (laid["engine"][1], laid["press"][1], lines)
    assert block.columns_layout is columns.columns_layout  # as press installs it (pipeline/engine/__init__.py)
