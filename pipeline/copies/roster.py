"""A class roster: the CSV file a registrar's system or a spreadsheet exports.

A header row names the columns (``id`` and ``name`` required, ``email`` and ``section``
optional, others ignored; in any case and order); the file is UTF-8 with or without a
byte-order mark, its fields separated by commas or by semicolons (what spreadsheets write where
the comma is the decimal mark). The whole roster is read and checked before any copy is made,
so a roster with a problem makes nothing.

A roster holds students' personal data: messages name the file and the line of a problem but
never quote a value from it, since terminals' output ends up in CI logs.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from pipeline.diagnostics import Diagnostics
from pipeline.model import SourceLoc

REQUIRED = ("id", "name")
OPTIONAL = ("email", "section")
#: A roster of a very large course is a few megabytes; more is not a roster.
MAX_ROSTER_BYTES = 32 * 1024 * 1024
#: No single field of a roster is anywhere near this long.
MAX_FIELD_CHARS = 4096


@dataclass(frozen=True)
class Student:
    """One row of a roster: the student's id (what copy ids are made from), name, and where it is."""

    id: str
    name: str
    line: int
    email: str = ""
    section: str = ""


def read_roster(path: Path, diags: Diagnostics, *, names: bool = False) -> list[Student]:
    """The students of the roster at ``path``, in its order; every problem reported (E160, E161)
    with the file and line. ``names``: every student must then have a name, since it is printed."""
    file = str(path)
    data = _read_bytes(path, file, diags)
    if data is None:
        return []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        diags.add("E160", SourceLoc(file, line), f"the roster is not UTF-8: byte {exc.start} (0x{data[exc.start]:02x}) cannot be read",
                  "export it as 'CSV UTF-8' from the spreadsheet")
        return []
    if not text.strip():
        diags.add("E160", SourceLoc(file, 1), "the roster is empty", "it needs a header row (id,name,email,section) and a row per student")
        return []
    header_line = text.split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    students: list[Student] = []
    try:
        header = next(reader)
        columns = [c.strip().lower() for c in header]
        missing = [c for c in REQUIRED if c not in columns]
        if missing:
            diags.add("E160", SourceLoc(file, 1), f"the roster's header has no column {' or '.join(repr(c) for c in missing)}",
                      f"the first row names the columns: id, name (required), email, section; separated by '{delimiter}'")
            return []
        where = {c: columns.index(c) for c in REQUIRED + OPTIONAL if c in columns}
        first_line: dict[str, int] = {}
        while True:
            start = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            if not any(field.strip() for field in row):
                continue  # a blank line, or a row of empty cells a spreadsheet left
            if len(row) > len(columns):
                diags.add("E160", SourceLoc(file, start), f"a row with {len(row)} fields under a header of {len(columns)}",
                          f"a field holding a '{delimiter}' must be quoted: \"…\"")
                continue
            if any(len(field) > MAX_FIELD_CHARS for field in row):
                diags.add("E160", SourceLoc(file, start), f"a field longer than {MAX_FIELD_CHARS} characters")
                continue
            value = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
            if not value["id"]:
                diags.add("E161", SourceLoc(file, start), "a student without an id", "every row needs the student's id")
                continue
            if value["id"] in first_line:
                diags.add("E161", SourceLoc(file, start), f"this row's id is the id of line {first_line[value['id']]} too",
                          "each student once; two students must have two ids")
                continue
            if names and not value["name"]:
                diags.add("E161", SourceLoc(file, start), "a student without a name, and --names prints names",
                          "give every student a name, or make the copies without --names")
                continue
            first_line[value["id"]] = start
            students.append(Student(value["id"], value["name"], start, value.get("email", ""), value.get("section", "")))
    except csv.Error as error:
        diags.add("E160", SourceLoc(file, reader.line_num or 1), f"the roster is not CSV press can read: {error}",
                  "a quote opened in a field must be closed before the line ends")
        return []
    if not students and not diags.errors:
        diags.add("E160", SourceLoc(file, 2), "the roster has a header but no students")
    return students


def _read_bytes(path: Path, file: str, diags: Diagnostics) -> bytes | None:
    """The roster's bytes, read only from a regular file and only up to ``MAX_ROSTER_BYTES``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as error:
        diags.add("E160", SourceLoc(file), f"the roster cannot be read: {error.strerror}", "give the path of the class's CSV file")
        return None
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            diags.add("E160", SourceLoc(file), "the roster is not a regular file")
            return None
        data = handle.read(MAX_ROSTER_BYTES + 1)
    if len(data) > MAX_ROSTER_BYTES:
        diags.add("E160", SourceLoc(file), f"the roster holds more than {MAX_ROSTER_BYTES // 2**20} MB", "split it by section")
        return None
    return data
