"""press stamp: a copy per student of the screen PDF and the EPUB, and press identify.

One class edition of the sample is built once; copies are stamped from it for a small roster
whose values are distinctive enough to be searched for in every file written.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pypdfium2
import pytest

from pipeline.build import build
from pipeline.cli import main
from pipeline.copies import stamp
from pipeline.copies.ids import copy_id, format_copy_id
from pipeline.copies.roster import read_roster
from pipeline.diagnostics import Diagnostics, ManuscriptError
from tests.conftest import SAMPLE
from tests.epubcheck import epubcheck_messages

EDITION = "law-of-the-sea"
SLUG = f"a-line-in-cold-water-{EDITION}"
SECRET = "correct horse battery staple, kept by the press"
ROSTER = (
    "id,name,email,section\n"
    "u-48213907,Quirinal Abernethy-Voss,qav.mailbox@example.edu,Tuesday seminar Q7\n"
    "u-55190273,Żaneta Wróblewska,zanw.box@example.edu,Thursday seminar K2\n"
    "u-60082114,Théodore Ambrosini,theo.amb.box@example.edu,Tuesday seminar Q7\n"
)
VALUES = [v for line in ROSTER.splitlines()[1:] for v in line.split(",")]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The edition built once, in a folder of its own (the manuscript copied, so that its files'
    times are the build's)."""
    root = tmp_path_factory.mktemp("stamp")
    book = root / "book"
    shutil.copytree(SAMPLE, book)
    out = root / "out"
    build(book, out, edition=EDITION)
    return book, out


def _run(built, tmp_path, *, names=False, roster=ROSTER, out=None):
    book, base = built
    out = out or tmp_path / "out"
    if out != base:
        shutil.copytree(base, out)
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "secret").write_text(SECRET + "\n", encoding="utf-8")
    result = stamp(book, tmp_path / "roster.csv", out, edition=EDITION, secret_file=tmp_path / "secret", names=names, jobs=2)
    return result, out


@pytest.fixture(scope="module")
def copies(built, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("copies")
    result, out = _run(built, tmp)
    return result, out


def _text(path: Path) -> list[str]:
    document = pypdfium2.PdfDocument(str(path))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def _destinations(pdf: pikepdf.Pdf) -> dict[str, int]:
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    tree = pikepdf.NameTree(pdf.Root.Names.Dests)
    return {name: pages[tree[name][0].objgen] for name in tree.keys()}


def _outline(pdf: pikepdf.Pdf) -> list[tuple[str, int]]:
    pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
    out = []
    with pdf.open_outline() as outline:
        stack = list(outline.root)
        while stack:
            item = stack.pop(0)
            out.append((item.title, pages.get(item.destination[0].objgen) if item.destination else None))
            stack[:0] = list(item.children)
    return out


def _links(pdf: pikepdf.Pdf) -> list[list[str]]:
    return [[repr(a.get("/A", a.get("/Dest"))) for a in page.obj.get("/Annots", [])] for page in pdf.pages]


def test_every_student_gets_a_pdf_and_an_epub_named_by_copy_id(copies):
    result, out = copies
    assert result.folder == out / "copies" / SLUG
    expected = [copy_id(SECRET.encode(), v) for v in VALUES[::4]]
    assert result.copies == expected
    assert sorted(p.name for p in result.folder.iterdir()) == sorted([f"{c}.pdf" for c in expected] + [f"{c}.epub" for c in expected])
    assert all(len(c) == 9 and c[4] == "-" for c in expected)


def test_pdf_copy_has_the_pages_labels_destinations_links_outline_and_text_of_the_built_file(copies):
    result, out = copies
    base_path = out / f"{SLUG}-screen.pdf"
    copy_path = result.folder / f"{result.copies[0]}.pdf"
    with pikepdf.open(base_path) as base, pikepdf.open(copy_path) as copy:
        assert len(copy.pages) == len(base.pages)
        assert repr(copy.Root.PageLabels) == repr(base.Root.PageLabels)
        assert _destinations(copy) == _destinations(base)
        assert _outline(copy) == _outline(base)
        assert _links(copy) == _links(base)
    stamp_line = f"Copy {result.copies[0]} · HIST 2140, The Law of the Sea in the Cold War, Spring 2026 · for the use of this class only"
    base_text, copy_text = _text(base_path), _text(copy_path)
    for index, (before, after) in enumerate(zip(base_text, copy_text)):
        assert stamp_line in " ".join(after.split()), index
        rest = " ".join(after.split()).replace(stamp_line, "")
        if index == 3:  # the imprint page also has the ex-libris line
            ex_libris = (f"This copy, {result.copies[0]}, was made for a student of HIST 2140, The Law of the Sea in "
                         "the Cold War, Spring 2026, for the use of this class only.")
            assert ex_libris in rest
            rest = rest.replace(ex_libris, "")
        assert rest.split() == before.split(), index


def test_pdf_copy_keeps_its_structure_tree_and_draws_the_stamp_as_an_artifact_in_an_embedded_font(copies):
    result, out = copies
    with pikepdf.open(out / f"{SLUG}-screen.pdf") as base, pikepdf.open(result.folder / f"{result.copies[1]}.pdf") as copy:
        # the structure tree is the built file's own objects, untouched by the update
        assert copy.Root.StructTreeRoot.objgen == base.Root.StructTreeRoot.objgen
        assert copy.Root.StructTreeRoot.unparse(resolved=True) == base.Root.StructTreeRoot.unparse(resolved=True)
        assert copy.Root.MarkInfo.Marked is True and str(copy.Root.Lang) == str(base.Root.Lang)
        assert b"pdfuaid:part=\"1\"" in copy.Root.Metadata.read_bytes()
        for index, (before, after) in enumerate(zip(base.pages, copy.pages)):
            assert after.obj.get("/StructParents") == before.obj.get("/StructParents")
            streams = list(after.obj.Contents)
            last = streams[-1].read_bytes()
            assert last.startswith(b"\nQ\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC q /PressStamp Do Q EMC")
            assert streams[0].read_bytes() == b"q\n"
            form = after.obj.Resources.XObject.PressStamp
            fonts = list(form.Resources.Font.values())
            assert fonts and all("/FontFile2" in f.DescendantFonts[0].FontDescriptor or "/FontFile3" in f.DescendantFonts[0].FontDescriptor
                                 for f in fonts)
            assert b"BDC" not in form.read_bytes()  # no marked content of its own: nothing for the tree
            assert (b"/PressExLibris Do" in last) == (index == 3)


def test_copy_id_is_in_the_metadata_and_the_document_id(copies):
    result, _ = copies
    with pikepdf.open(result.folder / f"{result.copies[2]}.pdf") as pdf:
        assert str(pdf.docinfo["/PressCopy"]) == result.copies[2]
        assert f"press-copy:{result.copies[2]}".encode() in pdf.Root.Metadata.read_bytes()
        assert format_copy_id(bytes(pdf.trailer.ID[0])) == result.copies[2]


def test_epub_copy_has_the_ex_libris_line_and_copy_id_and_passes_epubcheck(copies):
    result, out = copies
    copy = result.copies[1]
    path = result.folder / f"{copy}.epub"
    with zipfile.ZipFile(path) as archive, zipfile.ZipFile(out / f"{SLUG}.epub") as base:
        assert archive.namelist() == base.namelist()
        assert archive.namelist()[0] == "mimetype" and archive.infolist()[0].compress_type == zipfile.ZIP_STORED
        front = archive.read("EPUB/front.xhtml").decode()
        assert f'<p class="ex-libris">This copy, {copy}, was made for a student of HIST 2140' in front
        assert f'<dc:identifier id="press-copy">press-copy:{copy}</dc:identifier>' in archive.read("EPUB/content.opf").decode()
        changed = [n for n in base.namelist() if base.read(n) != archive.read(n)]
        assert set(changed) <= {"EPUB/front.xhtml", "EPUB/content.opf", "EPUB/fonts/GentiumBookPlus-Regular.ttf"}
        assert archive.testzip() is None
    assert epubcheck_messages(path) == []


def test_same_roster_and_secret_give_the_same_bytes(built, copies, tmp_path):
    first, _ = copies
    again, _ = _run(built, tmp_path)
    for copy in first.copies:
        for suffix in (".pdf", ".epub"):
            assert (again.folder / (copy + suffix)).read_bytes() == (first.folder / (copy + suffix)).read_bytes()


def _everything_written(folder: Path) -> dict[Path, bytes]:
    """Every file under ``folder`` with the bytes it holds, PDF streams and zip entries decompressed too."""
    out = {}
    for path in folder.rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                data += b"".join(archive.read(n) for n in archive.namelist())
        elif data.startswith(b"%PDF"):
            with pikepdf.open(path) as pdf:
                data += b"".join(o.read_bytes() for o in pdf.objects if isinstance(o, pikepdf.Stream))
        out[path] = data
    return out


def test_no_roster_value_is_written_anywhere_and_no_name_without_names(built, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    result, out = _run(built, tmp_path)
    shutil.rmtree(built[1] / "copies", ignore_errors=True)
    for path, data in _everything_written(out).items():
        for value in VALUES + [SECRET]:
            assert value.encode() not in data, (path, value)
            assert value.encode("utf-16-be") not in data, (path, value)


def test_names_are_printed_only_with_names_and_only_in_the_copies(built, tmp_path):
    result, out = _run(built, tmp_path, names=True)
    name = "Quirinal Abernethy-Voss"
    texts = _text(result.folder / f"{result.copies[0]}.pdf")
    assert all(name in " ".join(t.split()) for t in texts)
    with zipfile.ZipFile(result.folder / f"{result.copies[0]}.epub") as archive:
        assert name in archive.read("EPUB/front.xhtml").decode()
    assert epubcheck_messages(result.folder / f"{result.copies[1]}.epub") == []  # Ż needs the face subset again
    for path, data in _everything_written(out).items():
        if path.parent != result.folder:
            assert name.encode() not in data, path


def test_identify_names_the_student_of_a_copy_whose_stamp_was_removed(copies, tmp_path, capsys):
    result, out = copies
    copy = result.copies[1]
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "secret").write_text(SECRET, encoding="utf-8")
    # the stamp taken off every page, the metadata emptied: only the document id is left
    stripped = tmp_path / "stripped.pdf"
    with pikepdf.open(result.folder / f"{copy}.pdf") as pdf:
        for page in pdf.pages:
            page.obj.Contents = pikepdf.Array(list(page.obj.Contents)[1:-1])
            del page.obj.Resources.XObject["/PressStamp"]
        del pdf.docinfo["/PressCopy"]
        del pdf.Root["/Metadata"]
        pdf.save(stripped)
    assert copy not in " ".join(_text(stripped))
    # the update cut off: the built file's bytes, with the copy's document id
    cut = tmp_path / "cut.pdf"
    data = (result.folder / f"{copy}.pdf").read_bytes()
    cut.write_bytes(data[: len((out / f"{SLUG}-screen.pdf").read_bytes())])
    assert copy not in " ".join(_text(cut))
    for leaked in (stripped, cut, result.folder / f"{copy}.epub"):
        assert main(["identify", str(leaked), "--roster", str(tmp_path / "roster.csv"), "--secret-file", str(tmp_path / "secret")]) == 0
        assert capsys.readouterr().out.split("\t")[2:4] == ["u-55190273", "Żaneta Wróblewska\n"]


def test_identify_refuses_a_file_that_is_no_copy(built, tmp_path, capsys):
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "secret").write_text(SECRET, encoding="utf-8")
    base = built[1] / f"{SLUG}.epub"
    assert main(["identify", str(base), "--roster", str(tmp_path / "roster.csv"), "--secret-file", str(tmp_path / "secret")]) == 1
    assert "E164" in capsys.readouterr().err


@pytest.mark.parametrize("roster, code, line", [
    ("", "E160", 1),
    ("\n\n", "E160", 1),
    ("id,email\nu1,a@b\n", "E160", 1),
    ("id,name\nu1,A\nu2,B\nu1,C\n", "E161", 4),
    ("id,name\nu1,A\n,B\n", "E161", 3),
    ("id,name\nu1,A\nu2,B,extra\n", "E160", 3),
    ("id,name\nu1,A\nu2,Ren\xe9\n".encode("latin-1"), "E160", 3),
    ('id,name\nu1,"A\n', "E160", 2),
])
def test_a_bad_roster_is_an_error_at_its_file_and_line_and_nothing_is_written(built, tmp_path, capsys, roster, code, line):
    book, base = built
    path = tmp_path / "roster.csv"
    path.write_bytes(roster if isinstance(roster, bytes) else roster.encode("utf-8"))
    (tmp_path / "secret").write_text(SECRET, encoding="utf-8")
    out = tmp_path / "out"
    assert main(["stamp", str(book), "--roster", str(path), "--edition", EDITION, "--out", str(out),
                 "--secret-file", str(tmp_path / "secret")]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}: error[{code}]" in err or f"{path}:{line}:1: error[{code}]" in err, err
    assert not out.exists()


def test_a_roster_from_a_spreadsheet_reads_with_bom_semicolons_and_any_column_order(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes("\ufeffSection;Name;ID;Email\nA;Bé, Anna;u1;a@x\n;\"C;D\";u2;\n".encode("utf-8"))
    diags = Diagnostics()
    students = read_roster(path, diags)
    assert not diags.items
    assert [(s.id, s.name, s.section, s.line) for s in students] == [("u1", "Bé, Anna", "A", 2), ("u2", "C;D", "", 3)]


def test_no_secret_or_a_short_one_is_an_error(built, tmp_path, monkeypatch, capsys):
    book, _ = built
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    monkeypatch.delenv("PRESS_STAMP_SECRET", raising=False)
    argv = ["stamp", str(book), "--roster", str(tmp_path / "roster.csv"), "--out", str(tmp_path / "out")]
    assert main(argv) == 1 and "E162" in capsys.readouterr().err
    monkeypatch.setenv("PRESS_STAMP_SECRET", "short")
    assert main(argv) == 1 and "E162" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_the_secret_from_the_environment_gives_the_ids_of_the_same_secret_in_a_file(tmp_path, monkeypatch):
    from pipeline.copies.ids import read_secret

    (tmp_path / "secret").write_text(SECRET + "\n", encoding="utf-8")
    monkeypatch.setenv("PRESS_STAMP_SECRET", SECRET)
    assert read_secret(None, Diagnostics()) == read_secret(tmp_path / "secret", Diagnostics()) == SECRET.encode()


def test_a_stamp_text_printing_names_needs_names(built, tmp_path):
    book, base = built
    own = tmp_path / "book"
    shutil.copytree(book, own)
    yaml = (own / "book.yaml").read_text(encoding="utf-8")
    (own / "book.yaml").write_text(yaml + 'stamp:\n  text: "{name}, {copy}: {title}"\n', encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    (tmp_path / "secret").write_text(SECRET, encoding="utf-8")
    with pytest.raises(ManuscriptError) as error:
        stamp(own, tmp_path / "roster.csv", tmp_path / "out", edition=EDITION, secret_file=tmp_path / "secret")
    assert [d.code for d in error.value.diagnostics] == ["E163"]
    assert not (tmp_path / "out").exists()


def test_a_stamp_text_with_a_value_press_does_not_fill_is_placed(manuscript):
    from pipeline.load import load_book

    root = manuscript('title: T\ndocuments: [d.md]\nstamp:\n  text: "Copy {copy} for {student}"\n',
                      {"d.md": "---\nnumber: 1\ntitle: D\n---\nText.\n"})
    with pytest.raises(ManuscriptError) as error:
        load_book(root)
    assert [(d.code, d.line) for d in error.value.diagnostics] == [("E108", 4)]


def test_crash_logs_keep_roster_values_out(tmp_path, monkeypatch):
    from pipeline import crash

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    crash.keep_out(["Quirinal Abernethy-Voss", "u-48213907"])
    try:
        raise ValueError("no copy for Quirinal Abernethy-Voss (u-48213907)")
    except ValueError:
        log = crash.write_crash_log(["stamp", "--roster", "r.csv"])
    text = log.read_text(encoding="utf-8")
    assert "Quirinal" not in text and "u-48213907" not in text and "[private]" in text
    os.unlink(log)


def test_a_name_the_fonts_cannot_print_is_an_error_at_its_roster_line(built, tmp_path):
    roster = ROSTER + "u-70000001,王小明,w@example.edu,Q7\n"
    with pytest.raises(ManuscriptError) as error:
        _run(built, tmp_path, names=True, roster=roster)
    problems = error.value.diagnostics
    assert {d.code for d in problems} == {"E200"} and {d.line for d in problems} == {5}
    assert all("王" not in d.message or "U+738B" in d.message for d in problems)
    assert not (tmp_path / "out" / "copies").exists()


def test_stamp_builds_the_book_first_when_its_files_are_missing(manuscript, tmp_path):
    root = manuscript("title: Small\nyear: 2025\ndocuments: [d.md]\neditions:\n  c:\n    title: Small Class\n    documents: [1]\n",
                      {"d.md": "---\nnumber: 1\ntitle: D\nsource: \"Source: S.\"\ncopyright: © C, 2020\n---\nText.\n"})
    (tmp_path / "roster.csv").write_text("id;name\nx1;A\n", encoding="utf-8")
    (tmp_path / "secret").write_text(SECRET, encoding="utf-8")
    result = stamp(root, tmp_path / "roster.csv", tmp_path / "out", edition="c", secret_file=tmp_path / "secret")
    assert result.built and (tmp_path / "out" / "small-c-screen.pdf").is_file()
    assert result.folder == tmp_path / "out" / "copies" / "small-c"
    again = stamp(root, tmp_path / "roster.csv", tmp_path / "out", edition="c", secret_file=tmp_path / "secret")
    assert not again.built  # the built files are newer than the manuscript
    assert (again.folder / f"{again.copies[0]}.pdf").read_bytes() == (result.folder / f"{result.copies[0]}.pdf").read_bytes()
