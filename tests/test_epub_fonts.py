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
