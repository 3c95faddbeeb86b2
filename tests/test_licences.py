"""press states its licences honestly: its own, the installed application's, and each dependency's."""

from __future__ import annotations

import re
import tomllib

from pipeline.licences import APPLICATION_LICENCE, OWN_LICENCE, components
from tests.conftest import REPO

#: Licence families that allow press to be distributed under the AGPL with its source.
COMPATIBLE = re.compile(r"BSD|MIT|Apache|MPL|Mozilla|LGPL|Lesser General|AGPL|Affero|HPND|ISC|PSF|Python Software|CMU|"
                        r"Unlicense|Zlib|OFL", re.IGNORECASE)


def test_every_package_press_runs_with_states_a_licence_compatible_with_what_press_states():
    found = {c.name.lower(): c for c in components()}
    assert "AGPL" in found["ebooklib"].licence.upper() or "Affero" in found["ebooklib"].licence
    for c in found.values():
        assert c.licence != "not stated", c.name
        assert COMPATIBLE.search(c.licence), f"{c.name}: {c.licence}"


def test_licences_md_and_pyproject_say_the_same_as_press():
    text = (REPO / "LICENCES.md").read_text(encoding="utf-8")
    assert f"under the {OWN_LICENCE} licence" in text and APPLICATION_LICENCE in text
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert OWN_LICENCE in project["license"]["text"] and APPLICATION_LICENCE in project["license"]["text"]
    listed = {row.split("|")[1].strip().lower() for row in text.splitlines() if row.startswith("| ") and "---" not in row}
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9._-]+", requirement)[0].lower()
        assert name in listed, f"{name} is missing from LICENCES.md: run press licences --markdown > LICENCES.md"
