"""The layout stage: the book's HTML laid out by WeasyPrint into pages, and what is read off them.

``compose`` runs WeasyPrint once; ``margins.place_numbers_outside`` then moves each recto's
paragraph numbers to the outer margin inside the laid-out pages (no second layout), and
``pages`` reads which page each anchor landed on. The PDF writer only paints the result.
"""
