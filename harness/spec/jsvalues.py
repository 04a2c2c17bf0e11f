"""Read literal values out of JavaScript source with a real parser (tree-sitter), never by running it.

Tour definitions are JavaScript (or JSON, which is a JavaScript expression). :func:`parse_js` parses a
file with the tree-sitter JavaScript grammar (ES2024 and JSX); :class:`Evaluator` turns an expression
node into Python data when it is a literal: strings (escapes decoded, template strings without
substitutions, ``+`` concatenation), numbers, booleans, null, arrays and object literals. Identifiers
bound once in the file (``const steps = [...]``) are followed. ``document.querySelector('sel')`` and
``document.getElementById('id')`` become a :class:`Query`; anything else (a function, a call, an
unbound variable) becomes a :class:`Dynamic` that says what it was and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import tree_sitter_javascript
from tree_sitter import Language, Node, Parser

from harness.errors import SpecError

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_CSS_IDENT = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_-]*$")
_FUNCTIONS = {"arrow_function", "function_expression", "function", "generator_function"}


@dataclass(frozen=True, slots=True)
class Dynamic:
    """A value the source computes at run time.

    Attributes:
        what: A short description (``a function``, ``the variable el``, ``a call to findTarget()``).
        line: The 1-based line where it is written.
    """

    what: str
    line: int


@dataclass(frozen=True, slots=True)
class Query:
    """``document.querySelector(...)`` / ``document.getElementById(...)``, as a CSS selector."""

    selector: str
    line: int


class JsObject(dict[str, Any]):
    """An object literal: a dict that also knows its line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class JsArray(list[Any]):
    """An array literal: a list that also knows its line."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line


@dataclass
class Call:
    """A call (``f(...)``, ``a.b.f(...)``) or ``new`` expression found in the source.

    Attributes:
        name: The called name's last part (``addStep`` for ``tour.addStep(...)``).
        path: The dotted callee when it is a chain of names (``Shepherd.Tour``), else ``name``.
        args: The argument nodes.
        line: The 1-based line of the call.
        is_new: True for ``new X(...)``.
    """

    name: str
    path: str
    args: list[Node] = field(default_factory=list)
    line: int = 0
    is_new: bool = False


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_javascript.language()))


def line_of(node: Node) -> int:
    """The 1-based line where ``node`` starts."""
    return node.start_point[0] + 1


def parse_js(source: str, path: Path, *, first_line: int = 1) -> Node:
    """Parse JavaScript source and return the program node.

    Args:
        source: The source text.
        path: The file it came from (for error messages).
        first_line: The file line of the source's first line (for scripts inside an HTML page).

    Raises:
        SpecError: On a syntax error, naming the file and line.
    """
    padded = "\n" * (first_line - 1) + source
    root = _parser().parse(padded.encode("utf-8")).root_node
    if root.has_error:
        bad = next((n for n in walk(root) if n.is_error or n.is_missing), root)
        raise SpecError("JavaScript syntax error (the importer parses tour files; it never runs them)",
                        path, line_of(bad))
    return root


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node`` (itself included) in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def _text(node: Node) -> str:
    return (node.text or b"").decode("utf-8")


def _decode_escape(raw: str) -> str:
    body = raw[1:]
    if body.startswith("u{"):
        return chr(int(body[2:-1], 16))
    if body.startswith(("u", "x")) and len(body) > 1:
        return chr(int(body[1:], 16))
    if body.startswith(("\n", "\r")):  # line continuation
        return ""
    return _ESCAPES.get(body, body)


def callee_path(node: Node) -> str | None:
    """``a.b.c`` for a member chain of plain names (or ``a`` for a name), else None."""
    if node.type in {"identifier", "property_identifier"}:
        return _text(node)
    if node.type == "member_expression":
        obj, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if obj is not None and prop is not None:
            base = callee_path(obj)
            return f"{base}.{_text(prop)}" if base else None
    return None


def _callee_name(node: Node) -> str:
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return _text(prop) if prop is not None else ""
    if node.type == "identifier":
        return _text(node)
    return ""


def _named_args(node: Node | None) -> list[Node]:
    if node is None:
        return []
    return [c for c in node.named_children if c.type != "comment"]


def calls(root: Node) -> Iterator[Call]:
    """Every call and ``new`` expression in source order."""
    for node in walk(root):
        if node.type == "call_expression":
            fn = node.child_by_field_name("function")
            if fn is None:
                continue
            name = _callee_name(fn)
            yield Call(name, callee_path(fn) or name, _named_args(node.child_by_field_name("arguments")),
                       line_of(node))
        elif node.type == "new_expression":
            ctor = node.child_by_field_name("constructor")
            if ctor is None:
                continue
            name = _callee_name(ctor)
            yield Call(name, callee_path(ctor) or name, _named_args(node.child_by_field_name("arguments")),
                       line_of(node), is_new=True)


def _bindings(root: Node) -> dict[str, Node | None]:
    """Names bound exactly once (and never reassigned) → their initial value node; others → None."""
    found: dict[str, Node | None] = {}
    for node in walk(root):
        if node.type == "variable_declarator":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
            if name is not None and name.type == "identifier":
                key = _text(name)
                found[key] = None if key in found else value
        elif node.type in {"assignment_expression", "augmented_assignment_expression"}:
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                found[_text(left)] = None
    return found


def css_id_selector(value: str) -> str:
    """``#value`` when ``value`` is a plain CSS identifier, else ``[id="value"]``."""
    if _CSS_IDENT.match(value):
        return f"#{value}"
    return '[id="{}"]'.format(value.replace("\\", "\\\\").replace('"', '\\"'))


class Evaluator:
    """Evaluate literal expressions of one parsed file."""

    def __init__(self, root: Node) -> None:
        """Remember the file's single bindings so identifiers can be followed."""
        self._bindings = _bindings(root)
        self._resolving: set[str] = set()

    def value(self, node: Node) -> Any:
        """The Python value of ``node``: str, int, float, bool, None, JsObject, JsArray, Query or Dynamic."""
        kind = node.type
        line = line_of(node)
        if kind == "string":
            return self._string(node)
        if kind == "template_string":
            if any(c.type == "template_substitution" for c in node.named_children):
                return Dynamic("a template string with ${...}", line)
            return self._string(node)
        if kind == "number":
            return _number(_text(node))
        if kind in {"true", "false"}:
            return kind == "true"
        if kind in {"null", "undefined"}:
            return None
        if kind == "parenthesized_expression":
            inner = _named_args(node)
            return self.value(inner[0]) if len(inner) == 1 else Dynamic("a sequence expression", line)
        if kind == "unary_expression":
            return self._unary(node)
        if kind == "binary_expression":
            return self._concat(node)
        if kind == "array":
            return self._array(node)
        if kind == "object":
            return self._object(node)
        if kind == "identifier":
            return self._identifier(node)
        if kind == "call_expression":
            return self._call(node)
        if kind in _FUNCTIONS:
            return Dynamic("a function", line)
        if kind == "member_expression":
            return Dynamic(f"the expression {_text(node)}", line)
        return Dynamic(f"a {kind.replace('_', ' ')}", line)

    def _string(self, node: Node) -> str:
        parts = []
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(_text(child))
            elif child.type == "escape_sequence":
                parts.append(_decode_escape(_text(child)))
        return "".join(parts)

    def _unary(self, node: Node) -> Any:
        operator = node.child_by_field_name("operator")
        argument = node.child_by_field_name("argument")
        if operator is not None and argument is not None and _text(operator) in {"-", "+"}:
            inner = self.value(argument)
            if isinstance(inner, int | float) and not isinstance(inner, bool):
                return -inner if _text(operator) == "-" else inner
        return Dynamic(f"the expression {_text(node)}", line_of(node))

    def _concat(self, node: Node) -> Any:
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is not None and _text(operator) == "+" and left is not None and right is not None:
            a, b = self.value(left), self.value(right)
            if isinstance(a, str) and isinstance(b, str | int | float) and not isinstance(b, bool):
                return a + str(b)
            if isinstance(b, str) and isinstance(a, int | float) and not isinstance(a, bool):
                return str(a) + b
        return Dynamic(f"the expression {_text(node)}", line_of(node))

    def _array(self, node: Node) -> JsArray:
        result = JsArray(line_of(node))
        for child in _named_args(node):
            result.append(Dynamic("a spread ...", line_of(child)) if child.type == "spread_element"
                          else self.value(child))
        return result

    def _object(self, node: Node) -> JsObject:
        result = JsObject(line_of(node))
        for child in _named_args(node):
            key: str | None = None
            value: Any = None
            if child.type == "pair":
                key_node, value_node = child.child_by_field_name("key"), child.child_by_field_name("value")
                if key_node is None or value_node is None or key_node.type == "computed_property_name":
                    continue
                key = self._string(key_node) if key_node.type == "string" else _text(key_node)
                value = self.value(value_node)
            elif child.type == "shorthand_property_identifier":
                key = _text(child)
                value = self._identifier(child)
            elif child.type == "method_definition":
                name = child.child_by_field_name("name")
                key = _text(name) if name is not None else None
                value = Dynamic("a function", line_of(child))
            if key is not None:
                result[key] = value
                result.key_lines[key] = line_of(child)
        return result

    def _identifier(self, node: Node) -> Any:
        name = _text(node)
        if name == "undefined":
            return None
        bound = self._bindings.get(name)
        if bound is None or name in self._resolving:
            return Dynamic(f"the variable {name}", line_of(node))
        self._resolving.add(name)
        try:
            resolved = self.value(bound)
        finally:
            self._resolving.discard(name)
        if isinstance(resolved, Dynamic):
            return Dynamic(f"the variable {name} ({resolved.what}, line {resolved.line})", line_of(node))
        return resolved

    def _call(self, node: Node) -> Query | Dynamic:
        fn = node.child_by_field_name("function")
        path = callee_path(fn) if fn is not None else None
        args = _named_args(node.child_by_field_name("arguments"))
        line = line_of(node)
        if path in {"document.querySelector", "document.getElementById"} and len(args) == 1:
            arg = self.value(args[0])
            if isinstance(arg, str) and arg.strip():
                selector = arg.strip() if path == "document.querySelector" else css_id_selector(arg.strip())
                return Query(selector, line)
        shown = path or (_text(fn) if fn is not None else "a function")
        return Dynamic(f"a call to {shown}()", line)


def _number(text: str) -> int | float:
    cleaned = text.replace("_", "").rstrip("n")
    try:
        return int(cleaned, 0)
    except ValueError:
        return float(cleaned)
