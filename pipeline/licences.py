"""``press licences``: what press is made of, and under which licences, read from the installed packages.

press's own code is MIT-licensed. It is distributed to run with EbookLib, which is under the
AGPL-3.0-or-later, so press as installed (the application as a whole) is bound by the AGPL: whoever
offers it to others, over a network too, offers its source. Every other dependency is under a
licence that allows that (BSD, MIT, Apache-2.0, MPL-2.0, LGPL, HPND, OFL for the fonts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import metadata

#: press's own code; the whole installed application; the fonts it ships.
OWN_LICENCE = "MIT"
APPLICATION_LICENCE = "AGPL-3.0-or-later"
FONTS_LICENCE = "OFL-1.1"

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_CLASSIFIER = re.compile(r"^License :: (?:OSI Approved :: )?(.+)$")


@dataclass(frozen=True)
class Component:
    """One installed package press runs with: its name, version and licence as its metadata states it."""

    name: str
    version: str
    licence: str


def _licence(dist: metadata.Distribution) -> str:
    """The licence as the package declares it: an SPDX expression, its classifiers, or its free text."""
    meta = dist.metadata
    expression = meta["License-Expression"]  # None when absent (an email.message.Message underneath)
    if expression:
        return expression.strip()
    classifiers = [m[1] for c in meta.get_all("Classifier") or () if (m := _CLASSIFIER.match(c))]
    classifiers = [c for c in classifiers if c not in ("OSI Approved",)]
    if classifiers:
        return "; ".join(dict.fromkeys(classifiers))
    text = (meta["License"] or "").strip()
    if text and len(text) < 80 and "\n" not in text:
        return text
    return text.splitlines()[0][:80] if text else "not stated"


def _runtime_requirements(dist: metadata.Distribution) -> list[str]:
    """Names of what ``dist`` needs at run time (not its extras)."""
    names = []
    for requirement in dist.requires or ():
        if "extra ==" in requirement.replace('extra=="', 'extra == "'):
            continue
        m = _NAME.match(requirement)
        if m:
            names.append(m[1])
    return names


def components(root: str = "press") -> list[Component]:
    """Every package ``root`` needs at run time, itself excluded, found through the installed metadata."""
    seen: dict[str, Component] = {}
    queue = _runtime_requirements(metadata.distribution(root))
    while queue:
        name = queue.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:  # a requirement for another platform or Python
            continue
        seen[key] = Component(dist.metadata["Name"], dist.version, _licence(dist))
        queue.extend(_runtime_requirements(dist))
    return sorted(seen.values(), key=lambda c: c.name.lower())


def markdown_table(found: list[Component]) -> str:
    """LICENCES.md: the statement, then one row per component."""
    lines = [
        "# Licences",
        "",
        f"press's own code is under the {OWN_LICENCE} licence. press runs with EbookLib, which is under the",
        f"{APPLICATION_LICENCE}, so press as installed is bound by the {APPLICATION_LICENCE}: whoever offers it to",
        "others, over a network too, must offer them its source. The fonts in `styles/fonts/` are under the",
        f"SIL Open Font License ({FONTS_LICENCE}). The packages press installs, as their metadata states their licences",
        "(written by `press licences`):",
        "",
        "| package | version | licence |",
        "|---|---|---|",
    ]
    lines += [f"| {c.name} | {c.version} | {c.licence.replace('|', '/')} |" for c in found]
    return "\n".join(lines) + "\n"
