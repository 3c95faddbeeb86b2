"""The index's cost: a 500-page reader built with its index and without, side by side.

    python3 benchmarks/index.py [--size 500] [--out benchmarks/results]

One reader is generated with an index.yaml (benchmarks/generate.py: 150 entries of persons,
places and subjects, several forms each, their names mentioned in the text) and built whole
(print PDF, screen PDF, EPUB, web edition) twice, each build in a fresh process and without the
cache: once with index.yaml and once with it moved aside, the same text either way. The issue's
target is at most 10 % more build time. Writes ``index.md`` and ``index.json``. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from run import BUILD, measure  # noqa: E402

TARGET = 0.10


def build_once(book: Path, out: Path, jobs: int) -> dict:
    wall, peak, text = measure([sys.executable, "-c", BUILD, str(book), str(out), str(jobs), "no-cache"])
    made = json.loads(text.strip().splitlines()[-1])
    return {"wall_s": round(wall, 1), "pages": made["pages"], "peak_mb": round(peak),
            "stages_s": {k: round(v, 2) for k, v in made["timings"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (0: one per core)")
    parser.add_argument("--out", default=str(HERE / "results"), type=Path)
    args = parser.parse_args()
    import os

    jobs = args.jobs or os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        book = generate(Path(tmp) / "book", args.size, index=True)
        entries = (book / "index.yaml").read_text(encoding="utf-8").count("\n    forms:")
        with_index = build_once(book, Path(tmp) / "with", jobs)
        (book / "index.yaml").rename(Path(tmp) / "index.yaml.aside")
        without = build_once(book, Path(tmp) / "without", jobs)
    ratio = with_index["wall_s"] / without["wall_s"]
    row = {"size": args.size, "jobs": jobs, "entries_with_forms": entries, "with_index": with_index,
           "without_index": without, "ratio": round(ratio, 3), "target": 1 + TARGET}
    print(json.dumps(row), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "index.json").write_text(json.dumps(row, indent=1) + "\n", encoding="utf-8")
    stages = sorted(set(with_index["stages_s"]) | set(without["stages_s"]))
    lines = [f"The index's cost on a {args.size}-page reader ({entries} entries with forms), {jobs} worker processes, "
             "no cache, each build in a fresh process, one after the other in one run.", "",
             "| build | pages | wall (s) | " + " | ".join(f"{s} (s)" for s in stages) + " |",
             "|---|---|---|" + "---|" * len(stages)]
    for name, r in (("with index", with_index), ("without index", without)):
        lines.append(f"| {name} | {r['pages']} | {r['wall_s']} | " + " | ".join(str(r["stages_s"].get(s, "–")) for s in stages) + " |")
    lines += ["", f"With ÷ without: **{ratio:.3f}** (target: at most {1 + TARGET:.2f})."]
    (args.out / "index.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
