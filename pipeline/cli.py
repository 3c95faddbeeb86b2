"""The ``press`` command. ``main(argv) -> int``: 0 built, 1 manuscript problem, 2 usage error,
3 press itself failed (a crash log is written; ``--traceback`` shows the traceback instead)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.build import FORMATS, build
from pipeline.crash import write_crash_log
from pipeline.diagnostics import ManuscriptError
from pipeline.events import Event, PartLaidOut
from pipeline.licences import APPLICATION_LICENCE, OWN_LICENCE, components, markdown_table
from pipeline.load import load_book
from pipeline.progress import describe, lines, reporter
from pipeline.proof.diff import diff_pdfs
from pipeline.proof.make import check, has_errors, proof
from pipeline.proof.watch import watch
from pipeline.skeleton import new_manuscript
from pipeline.web.serve import serve

EXIT_OK, EXIT_MANUSCRIPT, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3


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


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"--port takes a port number, 1 to 65535, not {value!r}")
    return int(value)


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number of processes, 1 or more, not {value!r}")
    return int(value)


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="press", description="Typeset a reader of documents into a print PDF and an EPUB.")
    parser.add_argument("--traceback", action="store_true", help="show Python's traceback when press itself fails")
    parser.add_argument("--version", action="version", version=f"press {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = commands.add_parser("build", help="build the PDF and the EPUB")
    b.add_argument("book_dir", nargs="?", default="manuscript", type=Path, help="manuscript folder (default: manuscript)")
    b.add_argument("--out", default="dist", type=Path, help="output folder (default: dist)")
    b.add_argument("--format", default=",".join(FORMATS), type=_formats, help="any of pdf, epub, web, joined by commas (default: pdf,epub,web)")
    b.add_argument("--edition", metavar="NAME", help="build one class edition from book.yaml's editions, or 'all' of them")
    b.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    b.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N",
                   help="lay documents out in N processes (default: one per core)")
    b.add_argument("--no-cache", dest="cache", action="store_false",
                   help="lay every document out again, ignoring what DIR/.press-cache holds")

    pr = commands.add_parser("proof", help="proof PDF, proof sheet, preflight and page drift into DIR/proof/")
    pr.add_argument("book_dir", nargs="?", default="manuscript", type=Path)
    pr.add_argument("--out", default="dist", type=Path)
    pr.add_argument("--quiet", "-q", action="store_true")
    pr.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="processes (default: one per core)")

    c = commands.add_parser("check", help="manuscript checks and preflight, writing nothing")
    c.add_argument("book_dir", nargs="?", default="manuscript", type=Path)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--out", default="dist", type=Path, help="output folder whose cache to read (default: dist); nothing is written")
    c.add_argument("--quiet", "-q", action="store_true")
    c.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="processes (default: one per core)")

    w = commands.add_parser("watch", help="rebuild the proof whenever a manuscript or style file is saved")
    w.add_argument("book_dir", nargs="?", default="manuscript", type=Path)
    w.add_argument("--out", default="dist", type=Path)
    w.add_argument("--web", action="store_true", help="rebuild the web edition in DIR too")

    s = commands.add_parser("serve", help="serve the web edition on http://127.0.0.1:PORT/ for a look")
    s.add_argument("site", nargs="?", type=Path, help="a site folder (default: the manuscript's in dist/)")
    s.add_argument("--port", type=_port, default=8000, help="the port (default 8000)")
    s.add_argument("--book", default="manuscript", type=Path, help="the manuscript whose site to serve (default: manuscript)")
    s.add_argument("--out", default="dist", type=Path, help="where that site was built (default: dist)")

    n = commands.add_parser("new", help="start a manuscript: a book.yaml and one document that build as they are")
    n.add_argument("folder", type=Path, help="a new or empty folder")

    li = commands.add_parser("licences", help="the licences of press and of every package it runs with")
    li.add_argument("--markdown", action="store_true", help="as LICENCES.md (press licences --markdown > LICENCES.md)")

    d = commands.add_parser("diff", help="which pages of two PDFs differ, side by side")
    d.add_argument("old", type=Path)
    d.add_argument("new", type=Path)
    d.add_argument("--out", default=Path("dist/diff"), type=Path)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = make_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    quiet = getattr(args, "quiet", False)
    try:
        if args.command in ("watch", "serve"):  # run for hours: a line per event, no bars
            return COMMANDS[args.command](args, lines)
        with reporter(quiet) as progress:
            return COMMANDS[args.command](args, progress)
    except ManuscriptError as exc:
        for d in exc.diagnostics:
            print(d.format(), file=sys.stderr)
        print(f"press: {len(exc.diagnostics)} problem(s); nothing was written", file=sys.stderr)
        return EXIT_MANUSCRIPT
    except KeyboardInterrupt:
        print("press: interrupted; earlier outputs are untouched", file=sys.stderr)
        return 130
    except Exception:
        if args.traceback:
            raise
        log = write_crash_log(argv if argv is not None else sys.argv[1:])
        print(f"press: an internal error stopped the build (not a problem in your manuscript); "
              f"details are in {log} — please send that file with your report", file=sys.stderr)
        return EXIT_CRASH


def _build(args, progress) -> int:
    editions: list[str | None] = [args.edition]
    if args.edition == "all":
        editions = [e.name for e in load_book(args.book_dir).editions]
        if not editions:
            print("press: book.yaml defines no editions", file=sys.stderr)
            return EXIT_MANUSCRIPT
    for edition in editions:
        result = build(args.book_dir, args.out, args.format, progress, edition=edition, jobs=args.jobs,
                       use_cache=args.cache)
        for path in result.outputs:
            print(path)
        _warnings(result.diagnostics.warnings, args.book_dir)
    return EXIT_OK


#: A build shows this many warnings and counts the rest; ``press check`` lists them all.
SHOWN_WARNINGS = 10


def _warnings(warnings, book_dir) -> None:
    for warning in warnings[:SHOWN_WARNINGS]:
        print(warning.format(), file=sys.stderr)
    if len(warnings) > SHOWN_WARNINGS:
        print(f"press: {len(warnings)} warnings, the first {SHOWN_WARNINGS} above; "
              f"'press check {book_dir}' lists them all", file=sys.stderr)
    elif warnings:
        print(f"press: {len(warnings)} warning{'s' if len(warnings) > 1 else ''}", file=sys.stderr)


def _report(findings) -> None:
    for finding in findings:
        print(finding.format(), file=sys.stderr)
    errors = sum(f.severity == "error" for f in findings)
    print(f"preflight: {errors} error(s), {len(findings) - errors} warning(s)", file=sys.stderr)


def _proof(args, progress) -> int:
    result = proof(args.book_dir, args.out, progress, jobs=args.jobs)
    _report(result.findings)
    if result.drift is not None:
        print(f"drift: {len(result.drift)} paragraph(s) changed page since the last proof", file=sys.stderr)
        for moved in result.drift[:20]:
            print(f"  {moved['id']}: {moved['old'] or '—'} -> {moved['new'] or 'gone'}", file=sys.stderr)
    print(result.folder / "index.html")
    return EXIT_OK


def _check(args, progress) -> int:
    findings = check(args.book_dir, progress, out_dir=args.out, jobs=args.jobs)
    _report(findings)
    return EXIT_MANUSCRIPT if has_errors(findings, args.strict) else EXIT_OK


def _watch(args, progress) -> int:
    say = lambda m: print(m, file=sys.stderr)  # noqa: E731

    def laid_out(event: Event) -> None:
        """Name the documents laid out again; those taken unchanged from the cache go unsaid."""
        if isinstance(event, PartLaidOut) and not event.cached:
            say("  laid out again: " + describe(event)[0].strip())

    def rebuild() -> None:
        proof(args.book_dir, args.out, laid_out)
        if args.web:  # the layout comes from the cache the proof just filled
            build(args.book_dir, args.out, ("web",))

    try:
        watch(args.book_dir, rebuild, say)
    except KeyboardInterrupt:
        pass
    return EXIT_OK


def _serve(args, progress) -> int:
    site = args.site
    if site is None:
        site = args.out / f"{load_book(args.book).slug}-web"
    if not (site / "index.html").is_file():
        print(f"press: no web edition in {site}; build one with: press build --format web", file=sys.stderr)
        return EXIT_USAGE
    try:
        serve(site, args.port, lambda m: print(m, file=sys.stderr))
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"press: cannot serve on port {args.port}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _new(args, progress) -> int:
    for path in new_manuscript(args.folder):
        print(path)
    print(f"press: a new manuscript in {args.folder}; build it with: press build {args.folder}", file=sys.stderr)
    return EXIT_OK


def _licences(args, progress) -> int:
    found = components()
    if args.markdown:
        print(markdown_table(found), end="")
        return EXIT_OK
    print(f"press's own code: {OWN_LICENCE}; press as installed, with EbookLib: {APPLICATION_LICENCE}")
    for c in found:
        print(f"  {c.name} {c.version}: {c.licence}")
    return EXIT_OK


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("press")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _diff(args, progress) -> int:
    for path in (args.old, args.new):
        if not path.is_file():
            print(f"press: no such PDF: {path}", file=sys.stderr)
            return EXIT_USAGE
    changes = diff_pdfs(args.old, args.new, args.out)
    print(f"{len(changes)} page(s) differ: {', '.join(str(c.number) for c in changes) or 'none'}")
    print(args.out / "index.html")
    return EXIT_OK


COMMANDS = {"build": _build, "proof": _proof, "check": _check, "watch": _watch, "diff": _diff, "new": _new, "licences": _licences,
            "serve": _serve}
