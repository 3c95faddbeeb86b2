"""Bad input, hostile input and failure: one test per case, each expecting a clear, placed message."""

from __future__ import annotations

import pytest

from pipeline.build import build
from pipeline.cli import main
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.load import load_book
from pipeline.engine.fetch import LocalFetcher
from tests.conftest import output_bytes

BOOK = "title: T\ndocuments: [a.md]\n"
DOC = "---\nnumber: 1\ntitle: A\n---\nSome text.\n"


def problems(root):
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    return err.value.diagnostics


def test_tabs_in_yaml_say_so(manuscript):
    (d,) = problems(manuscript("title: T\ndocuments:\n\t- a.md\n", {"a.md": DOC}))
    assert d.code == "E101" and d.loc.line == 3 and "tabs" in d.hint


def test_duplicate_keys(manuscript):
    (d,) = problems(manuscript("title: T\ntitle: U\ndocuments: [a.md]\n", {"a.md": DOC}))
    assert d.code == "E102" and "given twice" in d.message and d.loc.line == 2


def test_unknown_key_suggests_the_near_one(manuscript):
    (d,) = problems(manuscript("title: T\npublsher: P\ndocuments: [a.md]\n", {"a.md": DOC}))
    assert d.code == "E102" and d.hint == "did you mean 'publisher'?"


def test_document_listed_twice(manuscript):
    (d,) = problems(manuscript("title: T\ndocuments: [a.md, ./a.md]\n", {"a.md": DOC}))
    assert d.code == "E109" and d.loc.line == 2


def test_empty_document_is_a_warning(manuscript):
    diags = Diagnostics()
    load_book(manuscript(BOOK, {"a.md": "---\nnumber: 1\ntitle: A\n---\n\n"}), diags)
    assert [d.code for d in diags.items] == ["W114"]


def test_non_utf8_names_file_and_byte(manuscript):
    root = manuscript(BOOK, {"a.md": DOC})
    (root / "a.md").write_bytes(b"---\nnumber: 1\ntitle: Caf\xe9\n---\nText.\n")
    (d,) = problems(root)
    assert d.code == "E113" and d.loc.file.endswith("a.md") and d.loc.line == 3 and "byte 24 (0xe9)" in d.message


def test_bom_and_crlf_are_accepted(manuscript):
    root = manuscript(BOOK, {"a.md": DOC})
    (root / "book.yaml").write_bytes(b"\xef\xbb\xbf" + BOOK.replace("\n", "\r\n").encode())
    (root / "a.md").write_bytes(("\ufeff" + DOC + "\nSecond paragraph.\n").replace("\n", "\r\n").encode())
    book = load_book(root)
    assert book.title == "T" and len(book.documents[0].body) == 2
    assert book.documents[0].body[1].loc.line == 7


def test_images_are_reported_not_silently_dropped(manuscript, tmp_path):
    text = DOC + "\n![A map](maps/missing.png) and ![noise](/dev/urandom) and ![pw](/etc/passwd)\n"
    result = build(manuscript(BOOK, {"a.md": text}), tmp_path / "o", formats=("epub",))
    assert [d.code for d in result.diagnostics.items if d.code.startswith("W1")] == ["W110"] * 3


def test_missing_font_file(tmp_path):
    from pipeline.checks.glyphs import check_fonts
    from pipeline.styles import STYLES

    (tmp_path / "css").mkdir()
    (tmp_path / "fonts").mkdir()
    (tmp_path / "css" / "fonts.css").write_text((STYLES / "css" / "fonts.css").read_text())
    for face in ("Regular", "Italic", "Bold"):
        src = STYLES / "fonts" / f"GentiumBookPlus-{face}.ttf"
        (tmp_path / "fonts" / src.name).write_bytes(src.read_bytes())
    diags = Diagnostics()
    assert check_fonts(None, diags, tmp_path / "css" / "fonts.css") is False
    (d,) = diags.items
    assert d.code == "E202" and "GentiumBookPlus-BoldItalic.ttf" in d.message


def test_a_paragraph_of_100000_words_is_refused_quickly(manuscript):
    (d,) = problems(manuscript(BOOK, {"a.md": DOC + "\n" + "word " * 100_000 + "\n"}))
    assert d.code == "E115" and "100,000 words" in d.message and d.loc.line == 7


def test_5000_documents_are_refused_quickly(manuscript):
    listing = "title: T\ndocuments:\n" + "".join(f"  - d{i}.md\n" for i in range(5000))
    (d,) = problems(manuscript(listing, {}))
    assert d.code == "E115" and "5,000 documents" in d.message


def test_output_folder_that_cannot_be_written(manuscript, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["build", str(manuscript(BOOK, {"a.md": DOC})), "--out", str(blocker / "out"), "-q"]) == 1
    err = capsys.readouterr().err
    assert "E117" in err and "cannot write the outputs" in err and "Traceback" not in err


def test_paths_outside_the_manuscript_are_refused(manuscript):
    found = problems(manuscript("title: T\ncover: ../../etc/hostname\ndocuments: [../outside.md]\n", {}))
    assert sorted(d.code for d in found) == ["E116", "E116"]


def test_yaml_python_tags_are_not_executed(manuscript, tmp_path):
    marker = tmp_path / "executed"
    book = f"title: !!python/object/apply:os.system ['touch {marker}']\ndocuments: [a.md]\n"
    found = problems(manuscript(book, {"a.md": DOC}))
    assert [d.code for d in found] == ["E103"]
    assert not marker.exists()


def test_hostile_links_and_html_reach_no_output(manuscript, tmp_path):
    text = DOC + (
        "\n<link rel=attachment href=file:///etc/passwd> <script>alert(1)</script>"
        " <a href=x onclick=alert(1)>x</a> [run](javascript:alert(1)) [pw](file:///etc/passwd)\n"
    )
    result = build(manuscript(BOOK, {"a.md": text}), tmp_path / "o")
    import zipfile

    for name, data in output_bytes(result.outputs).items():
        assert b"root:x:0:0" not in data, name
        if name.endswith(".html"):  # the web edition's pages
            page = data.decode()
            assert "<script>" not in page and "onclick=" not in page.replace("onclick=alert(1)&gt;", "")
            assert 'href="javascript:' not in page and 'href="file:' not in page
            assert "&lt;script&gt;" in page or not name.endswith("doc1.html")
    for path in result.outputs:
        if path.suffix == ".epub":
            with zipfile.ZipFile(path) as z:
                chapter = z.read("EPUB/doc-1.xhtml").decode()
            assert "<script" not in chapter and "onclick=" not in chapter.replace("onclick=alert(1)&gt;", "")
            assert 'href="javascript:' not in chapter
            assert "&lt;script&gt;" in chapter


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "file:///dev/urandom", "http://127.0.0.1:9/x.css", "data:text/css,p{}"],
)
def test_fetcher_serves_only_files_inside_its_folders(tmp_path, url):
    fetcher = LocalFetcher([tmp_path])
    with pytest.raises(ValueError):
        fetcher.fetch(url)


def test_fetcher_refuses_escapes_with_dot_dot(tmp_path):
    (tmp_path / "book").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    fetcher = LocalFetcher([tmp_path / "book"])
    with pytest.raises(ValueError):
        fetcher.fetch((tmp_path / "book").as_uri() + "/../secret.txt")
    (tmp_path / "book" / "ok.css").write_text("p {}")
    assert fetcher.fetch((tmp_path / "book" / "ok.css").as_uri()).read() == b"p {}"


def test_a_crash_writes_a_log_and_says_where(monkeypatch, tmp_path, capsys, manuscript):
    import pipeline.cli as cli

    def boom(*args, **kwargs):
        raise RuntimeError("something press did not expect")

    monkeypatch.setattr(cli, "build", boom)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert main(["build", str(manuscript(BOOK, {"a.md": DOC})), "-q"]) == 3
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" in err
    (log,) = (tmp_path / "cache" / "press").glob("crash-*.log")
    text = log.read_text()
    assert "weasyprint: 70.0" in text and "RuntimeError: something press did not expect" in text
    with pytest.raises(RuntimeError):
        main(["--traceback", "build", str(manuscript(BOOK, {"a.md": DOC})), "-q"])


def test_layout_warnings_name_the_stylesheet(manuscript, tmp_path):
    root = manuscript(BOOK, {"a.md": DOC, "styles/book.css": "p { colour: red; }\n"})
    result = build(root, tmp_path / "o", formats=("pdf",))
    (d,) = [d for d in result.diagnostics.items if d.code.startswith("W2")]
    assert d.code == "W201" and d.loc.file.endswith("styles/book.css") and "colour" in d.message


def test_a_cmyk_gradient_in_the_book_css_is_reported_at_its_line(manuscript, tmp_path):
    """WeasyPrint 70 draws gradients in sRGB and fails at a device-CMYK stop: press names the line
    instead of ending with an internal error."""
    css = ("/* linear-gradient(device-cmyk(0 0 0 1), white) in a comment is not drawn */\n"
           ".body {\n  background-image: linear-gradient(\n    device-cmyk(0 0 0 0.1),\n    device-cmyk(0 0.5 0 0));\n}\n"
           "h1 { background: radial-gradient(rgb(250 250 250), white); }\n"
           "h2 { background: repeating-linear-gradient(white, DEVICE-CMYK(0 0 0 1) 10%); }\n")
    root = manuscript(BOOK, {"a.md": DOC, "styles/book.css": css})
    with pytest.raises(ManuscriptError) as err:
        build(root, tmp_path / "out")
    found = [(d.code, d.loc.file.endswith("styles/book.css"), d.loc.line) for d in err.value.diagnostics]
    assert found == [("E121", True, 3), ("E121", True, 8)]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_hostile_book_css_full_of_gradients_is_read_in_one_pass(manuscript, tmp_path):
    """A megabyte of unclosed gradients (each one's span reaching the end of the text) is read in
    one pass, not once per gradient, and each line is named once."""
    from pipeline.styles import MAX_STYLESHEET_BYTES

    css = "a{b:linear-gradient(" * ((MAX_STYLESHEET_BYTES - 100) // 20) + "\ndevice-cmyk(0 0 0 1)\n"
    root = manuscript(BOOK, {"a.md": DOC, "styles/book.css": css})
    with pytest.raises(ManuscriptError) as err:
        load_book(root)
    assert [(d.code, d.loc.line) for d in err.value.diagnostics] == [("E121", 1)]
