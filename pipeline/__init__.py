"""press: typesets readers of historical documents into a print PDF and an EPUB.

The stages live in sub-packages named after them: ``load`` (manuscript -> model),
``transforms`` (model -> model), ``render`` (model -> HTML) and ``write`` (HTML -> PDF, EPUB).
``build.build`` runs them in order.
"""

__version__ = "0.1.0"
