"""The web edition's costs on synthetic readers: its stage's share of a full build, and search.

    python3 benchmarks/web.py [--sizes 500,1000] [--out benchmarks/results]

For each size a reader is generated (benchmarks/generate.py) and built whole (print PDF, screen
PDF, EPUB, web edition); the web stage's time is read from the build's own stage times. For the
largest size the site is opened in Debian's Chromium (Playwright) from file:// and a word is
searched: the bytes of every file the search page loads until its first results (the index
included), the time from opening the page to its results, and the time a typed query takes.
Writes ``web.md`` and ``web.json``. This is not a timed test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))
from generate import generate  # noqa: E402

from pipeline.build import build  # noqa: E402


def measure_search(site: Path, query: str) -> dict:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        loaded: list[str] = []
        page.on("request", lambda r: loaded.append(r.url))
        page.goto((site / "search.html").as_uri() + "?q=" + query)
        page.wait_for_selector("#search-results li")
        # search.js marks the moment its results are in the page
        to_results = page.evaluate("performance.getEntriesByName('press-search-results')[0].startTime")
        found = page.inner_text("#search-status")
        typed = page.evaluate("""q => { const input = document.getElementById('q'); input.value = q;
            const t = performance.now(); document.querySelector('form.search-form').requestSubmit();
            return performance.now() - t; }""", "provisional line")
        browser.close()
    files = {unquote(urlsplit(u).path) for u in loaded if u.startswith("file://")}
    return {"bytes": sum(Path(f).stat().st_size for f in files), "files": len(files), "open_to_results_ms": round(to_results),
            "typed_query_ms": round(typed, 1), "status": found}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="500,1000")
    parser.add_argument("--out", default=str(HERE / "results"), type=Path)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.sizes.split(",")]:
            book = generate(Path(tmp) / f"book{size}", size)
            out = Path(tmp) / f"out{size}"
            started = time.perf_counter()
            result = build(book, out, use_cache=False)
            total = time.perf_counter() - started
            site = next(p for p in result.outputs if p.name.endswith("-web"))
            index = (site / "search-index.js").stat().st_size
            row = {"size": size, "pages": result.pages, "build_s": round(total, 1), "web_s": round(result.timings["web"], 2),
                   "web_share": round(result.timings["web"] / total, 3), "index_bytes": index,
                   "site_bytes_without_downloads": sum(f.stat().st_size for f in site.rglob("*")
                                                       if f.is_file() and "downloads" not in f.parts)}
            if size == max(int(s) for s in args.sizes.split(",")):
                row["search"] = measure_search(site, "delegation")
            rows.append(row)
            print(json.dumps(row), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "web.json").write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    lines = ["| reader | pages | full build (s) | web stage (s) | web ÷ build | index (kB) | site without downloads (kB) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['pages']} | {r['build_s']} | {r['web_s']} | **{r['web_share']:.1%}** | "
                     f"{r['index_bytes'] / 1000:.0f} | {r['site_bytes_without_downloads'] / 1000:.0f} |")
    for r in rows:
        if "search" in r:
            s = r["search"]
            lines.append("")
            lines.append(f"Search at {r['pages']} pages, from file:// in Chromium: the first query loads {s['files']} files, "
                         f"{s['bytes'] / 1_000_000:.2f} MB (index included); results {s['open_to_results_ms']} ms after "
                         f"opening the page; a typed query {s['typed_query_ms']} ms ({s['status']}).")
    (args.out / "web.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
