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
