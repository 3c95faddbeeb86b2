"""The layout stage: planning and scheduling the print book's parts, and the folio layer over them.

``book.lay_out_book`` is the one verb: the parts (the front matter and each document) are
scheduled (``scheduler``) and laid out (``parts``, through the engine) in worker processes,
taken from the cache (``cache``) when unchanged; the folio layer (``folios``) draws the folios
once the pagination is known. ``plan`` holds the data they share; ``context.LayoutJob`` what
they all need. Nothing here touches WeasyPrint itself: ``pipeline/engine`` does.
"""
