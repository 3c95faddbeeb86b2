"""Templates as untrusted programs: read through a confined loader, run in Jinja2's sandbox, bounded.

A book may bring its own templates (``styles/templates/``), and a template is a program: in
Jinja2's ordinary environment ``{{ cycler.__init__.__globals__.os.popen('…') }}`` runs a command.
So every template, the book's and press's alike, runs in the immutable sandbox, which refuses
private attributes and calls that change press's objects; the loader reads only regular files
inside the book's or press's templates folder, of a sane size; and a render is bounded in time
(loops and calls read a deadline) and in what it writes. Whatever a template cannot do becomes
a ``TemplateProblem``, which ``Renderer`` reports as a placed diagnostic (E119, or E116, E120,
E113 for a template file press refuses to read).
"""

from __future__ import annotations

import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from pipeline.diagnostics import Diagnostic
from pipeline.model import SourceLoc
from pipeline.styles import MAX_TEMPLATE_BYTES, StyleFileRefused, display_name, read_style_file

#: How long one render of one template may take, in seconds (press's own take milliseconds).
RENDER_SECONDS = 10.0
#: What one render may write, in characters; the print HTML may write this much more for each
#: document it holds (a document is at most 500,000 characters of Markdown).
MAX_OUTPUT_CHARS = 5 * 1024 * 1024
#: The largest number a template may compute, in bits: enough for any page arithmetic, too few for
#: ``9 ** 999999999``, which would take the machine minutes to compute.
MAX_NUMBER_BITS = 4096
#: The clock is read once every this many turns of a loop (reading it on each would slow loops).
_PACE = 256
#: The filter every ``{% for %}`` loop's sequence is passed through (a name templates cannot type).
_PACED = "press:paced"


class TemplateProblem(Exception):
    """A template press will not read or cannot render: the diagnostic ``code``, the template ``file``
    and ``line`` when they are known (else the render's template and line place it), and why."""

    def __init__(self, code: str, message: str, file: Path | str | None = None, line: int = 0):
        super().__init__(message)
        self.code, self.message, self.file, self.line = code, message, file, line

    def __reduce__(self):
        return (type(self), (self.code, self.message, self.file, self.line))


class TemplateFolders(jinja2.BaseLoader):
    """The book's templates folder, then press's: a name is looked up in each in turn.

    A name is a relative path of plain parts (no ``..``, no absolute path); the file it names must
    stay inside its folder and the folder's ``root`` (the manuscript, or press's styles) once links
    are followed, and is read as every file of the book's styles is (``read_style_file``).
    """

    def __init__(self, folders: Iterable[tuple[Path, Path]]):
        self.folders = list(folders)
        #: every file served, by the name Jinja2 gives it in tracebacks: errors are placed by these
        self.served: set[str] = set()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        parts = template.split("/")
        if template.startswith("/") or "\\" in template or "\0" in template or any(p in ("", ".", "..") for p in parts):
            raise TemplateProblem("E116", f"template name '{template}' leads outside the templates folder",
                                  None)
        for folder, root in self.folders:
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            if not path.resolve().is_relative_to(folder.resolve()):
                raise TemplateProblem("E116", f"template '{template}' leads outside the templates folder "
                                      f"(to {path.resolve()})", path, 1)
            try:
                data = read_style_file(path, root, MAX_TEMPLATE_BYTES, too_large="E119")
            except StyleFileRefused as refused:
                raise TemplateProblem(refused.code, refused.message, path, 1) from None
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as error:
                raise TemplateProblem("E113", f"template '{template}' is not UTF-8 text ({error.reason} at byte "
                                      f"{error.start})", path, 1) from None
            self.served.add(str(path))
            mtime = path.stat().st_mtime_ns
            return text, str(path), lambda: _unchanged(path, mtime)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path, mtime: int) -> bool:
    try:
        return path.stat().st_mtime_ns == mtime
    except OSError:
        return False


class TemplateSandbox(ImmutableSandboxedEnvironment):
    """Jinja2's immutable sandbox, with a deadline read by every loop and call, and limits on the
    sizes a template can make in one operation (``'x' * 10**9``, ``9 ** 999999999``).

    Loops are bounded by compiling every ``{% for %}`` over its sequence passed through a filter
    that reads the clock; calls (macros, ``loop()`` in recursive loops, functions) read it in
    ``call``. The sandbox itself caps ``range()`` at 100,000 numbers.
    """

    intercepted_binops = frozenset({"*", "**", "+"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.deadline = math.inf
        self.filters[_PACED] = self._paced

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        # Jinja2 has no public hook between parsing and compiling; this is where loops are paced.
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _PACED, [], [], None, None, lineno=loop.lineno)
        return tree

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateProblem("E119", f"the template ran longer than {RENDER_SECONDS:g} seconds")

    def _paced(self, sequence: Iterable[Any]) -> Iterator[Any]:
        check = self.check_time
        for turn, item in enumerate(sequence):
            if not turn % _PACE:
                check()
            yield item

    def call(self, context: jinja2.runtime.Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.check_time()
        return super().call(context, obj, *args, **kwargs)

    def call_binop(self, context: jinja2.runtime.Context, operator_: str, left: Any, right: Any) -> Any:
        if operator_ == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            if right * max(left.bit_length(), 1) > MAX_NUMBER_BITS:
                raise TemplateProblem("E119", f"{left} ** {right} is a larger number than a template may compute")
        elif operator_ == "*":
            sized = [v for v in (left, right) if isinstance(v, (str, list, tuple))]
            counts = [v for v in (left, right) if isinstance(v, int)]
            if sized and counts and len(sized[0]) * counts[0] > MAX_OUTPUT_CHARS:
                raise TemplateProblem("E119", "a repetition larger than a template may write")
            if len(counts) == 2 and left.bit_length() + right.bit_length() > MAX_NUMBER_BITS:
                raise TemplateProblem("E119", "a larger number than a template may compute")
        elif operator_ == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
            if len(left) + len(right) > MAX_OUTPUT_CHARS:
                raise TemplateProblem("E119", "a sequence larger than a template may write")
        return super().call_binop(context, operator_, left, right)

    def render_bounded(self, template: jinja2.Template, context: dict[str, Any], limit: int = MAX_OUTPUT_CHARS) -> str:
        """``template`` rendered with ``context``, stopped once it runs past the deadline or writes
        more than ``limit`` characters."""
        self.deadline = time.monotonic() + RENDER_SECONDS
        out: list[str] = []
        size = 0
        try:
            for chunk in template.generate(**context):
                size += len(chunk)
                if size > limit:
                    raise TemplateProblem("E119", f"the template wrote more than {limit:,} characters",
                                          template.filename, 1)
                out.append(chunk)
        finally:
            self.deadline = math.inf
        return "".join(out)


#: press's own code: an exception raised there is press's bug, not the template's, even when a
#: template called it.
_PIPELINE = str(Path(__file__).resolve().parents[1])


def template_diagnostic(error: BaseException, served: set[str], rendering: str | None) -> Diagnostic | None:
    """``error``, raised while reading or rendering a template, as the diagnostic an editor reads:
    placed at the template file and line it came from (Jinja2 rewrites a render's traceback so that
    its frames are the templates' lines), or None when it is press's own bug."""
    frames = []
    tb = error.__traceback__
    while tb is not None:
        frames.append((tb.tb_frame.f_code.co_filename, tb.tb_lineno))
        tb = tb.tb_next
    in_templates = [(file, line) for file, line in frames if file in served]
    where = in_templates[-1] if in_templates else (rendering, 0)
    hint = None
    if isinstance(error, TemplateProblem):
        code, message = error.code, error.message
        if code == "E119":
            hint = "a render is bounded in time and size: see the README's Limits"
        if error.file is not None:
            where = (str(error.file), error.line)
    elif isinstance(error, jinja2.TemplateSyntaxError):
        code, message = "E119", f"template syntax: {error.message}"
        where = (error.filename or where[0], error.lineno)
    elif isinstance(error, jinja2.TemplateNotFound):
        code, message = "E119", f"no template named '{error.name}'"
    elif isinstance(error, jinja2.UndefinedError):
        code, message = "E119", f"undefined in the template: {error.message}"
    elif isinstance(error, SecurityError):
        code, message = "E119", f"the template may not do this: {error}"
        hint = "templates run in a sandbox: no private attributes, no changing press's objects"
    elif isinstance(error, jinja2.TemplateError):
        code, message = "E119", f"the template cannot be rendered: {error}"
    elif isinstance(error, Exception) and in_templates and frames and not frames[-1][0].startswith(_PIPELINE):
        # raised by the template's own operation (a division by zero, range() too large, …)
        code, message = "E119", f"the template cannot be rendered: {type(error).__name__}: {error}"
    else:
        return None
    file, line = where
    return Diagnostic(code, SourceLoc(display_name(file) if file else "styles/templates", line or 0), message, hint)
