"""The ``press`` command. ``main(argv) -> int``: 0 built, 1 manuscript problem, 2 usage error,
3 press itself failed (a crash log is written; ``--traceback`` shows the traceback instead)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from pipeline.build import ALL_FORMATS, FORMATS, build, print_pdf_is_current
from pipeline.catalogue import build_catalogue, merge_manifests, parse_shard
from pipeline.copies import stamp
from pipeline.copies.identify import identify
from pipeline.crash import write_crash_log
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.events import Event, PartLaidOut
from pipeline.files import write_json as write_json_report
from pipeline.forked import available_memory, max_workers
from pipeline.intake import import_word
from pipeline.licences import APPLICATION_LICENCE, OWN_LICENCE, components, markdown_table
from pipeline.load import load_book
from pipeline.load.printsettings import LAYOUTS, SHEET_SIZES, parse_creep, parse_sheet
from pipeline.model import SourceLoc
from pipeline.prepress.impose import impose
from pipeline.progress import describe, lines, reporter
from pipeline.proof.corrections import write_corrections
from pipeline.proof.diff import diff_pdfs
from pipeline.proof.make import check, has_errors, proof
from pipeline.proof.watch import watch
from pipeline.session import Stopped, private_tempdir, stopping_on_signals
from pipeline.skeleton import new_manuscript
from pipeline.web.serve import serve

EXIT_OK, EXIT_MANUSCRIPT, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 on usage errors; keep that, with our wording
        self.print_usage(sys.stderr)
        print(f"press: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _shard(value: str) -> tuple[int, int]:
    try:
        return parse_shard(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _formats(value: str) -> tuple[str, ...]:
    chosen = tuple(v.strip() for v in value.split(",") if v.strip())
    unknown = [v for v in chosen if v not in ALL_FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(ALL_FORMATS)}")
    return chosen


#: The largest --jobs taken at all; anything up to it is capped at what the machine can run (forked.max_workers).
MAX_JOBS = 9999


def _document_number(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) <= 6) or int(value) < 1:
        raise argparse.ArgumentTypeError(f"--number takes a document's number, 1 or more, not {value!r}")
    return int(value)


def _port(value: str) -> int:
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise argparse.ArgumentTypeError(f"--port takes a port number, 1 to 65535, not {value!r}")
    return int(value)


def _jobs(value: str) -> int:
    """--jobs N: a whole number of processes; 0, a negative number or one of 20 digits is E125 (exit 1),
    and a number above what the machine can run is brought down to it, saying so."""
    # ASCII digits, few of them, before int(): int() refuses 4,301 digits and reads "²" as a digit
    if not (value.isascii() and value.isdigit() and len(value) <= len(str(MAX_JOBS))) or not 1 <= int(value) <= MAX_JOBS:
        diags = Diagnostics()
        diags.add("E125", SourceLoc("command line"), f"--jobs takes a whole number of processes from 1 to {MAX_JOBS}, not {value!r}",
                  "leave --jobs out to use one process per core")
        raise ManuscriptError(diags.errors)
    jobs, most = int(value), max_workers()
    if jobs > most:
        print(f"press: --jobs {jobs} is more than this machine can run at once "
              f"({os.cpu_count() or 1} cores, {available_memory() // 2**20} MB free); using {most}", file=sys.stderr)
    return min(jobs, most)
def _sheet(value: str) -> tuple[float, float]:
    size = parse_sheet(value)
    if size is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a sheet; use {', '.join(SHEET_SIZES)} or a size like 320x450mm")
    return size


def _creep(value: str) -> float:
    creep = parse_creep(value)
    if creep is None:
        raise argparse.ArgumentTypeError(f"{value!r} is not a creep; give a length up to 0.25in, e.g. 0.5mm, or 0")
    return creep


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="press", description="Typeset a reader of documents into a print PDF and an EPUB.")
    parser.add_argument("--traceback", action="store_true", help="show Python's traceback when press itself fails")
    parser.add_argument("--version", action="version", version=f"press {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    b = commands.add_parser("build", help="build the PDF and the EPUB")
    b.add_argument("book_dir", nargs="?", default="manuscript", type=Path, help="manuscript folder (default: manuscript)")
    b.add_argument("--out", default="dist", type=Path, help="output folder (default: dist)")
    b.add_argument("--format", default=",".join(FORMATS), type=_formats,
                   help="any of pdf, epub, web and cover (the printed cover), joined by commas (default: pdf,epub,web)")
    b.add_argument("--edition", metavar="NAME", help="build one class edition from book.yaml's editions, or 'all' of them")
    b.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    b.add_argument("--jobs", "-j", default=None, metavar="N",
                   help="lay documents out in N processes (default: one per core)")
    b.add_argument("--no-cache", dest="cache", action="store_false",
                   help="lay every document out again, ignoring what DIR/.press-cache holds")

    pr = commands.add_parser("proof", help="proof PDF, proof sheet, preflight and page drift into DIR/proof/")
    pr.add_argument("book_dir", nargs="?", default="manuscript", type=Path)
    pr.add_argument("--out", default="dist", type=Path)
    pr.add_argument("--quiet", "-q", action="store_true")
    pr.add_argument("--jobs", "-j", default=None, metavar="N", help="processes (default: one per core)")

    c = commands.add_parser("check", help="manuscript checks and preflight, writing nothing")
    c.add_argument("book_dir", nargs="?", default="manuscript", type=Path)
    c.add_argument("--strict", action="store_true", help="treat warnings as errors")
    c.add_argument("--out", default="dist", type=Path, help="output folder whose cache to read (default: dist); nothing is written")
    c.add_argument("--quiet", "-q", action="store_true")
    c.add_argument("--jobs", "-j", default=None, metavar="N", help="processes (default: one per core)")

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

    im = commands.add_parser("import", help="a Word file (.docx) becomes a document of the manuscript")
    im.add_argument("file", type=Path, help="the .docx file")
    im.add_argument("--into", default="manuscript", type=Path, metavar="BOOK_DIR", help="the manuscript (default: manuscript)")
    im.add_argument("--number", type=_document_number, default=None, metavar="N", help="its number (default: one more than the highest)")
    im.add_argument("--dry-run", action="store_true", help="print the document and the report; change nothing")
    im.add_argument("--out", default="dist", type=Path, help="where the report goes, as DIR/imports/<number>.json")

    co = commands.add_parser("corrections", help="a proof-reader's marks on the proof, print or screen PDF, each at its manuscript line")
    co.add_argument("marked", type=Path, help="the marked copy of the proof, print or screen PDF")
    co.add_argument("book_dir", nargs="?", default="manuscript", type=Path)
    co.add_argument("--out", default="dist", type=Path, help="the folder press proof wrote into (default: dist)")

    li = commands.add_parser("licences", help="the licences of press and of every package it runs with")
    li.add_argument("--markdown", action="store_true", help="as LICENCES.md (press licences --markdown > LICENCES.md)")

    im = commands.add_parser("impose", help="the built print PDF on sheets that fold into the book (DIR/<slug>-imposed.pdf)")
    im.add_argument("book_dir", nargs="?", default="manuscript", type=Path, help="manuscript folder (default: manuscript)")
    im.add_argument("--out", default="dist", type=Path, help="the folder the print PDF was built into (built there first when it is "
                    "missing or older than the manuscript), and the imposed one goes (default: dist)")
    im.add_argument("--edition", metavar="NAME", help="impose that class edition's print PDF")
    im.add_argument("--layout", choices=LAYOUTS, help="booklet (saddle stitch) or signatures of print.signature pages "
                    "(default: print.imposition.layout, else booklet up to 64 pages)")
    im.add_argument("--sheet", type=_sheet, metavar="SIZE", help=f"{', '.join(SHEET_SIZES)} or a size like 320x450mm "
                    "(default: the smallest of them that holds two pages with bleed and marks)")
    im.add_argument("--creep", type=_creep, metavar="LENGTH", help="how far the innermost sheet's pages move toward the fold, "
                    "e.g. 0.5mm (default: print.imposition.creep, else 0)")
    im.add_argument("--quiet", "-q", action="store_true")

    st = commands.add_parser("stamp", help="a stamped copy of the screen PDF and the EPUB for every student of a roster")
    st.add_argument("book_dir", nargs="?", default="manuscript", type=Path, help="manuscript folder (default: manuscript)")
    st.add_argument("--roster", required=True, type=Path, help="the class's CSV file: id, name[, email, section]")
    st.add_argument("--edition", metavar="NAME", help="stamp copies of this class edition")
    st.add_argument("--out", default="dist", type=Path, help="output folder (default: dist); copies go to DIR/copies/<slug>/")
    st.add_argument("--secret-file", type=Path, default=None, metavar="FILE",
                    help="the press's stamping secret (default: the PRESS_STAMP_SECRET variable)")
    st.add_argument("--names", action="store_true", help="print each student's name on the copy (default: the copy id only)")
    st.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="processes (default: one per core)")
    st.add_argument("--quiet", "-q", action="store_true", help="print only problems")

    idf = commands.add_parser("identify", help="whose stamped copy a PDF or EPUB is")
    idf.add_argument("copy", type=Path, help="the copy (a PDF or an EPUB press stamp made)")
    idf.add_argument("--roster", required=True, type=Path, help="the roster the copies were stamped from")
    idf.add_argument("--secret-file", type=Path, default=None, metavar="FILE",
                     help="the stamping secret (default: the PRESS_STAMP_SECRET variable)")

    ca = commands.add_parser("catalogue", help="every book, edition and roster of a term, on one machine or many")
    cat = ca.add_subparsers(dest="catalogue_command", required=True, parser_class=_Parser)
    cb = cat.add_parser("build", help="build the catalogue (or one shard of it) into DIR, with DIR/manifest.json")
    cb.add_argument("catalogue", type=Path, help="the catalogue file (YAML)")
    cb.add_argument("--out", default="dist", type=Path, help="output folder (default: dist); each book in DIR/<book>/")
    cb.add_argument("--jobs", "-j", type=_jobs, default=None, metavar="N", help="processes per book (default: one per core)")
    cb.add_argument("--shard", type=_shard, default=None, metavar="I/N", help="build shard I (from 0) of N")
    cb.add_argument("--balance-from", type=Path, default=None, metavar="MANIFEST",
                    help="deal the shards by the pages of a former run's manifest")
    cb.add_argument("--secret-file", type=Path, default=None, metavar="FILE",
                    help="the stamping secret for the rosters (default: the PRESS_STAMP_SECRET variable)")
    cb.add_argument("--quiet", "-q", action="store_true", help="print only problems")
    cm = cat.add_parser("merge", help="join the shards' manifests into DIR/manifest.json")
    cm.add_argument("manifests", type=Path, nargs="+", help="every shard's manifest")
    cm.add_argument("--out", default="dist", type=Path, help="where manifest.json goes (default: dist)")

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
        # SIGTERM and SIGHUP unwind like Ctrl-C (workers stopped, temporary files removed)
        if getattr(args, "jobs", None) is not None:
            args.jobs = _jobs(args.jobs)
        with stopping_on_signals(), private_tempdir():
            if args.command in ("watch", "serve"):  # run for hours: a line per event, no bars
                return COMMANDS[args.command](args, lines)
            with reporter(quiet) as progress:
                return COMMANDS[args.command](args, progress)
    except ManuscriptError as exc:
        for d in exc.diagnostics:
            print(d.format(), file=sys.stderr)
        print(f"press: {len(exc.diagnostics)} problem(s); nothing was written", file=sys.stderr)
        return EXIT_MANUSCRIPT
    except KeyboardInterrupt as exc:
        print("press: interrupted; earlier outputs are untouched", file=sys.stderr)
        return 128 + (exc.signum if isinstance(exc, Stopped) else signal.SIGINT)
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
        if not args.quiet:  # a report, not a problem: --quiet prints only problems
            for note in result.notes:
                print(f"press: {note}", file=sys.stderr)
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
    except KeyboardInterrupt as exc:
        if isinstance(exc, Stopped):  # Ctrl-C is how one leaves watch; a signal is reported as one
            raise
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


def _import(args, progress) -> int:
    report, text = import_word(args.file, args.into, args.number, args.dry_run)
    if args.dry_run:
        print(text, end="")
    else:
        (args.out / "imports").mkdir(parents=True, exist_ok=True)
        write_json_report(args.out / "imports" / f"{report.number:02d}.json", report.as_json(), indent=2)
        print(args.into / report.document)
    say = lambda line: print(line, file=sys.stderr)  # noqa: E731
    say(f"press: Document No. {report.number}, '{report.title}': {report.numbered_paragraphs} numbered paragraphs, "
        f"{report.footnotes} footnotes, {len(report.images)} images")
    if report.speakers:
        say(f"  speakers found: {', '.join(report.speakers)} (check them: every paragraph opening 'Name:' is a turn)")
    if report.renamed_speakers:
        say(f"  names typed in capitals, written as elsewhere: {', '.join(report.renamed_speakers)}")
    for style, count in report.unknown_styles.items():
        say(f"  style not known to press, set as plain paragraphs: {style} ({count})")
    for what, count in report.dropped.items():
        say(f"  left out: {what} ({count})")
    for warning in report.warnings:
        say("  " + warning)
    return EXIT_OK


def _corrections(args, progress) -> int:
    found, round_, written = write_corrections(args.marked, args.book_dir, args.out)
    for correction in found:
        print(correction.format())
    changed = sum(c.changed_since for c in found)
    print(f"press: {len(found)} correction(s) from the proof of revision {round_.revision}"
          + (f"; {changed} where the text has changed since" if changed else "")
          + f"; written to {' and '.join(str(p) for p in written)}", file=sys.stderr)
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


def _stamp(args, progress) -> int:
    result = stamp(args.book_dir, args.roster, args.out, edition=args.edition, secret_file=args.secret_file,
                   names=args.names, jobs=args.jobs, progress=progress)
    _warnings(result.diagnostics.warnings, args.book_dir)
    print(result.folder)
    # Copy ids only: names and student ids stay off the terminal, which CI keeps as a log.
    print(f"press: {len(result.copies)} copies (PDF and EPUB) in {result.folder}", file=sys.stderr)
    return EXIT_OK


def _identify(args, progress) -> int:
    found, matches = identify(args.copy, args.roster, args.secret_file)
    if not matches:
        print(f"press: copy {', '.join(found)}: no student of {args.roster} has this copy id under this secret",
              file=sys.stderr)
        return EXIT_MANUSCRIPT
    for copy, student in matches:
        print(f"{copy}\t{args.roster}:{student.line}\t{student.id}\t{student.name}")
    return EXIT_OK


def _catalogue(args, progress) -> int:
    if args.catalogue_command == "merge":
        result = merge_manifests(args.manifests, args.out)
    else:
        result = build_catalogue(args.catalogue, args.out, jobs=args.jobs, shard=args.shard,
                                 balance_from=args.balance_from, secret_file=args.secret_file, progress=progress)
    print(result.manifest)
    counts = result.summary
    print(f"press: {counts['built']} output(s) built, {counts['skipped']} unchanged, {counts['failed']} failed"
          + (f": {', '.join(result.failed)}" if result.failed else ""), file=sys.stderr)
    for entry in result.entries:
        if entry["status"] == "failed":
            for problem in entry["problems"][:SHOWN_WARNINGS]:
                print(f"  {entry['book']}: {problem}", file=sys.stderr)
    return EXIT_MANUSCRIPT if result.failed else EXIT_OK


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("press")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


def _impose(args, progress) -> int:
    # A copy shop prints what it is given: the pages must be the manuscript's as it stands now.
    if not print_pdf_is_current(args.book_dir, args.out, args.edition):
        if not args.quiet:
            print("press: the print PDF is missing or older than the manuscript; building it first", file=sys.stderr)
        built = build(args.book_dir, args.out, ("pdf",), progress, edition=args.edition)
        for path in built.outputs:
            print(path)
        _warnings(built.diagnostics.warnings, args.book_dir)
    result = impose(args.book_dir, args.out, edition=args.edition, layout=args.layout, sheet=args.sheet, creep=args.creep)
    sheets = len(result.sides) // 2
    print(result.path)
    print(f"press: {result.pages} pages as {'a booklet' if result.layout == 'booklet' else 'signatures'} "
          f"on {sheets} sheet{'s' if sheets != 1 else ''} of {result.sheet_size[0] / 72:.2f} x {result.sheet_size[1] / 72:.2f} in; "
          "print both sides, flipping on the short edge", file=sys.stderr)
    _warnings(result.diagnostics.warnings, args.book_dir)
    return EXIT_OK


def _diff(args, progress) -> int:
    for path in (args.old, args.new):
        if not path.is_file():
            print(f"press: no such PDF: {path}", file=sys.stderr)
            return EXIT_USAGE
    changes = diff_pdfs(args.old, args.new, args.out)
    print(f"{len(changes)} page(s) differ: {', '.join(str(c.number) for c in changes) or 'none'}")
    print(args.out / "index.html")
    return EXIT_OK


COMMANDS = {"build": _build, "proof": _proof, "check": _check, "watch": _watch, "diff": _diff, "new": _new, "licences": _licences, "import": _import, "corrections": _corrections, "impose": _impose, "stamp": _stamp, "identify": _identify, "catalogue": _catalogue, "serve": _serve}
