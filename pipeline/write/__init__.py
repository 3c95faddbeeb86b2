"""The write stage: HTML -> files. ``pdf`` lays the book out with WeasyPrint, ``epub`` packs it."""
