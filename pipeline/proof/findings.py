"""Preflight findings: diagnostics placed in the book (document, paragraph) and on the page."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from pipeline.diagnostics import CODES, Diagnostic
from pipeline.model import Book


@dataclass(frozen=True)
class Finding:
    """One thing an editor should look at before the printer does."""

    code: str
    message: str
    hint: str | None = None
    document: int | None = None
    paragraph: str | None = None  # the id of the paragraph or heading, when there is one
    page: str | None = None  # the printed page label
    file: str | None = None
    line: int | None = None
    box: tuple[float, float, float, float] | None = None  # x, y, width, height on the page, in pt

    @property
    def severity(self) -> str:
        return CODES[self.code][0]

    def as_json(self) -> dict:
        data = {"severity": self.severity, **asdict(self)}
        data["box"] = list(self.box) if self.box else None
        return data

    def format(self) -> str:
        where = []
        if self.document is not None:
            where.append(f"Doc. {self.document}")
        if self.paragraph:
            where.append(self.paragraph)
        if self.page:
            where.append(f"p. {self.page}")
        place = f"{self.file}:{self.line}: " if self.file and self.line else ""
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{place}{self.severity}[{self.code}] {', '.join(where)}: {self.message}{hint}"


def from_diagnostic(book: Book, diagnostic: Diagnostic) -> Finding:
    """A loader or check diagnostic, placed in its document by the file it names."""
    document = next((d.number for d in book.documents if d.loc.file == diagnostic.loc.file), None)
    return Finding(
        code=diagnostic.code,
        message=diagnostic.message,
        hint=diagnostic.hint,
        document=document,
        file=diagnostic.loc.file,
        line=diagnostic.loc.line or None,
    )
