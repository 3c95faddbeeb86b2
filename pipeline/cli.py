"""The ``press`` command. ``main(argv) -> int``: 0 built, 1 manuscript problem, 2 usage error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.build import FORMATS, build
from pipeline.diagnostics import ManuscriptError
from pipeline.load import load_book

EXIT_OK, EXIT_MANUSCRIPT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors; keep that, with our wording
        self.print_usage(sys.stderr)
        print(f"press: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(FORMATS)}")
    return chosen


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="press", description="Typeset a reader of documents into a print PDF and an EPUB.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = commands.add_parser("build", help="build the PDF and the EPUB")
    b.add_argument("book_dir", nargs="?", default="manuscript", type=Path, help="manuscript folder (default: manuscript)")
    b.add_argument("--out", default="dist", type=Path, help="output folder (default: dist)")
    b.add_argument("--format", default=",".join(FORMATS), type=_formats, help="pdf, epub or pdf,epub (default)")
    b.add_argument("--edition", metavar="NAME", help="build one class edition from book.yaml's editions, or 'all' of them")
    b.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    progress = (lambda m: None) if args.quiet else (lambda m: print(m, file=sys.stderr))
    try:
        editions: list[str | None] = [args.edition]
        if args.edition == "all":
            editions = [e.name for e in load_book(args.book_dir).editions]
            if not editions:
                print("press: book.yaml defines no editions", file=sys.stderr)
                return EXIT_MANUSCRIPT
        for edition in editions:
            result = build(args.book_dir, args.out, args.format, progress, edition=edition)
            result.diagnostics.report()
            for path in result.outputs:
                print(path)
    except ManuscriptError as exc:
        for d in exc.diagnostics:
            print(d.format(), file=sys.stderr)
        print(f"press: {len(exc.diagnostics)} problem(s); nothing was written", file=sys.stderr)
        return EXIT_MANUSCRIPT
    return EXIT_OK
