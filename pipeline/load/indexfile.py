"""index.yaml: the book's index entries, checked on ``yaml.compose`` nodes so that every problem
names its line.

The file holds two settings (``locators``, ``kinds``) and, under each kind, entries by their
heading as printed. Headings are the names see-references use, so they must be unique across
the whole index (E170); a reference to no heading is E171, and "see" references that lead back
to where they started are E172 (a reader following them would go round for ever).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from pathlib import Path

import yaml

from pipeline.diagnostics import Diagnostics
from pipeline.load.schema import DEFAULT_INDEX_KINDS, INDEX_ENTRY_FIELDS, INDEX_FIELDS, Field
from pipeline.load.text import read_text, resolve, why_unreadable
from pipeline.load.yamlnodes import Value, compose, node_loc, read_mapping
from pipeline.model import BookIndex, IndexEntry, IndexKind, SourceLoc

INDEX_FILE = "index.yaml"
LOCATOR_CHOICES = ("paragraphs", "pages", "both")
_KIND_NAME = re.compile(r"[a-z][a-z0-9_-]*")
#: Entries in one index, at most: far more than any reader's index (a 500-page one has a few thousand).
MAX_INDEX_ENTRIES = 20_000


def index_path(root: Path, named: Value | None) -> Path | None:
    """The index file: the one book.yaml names, else ``index.yaml`` beside it when there is one."""
    if named is not None:
        return root / named.value
    default = root / INDEX_FILE
    return default if default.exists() else None


def load_index(root: Path, named: Value | None, diags: Diagnostics, display) -> BookIndex | None:
    """Read and check the book's index file; None when the book has none (or it cannot be read)."""
    path = index_path(root, named)
    if path is None:
        return None
    where = named.loc if named is not None else SourceLoc(display(path))
    resolved = resolve(path)
    if resolved is None or not resolved.is_relative_to(root.resolve()):
        diags.add("E116", where, f"the index file '{path.name}' is outside the manuscript folder", "keep index.yaml inside it")
        return None
    problem = why_unreadable(resolved)
    if problem:
        diags.add("E105", where, f"the index file '{named.value if named else INDEX_FILE}' {problem}")
        return None
    file = display(path)
    text = read_text(resolved, file, diags)
    if text is None:
        return None
    node = compose(text, file, diags)
    if node is None:
        return BookIndex(SourceLoc(file, 1), ()) if not diags.errors else None
    if not isinstance(node, yaml.MappingNode):
        diags.add("E103", node_loc(node, file), "index.yaml must be a mapping: settings, then each kind's entries")
        return None
    kinds = _kinds(node, file, diags)
    fields = tuple(f for f in INDEX_FIELDS if f.name != "kinds") + tuple(
        Field(name, "named_maps", "", fields=INDEX_ENTRY_FIELDS) for name, _ in kinds)
    _duplicate_headings(node, {name for name, _ in kinds}, file, diags)
    # ``kinds`` is read above (its keys are the book's own names); the rest against the schema
    rest = yaml.MappingNode(node.tag, [(k, v) for k, v in node.value if not (isinstance(k, yaml.ScalarNode) and k.value == "kinds")],
                            node.start_mark, node.end_mark)
    meta = read_mapping(rest, fields, file, diags)
    locators = meta["locators"].value if "locators" in meta else "both"
    if locators not in LOCATOR_CHOICES:
        diags.add("E108", meta["locators"].loc, f"locators: '{locators}' is not one press knows", f"use {', '.join(LOCATOR_CHOICES)}")
        locators = "both"
    index = BookIndex(SourceLoc(file, 1), tuple(
        IndexKind(name, heading, tuple(_entry(heading_, value) for heading_, value in meta[name].value.items()) if name in meta else ())
        for name, heading in kinds), locators)
    if len(index.entries) > MAX_INDEX_ENTRIES:
        diags.add("E115", index.loc, f"{len(index.entries):,} index entries are more than press sets ({MAX_INDEX_ENTRIES:,})")
        return None
    _check_references(index, diags)
    return index


def _kinds(node: yaml.MappingNode, file: str, diags: Diagnostics) -> list[tuple[str, str | None]]:
    """The kinds declared by ``kinds:`` (name, heading), or press's three."""
    declared = next((value for key, value in node.value if isinstance(key, yaml.ScalarNode) and key.value == "kinds"), None)
    if declared is None or (isinstance(declared, yaml.ScalarNode) and declared.tag.endswith(":null")):
        return [(name, None) for name in DEFAULT_INDEX_KINDS]
    if not isinstance(declared, yaml.MappingNode):
        diags.add("E103", node_loc(declared, file), "'kinds' must map each kind's name to its heading",
                  "e.g. kinds: {persons: Persons, ships: Ships}")
        return [(name, None) for name in DEFAULT_INDEX_KINDS]
    out: list[tuple[str, str | None]] = []
    for key, value in declared.value:
        name = key.value if isinstance(key, yaml.ScalarNode) else ""
        if not _KIND_NAME.fullmatch(name) or name in ("locators", "kinds"):
            diags.add("E108", node_loc(key, file), f"'{name}' cannot name a kind of index entry",
                      "use lower-case letters, digits, hyphens and underscores")
            continue
        if any(name == seen for seen, _ in out):
            diags.add("E102", node_loc(key, file), f"kind '{name}' is given twice")
            continue
        heading = value.value if isinstance(value, yaml.ScalarNode) and not value.tag.endswith(":null") else None
        if heading is None and name not in DEFAULT_INDEX_KINDS:
            diags.add("E104", node_loc(key, file), f"kind '{name}' needs a heading", f"e.g. {name}: {name.capitalize()}")
            continue
        out.append((name, heading))
    return out


def _duplicate_headings(node: yaml.MappingNode, kinds: set[str], file: str, diags: Diagnostics) -> None:
    """Each heading once in the whole index (see-references name headings), each sub-heading once in its entry."""
    seen: dict[str, SourceLoc] = {}
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value in kinds and isinstance(value, yaml.MappingNode)):
            continue
        for heading_node, entry in value.value:
            if not isinstance(heading_node, yaml.ScalarNode):
                continue
            heading = _normal(heading_node.value)
            loc = node_loc(heading_node, file)
            if heading in seen:
                diags.add("E170", loc, f"the index has the heading '{heading}' twice", f"first given at line {seen[heading].line}; "
                          "merge the two entries, or tell them apart, e.g. 'Washington, George' and 'Washington, DC'")
            else:
                seen[heading] = loc
            subs = next((v for k, v in entry.value if isinstance(k, yaml.ScalarNode) and k.value == "sub"), None) \
                if isinstance(entry, yaml.MappingNode) else None
            if isinstance(subs, yaml.MappingNode):
                inside: set[str] = set()
                for sub_node, _ in subs.value:
                    if isinstance(sub_node, yaml.ScalarNode):
                        if _normal(sub_node.value) in inside:
                            diags.add("E170", node_loc(sub_node, file), f"'{heading}' has the sub-entry '{sub_node.value}' twice")
                        inside.add(_normal(sub_node.value))


def _normal(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(str(text).split()))


def _default_form(heading: str) -> tuple[str, ...]:
    """An entry without forms is found by its heading up to the first comma ("Gorbachev, Mikhail S." → Gorbachev)."""
    form = heading.split(",")[0].strip()
    return (form,) if form else ()


def _entry(heading: str, value: Value) -> IndexEntry:
    fields = value.value
    heading = _normal(heading)
    see = _normal(fields["see"].value) if "see" in fields else None
    if "forms" in fields:
        forms = tuple(_normal(v.value) for v in fields["forms"].value if v.value.strip())
    else:
        forms = () if see else _default_form(heading)
    subs = tuple(
        IndexEntry(_normal(name), sub.loc, tuple(_normal(v.value) for v in sub.value["forms"].value if v.value.strip())
                   if "forms" in sub.value else (_normal(name),))
        for name, sub in (fields["sub"].value.items() if "sub" in fields else ()))
    return IndexEntry(heading, value.loc, forms, see,
                      tuple(_normal(v.value) for v in fields["see_also"].value) if "see_also" in fields else (), subs)


def _check_references(index: BookIndex, diags: Diagnostics) -> None:
    """Every see and see-also names a heading; following "see" never comes back to where it began."""
    by_heading = {e.heading: e for e in index.entries}
    for entry in index.entries:
        for target in ((entry.see,) if entry.see else ()) + entry.see_also:
            if target not in by_heading:
                close = difflib.get_close_matches(target, list(by_heading), n=1, cutoff=0.6)
                diags.add("E171", entry.loc, f"'{entry.heading}' refers to '{target}', which is no heading of the index",
                          f"did you mean '{close[0]}'?" if close else "add an entry with that heading, or correct the reference")
            elif target == entry.heading:
                diags.add("E172", entry.loc, f"'{entry.heading}' refers to itself")
    reported: set[str] = set()
    for entry in index.entries:
        path = [entry.heading]
        current = entry
        while current.see and current.see in by_heading and current.see != current.heading:
            if current.see in path:
                circle = path[path.index(current.see):] + [current.see]
                if not reported & set(circle):
                    diags.add("E172", entry.loc, f"see references lead round in a circle: {' → '.join(circle)}",
                              "point one of them at an entry with locators of its own")
                reported.update(circle)
                break
            path.append(current.see)
            current = by_heading[current.see]
