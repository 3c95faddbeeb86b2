"""Checks on the finished model that stop a build before anything is laid out (glyph coverage,
cross-references). Checks on the written PDF belong to the binder (``bind/pdfx.py``)."""
