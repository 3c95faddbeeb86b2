"""The benchmark: press's full build against the engine floor and Pandoc, on synthetic readers.

    python3 benchmarks/run.py [--sizes 100,500,1000] [--runs 3] [--out benchmarks/results]

For each size a reader is generated (benchmarks/generate.py) and these are run, each in
a fresh process so that its peak memory can be read alone (``os.wait4``):

- press's full build (print PDF, screen PDF, EPUB), with its per-stage times;
- the engine floor: plain WeasyPrint rendering press's own HTML and stylesheets in one call;
- Pandoc (Debian's ``pandoc``) making an EPUB from the same text;
- this round's stages (the web edition, the cover, the imposed sheets) from the layout in the cache;
- the serial fraction of the build (Karp–Flatt, from the measured speed-up) and what Amdahl's law
  then gives 4, 8 and 16 cores; the memory of the main process and of the largest worker;
- at 500 pages, the index's cost: a reader with an index.yaml built with it and without it;
- at 500 pages, ``press watch`` running: from a save to the new proof PDF, and to the proof sheet,
  in place (``editor_loop``);
- at the stamping size (500 pages), a class edition holding every document built, then ``press
  stamp`` making a PDF and an EPUB copy for each of 50 and of 200 students from it (the peak
  memory of the two runs side by side shows whether it grows with the roster).

Times on a shared machine are noisy, so the table reports ratios measured side by side in the
same run. It writes ``latest.md`` and ``latest.json``. This is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import queue
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pikepdf

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

# The full build as the ratios have always measured it: print PDF, screen PDF, EPUB. The web
# edition, the cover and the imposition have rows of their own (STAGES).
BUILD = """
import json, resource, sys
from pathlib import Path
from pipeline.build import build
r = build(Path(sys.argv[1]), Path(sys.argv[2]), formats=("pdf", "epub"), jobs=int(sys.argv[3]), use_cache=sys.argv[4] == "cache")
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # this process alone
print(json.dumps({"pages": r.pages, "timings": r.timings, "worker_peak_mb": workers, "main_peak_mb": main}))
"""

# This round's stages beside the build: the web edition and the cover, built from the layout in
# the cache (a build after the one that laid the book out), and the imposition of its print PDF.
STAGES = """
import json, sys, time
from pathlib import Path
from pipeline.build import build
from pipeline.prepress.impose import impose
book, out = Path(sys.argv[1]), Path(sys.argv[2])
r = build(book, out, formats=("pdf", "web", "cover"), jobs=int(sys.argv[3]))
started = time.perf_counter()
impose(book, out)
print(json.dumps({**r.timings, "impose": time.perf_counter() - started}))
"""

STAMP = """
import json, resource, sys
from pathlib import Path
from pipeline.copies import stamp
r = stamp(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), edition="class", secret_file=Path(sys.argv[4]))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
print(json.dumps({"copies": len(r.copies), "built": r.built, "worker_peak_mb": workers}))
"""
#: The reader size whose class edition is stamped, and the roster lengths.
STAMP_SIZE, ROSTERS = 500, (50, 200)
#: The reader size on which press watch is timed, and the index's cost measured.
WATCH_SIZE = INDEX_SIZE = 500


def index_cost(tmp: Path, size: int, jobs: int) -> dict:
    """The index's cost: a reader generated with an index.yaml (150 entries) built with it and with
    it moved aside (the same text), each without the cache, side by side in ABBA order twice over:
    with, without, without, with, with, without, without, with. Each side's four times are
    averaged, so that a machine growing slower or faster during the builds (a shared one does, by
    a tenth within minutes) weighs on both sides alike; each build's ratio to the one beside it is
    reported too, for the noise."""
    book = generate(tmp / "indexed", size, index=True)
    aside = tmp / "index.yaml.aside"

    def once(folder: str, indexed: bool) -> tuple[float, int]:
        if indexed and aside.exists():
            aside.rename(book / "index.yaml")
        elif not indexed and (book / "index.yaml").exists():
            (book / "index.yaml").rename(aside)
        shutil.rmtree(tmp / folder, ignore_errors=True)
        wall, _, text = measure([sys.executable, "-c", BUILD, str(book), str(tmp / folder), str(jobs), "no-cache"])
        return wall, json.loads(text.strip().splitlines()[-1])["pages"]

    times: dict[bool, list[float]] = {True: [], False: []}
    pages_with = 0
    for indexed in (True, False, False, True) * 2:
        wall, pages = once("with-index" if indexed else "without-index", indexed)
        times[indexed].append(wall)
        pages_with = pages if indexed else pages_with
    with_index, without = sum(times[True]) / len(times[True]), sum(times[False]) / len(times[False])
    # in ABBA order the k-th build with the index stands beside the k-th without
    return {"index_with_s": with_index, "index_without_s": without, "index_pages": pages_with,
            "index_ratio": with_index / without,
            "index_pairs": [round(a / b, 3) for a, b in zip(times[True], times[False])]}


def serial_fraction(speedup: float, jobs: int) -> float:
    """The build's serial fraction from its measured speed-up on ``jobs`` processes (Karp and Flatt):
    the share of the one-job time that did not get shorter with more processes."""
    if jobs < 2:
        return 1.0
    return min(1.0, max(0.0, (1 / speedup - 1 / jobs) / (1 - 1 / jobs)))  # noise can put it outside


def amdahl(serial: float, cores: int) -> float:
    """The speed-up Amdahl's law gives ``cores`` processes for a build with this serial fraction."""
    return 1 / (serial + (1 - serial) / cores)


def stamping(book: Path, tmp: Path, jobs: int) -> dict:
    """Build a class edition of every document, then stamp copies for rosters of ``ROSTERS`` students."""
    yaml = (book / "book.yaml").read_text(encoding="utf-8")
    count = len(list((book / "documents").glob("*.md")))
    (book / "book.yaml").write_text(yaml + "editions:\n  class:\n    title: Synthetic Class Edition\n"
                                    "    course: BENCH 500, Spring 2026\n"
                                    f"    documents: [{', '.join(str(n) for n in range(1, count + 1))}]\n", encoding="utf-8")
    (tmp / "secret").write_text("benchmark secret, not a real one\n", encoding="utf-8")
    build_wall, _, _ = measure([sys.executable, "-m", "pipeline", "build", str(book), "--out", str(tmp / "class"),
                                "--edition", "class", "--quiet"])
    row = {"edition_build_s": build_wall}
    for students in ROSTERS:
        roster = tmp / f"roster-{students}.csv"
        roster.write_text("id,name\n" + "".join(f"s{i:06d},Student {i}\n" for i in range(students)), encoding="utf-8")
        wall, peak, text = measure([sys.executable, "-c", STAMP, str(book), str(roster), str(tmp / "class"), str(tmp / "secret")])
        made = json.loads(text.strip().splitlines()[-1])
        assert made["copies"] == students and not made["built"], made
        row[f"stamp_{students}_s"] = wall
        row[f"stamp_{students}_peak_mb"] = max(peak, made["worker_peak_mb"])
        shutil.rmtree(tmp / "class" / "copies")
    return row


def correct_one_word(book: Path, round_: int) -> None:
    """Put one word of a paragraph of the middle document in place of another of the same length, as
    a proof correction usually is: the paragraph changes, the document's page count does not."""
    documents = sorted((book / "documents").glob("*.md"))
    path = documents[len(documents) // 2]
    text = path.read_text(encoding="utf-8")
    body = text.index("\n---\n") + 5
    old, new = (" vessels ", " cutters ") if round_ % 2 == 0 else (" cutters ", " vessels ")
    at = text.index(old, body)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


def editor_loop(book: Path, tmp: Path, corrections: int = 3) -> dict:
    """``press watch`` running on ``book``: seconds from a save to the new proof PDF, and to the new
    proof sheet, being in place (the median of ``corrections`` one-word corrections, and one
    sentence added), with the watch process warm, as an editor has it; and its peak memory.

    The files are looked at every 10 ms from this process, as an editor's PDF viewer would see
    them, so the figures include watch's own polling of the manuscript.
    """
    out = tmp / "watch"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "watch", str(book), "--out", str(out)], cwd=REPO,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()  # type: ignore[union-attr]

    def rebuilt() -> str:
        while True:
            line = lines.get(timeout=900)
            if "proof rebuilt" in line or "not rebuilt" in line:
                return line

    def mtime(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    def save(edit) -> tuple[float, float, int]:
        pdf, sheet = next((out / "proof").glob("*-proof.pdf")), out / "proof" / "index.html"
        before = (mtime(pdf), mtime(sheet))
        time.sleep(0.05)  # file times of the edit and of the proof must differ
        edit()
        saved = time.perf_counter()
        seen: dict[Path, float] = {}
        while len(seen) < 2:
            for path, old in ((pdf, before[0]), (sheet, before[1])):
                if path not in seen and mtime(path) != old:
                    seen[path] = time.perf_counter() - saved
            time.sleep(0.01)
        assert "proof rebuilt" in rebuilt()
        with pikepdf.open(pdf) as done:
            return seen[pdf], seen[sheet], len(done.pages)

    try:
        assert "proof rebuilt" in rebuilt()  # the first proof, laid out from nothing
        pages = save(lambda: correct_one_word(book, 0))[2]  # the process warms up (fonts, stylesheets)
        runs = [save(lambda k=k: correct_one_word(book, k + 1)) for k in range(corrections)]
        added = save(lambda: edit_one_paragraph(book))
    finally:
        proc.terminate()
        _, _, usage = os.wait4(proc.pid, 0)
    return {"watch_pages": pages, "watch_moved": any(r[2] != pages for r in runs),
            "watch_pdf_s": statistics.median(r[0] for r in runs), "watch_sheet_s": statistics.median(r[1] for r in runs),
            "watch_added_pdf_s": added[0], "watch_added_sheet_s": added[1], "watch_added_moved": added[2] != pages,
            "watch_peak_mb": usage.ru_maxrss / 1024}


def edit_one_paragraph(book: Path) -> None:
    """Add a sentence to one speaker turn of the middle document, as an editor correcting a proof would."""
    documents = sorted((book / "documents").glob("*.md"))
    path = documents[len(documents) // 2]
    text = path.read_text(encoding="utf-8")
    body = text.index("\n---\n") + 5
    turn = re.compile(r"\n\n[A-Z][a-z]+: ").search(text, body)
    path.write_text(text[:turn.end()] + "A sentence the editor added in proof. " + text[turn.end():], encoding="utf-8")


FLOOR = """
import json, sys, time
from pathlib import Path
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from pipeline.engine.compose import PRINT, media_bleed
from pipeline.engine.profile import find_cmyk_profile
from pipeline.load import load_book
from pipeline.render import Renderer
from pipeline.styles import STYLES, stylesheet_paths
from pipeline.transforms import apply_transforms
book = apply_transforms(load_book(Path(sys.argv[1])))
renderer = Renderer(book)
html = renderer.print_html()
profile = find_cmyk_profile(book)
page_css = renderer.page_css(width=book.print.trim_width, height=book.print.trim_height,
                             media_bleed=media_bleed(book, PRINT), profile_url=profile.as_uri() if profile else "")
started = time.perf_counter()
fonts = FontConfiguration()
profiles = {}
sheets = [weasyprint.CSS(filename=str(p), font_config=fonts, color_profiles=profiles) for p in stylesheet_paths(book, PRINT.layers)]
sheets.append(weasyprint.CSS(string=page_css, base_url=str(STYLES / "css") + "/", font_config=fonts, color_profiles=profiles))
document = weasyprint.HTML(string=html, base_url=str(book.root) + "/").render(stylesheets=sheets, font_config=fonts, color_profiles=profiles)
document.write_pdf(sys.argv[2])
print(json.dumps({"pages": len(document.pages), "seconds": time.perf_counter() - started}))
"""


def measure(argv: list[str], cwd: Path = REPO) -> tuple[float, float, str]:
    """Run a command; return (wall seconds, peak resident MB of that process, its stdout)."""
    started = time.perf_counter()
    out = tempfile.TemporaryFile()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=out, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    out.seek(0)
    text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{argv[:3]} failed: {text[-500:]}")
    return wall, usage.ru_maxrss / 1024, text


def ensure_pandoc() -> str | None:
    if shutil.which("pandoc"):
        return shutil.which("pandoc")
    if os.geteuid() == 0:
        subprocess.run(["apt-get", "update", "-qq"], check=False)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "pandoc"], check=False,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, stdout=subprocess.DEVNULL)
    return shutil.which("pandoc")


def pandoc_source(book_dir: Path, target: Path) -> None:
    """The same text as one Markdown file, front matter dropped."""
    parts = []
    for path in sorted((book_dir / "documents").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        parts.append(text.split("\n---\n", 1)[1] if text.startswith("---") else text)
    target.write_text("\n\n".join(parts), encoding="utf-8")


def run(sizes: list[int], out: Path, runs: int = 1) -> dict:
    """Measure every size ``runs`` times, one run after the other; write latest.md and latest.json.

    The tables show the last run; with more than one, a table of the spread of each target's
    figure over the runs (least, median, most) comes first.
    """
    pandoc = ensure_pandoc()
    every = []
    for k in range(runs):
        print(f"run {k + 1} of {runs}", file=sys.stderr)
        every.append(measure_rows(sizes, pandoc))
    machine = {
        "cores": os.cpu_count(),
        "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("model name")), platform.processor()),
        "python": platform.python_version(),
        "system": platform.platform(),
    }
    result = {"machine": machine, "rows": every[-1], "runs": every, "pandoc": bool(pandoc)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (out / "latest.md").write_text(table(result), encoding="utf-8")
    return result


#: The targets of the performance round: (figure, what it is, the target as words, whether lower is better).
TARGETS = (
    ("ratio", "1 job ÷ engine floor", "≤ 1.10", True),
    ("speedup", "speed-up on two processes", "≥ 1.75", False),
    ("build_peak_mb", "peak MB, any process (2 jobs)", "≤ 300", True),
    ("one_job_peak_mb", "peak MB, any process (1 job)", "≤ 300", True),
    ("watch_pdf_s", "save → proof PDF (s)", "≤ 2", True),
    ("watch_sheet_s", "save → proof sheet (s)", "≤ 2", True),
    ("index_ratio", "build with the index ÷ without", "≤ 1.10", True),
)


def spread(result: dict) -> list[str]:
    """The least, median and most of each target's figure over the runs, by reader size."""
    runs = result.get("runs", [])
    lines = [f"Spread over {len(runs)} consecutive runs (least / median / most):", "",
             "| reader | figure | target | least | median | most |", "|---|---|---|---|---|---|"]
    for index, row in enumerate(result["rows"]):
        for key, name, target, _ in TARGETS:
            values = sorted(r[index][key] for r in runs if key in r[index])
            if values:
                lines.append(f"| {row['size']} | {name} | {target} | {values[0]:.2f} | "
                             f"{statistics.median(values):.2f} | {values[-1]:.2f} |")
    return lines + [""]


def measure_rows(sizes: list[int], pandoc: str | None) -> list[dict]:
    rows = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            book = generate(tmp / "book", size)
            jobs = os.cpu_count() or 1

            def press(folder: str, n: int, cache: str):
                wall, peak, text = measure([sys.executable, "-c", BUILD, str(book), str(tmp / folder), str(n), cache])
                return wall, peak, json.loads(text.strip().splitlines()[-1])

            floor_wall, floor_peak, floor_text = measure([sys.executable, "-c", FLOOR, str(book), str(tmp / "floor.pdf")])
            floor = json.loads(floor_text.strip().splitlines()[-1])
            one_wall, one_peak, one = press("one", 1, "no-cache")
            wall, peak, built = press("dist", jobs, "cache")  # fills the cache for the rebuild
            edit_one_paragraph(book)
            again_wall, _, again = press("dist", jobs, "cache")
            _, _, stages_text = measure([sys.executable, "-c", STAGES, str(book), str(tmp / "dist"), str(jobs)])
            stages = json.loads(stages_text.strip().splitlines()[-1])
            row = {
                "size": size, "pages": built["pages"], "jobs": jobs,
                "build_s": wall, "build_peak_mb": max(peak, built["worker_peak_mb"]), "stages_s": built["timings"],
                "one_job_s": one_wall, "one_job_peak_mb": max(one_peak, one["worker_peak_mb"]),
                "one_job_stages_s": one["timings"],
                "speedup": one_wall / wall, "rebuild_s": again_wall, "rebuild_share": again_wall / wall,
                "floor_s": floor_wall, "floor_render_s": floor["seconds"], "floor_peak_mb": floor_peak,
                "ratio": one_wall / floor_wall,
                # os.wait4 gives the largest of the process and its children: the main process alone is
                # what the build script reads of itself
                "main_peak_mb": built["main_peak_mb"], "worker_peak_mb": built["worker_peak_mb"],
                "one_job_main_peak_mb": one["main_peak_mb"], "one_job_worker_peak_mb": one["worker_peak_mb"],
                "rebind_s": stages.get("pdf", 0.0), "web_s": stages.get("web", 0.0), "cover_s": stages.get("cover", 0.0), "impose_s": stages["impose"],
            }
            row["serial_fraction"] = serial_fraction(row["speedup"], jobs)
            if size == WATCH_SIZE:
                row.update(editor_loop(book, tmp))
            if size == INDEX_SIZE:
                row.update(index_cost(tmp, size, jobs))
            if pandoc:
                pandoc_source(book, tmp / "all.md")
                row["pandoc_s"], row["pandoc_peak_mb"], _ = measure([pandoc, str(tmp / "all.md"), "-o", str(tmp / "p.epub")], cwd=tmp)
            if size == STAMP_SIZE:
                row.update(stamping(book, tmp, jobs))
            rows.append(row)
            print(f"{size}: {row['pages']} pages, one job {one_wall:.1f} s, {jobs} jobs {wall:.1f} s, rebuild {again_wall:.1f} s, "
                  f"floor {floor_wall:.1f} s", file=sys.stderr)
    return rows


def table(result: dict) -> str:
    m = result["machine"]
    jobs = result["rows"][0]["jobs"] if result["rows"] else m["cores"]
    lines = [
        f"Machine: {m['cores']} cores, {m['cpu']}, Python {m['python']}.",
        "",
        *(spread(result) if len(result.get("runs", [])) > 1 else []),
        f"| reader | pages | engine floor (s) | press, 1 job (s) | 1 job ÷ floor | press, {jobs} jobs (s) | speed-up | "
        "rebuild after an edit (s) | rebuild ÷ build | peak MB per process: 1 job / "
        f"{jobs} jobs / floor | Pandoc EPUB (s) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        pandoc = f"{r['pandoc_s']:.1f}" if "pandoc_s" in r else "n/a"
        lines.append(
            f"| {r['size']} | {r['pages']} | {r['floor_s']:.1f} | {r['one_job_s']:.1f} | **{r['ratio']:.2f}** | "
            f"{r['build_s']:.1f} | **{r['speedup']:.2f}** | {r['rebuild_s']:.1f} | **{r['rebuild_share']:.0%}** | "
            f"{r['one_job_peak_mb']:.0f} / {r['build_peak_mb']:.0f} / {r['floor_peak_mb']:.0f} | {pandoc} |"
        )
    lines += ["", "Stages of the one-job build (s):", "",
              "| reader | load | transforms | layout (parts and folio layer) | print and screen PDF (bound) | EPUB |",
              "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        s = r["one_job_stages_s"]
        lines.append(f"| {r['size']} | " + " | ".join(f"{s.get(k, 0):.1f}" for k in
                                                       ("load", "transforms", "layout", "pdf", "epub")) + " |")
    stamped = [r for r in result["rows"] if "edition_build_s" in r]
    if stamped:
        lines += ["", f"Stamped copies of a class edition holding every document ({jobs} jobs; PDF and EPUB per student):", "",
                  "| reader | pages | edition build (s) | " + " | ".join(f"{n} copies (s)" for n in ROSTERS) + " | "
                  + " / ".join(f"{n}" for n in ROSTERS) + " copies: peak MB per process |",
                  "|---|---|---|" + "---|" * len(ROSTERS) + "---|"]
        for r in stamped:
            lines.append(f"| {r['size']} | {r['pages']} | {r['edition_build_s']:.1f} | "
                         + " | ".join(f"{r[f'stamp_{n}_s']:.1f}" for n in ROSTERS) + " | "
                         + " / ".join(f"{r[f'stamp_{n}_peak_mb']:.0f}" for n in ROSTERS) + " |")
    lines += ["", f"This round's stages beside the build ({jobs} jobs, the layout from the cache; s):", "",
              "| reader | pages | print and screen PDF bound again | web edition | cover | imposed sheets |",
              "|---|---|---|---|---|---|"]
    for r in result["rows"]:
        lines.append(f"| {r['size']} | {r['pages']} | {r['rebind_s']:.1f} | {r['web_s']:.1f} | "
                     f"{r['cover_s']:.1f} | {r['impose_s']:.1f} |")
    indexed = [r for r in result["rows"] if "index_ratio" in r]
    if indexed:
        lines += ["", f"The index: a reader generated with an index.yaml of 150 entries, built ({jobs} jobs, no cache) "
                  "with it and with it moved aside, eight builds in the order with, without, without, with, twice "
                  "over (each side's mean; each build's ratio to the one beside it in brackets):", "",
                  "| reader | pages with the index | with (s) | without (s) | with ÷ without |", "|---|---|---|---|---|"]
        for r in indexed:
            pairs = ", ".join(f"{p:.2f}" for p in r.get("index_pairs", []))
            lines.append(f"| {r['size']} | {r['index_pages']} | {r['index_with_s']:.1f} | {r['index_without_s']:.1f} | "
                         f"**{r['index_ratio']:.2f}** ({pairs}) |")
    separate = all("one_job_main_peak_mb" in r for r in result["rows"])
    lines += ["", f"Scaling: the serial fraction of the build, read off its speed-up on {jobs} processes (Karp–Flatt), "
              "and the speed-up Amdahl's law then gives more cores" + (", and memory per process (MB):" if separate else ":"), "",
              f"| reader | speed-up on {jobs} | serial fraction | 4 cores | 8 cores | 16 cores |"
              + (f" main process, 1 job / {jobs} jobs | largest child, 1 job / {jobs} jobs |" if separate else ""),
              "|---|---|---|---|---|---|" + ("---|---|" if separate else "")]
    for r in result["rows"]:
        e = r["serial_fraction"]
        lines.append(f"| {r['size']} | {r['speedup']:.2f} | {e:.2f} | {amdahl(e, 4):.1f} | {amdahl(e, 8):.1f} | "
                     f"{amdahl(e, 16):.1f} |" + (f" {r['one_job_main_peak_mb']:.0f} / {r['main_peak_mb']:.0f} | "
                                                  f"{r['one_job_worker_peak_mb']:.0f} / {r['worker_peak_mb']:.0f} |" if separate else ""))
    watched = [r for r in result["rows"] if "watch_pdf_s" in r]
    if watched:
        lines += ["", "The editor's loop: press watch running (warm), seconds from a save to the new proof PDF and to "
                  "the new proof sheet being in place (median of three one-word corrections; then one sentence added):", "",
                  "| reader | pages | save → proof PDF | save → proof sheet | sentence added: PDF / sheet | pages moved | "
                  "watch's peak MB |", "|---|---|---|---|---|---|---|"]
        for r in watched:
            lines.append(f"| {r['size']} | {r['watch_pages']} | **{r['watch_pdf_s']:.2f}** | **{r['watch_sheet_s']:.2f}** | "
                         f"{r['watch_added_pdf_s']:.2f} / {r['watch_added_sheet_s']:.2f} | "
                         f"{'yes' if r['watch_added_moved'] or r['watch_moved'] else 'no'} | {r['watch_peak_mb']:.0f} |")
    return "\n".join(lines) + "\n"


def retable(out: Path) -> None:
    """Write latest.md again from latest.json (after a change to the tables, without measuring again)."""
    result = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    (out / "latest.md").write_text(table(result), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,500,1000")
    parser.add_argument("--out", default=str(HERE / "results"), type=Path)
    parser.add_argument("--runs", default=1, type=int, help="consecutive runs; the spread of each target's figure is reported")
    args = parser.parse_args()
    result = run([int(s) for s in args.sizes.split(",")], args.out, args.runs)
    print(table(result))


if __name__ == "__main__":
    main()
