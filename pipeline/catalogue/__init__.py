"""``press catalogue build`` and ``press catalogue merge``: every book, edition and roster of a term.

The catalogue file (``file.py``) is read and checked whole before anything is built. Its work is
a list of items (a book's edition, or its whole reader, with the rosters stamped from it); each
item is built into ``DIR/<book>/`` by ``pipeline.build.build`` and stamped by
``pipeline.copies.stamp``, and recorded in ``DIR/manifest.json``: for every output its book,
edition, format, bytes, SHA-256, pages, seconds, status and problems. An item whose inputs (the
manuscript's files, press's code, the rosters and the secret, through a keyed hash) are those
of the last manifest's entry, and whose outputs are still there with the same bytes, is skipped.
A failing item is recorded as failed, and the others go on.

``--shard I/N`` builds the items given to shard ``I`` of ``N``: the items are dealt out
largest first (by their pages in ``--balance-from``'s manifest, when given) to the shard with
the least work so far, so every shard computes the same deal without talking to the others.
A shard writes ``DIR/manifest.shard-I-of-N.json``; ``merge`` joins them into one manifest.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.build import build
from pipeline.catalogue.file import Item, read_catalogue
from pipeline.copies import stamp
from pipeline.copies.ids import read_secret
from pipeline.diagnostics import Diagnostics, ManuscriptError
from pipeline.events import Note, Progress, silent
from pipeline.files import write_json
from pipeline.hashing import file_hash
from pipeline.layout.cache import code_version
from pipeline.model import SourceLoc

MANIFEST = "manifest.json"
#: What a manifest entry holds that differs from one run to the next of the same work.
RUN_FIELDS = ("seconds", "status")


@dataclass
class CatalogueResult:
    """A catalogue run: the manifest written, its entries, and the items that failed."""

    manifest: Path
    entries: list[dict] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        counts = {"built": 0, "skipped": 0, "failed": 0}
        for entry in self.entries:
            counts[entry["status"]] += 1
        return counts


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` with 0 ≤ I < N (a Kubernetes completion index counts from 0); ValueError otherwise."""
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit()) or not 0 <= int(index) < int(count):
        raise ValueError(f"--shard takes I/N with 0 <= I < N, e.g. 0/3, not {text!r}")
    return int(index), int(count)


def deal(items: list[Item], shards: int, weights: dict[str, float]) -> list[int]:
    """The shard of each item: largest first to the least loaded shard (ties: the lower index),
    so that every shard computes the same deal. An item the manifest does not know weighs as
    the mean of those it does (1 when it knows none)."""
    known = [weights[i.key] for i in items if i.key in weights]
    default = sum(known) / len(known) if known else 1.0
    weight = [weights.get(item.key, default) for item in items]
    order = sorted(range(len(items)), key=lambda k: (-weight[k], k))
    load = [0.0] * shards
    shard_of = [0] * len(items)
    for k in order:
        target = min(range(shards), key=lambda s: (load[s], s))
        shard_of[k] = target
        load[target] += weight[k]
    return shard_of


def manifest_weights(path: Path) -> dict[str, float]:
    """Each item's pages in a former manifest: what its work weighs."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    weights: dict[str, float] = {}
    for entry in data.get("outputs", []):
        if entry.get("pages"):
            key = f"{entry['book']}:{entry['edition'] or ''}"
            weights[key] = max(weights.get(key, 0.0), float(entry["pages"]))
    return weights


def build_catalogue(catalogue: Path, out_dir: Path, *, jobs: int | None = None, shard: tuple[int, int] | None = None,
                    balance_from: Path | None = None, secret_file: Path | None = None,
                    progress: Progress = silent) -> CatalogueResult:
    """Build the catalogue's share of work (all of it without ``shard``) into ``out_dir``; raises
    ``ManuscriptError`` before building anything when the catalogue has a problem."""
    diags = Diagnostics()
    items = read_catalogue(Path(catalogue), diags)
    secret = None
    if any(item.rosters for item in items):
        secret = read_secret(secret_file, diags)
    if balance_from is not None and not Path(balance_from).is_file():
        diags.add("E165", SourceLoc(str(balance_from)), "no manifest here to balance the shards by")
    diags.raise_if_errors()
    if shard is not None:
        shard_of = deal(items, shard[1], manifest_weights(balance_from) if balance_from else {})
        items = [item for item, s in zip(items, shard_of) if s == shard[0]]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = MANIFEST if shard is None else f"manifest.shard-{shard[0]}-of-{shard[1]}.json"
    result = CatalogueResult(out_dir / name)
    former = _former_entries(out_dir)
    for number, item in enumerate(items, 1):
        progress(Note(f"catalogue: {item.book}{' ' + item.edition if item.edition else ''} ({number}/{len(items)})"))
        result.entries += _run_item(item, out_dir, jobs, secret, secret_file, former, result, progress)
    result.entries.sort(key=_order)
    write_json(result.manifest, {"catalogue": Path(catalogue).name, "shard": f"{shard[0]}/{shard[1]}" if shard else None,
                                 "outputs": result.entries, "summary": result.summary}, indent=2)
    return result


def _fingerprint(item: Item, secret: bytes | None) -> str:
    """What the item's outputs are made of: press's code, the manuscript's files, the edition, and
    each roster keyed by the secret (so the manifest says nothing of a roster's content)."""
    digest = hashlib.sha256(code_version().encode() + (item.edition or "").encode())
    for folder, dirs, files in os.walk(item.manuscript):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            digest.update(path.relative_to(item.manuscript).as_posix().encode() + b"\0" + file_hash(path).encode())
    for roster in item.rosters:
        keyed = hmac.new(secret or b"", roster.file.read_bytes(), hashlib.sha256).hexdigest()
        digest.update(f"{roster.name}\0{roster.names}\0{keyed}".encode())
    return digest.hexdigest()


def _run_item(item: Item, out_dir: Path, jobs: int | None, secret: bytes | None, secret_file: Path | None,
              former: dict[str, list[dict]], result: CatalogueResult, progress: Progress) -> list[dict]:
    folder = out_dir / item.book
    fingerprint = _fingerprint(item, secret)
    previous = former.get(item.key, [])
    if previous and all(e.get("fingerprint") == fingerprint and e["status"] != "failed" and _unchanged(out_dir, e)
                        for e in previous):
        return [{**e, "status": "skipped", "seconds": 0.0} for e in previous]
    entries: list[dict] = []
    started = time.perf_counter()
    try:
        built = build(item.manuscript, folder, edition=item.edition, jobs=jobs, progress=progress)
        seconds = time.perf_counter() - started
        for path in built.outputs:
            entries.append(_entry(item, out_dir, path, _format(path), built.pages, seconds, fingerprint,
                                  [d.format() for d in built.diagnostics.warnings]))
        for roster in item.rosters:
            started = time.perf_counter()
            made = stamp(item.manuscript, roster.file, folder, edition=item.edition, secret_file=secret_file,
                         names=roster.names, jobs=jobs)
            seconds = (time.perf_counter() - started) / max(1, len(made.copies))
            for copy in made.copies:
                for suffix, kind in ((".pdf", "pdf-copy"), (".epub", "epub-copy")):
                    entries.append(_entry(item, out_dir, made.folder / (copy + suffix), kind, built.pages, seconds,
                                          fingerprint, [], roster.name))
    except ManuscriptError as error:
        result.failed.append(item.label)
        return [_failure(item, fingerprint, [d.format() for d in error.diagnostics], time.perf_counter() - started)]
    except Exception as error:  # press itself failed on this book: the others still get built
        result.failed.append(item.label)
        return [_failure(item, fingerprint, [f"press failed: {type(error).__name__}"], time.perf_counter() - started)]
    return entries


def _format(path: Path) -> str:
    if path.is_dir():
        return "web"
    if path.name.endswith("-screen.pdf"):
        return "screen-pdf"
    return "pdf" if path.suffix == ".pdf" else "epub"


def _content(path: Path) -> tuple[int, str]:
    """Bytes and SHA-256 of an output: a file's, or a folder's (the web edition) over its files' names and bytes."""
    if not path.is_dir():
        data = path.read_bytes()
        return len(data), hashlib.sha256(data).hexdigest()
    digest, size = hashlib.sha256(), 0
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        data = file.read_bytes()
        size += len(data)
        digest.update(file.relative_to(path).as_posix().encode() + b"\0" + hashlib.sha256(data).digest())
    return size, digest.hexdigest()


def _entry(item: Item, out_dir: Path, path: Path, kind: str, pages: int, seconds: float, fingerprint: str,
           problems: list[str], roster: str | None = None) -> dict:
    size, sha = _content(path)
    return {"book": item.book, "edition": item.edition, "format": kind, "roster": roster,
            "path": path.relative_to(out_dir).as_posix(), "bytes": size, "sha256": sha,
            "pages": pages, "seconds": round(seconds, 3), "status": "built", "problems": problems,
            "fingerprint": fingerprint}


def _failure(item: Item, fingerprint: str, problems: list[str], seconds: float) -> dict:
    return {"book": item.book, "edition": item.edition, "format": None, "roster": None, "path": None, "bytes": 0,
            "sha256": None, "pages": None, "seconds": round(seconds, 3), "status": "failed", "problems": problems,
            "fingerprint": fingerprint}


def _unchanged(out_dir: Path, entry: dict) -> bool:
    """Whether an output of a former run is still there, with the bytes it had."""
    if not entry.get("path"):
        return False
    path = out_dir / entry["path"]
    try:
        if not path.is_dir() and path.stat().st_size != entry["bytes"]:
            return False
        return _content(path) == (entry["bytes"], entry["sha256"])
    except OSError:
        return False


def _former_entries(out_dir: Path) -> dict[str, list[dict]]:
    """The entries of the manifests a former run left in ``out_dir`` (merged or of shards), by item."""
    found: dict[str, list[dict]] = {}
    for path in sorted(out_dir.glob("manifest*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for entry in data.get("outputs", []) if isinstance(data, dict) else []:
            if isinstance(entry, dict) and "book" in entry:
                key = f"{entry['book']}:{entry.get('edition') or ''}"
                if entry not in found.setdefault(key, []):
                    found[key].append(entry)
    return found


def _order(entry: dict) -> tuple:
    return (entry["book"], entry["edition"] or "", entry["path"] or "", entry["format"] or "")


def merge_manifests(paths: list[Path], out_dir: Path) -> CatalogueResult:
    """Join shard manifests into ``out_dir/manifest.json``; E166 when they are of different
    catalogues, leave a shard out, or give one output twice."""
    diags = Diagnostics()
    entries: list[dict] = []
    shards: set[str] = set()
    catalogues: set[str] = set()
    seen: dict[str, str] = {}
    for path in paths:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            outputs = data["outputs"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            diags.add("E166", SourceLoc(str(path)), f"not a manifest press catalogue wrote: {type(error).__name__}")
            continue
        catalogues.add(str(data.get("catalogue")))
        if data.get("shard"):
            shards.add(data["shard"])
        for entry in outputs:
            key = entry.get("path") or f"failed:{entry['book']}:{entry.get('edition') or ''}"
            if key in seen and seen[key] != str(path):
                diags.add("E166", SourceLoc(str(path)), f"'{key}' is in two manifests (also {seen[key]})",
                          "merge the manifests of one run's shards")
            seen[key] = str(path)
            entries.append(entry)
    if len(catalogues) > 1:
        diags.add("E166", SourceLoc(str(paths[0])), f"manifests of different catalogues: {', '.join(sorted(catalogues))}")
    counts = {s.split("/")[1] for s in shards}
    if shards and (len(counts) != 1 or len(shards) != int(next(iter(counts)))):
        diags.add("E166", SourceLoc(str(paths[0])), f"the shards given are {', '.join(sorted(shards))}: not one run's every shard",
                  "give every shard's manifest, I/N for each I from 0 to N-1")
    diags.raise_if_errors()
    result = CatalogueResult(Path(out_dir) / MANIFEST, sorted(entries, key=_order))
    result.failed = [e["book"] + (f" ({e['edition']})" if e["edition"] else "") for e in result.entries if e["status"] == "failed"]
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    write_json(result.manifest, {"catalogue": next(iter(catalogues), None), "shard": None,
                                 "outputs": result.entries, "summary": result.summary}, indent=2)
    return result
