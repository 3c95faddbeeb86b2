"""Binding: the parts' PDFs and the folio layer made into the book's one PDF, with pikepdf.

The front matter's PDF is the base: its catalog carries the book's metadata, output intent
(print) or language, title and structure tree (screen). Then, page by page as the folio layer
plans it, each part's pages are appended with the layer's page drawn beneath them (as an
artifact, so a screen reader skips it), and the layer's own blank versos fill the gaps. What
each part wrote for itself is then made the book's:

- named destinations: every anchor from the part that holds it (a part's stand-ins for
  anchors elsewhere are dropped), so links between parts land where they should;
- the outline: the parts' outlines in book order;
- the structure tree (tagged screen PDF): each part's elements under the book's Document
  element, its parent-tree keys shifted past those before it;
- fonts and colour profiles: one copy of each (``bind/resources.py``);
- page labels: roman in the front matter, arabic from the first document.

The parts are taken one at a time, in book order: a part is opened when the plan reaches its
first page and closed as soon as its pages, anchors, outline and structure are in the book
(pikepdf has qpdf read a stream's data when the stream is copied, so nothing the book holds
still needs the part). A part's objects are all parsed when it is opened (WeasyPrint puts them
in one object stream), about a megabyte for a part of ten pages; holding every part open until
the book was saved made the screen binder of a thousand-page book the build's largest process.

The file is saved with an id derived from its content, so the same parts give the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf

from pipeline.bind.pdfx import print_pdf_problems
from pipeline.bind.resources import one_copy_of_each_font, one_copy_of_each_profile
from pipeline.engine.inks import checked_colours
from pipeline.layout.plan import FRONT, BookPage, PartLayout, first_body_page
from pipeline.model import Book
from pipeline.pages import label_ranges


def bind(parts: list[PartLayout], pdfs: list[Path], layer_pdfs: list[Path], plan: list[BookPage], front_pages: int,
         target: Path, *, tagged: bool, object_streams: bool, stamp: Path | None = None) -> None:
    """Bind ``pdfs`` (one per part, in book order) page by page as ``plan`` says, into ``target``.

    ``layer_pdfs`` are the folio layer's runs, whose pages follow one another as the book's do;
    ``stamp``, a proof's one-page stamp (slug line and PROOF mark), is drawn beneath every page.
    """
    with pikepdf.open(pdfs[FRONT]) as book:
        layers = [pikepdf.open(path) for path in layer_pdfs]
        stamped = pikepdf.open(stamp) if stamp is not None else None
        if stamped is not None:
            layers.append(stamped)  # closed with the layers
        try:
            layer_pages = [page for layer in layers[: len(layer_pdfs)] for page in layer.pages]
            stamp_form = None
            if stamped is not None:  # one form, shared by every page
                stamp_form = book.copy_foreign(stamped.pages[0].as_form_xobject())
                stamp_form.BBox = pikepdf.Array([float(v) for v in stamped.pages[0].mediabox])
            _Binding(book, parts, pdfs, tagged).bind(layer_pages, plan, front_pages, stamp_form)
            mode = pikepdf.ObjectStreamMode.generate if object_streams else pikepdf.ObjectStreamMode.disable
            # The front part's /ID would otherwise be kept as the book's first id, the same for the
            # print PDF and the proof and for every round whose front matter did not change; without
            # it qpdf derives both halves from the bound file, so each file (and each round) has its own.
            if "/ID" in book.trailer:
                del book.trailer.ID
            book.save(target, deterministic_id=True, object_stream_mode=mode)
        finally:
            for layer in layers:
                layer.close()


def bind_print(book: Book, parts: list[PartLayout], layer_pdfs: list[Path], plan: list[BookPage], front: int,
               target: Path) -> list[str]:
    """Bind the print PDF and read it back: what keeps it from being PDF/X, if anything.

    The colours were checked in each part and folio layer run as it was written; their findings
    are given the book's page numbers here."""
    bind(parts, [p.print_pdf for p in parts], layer_pdfs, plan, front, target,
         tagged=False, object_streams=book.print.standard != "pdf/x-1a")
    at = {(entry.part, entry.local): index for index, entry in enumerate(plan) if entry.part is not None}
    found = [(at[part, local], problem) for part, layout in enumerate(parts)
             for local, problem in checked_colours(layout.print_pdf, layout.pages)]
    first = 0  # the folio layer's runs follow one another as the book's pages do
    for layer in layer_pdfs:
        with pikepdf.open(layer) as pdf:
            pages = len(pdf.pages)
        found += [(first + local, problem) for local, problem in checked_colours(layer, pages)]
        first += pages
    return print_pdf_problems(target, book, colours=False) + [f"page {index + 1}: {problem}" for index, problem in sorted(found)]


def bind_screen(parts: list[PartLayout], layer_pdfs: list[Path], plan: list[BookPage], front: int,
                target: Path) -> None:
    """Bind the tagged screen PDF."""
    bind(parts, [p.screen_pdf for p in parts], layer_pdfs, plan, front, target, tagged=True, object_streams=True)


class _Binding:
    """A book being bound from its parts, taken in book order.

    Each part is opened when the plan reaches its first page and closed as soon as all it
    brings (pages, anchors, outline, structure) is in the book, so that no more than one
    part's objects are held beside the book's; pikepdf has qpdf copy a part's stream data
    when the stream is copied, so the book needs nothing from a part once it is closed.
    """

    def __init__(self, book: pikepdf.Pdf, parts: list[PartLayout], pdfs: list[Path], tagged: bool) -> None:
        self.book, self.parts, self.pdfs = book, parts, pdfs
        self.structure = _Structure(book) if tagged else None
        self.dests: dict[str, pikepdf.Object] = {}
        self.outline: list[pikepdf.OutlineItem] = []
        self.taken = FRONT  # the parts up to this one are all in the book
        self.source: pikepdf.Pdf | None = None  # the part whose pages are being appended
        self.appended: list[tuple[int, pikepdf.Page]] = []  # its pages: (local index, page in the book)

    def bind(self, layer: list[pikepdf.Page], plan: list[BookPage], front_pages: int,
             stamp: pikepdf.Object | None) -> None:
        """Append the pages as ``plan`` says, with ``layer``'s drawn beneath, and make the book's
        destinations, outline, structure tree, page labels and shared resources."""
        book = self.book
        if len(layer) != len(plan):
            raise AssertionError(f"the folio layer has {len(layer)} pages, the book {len(plan)}")
        if len(book.pages) != front_pages:
            raise AssertionError(f"the front matter has {len(book.pages)} pages, the plan {front_pages}")
        self._take_in(book, FRONT)  # the front matter is the book itself
        for index, entry in enumerate(plan):
            if entry.part is None:
                book.pages.append(layer[index])  # a blank verso, with the layer's marks
                _draw_under(book, book.pages[index], None, index, stamp)
                continue
            if entry.part != FRONT:
                book.pages.append(self._part(entry.part).pages[entry.local])
                self.appended.append((entry.local, book.pages[index]))
                if self.structure is None:
                    _untagged(book.pages[index])
            _draw_under(book, book.pages[index], layer[index], index, stamp)
        self._take_parts_up_to(len(self.parts) - 1)

        dests = pikepdf.NameTree.new(book)
        for anchor in sorted(self.dests):
            dests[anchor] = self.dests[anchor]
        names = book.Root.get("/Names", pikepdf.Dictionary())
        names.Dests = dests.obj
        book.Root.Names = names
        with book.open_outline() as root:
            root.root.clear()
            root.root.extend(self.outline)
        if self.structure is not None:
            self.structure.close()
        nums: list = []
        for first, style, start in label_ranges(first_body_page(plan)):
            nums += [first, pikepdf.Dictionary(S=pikepdf.Name("/" + style), **({"St": start} if start else {}))]
        book.Root.PageLabels = pikepdf.Dictionary(Nums=pikepdf.Array(nums))
        one_copy_of_each_font(book)
        one_copy_of_each_profile(book)

    def _part(self, index: int) -> pikepdf.Pdf:
        """Part ``index``, open; the parts before it are taken in (and closed) first."""
        if self.source is not None and index == self.taken + 1:
            return self.source
        if index <= self.taken:
            raise AssertionError(f"the plan comes back to part {index} after a later part")
        self._take_parts_up_to(index - 1)
        self.source = pikepdf.open(self.pdfs[index])
        return self.source

    def _take_parts_up_to(self, last: int) -> None:
        """Take in every part up to ``last`` that is not yet in the book, and close it."""
        while self.taken < last:
            source = self.source if self.source is not None else pikepdf.open(self.pdfs[self.taken + 1])
            self.source = None
            with source:
                self._take_in(source, self.taken + 1)
            self.taken += 1
            self.appended = []

    def _take_in(self, source: pikepdf.Pdf, index: int) -> None:
        """What part ``index`` (``source``) brings besides its pages: its anchors, outline and structure."""
        self.dests.update(_destinations(self.book, source, self.parts[index]))
        self.outline.extend(_outline(self.book, source))
        if self.structure is not None and index != FRONT:
            self.structure.merge(source, self.appended)


def _untagged(page: pikepdf.Page) -> None:
    """A page of a part painted tagged (its screen PDF is derived from it) bound into an untagged
    book: its keys into a structure tree the book does not have are dropped."""
    for key in ("/StructParents", "/Tabs"):
        if key in page.obj:
            del page.obj[key]
    for annotation in page.obj.get("/Annots", ()):
        if "/StructParent" in annotation:
            del annotation.StructParent


def _copy(book: pikepdf.Pdf, source: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """``obj`` of ``source`` in ``book``; the pages it points at become the copies already appended."""
    return book.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


def _copy_all(book: pikepdf.Pdf, source: pikepdf.Pdf, objects: list[pikepdf.Object]) -> list[pikepdf.Object]:
    """``objects`` of ``source`` in ``book``, as ``_copy`` gives each, in one copy: qpdf's copy
    of a foreign object has a cost of its own besides the objects it copies, which thousands of
    copies of one object each (an index's links, a document's destinations) paid thousands of times."""
    if not objects:
        return []
    return list(book.copy_foreign(source.make_indirect(pikepdf.Array(objects))))


#: The resource name of a proof's stamp on every page.
STAMP = pikepdf.Name("/ProofStamp")


def _draw_under(book: pikepdf.Pdf, page: pikepdf.Page, layer_page: pikepdf.Page | None, index: int,
                stamp: pikepdf.Object | None = None) -> None:
    """Draw the layer's page (folio; marks in print) and a proof's ``stamp`` (slug and PROOF mark)
    beneath ``page``'s content, marked as an artifact; beneath, so that the proof's light mark
    never veils the text. ``layer_page`` is None when the page is the layer's own (a blank verso)."""
    forms: list[tuple[pikepdf.Name, pikepdf.Object]] = []
    if layer_page is not None:
        form = book.copy_foreign(layer_page.as_form_xobject())
        form.BBox = page.mediabox  # QPDF clips the form to the trim box; the marks stand outside it
        forms.append((pikepdf.Name(f"/Folio{index}"), form))
    if stamp is not None:
        forms.append((STAMP, stamp))
    if not forms:
        return
    # the part's pages share one resource dictionary; this page gets its own
    resources = pikepdf.Dictionary(page.obj.get("/Resources", pikepdf.Dictionary()))
    xobjects = pikepdf.Dictionary(resources.get("/XObject", pikepdf.Dictionary()))
    for name, form in forms:
        xobjects[name] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    # Each form's graphics state is saved around it, and the page's own content is wrapped too.
    drawn = b" ".join(b"q " + bytes(name.unparse()) + b" Do Q" for name, _ in forms)
    page.contents_add(pikepdf.Stream(book, b"/Artifact BMC " + drawn + b" EMC\nq\n"), prepend=True)
    page.contents_add(pikepdf.Stream(book, b"\nQ\n"))


def _destinations(book: pikepdf.Pdf, source: pikepdf.Pdf, part: PartLayout) -> dict[str, pikepdf.Object]:
    """The destinations of the anchors ``part`` holds (not its stand-ins for anchors elsewhere), in the book."""
    found: dict[str, pikepdf.Object] = {}
    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return found
    tree = pikepdf.NameTree(source.Root.Names.Dests)
    # sorted: a part from the cache lists them in another order
    anchors = [anchor for anchor in sorted(part.anchors) if anchor in tree]
    dests = [tree[anchor] for anchor in anchors]
    return dict(zip(anchors, dests if source is book else _copy_all(book, source, dests)))


def _outline(book: pikepdf.Pdf, source: pikepdf.Pdf) -> list[pikepdf.OutlineItem]:
    """A part's outline entries, pointing at the pages in the book."""

    def copy(item: pikepdf.OutlineItem) -> pikepdf.OutlineItem:
        destination = item.destination
        if destination is not None and source is not book:
            destination = _copy(book, source, destination)
        out = pikepdf.OutlineItem(item.title, destination)
        out.children.extend(copy(child) for child in item.children)
        return out

    with source.open_outline() as outline:
        return [copy(item) for item in outline.root]


class _Structure:
    """The book's structure tree (tagged screen PDF), the parts' elements added as they come:
    each part's elements under the book's Document element, its parent-tree keys shifted past
    those before it."""

    def __init__(self, book: pikepdf.Pdf) -> None:
        self.book = book
        self.document = book.Root.StructTreeRoot.K[0]
        self.nums = list(book.Root.StructTreeRoot.ParentTree.Nums)
        self.next_key = max((int(k) for k in self.nums[::2]), default=-1) + 1

    def merge(self, source: pikepdf.Pdf, appended: list[tuple[int, pikepdf.Page]]) -> None:
        """Add ``source``'s structure; ``appended`` are its pages in the book."""
        book = self.book
        source_root = source.Root.StructTreeRoot
        offset = self.next_key
        for _, page in appended:
            if "/StructParents" in page.obj:
                page.obj.StructParents = int(page.obj.StructParents) + offset
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = int(annotation.StructParent) + offset
        source_nums = list(source_root.ParentTree.Nums)
        for key, value in zip(source_nums[::2], _copy_all(book, source, source_nums[1::2])):
            self.nums += [int(key) + offset, value]
            self.next_key = max(self.next_key, int(key) + offset + 1)
        part_document = source_root.K[0]
        for kid in book.copy_foreign(part_document).K:
            self.document.K.append(kid)
        # Kids, and the elements WeasyPrint parents to the Document without listing (running
        # heads, as NonStruct), now belong to the book's Document element. They are found in
        # the part, and their copies (copying again gives the copy already made) are changed.
        for obj in source.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem" and "/P" in obj \
                    and obj.P.objgen == part_document.objgen:
                book.copy_foreign(obj).P = self.document

    def close(self) -> None:
        """Write the book's parent tree, once every part is in."""
        root = self.book.Root.StructTreeRoot
        root.ParentTree = self.book.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(self.nums)))
        root.ParentTreeNextKey = self.next_key
