"""Prepress: what a printer or a copy shop needs beside the print PDF.

The cover (``cover.py``: back, spine and front on one sheet, its spine as thick as the book) and
the imposed sheets (``impose.py``: the print pages two up, in the order that folds into the
book). Both read the print book as laid out or bound, so this stage sits above ``bind``.
"""
