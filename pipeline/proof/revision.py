"""The manuscript's revision, printed on every proof page: read from its files, never by running git.

A manuscript folder is not trusted, and neither is the git repository it may hold: its own
``.git/config`` can name commands git runs (``core.fsmonitor``, a ``filter.*.clean`` driver), so
``git status`` in it would run them. press runs no git. It reads the commit id of ``HEAD`` from the
repository's files (``HEAD``, then the loose ref or ``packed-refs``), each file confined to the
manuscript, bounded and parsed strictly; and, since a commit id alone does not show uncommitted
edits, it adds a short hash of the manuscript's own files. The proof names ``3f9c2a1b0d+5e81c0``:
the commit the editor can find, and the content that was proofed.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from pathlib import Path

from pipeline.hashing import file_hash
from pipeline.styles import StyleFileRefused, read_style_file

#: The most press reads of ``HEAD``, a ref or a ``gitdir:`` file, and of ``packed-refs``.
MAX_REF_BYTES = 4096
MAX_PACKED_REFS_BYTES = 4 * 1024 * 1024
#: A chain of symbolic refs longer than this is a loop.
MAX_REF_HOPS = 5
#: Files hashed for the content part; more is not a manuscript (the loader refuses such books anyway).
MAX_FILES = 20_000

_OBJECT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")  # SHA-1 or SHA-256 repositories
_REF_NAME = re.compile(r"refs/[A-Za-z0-9._/-]{1,200}")


def revision(root: Path, content: str | None = None) -> str:
    """``<commit>+<content>`` when the manuscript is a git checkout, else ``sha256:<content>``;
    ``content`` is the manuscript's ``content_hash`` when the caller has it already."""
    content = content or content_hash(root)
    commit = head_commit(root)
    return f"{commit[:10]}+{content[:6]}" if commit else f"sha256:{content[:10]}"


def content_hash(root: Path, skip: Path | None = None) -> str:
    """A hash of the manuscript's files (book.yaml, documents, images, styles): regular files only,
    not in hidden folders (``.git``), links not followed, in a stable order; nothing under ``skip``
    (an output folder kept inside the manuscript, whose files a build changes)."""
    digest = hashlib.sha256()
    count = 0
    skipped = skip.resolve() if skip is not None else None
    for here, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and (Path(here) / f).resolve() != skipped)
        for name in sorted(names):
            path = Path(here) / name
            if name.startswith(".") or not stat.S_ISREG(os.lstat(path).st_mode):
                continue
            digest.update(str(path.relative_to(root)).encode("utf-8", "surrogateescape") + b"\0")
            digest.update(file_hash(path).encode() + b"\0")
            count += 1
            if count >= MAX_FILES:
                return digest.hexdigest()
    return digest.hexdigest()


def head_commit(root: Path) -> str | None:
    """The commit id ``HEAD`` names in ``root``'s git repository, or None (no repository, an
    unborn branch, a repository outside the manuscript, anything unexpected)."""
    gitdir = _git_folder(root)
    if gitdir is None:
        return None
    common = gitdir  # a linked worktree keeps its refs in the main repository's folder
    pointer = _read(gitdir / "commondir", root)
    if pointer:
        common = (gitdir / pointer).resolve()
    head = _read(gitdir / "HEAD", root)
    for _ in range(MAX_REF_HOPS):
        if head is None:
            return None
        if _OBJECT_ID.fullmatch(head):
            return head
        if not head.startswith("ref: "):
            return None
        ref = head[5:].strip()
        if not _REF_NAME.fullmatch(ref) or ".." in ref:
            return None
        for folder in dict.fromkeys((gitdir, common)):
            if os.path.lexists(folder / ref):
                head = _read(folder / ref, root)
                break
        else:
            return _packed(common, ref, root)
    return None


def _git_folder(root: Path) -> Path | None:
    dot = root / ".git"
    try:
        info = os.lstat(dot)
    except OSError:
        return None
    if stat.S_ISDIR(info.st_mode):
        return dot
    pointer = _read(dot, root)  # a file "gitdir: <path>" (a worktree, a submodule), or a link
    if stat.S_ISLNK(info.st_mode):
        target = dot.resolve()
        return target if target.is_relative_to(root.resolve()) and target.is_dir() else None
    if not pointer or not pointer.startswith("gitdir: "):
        return None
    target = (root / pointer[8:].strip()).resolve()
    return target if target.is_relative_to(root.resolve()) and target.is_dir() else None


def _packed(gitdir: Path, ref: str, root: Path) -> str | None:
    text = _read(gitdir / "packed-refs", root, MAX_PACKED_REFS_BYTES)
    for line in (text or "").splitlines():
        if line.startswith(("#", "^")):
            continue
        object_id, _, name = line.partition(" ")
        if name == ref and _OBJECT_ID.fullmatch(object_id):
            return object_id
    return None


def _read(path: Path, root: Path, limit: int = MAX_REF_BYTES) -> str | None:
    """A repository file's text, stripped, read as every other manuscript file is (confined, a
    regular file, bounded), or None: nothing in a repository is trusted to be well formed."""
    try:
        data = read_style_file(path, root, limit)
    except (StyleFileRefused, OSError):
        return None
    try:
        return data.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
