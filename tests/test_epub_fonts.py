"""The EPUB's faces are cut to the characters it uses, and still draw every one of them."""

from __future__ import annotations

import io
import re
import zipfile

from fontTools.ttLib import TTFont

from pipeline.styles import font_files


def test_the_epub_faces_are_subset_and_cover_the_text(sample_build):
    epub = next(p for p in sample_build.outputs if p.suffix == ".epub")
    with zipfile.ZipFile(epub) as z:
        text = "".join(re.sub(r"<[^>]+>", "", z.read(n).decode()) for n in z.namelist() if n.endswith(".xhtml"))
        fonts = {n: z.read(n) for n in z.namelist() if n.endswith(".ttf")}
    assert len(fonts) == len(font_files())
    whole = sum(p.stat().st_size for p in font_files())
    assert sum(len(f) for f in fonts.values()) < whole / 5
    used = {ord(c) for c in text if not c.isspace()}
    for name, data in fonts.items():
        font = TTFont(io.BytesIO(data))
        assert used <= set(font.getBestCmap()), name
        assert "smcp" in {r.FeatureTag for r in font["GSUB"].table.FeatureList.FeatureRecord}  # small capitals kept
        assert "Silf" not in font


def test_a_rebuild_reads_the_subsets_kept_and_never_a_damaged_one(manuscript, tmp_path, monkeypatch):
    """fontTools reads every layout table of a face to subset it: a rebuild whose text has the same
    characters takes the subsets kept in the cache, checked whole; a damaged one is made again."""
    import pipeline.fonts
    from pipeline.build import build

    root = manuscript("title: Faces\ndocuments: [a.md]\n", {"a.md": "---\nnumber: 1\ntitle: A\n---\nOne paragraph.\n"})

    def faces():
        with zipfile.ZipFile(tmp_path / "out" / "faces.epub") as z:
            return {n: z.read(n) for n in z.namelist() if n.startswith("EPUB/fonts/")}

    build(root, tmp_path / "out", formats=("epub",))
    first = faces()
    kept = sorted((tmp_path / "out" / ".press-cache" / "fonts").iterdir())
    assert len(kept) == len(first) == 4
    real = pipeline.fonts._subset
    made: list[str] = []
    monkeypatch.setattr(pipeline.fonts, "_subset", lambda path, *args: made.append(path.name) or real(path, *args))
    build(root, tmp_path / "out", formats=("epub",))
    assert made == [] and faces() == first
    kept[0].write_bytes(kept[0].read_bytes()[:1000])  # damaged: cut short
    build(root, tmp_path / "out", formats=("epub",))
    assert len(made) == 1 and faces() == first
    (root / "a.md").write_text("---\nnumber: 1\ntitle: A\n---\nOne paragraph, and a quotation: «Zut».\n")
    build(root, tmp_path / "out", formats=("epub",))
    assert len(made) == 5 and faces() != first  # new characters: every face cut again
    assert len(list((tmp_path / "out" / ".press-cache" / "fonts").iterdir())) == 4  # the older ones gone
