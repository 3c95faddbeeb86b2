"""``press impose``: the built print PDF laid two pages up on sheets that fold into the book.

Nothing is laid out again: each printed page becomes a form XObject (pikepdf) placed on a side of
a sheet, clipped to its bleed on the three cut edges and to the fold on the fourth. A sheet is
landscape; its front carries the outer pair of its pages, its back the inner pair, so that
printed double-sided (flipped on the short edge), folded and nested, the pages run in order.

- ``booklet``: one saddle-stitched booklet; the outermost sheet holds the first and last pages.
- ``signatures``: gathered signatures of ``print.signature`` pages, each a small booklet of
  sheets folded inside each other, stacked one after the other and sewn or glued.

Creep: the inner sheets of a folded booklet or signature stand out at the fore-edge and lose
margin when trimmed; their pages are moved toward the fold by an amount growing sheet by sheet,
from nothing on the outermost sheet to the full creep on the innermost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Name

from pipeline.bind.pdfx import print_pdf_problems
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.engine.compose import MARK_ROOM
from pipeline.engine.marks import LINE, OFFSET, REGISTRATION, crop_marks, fold_marks
from pipeline.files import atomic_write
from pipeline.load import load_book
from pipeline.load.printsettings import SHEET_SIZES
from pipeline.model import Book, SourceLoc
from pipeline.prepress.outlines import text_outlines, text_width
from pipeline.transforms.editions import select_edition
from pipeline.words import Words

#: Above this many pages a book is gathered in signatures unless told otherwise.
BOOKLET_PAGES = 64
#: More sheets than a saddle stitch holds: the staples no longer close and the booklet gapes.
BOOKLET_SHEETS = 80
SLUG_SIZE = 7.0


@dataclass(frozen=True)
class SheetSide:
    """One side of one sheet: the print PDF's pages (0-based, None for a blank) left and right of
    the fold, which signature and which of its sheets (both from 1, the outermost sheet first) it
    belongs to, and how far its pages are moved toward the fold (points)."""

    signature: int
    sheet: int
    front: bool
    left: int | None
    right: int | None
    creep: float


@dataclass
class Imposed:
    """What ``press impose`` wrote: the file, its sheet sides in order, and what it found."""

    path: Path
    layout: str
    sheet_size: tuple[float, float]
    sides: list[SheetSide]
    pages: int
    diagnostics: Diagnostics = field(default_factory=Diagnostics)


def page_order(pages: int, per_signature: int, creep: float = 0.0) -> list[SheetSide]:
    """Every sheet side of ``pages`` printed pages folded in signatures of ``per_signature`` pages
    (a multiple of 4; a booklet is one signature of all the pages, rounded up to a multiple of 4).

    Within a signature of S pages (numbered from 0) sheet k, counted from the outside, carries on
    its front S-1-2k | 2k and on its back 2k+1 | S-2-2k. Pages past the end are blanks.
    """
    signatures = -(-pages // per_signature)
    sheets = per_signature // 4
    sides = []
    for g in range(signatures):
        base = g * per_signature

        def page(i: int) -> int | None:
            return base + i if base + i < pages else None

        for k in range(sheets):
            shift = creep * k / (sheets - 1) if sheets > 1 else 0.0
            s = per_signature
            sides.append(SheetSide(g + 1, k + 1, True, page(s - 1 - 2 * k), page(2 * k), shift))
            sides.append(SheetSide(g + 1, k + 1, False, page(2 * k + 1), page(s - 2 - 2 * k), shift))
    return sides


def sheet_needed(book: Book) -> tuple[float, float]:
    """The least landscape sheet that holds two pages side by side with their bleed and marks."""
    room = book.print.bleed + MARK_ROOM
    return 2 * book.print.trim_width + 2 * room, book.print.trim_height + 2 * room


def _fits(sheet: tuple[float, float], need: tuple[float, float]) -> bool:
    return max(sheet) + 0.01 >= need[0] and min(sheet) + 0.01 >= need[1]


def default_sheet(book: Book) -> tuple[str, tuple[float, float]] | None:
    """The smallest common sheet (by area) that holds two pages, with its name; None when none does."""
    need = sheet_needed(book)
    for name, size in sorted(SHEET_SIZES.items(), key=lambda item: item[1][0] * item[1][1]):
        if _fits(size, need):
            return name, size
    return None


def impose(book_dir: Path, out_dir: Path, edition: str | None = None, layout: str | None = None,
           sheet: tuple[float, float] | None = None, creep: float | None = None) -> Imposed:
    """Impose ``out_dir/<slug>.pdf`` (the built print PDF) into ``out_dir/<slug>-imposed.pdf``.

    ``layout``, ``sheet`` and ``creep`` default to book.yaml's ``print.imposition``, then to a
    booklet up to 64 pages (signatures above), the smallest sheet that holds two pages, no creep.
    Raises ``ManuscriptError`` when there is no print PDF or the sheet is too small.
    """
    diags = Diagnostics()
    book = load_book(Path(book_dir), diags)
    if edition is not None:
        chosen = [e for e in book.editions if e.name == edition]
        if not chosen:
            diags.add("E112", book.loc, f"the book has no edition named '{edition}'",
                      f"its editions: {', '.join(e.name for e in book.editions) or 'none'}")
            diags.raise_if_errors()
        book = select_edition(book, chosen[0])
    settings = book.print.imposition
    source = Path(out_dir) / f"{book.slug}.pdf"
    if not source.is_file():
        diags.add("E132", SourceLoc(str(source)), "there is no print PDF to impose",
                  f"build it first: press build {book_dir} --format pdf" + (f" --edition {edition}" if edition else "")
                  + f" --out {out_dir}")
        diags.raise_if_errors()
    size = sheet or settings.sheet
    if size is None:
        found = default_sheet(book)
        if found is None:
            need = sheet_needed(book)
            diags.add("E133", book.field_loc("print"), "no common sheet holds two pages of this trim with bleed and marks",
                      f"give a sheet of at least {need[0] / 72:.2f} x {need[1] / 72:.2f} in with --sheet or print.imposition.sheet")
            diags.raise_if_errors()
        assert found is not None
        size = found[1]
    elif not _fits(size, sheet_needed(book)):
        need = sheet_needed(book)
        diags.add("E133", book.field_loc("print"),
                  f"a sheet of {max(size) / 72:.2f} x {min(size) / 72:.2f} in does not hold two pages with bleed and marks",
                  f"it takes at least {need[0] / 72:.2f} x {need[1] / 72:.2f} in")
        diags.raise_if_errors()
    creep = settings.creep if creep is None else creep
    target = Path(out_dir) / f"{book.slug}-imposed.pdf"
    with pikepdf.open(source) as src:
        pages = len(src.pages)
        _check_trim(src, book, source, diags)
        chosen_layout = layout or settings.layout or ("booklet" if pages <= BOOKLET_PAGES else "signatures")
        per_signature = -(-pages // 4) * 4 if chosen_layout == "booklet" else book.print.signature
        sides = page_order(pages, per_signature, creep)
        if chosen_layout == "booklet" and len(sides) // 2 > BOOKLET_SHEETS:
            diags.add("W134", book.field_loc("print"),
                      f"a saddle-stitched booklet of {len(sides) // 2} sheets is thicker than staples hold ({BOOKLET_SHEETS})",
                      "impose it in signatures: press impose --layout signatures")
        atomic_write(target, lambda tmp: _write(src, book, sides, (max(size), min(size)), tmp))
    for problem in print_pdf_problems(target, book, trim=(2 * book.print.trim_width, book.print.trim_height)):
        diags.add("E131", SourceLoc(str(target)), f"imposed sheets are not PDF/X: {problem}")
    if diags.errors:
        target.unlink(missing_ok=True)
        raise ManuscriptError(diags.errors)
    return Imposed(target, chosen_layout, (max(size), min(size)), sides, pages, diags)


def _check_trim(src: pikepdf.Pdf, book: Book, source: Path, diags: Diagnostics) -> None:
    """The print PDF must be of this book's trim: one built before print.trim changed would misfold."""
    trim = [float(v) for v in src.pages[0].TrimBox] if len(src.pages) and "/TrimBox" in src.pages[0] else None
    if trim is None or abs(trim[2] - trim[0] - book.print.trim_width) > 0.01 or abs(trim[3] - trim[1] - book.print.trim_height) > 0.01:
        diags.add("E132", SourceLoc(str(source)), "the print PDF is not of the trim book.yaml sets",
                  "build it again with press build --format pdf")
        diags.raise_if_errors()


def _form(src: pikepdf.Pdf, dst: pikepdf.Pdf, index: int) -> pikepdf.Object:
    """Print page ``index`` as a form XObject of ``dst``, in the page's own coordinates."""
    page = src.pages[index]
    page.contents_coalesce()
    form = pikepdf.Stream(src, page.obj.Contents.read_bytes())
    form[Name.Type] = Name.XObject
    form[Name.Subtype] = Name.Form
    form[Name.BBox] = page.MediaBox
    form[Name.Resources] = page.Resources
    if Name.Group in page.obj:
        form[Name.Group] = page.obj.Group
    return dst.copy_foreign(form)


def _write(src: pikepdf.Pdf, book: Book, sides: list[SheetSide], size: tuple[float, float], target: Path) -> None:
    dst = pikepdf.new()
    words = Words(book.language, book.labels)
    forms: dict[int, pikepdf.Object] = {}
    width, height = size
    tw, th, bleed = book.print.trim_width, book.print.trim_height, book.print.bleed
    # the spread's trim, centred on the sheet; the fold down its middle
    x0, y0 = (width - 2 * tw) / 2, (height - th) / 2
    fold = width / 2
    for side in sides:
        ops: list[str] = []
        xobjects = pikepdf.Dictionary()
        for index, is_left in ((side.left, True), (side.right, False)):
            if index is None:
                continue  # a blank page: the paper itself
            if index not in forms:
                forms[index] = _form(src, dst, index)
            name = f"/P{index + 1}"
            xobjects[name] = forms[index]
            page_trim = [float(v) for v in src.pages[index].TrimBox]
            if is_left:
                clip = (fold - tw - bleed, y0 - bleed, tw + bleed, th + 2 * bleed)
                tx = fold - page_trim[2] + side.creep  # its trim's right edge on the fold, moved toward it
            else:
                clip = (fold, y0 - bleed, tw + bleed, th + 2 * bleed)
                tx = fold - page_trim[0] - side.creep
            ty = y0 - page_trim[1]
            ops.append(f"q {clip[0]:.3f} {clip[1]:.3f} {clip[2]:.3f} {clip[3]:.3f} re W n "
                       f"1 0 0 1 {tx:.3f} {ty:.3f} cm {name} Do Q")
        ops.append(_marks(x0, y0, tw, th, bleed))
        slug = words("sheet_slug", title=book.title, signature=side.signature, sheet=side.sheet,
                     side=words("sheet_front" if side.front else "sheet_back"))
        room = tw - 2 * (OFFSET + 9)
        size_pt = min(SLUG_SIZE, SLUG_SIZE * room / max(text_width(slug, SLUG_SIZE), 1))
        ops.append("q 0 0 0 1 k\n" + text_outlines(slug, size_pt, x0 + OFFSET + 9, y0 - bleed - OFFSET - 9) + "\nQ")
        page = dst.add_blank_page(page_size=(width, height))
        page.obj.Contents = dst.make_stream("\n".join(ops).encode())
        page.obj.Resources = pikepdf.Dictionary(XObject=xobjects)
        page.obj.TrimBox = pikepdf.Array([x0, y0, x0 + 2 * tw, y0 + th])
        page.obj.BleedBox = pikepdf.Array([x0 - bleed, y0 - bleed, x0 + 2 * tw + bleed, y0 + th + bleed])
    # PDF/X: the print PDF's output intent and metadata (its PDF/X version key) go with its pages.
    # copy_foreign takes only indirect objects: the source's direct ones are made so first
    dst.Root.OutputIntents = pikepdf.Array([dst.copy_foreign(src.make_indirect(i)) for i in src.Root.OutputIntents])
    if "/Metadata" in src.Root:
        dst.Root.Metadata = dst.copy_foreign(src.Root.Metadata)
    if "/Info" in src.trailer:
        dst.trailer.Info = dst.copy_foreign(src.make_indirect(src.trailer.Info))
    dst.save(target, deterministic_id=True)


def _marks(x0: float, y0: float, tw: float, th: float, bleed: float) -> str:
    """Trim marks at the spread's four corners and dashed fold marks at its middle, outside the bleed."""
    # crop_marks draws in top-down coordinates from the trim's top-left corner: flip into them
    ops = crop_marks(2 * tw, th, bleed) + fold_marks((tw,), th, bleed)
    return f"q 1 0 0 -1 {x0:.3f} {y0 + th:.3f} cm {REGISTRATION} {LINE} w\n" + "\n".join(ops) + "\nQ"
