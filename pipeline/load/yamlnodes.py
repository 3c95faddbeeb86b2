"""Reading YAML with positions: values are checked against a schema on ``yaml.compose`` nodes,
so that every problem names the line and column where it stands."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import yaml

from pipeline.diagnostics import Diagnostics
from pipeline.load.schema import Field
from pipeline.model import SourceLoc

#: Bounds on what a manuscript's YAML may hold (book.yaml and each front matter): its size in
#: characters, its nodes with every alias expanded (a "billion laughs" is a few lines that
#: expand to billions), and the characters of one text field (a title, a printing line) or of
#: one Markdown field (a headnote, a source note).
MAX_YAML_CHARS = 1_000_000
MAX_YAML_NODES = 100_000
MAX_TEXT_CHARS = 10_000
MAX_MARKDOWN_CHARS = 500_000
_DECIMAL = re.compile(r"[+-]?\d[\d_]*")

_NULL = "tag:yaml.org,2002:null"
_INT = "tag:yaml.org,2002:int"
_BOOL = "tag:yaml.org,2002:bool"


@dataclass(frozen=True)
class Value:
    """A checked value and where it was written; ``first_line`` is where a block's text starts."""

    value: Any
    loc: SourceLoc
    first_line: int


def node_loc(node: yaml.Node, file: str, line_offset: int = 0) -> SourceLoc:
    return SourceLoc(file, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)


def compose(text: str, file: str, diags: Diagnostics, line_offset: int = 0) -> yaml.Node | None:
    """Parse YAML text into a node tree, or report the syntax error with its position.

    Text over ``MAX_YAML_CHARS`` is not parsed, and a tree whose aliases expand to more than
    ``MAX_YAML_NODES`` nodes (or refer to themselves) is refused: both are E115.
    """
    if len(text) > MAX_YAML_CHARS:
        diags.add("E115", SourceLoc(file, 1 + line_offset), f"{len(text):,} characters of YAML are more than press reads "
                  f"({MAX_YAML_CHARS:,})", "the metadata of a book or document is far shorter: is this the right file?")
        return None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = SourceLoc(file, (mark.line + 1 + line_offset) if mark else 0, (mark.column + 1) if mark else 0)
        what = exc.problem or exc.context or "cannot parse"
        hint = "check the indentation and quote values containing ': '"
        if "\\t" in what or "tab" in what:
            hint = "YAML indents with spaces, never tabs: replace the tab with spaces"
        diags.add("E101", loc, f"malformed YAML: {what}", hint)
        return None
    except yaml.YAMLError as exc:  # a reader error (bad bytes) has no mark
        diags.add("E101", SourceLoc(file), f"malformed YAML: {exc}")
        return None
    except RecursionError:
        diags.add("E115", SourceLoc(file, 1 + line_offset), "the YAML is nested too deeply to read")
        return None
    if node is not None and expanded_size(node) > MAX_YAML_NODES:
        diags.add("E115", node_loc(node, file, line_offset), f"with its aliases expanded, the YAML holds more than "
                  f"{MAX_YAML_NODES:,} values, more than press reads", "write each value out; do not nest aliases (*name)")
        return None
    return node


def expanded_size(root: yaml.Node) -> int:
    """How many nodes the tree holds with every alias expanded (an alias to itself counts as too many)."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = _children(node)
        if done:
            on_path.discard(key)
            sizes[key] = min(MAX_YAML_NODES + 1, 1 + sum(sizes[id(c)] for c in children))
            continue
        if key in sizes:
            continue
        if key in on_path:
            return MAX_YAML_NODES + 1
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in children if id(child) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def read_mapping(
    node: yaml.Node | None,
    fields: tuple[Field, ...],
    file: str,
    diags: Diagnostics,
    line_offset: int = 0,
    where: str = "",
) -> dict[str, Value]:
    """Check a mapping node against ``fields``; return the valid values, report the rest."""
    loc = node_loc(node, file, line_offset) if node is not None else SourceLoc(file, 1 + line_offset)
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
        node = yaml.MappingNode("tag:yaml.org,2002:map", [])
    if not isinstance(node, yaml.MappingNode):
        diags.add("E103", loc, f"{where or 'this'} must be a mapping of keys to values")
        return {}
    by_name = {f.name: f for f in fields}
    out: dict[str, Value] = {}
    present: set[str] = set()  # keys written, valid or not: an invalid one is not also "missing"
    for key_node, value_node in node.value:
        key_loc = node_loc(key_node, file, line_offset)
        if not isinstance(key_node, yaml.ScalarNode):  # never stringified: an alias key may be huge
            diags.add("E103", key_loc, f"a key of {where or 'this mapping'} must be a name, not a {_shape(key_node)}")
            continue
        key = key_node.value
        field = by_name.get(key)
        if field is None:
            close = difflib.get_close_matches(str(key), list(by_name), n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(by_name)}"
            diags.add("E102", key_loc, f"unknown key '{where}{key}'", hint)
            continue
        if key in present:
            diags.add("E102", key_loc, f"key '{where}{key}' is given twice")
            continue
        present.add(key)
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _NULL:
            if field.required:
                diags.add("E104", key_loc, f"required key '{where}{key}' has no value")
            continue  # an empty optional value is the same as leaving the key out
        checked = _check(field, value_node, file, diags, line_offset, f"{where}{key}")
        if checked is not None:
            out[key] = checked
    for field in fields:
        if field.required and field.name not in present:
            diags.add("E104", loc, f"required key '{where}{field.name}' is missing")
    return out


def _check(field: Field, node: yaml.Node, file: str, diags: Diagnostics, line_offset: int, name: str) -> Value | None:
    loc = node_loc(node, file, line_offset)
    # A block scalar (| or >) starts on the line after its indicator.
    first_line = loc.line + (1 if getattr(node, "style", None) in ("|", ">") else 0)
    kind = field.kind
    if kind in ("str", "markdown"):
        if isinstance(node, yaml.ScalarNode):
            limit = MAX_MARKDOWN_CHARS if kind == "markdown" else MAX_TEXT_CHARS
            if len(node.value) > limit:
                diags.add("E115", loc, f"'{name}' has {len(node.value):,} characters, more than press sets in one "
                          f"{'text' if kind == 'markdown' else 'field'} ({limit:,})")
                return None
            value = node.value
            if kind == "markdown" and node.style != "|":
                # Outside a literal block YAML folds each blank line into one line break and each
                # line break into a space: a single break is where the editor left a paragraph.
                value = value.replace("\n", "\n\n")
            return Value(value, loc, first_line)
        diags.add("E103", loc, f"'{name}' must be text, not a {_shape(node)}")
    elif kind == "int":
        if isinstance(node, yaml.ScalarNode) and node.tag == _INT and _DECIMAL.fullmatch(node.value) and len(node.value) <= 18:
            return Value(int(node.value.replace("_", "")), loc, first_line)
        diags.add("E103", loc, f"'{name}' must be a whole number in decimal digits, not '{_text(node)}'")
    elif kind == "bool":
        if isinstance(node, yaml.ScalarNode) and node.tag == _BOOL:
            return Value(node.value.lower() in ("true", "yes", "on"), loc, first_line)
        diags.add("E103", loc, f"'{name}' must be true or false, not '{_text(node)}'")
    elif kind == "str_list":
        if isinstance(node, yaml.ScalarNode):  # a single name is a list of one
            return Value((Value(node.value, loc, first_line),), loc, first_line)
        if isinstance(node, yaml.SequenceNode):
            items = []
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and item.tag != _NULL:
                    items.append(Value(item.value, node_loc(item, file, line_offset), first_line))
                else:
                    diags.add("E103", node_loc(item, file, line_offset), f"each entry of '{name}' must be text")
            return Value(tuple(items), loc, first_line)
        diags.add("E103", loc, f"'{name}' must be a list, not a {_shape(node)}")
    elif kind == "int_list":
        if isinstance(node, yaml.SequenceNode):
            items = []
            for item in node.value:
                if isinstance(item, yaml.ScalarNode) and item.tag == _INT and _DECIMAL.fullmatch(item.value) and len(item.value) <= 18:
                    items.append(Value(int(item.value.replace("_", "")), node_loc(item, file, line_offset), first_line))
                else:
                    diags.add("E103", node_loc(item, file, line_offset), f"each entry of '{name}' must be a whole number",
                              "use the documents' numbers, e.g. [12, 13, 17]" if name.endswith(".documents") else None)
            # a list with a bad entry is reported once, and not read: nothing is inferred from the rest
            return Value(tuple(items), loc, first_line) if len(items) == len(node.value) else None
        diags.add("E103", loc, f"'{name}' must be a list of numbers, not a {_shape(node)}",
                  "use the documents' numbers, e.g. [12, 13, 17]" if name.endswith(".documents") else None)
    elif kind == "map":
        return Value(read_mapping(node, field.fields, file, diags, line_offset, f"{name}."), loc, first_line)
    elif kind == "named_maps":
        # a mapping of names the book chooses, each entry checked against ``field.fields``
        if not isinstance(node, yaml.MappingNode):
            diags.add("E103", loc, f"'{name}' must map names to settings, not a {_shape(node)}")
            return None
        entries = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                diags.add("E103", node_loc(key_node, file, line_offset), f"a name in '{name}' must be text, not a {_shape(key_node)}")
                continue
            key = str(key_node.value)
            entries[key] = Value(
                read_mapping(value_node, field.fields, file, diags, line_offset, f"{name}.{key}."),
                node_loc(key_node, file, line_offset),
                first_line,
            )
        return Value(entries, loc, first_line)
    return None


def _shape(node: yaml.Node) -> str:
    return {yaml.MappingNode: "mapping", yaml.SequenceNode: "list"}.get(type(node), "value")


def _text(node: yaml.Node) -> str:
    return node.value if isinstance(node, yaml.ScalarNode) else _shape(node)
