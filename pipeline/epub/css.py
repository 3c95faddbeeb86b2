"""The book's own CSS as the EPUB carries it: without anything that would reach outside the book.

``styles/book.css`` is written for the print layout, where press's fetcher refuses every URL that
is not a file of the manuscript. An EPUB has no such fetcher: a reading system would fetch an
``@import`` of ``http://…`` or a ``url(file:///…)`` itself, and EPUBCheck refuses the book for
them (RSC-006 remote resources, OPF-014). The EPUB carries none of the files a stylesheet might
name (its images and fonts are its own, under other names), so every ``@import`` and every
declaration or rule that names a URL is left out of its copy, each reported (W122) at its line.
A stylesheet with nothing to leave out is carried exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass

import tinycss2
from tinycss2 import ast

#: CSS functions whose arguments are URLs (``url()`` with a quoted address, ``image-set("a.png" 1x)``).
_FETCHING = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "element"}
#: At-rules whose block holds rules; any other at-rule's block holds declarations (``@font-face``, ``@page``).
_RULE_BLOCKS = {"media", "supports", "layer", "container", "document", "-moz-document", "scope", "starting-style"}


@dataclass(frozen=True)
class LeftOut:
    """Something of the book's CSS the EPUB does not carry: its line in book.css and what it was."""

    line: int
    what: str


def epub_stylesheet(text: str) -> tuple[str, list[LeftOut]]:
    """``text`` (the book's CSS) as the EPUB carries it, and what was left out of it."""
    left_out: list[LeftOut] = []
    kept = _rules(tinycss2.parse_stylesheet(text), left_out)
    return (text if not left_out else kept), left_out


def _rules(nodes: list, left_out: list[LeftOut]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, ast.AtRule) and node.lower_at_keyword == "import":
            left_out.append(LeftOut(node.source_line, f"@import {_address(node.prelude)}"))
        elif isinstance(node, (ast.AtRule, ast.QualifiedRule)):
            out.append(_rule(node, left_out))
        elif isinstance(node, ast.ParseError):  # CSS no reader could use: nothing to carry
            continue
        else:  # whitespace, comments
            out.append(node.serialize())
    return "".join(out)


def _rule(rule: ast.AtRule | ast.QualifiedRule, left_out: list[LeftOut]) -> str:
    head = (f"@{rule.at_keyword}" if isinstance(rule, ast.AtRule) else "") + tinycss2.serialize(rule.prelude)
    if _fetches(rule.prelude):
        left_out.append(LeftOut(rule.source_line, f"the rule '{head.strip()}' ({_address(rule.prelude)})"))
        return ""
    if rule.content is None:
        return head + ";"
    if isinstance(rule, ast.AtRule) and rule.lower_at_keyword in _RULE_BLOCKS:
        inner = _rules(tinycss2.parse_rule_list(rule.content), left_out)
    else:
        inner = _declarations(rule.content, left_out)
    return head + "{" + inner + "}"


def _declarations(content: list, left_out: list[LeftOut]) -> str:
    out = []
    for node in tinycss2.parse_blocks_contents(content):
        if isinstance(node, ast.Declaration):
            if _fetches(node.value):
                left_out.append(LeftOut(node.source_line, f"'{node.name}: {_address(node.value)}'"))
            else:
                out.append(node.serialize().rstrip() + ";")
        elif isinstance(node, (ast.AtRule, ast.QualifiedRule)):  # nested rules
            out.append(_rule(node, left_out))
        elif not isinstance(node, ast.ParseError):
            out.append(node.serialize())
    return "".join(out)


def _fetches(tokens: list | None) -> bool:
    """Whether ``tokens`` name a URL anywhere, in a block or a function's arguments too."""
    for token in tokens or ():
        if isinstance(token, ast.URLToken):
            return True
        if isinstance(token, ast.FunctionBlock) and (token.lower_name in _FETCHING or _fetches(token.arguments)):
            return True
        if isinstance(token, _BLOCKS) and _fetches(token.content):
            return True
    return False


def _address(tokens: list | None) -> str:
    """The first URL or string ``tokens`` hold, as written (for the message)."""
    for token in tokens or ():
        if isinstance(token, ast.URLToken):
            return f"url({token.value})"
        if isinstance(token, ast.StringToken):
            return f'"{token.value}"'
        inner = token.arguments if isinstance(token, ast.FunctionBlock) else token.content if isinstance(token, _BLOCKS) else None
        found = _address(inner)
        if found:
            return found
    return ""


_BLOCKS = (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)
