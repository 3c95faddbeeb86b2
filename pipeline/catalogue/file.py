"""A catalogue file: the books of a term, the editions of each, the rosters to stamp.

```yaml
books:
  cold-water:                         # the book's name here: its outputs go to DIR/cold-water/
    manuscript: readers/cold-water    # relative to the catalogue file, inside its folder
    whole: true                       # the whole reader too (default: true)
    editions: [law-of-the-sea]        # class editions to build
    rosters:
      hist-2140:                      # a name of your choosing
        edition: law-of-the-sea       # stamp this edition's copies (default: the whole reader)
        file: rosters/hist-2140.csv
        names: false
```

Checked as book.yaml is (``load/yamlnodes.py``: every problem placed at its line), and then
against the disk before anything is built: every manuscript, every edition (read from the
book's book.yaml alone, so a book whose documents have problems fails alone at build time),
every roster.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from pipeline.diagnostics import Diagnostics
from pipeline.load.schema import Field
from pipeline.load.text import read_text, resolve
from pipeline.load.yamlnodes import compose, read_mapping
from pipeline.model import SourceLoc

CATALOGUE_FIELDS: tuple[Field, ...] = (
    Field("books", "named_maps", "The books of the term, by a name of your choosing.", required=True, fields=(
        Field("manuscript", "str", "The manuscript folder, relative to the catalogue file.", required=True),
        Field("whole", "bool", "Build the whole reader (default: true)."),
        Field("editions", "str_list", "The class editions to build."),
        Field("rosters", "named_maps", "Rosters to stamp copies for, by a name of your choosing.", fields=(
            Field("file", "str", "The roster's CSV file, relative to the catalogue file.", required=True),
            Field("edition", "str", "The edition whose copies are stamped (default: the whole reader)."),
            Field("names", "bool", "Print the students' names on their copies (default: false)."),
        )),
    )),
)
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Roster:
    """A roster to stamp: its name, file, edition (None: the whole reader) and whether names are printed."""

    name: str
    file: Path
    edition: str | None
    names: bool


@dataclass(frozen=True)
class Item:
    """One unit of work, given to one shard whole: a book's edition (None: the whole reader) built,
    and the rosters stamped from it."""

    book: str
    manuscript: Path
    edition: str | None
    rosters: tuple[Roster, ...]

    @property
    def key(self) -> str:
        """The item in manifests: ``book:edition`` (``book:`` for the whole reader)."""
        return f"{self.book}:{self.edition or ''}"

    @property
    def label(self) -> str:
        """The item in messages."""
        return self.book + (f" ({self.edition})" if self.edition else "")


def read_catalogue(path: Path, diags: Diagnostics) -> list[Item]:
    """The catalogue's work in its order; every problem reported (E102, E103, E104, E165) at its line."""
    file = str(path)
    text = read_text(Path(path), file, diags) if Path(path).is_file() else None
    if text is None:
        if not diags.errors:
            diags.add("E165", SourceLoc(file), "no catalogue file here")
        return []
    node = compose(text, file, diags)
    if diags.errors:
        return []
    meta = read_mapping(node, CATALOGUE_FIELDS, file, diags)
    folder = Path(path).resolve().parent
    items: list[Item] = []
    for name, entry in (meta["books"].value if "books" in meta else {}).items():
        fields = entry.value
        if not _NAME.fullmatch(name):
            diags.add("E165", entry.loc, f"'{name}' cannot name a book of the catalogue",
                      "use lower-case letters, digits and hyphens: it names the book's output folder")
            continue
        if "manuscript" not in fields:
            continue  # reported by the schema
        manuscript = _inside(folder, fields["manuscript"].value, fields["manuscript"].loc, "manuscript", diags)
        if manuscript is None:
            continue
        if not (manuscript / "book.yaml").is_file():
            diags.add("E165", fields["manuscript"].loc, f"no manuscript at '{fields['manuscript'].value}': no book.yaml there",
                      "give the manuscript folder, relative to the catalogue file")
            continue
        known = _editions(manuscript)
        editions = []
        for item in fields["editions"].value if "editions" in fields else []:
            if known is not None and item.value not in known:
                diags.add("E165", item.loc, f"book '{name}' has no edition '{item.value}'",
                          f"its editions: {', '.join(known) or 'none'}")
            editions.append(item.value)
        rosters: dict[str | None, list[Roster]] = {}
        for roster_name, roster_entry in (fields["rosters"].value if "rosters" in fields else {}).items():
            settings = roster_entry.value
            if "file" not in settings:
                continue
            roster = _inside(folder, settings["file"].value, settings["file"].loc, "roster", diags)
            if roster is not None and not roster.is_file():
                diags.add("E165", settings["file"].loc, f"the roster '{settings['file'].value}' does not exist")
                roster = None
            edition = settings["edition"].value if "edition" in settings else None
            if edition is not None and known is not None and edition not in known:
                diags.add("E165", settings["edition"].loc, f"book '{name}' has no edition '{edition}'",
                          f"its editions: {', '.join(known) or 'none'}")
            if roster is not None:
                rosters.setdefault(edition, []).append(Roster(roster_name, roster, edition,
                                                              settings["names"].value if "names" in settings else False))
        wanted: list[str | None] = ([None] if fields["whole"].value else []) if "whole" in fields else [None]
        wanted += [e for e in editions if e not in wanted]
        wanted += [e for e in rosters if e not in wanted]  # an edition stamped is an edition built
        for edition in wanted:
            items.append(Item(name, manuscript, edition, tuple(rosters.get(edition, []))))
    return items


def _inside(folder: Path, written: str, loc: SourceLoc, what: str, diags: Diagnostics) -> Path | None:
    """``written`` resolved against the catalogue's folder; E116 when it leads outside it."""
    path = resolve(folder / written)
    if path is None or not path.is_relative_to(folder):
        diags.add("E116", loc, f"the {what} '{written}' is outside the catalogue's folder",
                  "keep manuscripts and rosters in the catalogue's folder or below it")
        return None
    return path


def _editions(manuscript: Path) -> list[str] | None:
    """The edition names book.yaml declares, read from its YAML alone; None when it cannot be read
    (the book's build then fails, with the loader's own messages)."""
    scratch = Diagnostics()  # the book's own problems are its build's to report
    text = read_text(manuscript / "book.yaml", "book.yaml", scratch)
    node = compose(text, "book.yaml", scratch) if text is not None else None
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == "editions":
            if not isinstance(value, yaml.MappingNode):
                return None
            return [str(k.value) for k, _ in value.value if isinstance(k, yaml.ScalarNode)]
    return []
