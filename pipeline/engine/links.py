"""Links set on laid-out text: what an ``<a>`` per number would give, without its layout cost.

The print index cites thousands of numbers, each a link. WeasyPrint lays out an inline box per
``<a>`` element, and on an index page of such boxes that is five times the cost of the same
text plain (every line is tried box by box, twice over while the columns are balanced). So the
print HTML gives the index's locators as plain text, and the element's ``data-links`` says which
characters link where (``start-end:href``, in characters of the element's text;
``render/indexpage.py`` writes it). Once the pages are laid out, each link is set where its
characters stand on the line, in one of two forms:

- a print PDF painted untagged (``set_links``: a proof's, which no screen PDF is made from):
  the line's text is left whole, one run to paint, and an empty inline ``a`` box with the link
  lies over each number, which is all a link annotation needs;
- a tagged PDF (``cut_links``: the print PDF the screen PDF is derived from, or the screen PDF
  painted): the text box is cut into the boxes an ``<a>`` would have made, a text box per run
  and an inline ``a`` box around each number's text, so each becomes a ``Link`` element holding
  its annotation and its text, exactly as an ``<a>`` is tagged.

Neither changes a line: a text box is cut where it stands, and its pieces are measured and set
side by side from its left edge, as the engine sets an ``<a>``'s pieces; the empty boxes of print
stand where those pieces would. Like ``margins`` and ``screen``, this reads and changes laid-out
boxes, through ``boxes``.
"""

from __future__ import annotations

import re
import weakref
from copy import copy
from dataclasses import dataclass

import weasyprint
from weasyprint.anchors import gather_anchors
from weasyprint.text.line_break import Layout, split_first_line
from weasyprint.urls import get_link

from pipeline.engine import boxes

ATTRIBUTE = "data-links"
_COLLAPSE = re.compile(r"[ \t\n\r\f]+")

# The computed properties that decide a run of text's width: two runs with the same values and
# the same characters are the same width, so a width is measured once per book's worth of pages.
_FONT = ("font_family", "font_size", "font_style", "font_weight", "font_stretch", "font_kerning",
         "font_variant_ligatures", "font_variant_position", "font_variant_caps", "font_variant_numeric",
         "font_variant_alternates", "font_variant_east_asian", "font_feature_settings",
         "font_variation_settings", "font_language_override", "letter_spacing", "word_spacing", "lang",
         "direction", "white_space")


@dataclass(frozen=True)
class _Range:
    start: int
    end: int
    link: tuple


def _ranges(value: str, text: str) -> list[_Range]:
    """The ranges of ``data-links`` that fit ``text``, in order. press writes the attribute, but a
    book's own template may write one too: what does not fit is no link, rather than a failed build."""
    out = []
    for item in value.split():
        span, _, href = item.partition(":")
        start, _, end = span.partition("-")
        link = get_link(href, None) if href else None
        if start.isdigit() and end.isdigit() and 0 <= int(start) < int(end) <= len(text) and link is not None:
            out.append(_Range(int(start), int(end), link))
    return out


class _KeptLayout(Layout):
    """A run's Pango layout set up once and kept so, shared by every piece with the same text and
    font. The engine sets a text box's layout up again before painting it and drops it after; for
    the index's thousands of short pieces ("12", ", ") that was a third of painting them. Only
    pieces drawn as they are share one: a line that may end in an ellipsis has its layout's text
    changed by the painter (``_Widths``)."""

    def reactivate(self, style) -> None:  # already set up for this text and font
        pass

    def deactivate(self) -> None:  # kept for the next piece
        pass


class _Widths:
    """Runs of text measured as the engine measures a line: one Pango layout each, kept by the
    run's characters and its font, with the layout the piece is later painted from."""

    def __init__(self) -> None:
        self.known: dict[tuple, tuple[float, object]] = {}
        self.kept: dict[tuple, _KeptLayout] = {}
        self.fonts: dict[int, tuple] = {}  # id of a computed style (alive as long as its boxes) -> its font

    def __call__(self, text: str, style, spacing: float, shared: bool) -> tuple[float, object]:
        """The width of ``text`` and its layout, with ``spacing`` added to each space as a
        justified line's text box has (the engine paints the layout with it). With ``shared`` the
        layout is a ``_KeptLayout`` shared with the other pieces of the same run and style."""
        font = self.fonts.get(id(style))
        if font is None:
            font = self.fonts[id(style)] = tuple(_hashable(style[name]) for name in _FONT)
        key = (text, font, spacing)
        if key not in self.known:
            layout, _, _, width, _, _ = split_first_line(text, style, None, None, spacing)
            self.known[key] = (width + spacing * (text.count(" ") + text.count("\u00a0")), layout)
        width, layout = self.known[key]
        if not shared:
            return width, copy(layout)  # its own: the painter sets it up, and may change it
        # the painter's setup also reads the decoration's metrics, which the width does not depend on
        kept_key = (key, _hashable(style["text_decoration_line"]))
        kept = self.kept.get(kept_key)
        if kept is None:
            kept = self.kept[kept_key] = _KeptLayout.__new__(_KeptLayout)
            kept.__dict__.update(layout.__dict__)
            Layout.reactivate(kept, style)
        return width, kept


def _hashable(value):
    if isinstance(value, (list, tuple)):
        return tuple(_hashable(v) for v in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _link_box(wrapper, link: tuple, x: float, width: float, children: list):
    """The element's inline box on this line (``wrapper``) made an ``a`` at ``x``, around ``children``."""
    box = wrapper.copy()
    box.children = children
    box.element_tag, box.link = "a", link
    box.position_x, box.width = x, width
    for side in ("left", "right"):
        setattr(box, f"margin_{side}", 0)
        setattr(box, f"padding_{side}", 0)
        setattr(box, f"border_{side}_width", 0)
    return box


def _pieces(text_box, start: int, ranges: list[_Range], wrapper, widths: _Widths,
            shared: bool) -> tuple[list, list]:
    """``text_box`` (its text at ``start`` in the element's) with the links crossing it, twice: whole,
    followed by an empty ``a`` box over each link (print: one run of text to paint), and cut into
    pieces, each link an ``a`` box around its piece (the tagged screen PDF: a Link holds its text).
    ``shared``: the pieces may share their layouts (``_Widths``)."""
    text, end = text_box.text, start + len(text_box.text)
    crossing = [(i, max(r.start - start, 0), min(r.end - start, len(text))) for i, r in enumerate(ranges)
                if r.start < end and r.end > start]
    if not crossing:
        return [text_box], [text_box]
    links = {(a, b): ranges[i].link for i, a, b in crossing}
    cuts = sorted({0, len(text)} | {p for _, a, b in crossing for p in (a, b)})
    whole, cut, x = [text_box], [], text_box.position_x
    for a, b in zip(cuts, cuts[1:]):
        piece = text_box.copy_with_text(text[a:b])
        piece.width, piece.pango_layout = widths(piece.text, text_box.style, text_box.justification_spacing or 0, shared)
        if not shared:
            # The painter ends such a line with an ellipsis where its text reaches the width the
            # line had: each piece gets what is left of that width from where it stands.
            room = getattr(text_box.pango_layout, "max_width", None)
            piece.pango_layout.max_width = piece.width if room is None else max(0.0, room - (x - text_box.position_x))
        piece.position_x = x
        x += piece.width
        if (a, b) in links:
            whole.append(_link_box(wrapper, links[(a, b)], piece.position_x, piece.width, []))
            cut.append(_link_box(wrapper, links[(a, b)], piece.position_x, piece.width, [piece]))
        else:
            cut.append(piece)
    return whole, cut


@dataclass
class _Holder:
    """An element's inline box on one line, its children in both forms (``_pieces``)."""

    box: object
    whole: list
    cut: list


#: The laid-out documents whose links are set, with their holders page by page, until the screen
#: PDF asks for the links cut (``cut_links``).
_set: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _is_link(box) -> bool:
    return boxes.is_inline(box) and box.element_tag == "a"


def _find(text: str, laid: str, start: int) -> int:
    """Where the laid-out ``laid`` stands in the element's ``text``, from ``start``: as it is, or in
    other capitals (a book's CSS may transform the text), or -1."""
    at = text.find(laid, start)
    if at < 0 and len(text.lower()) == len(text) and len(laid.lower()) == len(laid):
        at = text.lower().find(laid.lower(), start)
    return at


def _linked_boxes(box, drawn_as_is: bool = True):
    """The inline boxes with ``data-links`` under ``box``, depth first, each with whether its line
    is painted as laid out (no ellipsis put at its end: ``text-overflow``, ``block-ellipsis``)."""
    if boxes.is_line(box):
        drawn_as_is = getattr(box, "text_overflow", "clip") == "clip" and getattr(box, "block_ellipsis", "none") == "none"
    elif boxes.is_inline(box) and boxes.attribute(box, ATTRIBUTE) is not None:
        yield box, drawn_as_is
    for child in boxes.children(box):
        yield from _linked_boxes(child, drawn_as_is)


def set_links(document: weasyprint.Document) -> int:
    """Set the links of every element with ``data-links`` on its laid-out text; return how many.

    The text stays whole, as an untagged print PDF paints it; ``cut_links`` cuts it for a tagged one."""
    widths = _Widths()
    read: dict[int, tuple[str, list[_Range], int]] = {}  # element -> its text, ranges, characters seen
    pages: list[list[_Holder]] = []
    made = 0
    for page in document.pages:
        holders = []
        for box, shared in list(_linked_boxes(boxes.page_box(page))):
            element = boxes.element_of(box)
            if id(element) not in read:
                text = _COLLAPSE.sub(" ", "".join(element.itertext()))  # as CSS collapses it: no-break spaces stay
                read[id(element)] = (text, _ranges(boxes.attribute(box, ATTRIBUTE) or "", text), 0)
            text, ranges, seen = read[id(element)]
            whole, cut = [], []
            for child in boxes.children(box):
                if not boxes.is_text(child) or not child.text:
                    whole.append(child)
                    cut.append(child)
                    continue
                at = _find(text, child.text, seen)
                if at < 0:  # text a book's CSS made other (generated content): left without links
                    whole.append(child)
                    cut.append(child)
                    continue
                seen = at + len(child.text)
                child_whole, child_cut = _pieces(child, at, ranges, box, widths, shared)
                whole += child_whole
                cut += child_cut
            read[id(element)] = (text, ranges, seen)
            box.children = whole
            for link in filter(_is_link, whole):
                gather_anchors(link, {}, page.links, [], {})  # as the engine gathers an <a>'s link
                made += 1
            holders.append(_Holder(box, whole, cut))
        pages.append(holders)
    if made:
        _set[document] = pages
    return made


def cut_links(document: weasyprint.Document) -> None:
    """Cut the linked text into its pieces, each link around its own (for a tagged PDF: a Link
    element holds its annotation and its text); a no-op where ``set_links`` set none, or once cut."""
    for page, holders in zip(document.pages, _set.pop(document, [])):
        overlays = {id(link) for holder in holders for link in filter(_is_link, holder.whole)}
        page.links[:] = [entry for entry in page.links if id(entry[3]) not in overlays]
        for holder in holders:
            holder.box.children = holder.cut
            for link in filter(_is_link, holder.cut):
                gather_anchors(link, {}, page.links, [], {})
