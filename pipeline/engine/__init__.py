"""The engine stage: the only package that touches WeasyPrint.

HTML and CSS in, laid-out pages out (``compose``), and the laid-out pages painted as PDF
(``paint``), with what press does between the two in the pages themselves: paragraph numbers
moved to the outer margin (``margins``), print colours turned into screen ones (``screen``),
images separated for print (``separation``, through the confined ``fetch``er), printer's marks
(``marks``). What press reads off the laid-out pages (where each page begins, which anchor is
on which page, what overflows) is read here too (``pagemap``, ``boxes``, ``inspect``), so the
rest of press sees plain data. WeasyPrint's private API is read in ``boxes``; ``links`` sets
links on laid-out lines, and ``columns`` takes the place of the engine's multi-column layout
where a page is full (installed here, for every layout press makes).
"""

from __future__ import annotations

from pipeline.engine import columns
from pipeline.engine.boxes import ENGINE_VERSION

columns.install()

__all__ = ["ENGINE_VERSION"]
