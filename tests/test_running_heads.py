"""Running heads stay on one line: a long title without a short_title is cut, and the preflight says so."""

from __future__ import annotations

import pdfplumber

from pipeline.build import build
from pipeline.proof.make import check
from pipeline.render.running import head_width, running_head

LONG = ("Record of Conversation between the Chairman of the Korvan Sea Conciliation Commission, "
        "A. Kalogeropoulos, and the Head of the Northern Union Delegation, G. M. Osipov, Geneva, 22 June 1980")


def test_a_long_title_is_cut_where_it_reads_well():
    assert head_width(LONG) > 310
    assert running_head(LONG, 310) == "Record of Conversation"
    cut = running_head("Memorandum " * 30, 310)
    assert cut.endswith("…") and head_width(cut) <= 310 and not cut[:-1].endswith(" ")
    assert running_head("Conversation, 22 June 1980", 310) == "Conversation, 22 June 1980"


def test_the_printed_running_head_is_one_line_and_the_preflight_suggests_a_short_title(manuscript, tmp_path):
    body = "\n\n".join("The delegations met again and the talks went on into the night. " * 8 for _ in range(12))
    root = manuscript("title: Heads\nyear: 2025\ndocuments: [a.md]\n",
                      {"a.md": f"---\nnumber: 5\ntitle: \"{LONG}\"\nsource: Archive.\ncopyright: © Someone\n---\n{body}\n"})
    result = build(root, tmp_path / "out", formats=("pdf",))
    pdf = next(p for p in result.outputs if p.name == "heads.pdf")
    with pdfplumber.open(pdf) as doc:
        # the head line of the document's second page (a recto after its opening verso is page 3)
        heads = []
        for page in doc.pages:
            top = [w for w in page.extract_words(extra_attrs=["size"]) if w["size"] < 8.5 and w["top"] < 100]
            if top:
                heads.append({round(w["top"]) for w in top})
    assert heads and all(len(lines) == 1 for lines in heads)  # every running head on one line
    found = [d for d in check(root, out_dir=tmp_path / "out") if d.code == "W121"]
    assert len(found) == 1 and "short_title" in (found[0].hint or "") and found[0].document == 5
