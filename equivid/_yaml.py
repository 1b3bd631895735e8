"""YAML text to a mapping with known keys: the first step of reading spec and sweep files.

The text is read with a safe loader that also refuses, before building any value: text
longer than :data:`~equivid._parse.MAX_SPEC_BYTES`, collections nested deeper than
:data:`~equivid._parse.MAX_YAML_DEPTH`, more than :data:`~equivid._parse.MAX_YAML_NODES`
nodes once aliases are expanded (a "billion laughs" bomb), recursive aliases, and a key
given twice in one mapping. Errors give a line and column, never the text of the file.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ._limits import MAX_NUMBER_DIGITS, MAX_SPEC_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES
from .errors import SpecError

__all__ = ["read_yaml", "safe_yaml"]


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "an unknown position"


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` with a depth limit while composing and no duplicate keys."""

    def __init__(self, stream: str, field: str) -> None:
        super().__init__(stream)
        self.field = field
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_YAML_DEPTH:
                mark = self.peek_event().start_mark
                raise SpecError(self.field, _where(mark), f"YAML nested at most {MAX_YAML_DEPTH} levels deep (the limit)")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                key = self.construct_object(key_node)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue
                if first is not key_node:
                    raise SpecError(self.field, f"key {key!s:.60} at line {key_node.start_mark.line + 1}",
                                    "each key once in a mapping",
                                    detail=f"given twice: {_where(first.start_mark)} and {_where(key_node.start_mark)}")
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: Any) -> Any:
        if len(str(node.value)) > MAX_NUMBER_DIGITS + 10:  # before int() of a huge literal
            raise SpecError(self.field, _where(node.start_mark),
                            f"a number of at most {MAX_NUMBER_DIGITS} digits (the limit)")
        return super().construct_yaml_int(node)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    return []


def _check_expanded(root: Any, field: str) -> None:
    """Nodes and depth of the document with every alias expanded, counted on the node
    graph (each shared node once, iteratively): refuse a bomb or a cycle before building it."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            depth[key] = 1 + max((depth[id(k)] for k in kids), default=0)
            if size[key] > MAX_YAML_NODES:
                raise SpecError(field, _where(node.start_mark),
                                f"at most {MAX_YAML_NODES} YAML values with aliases expanded (the limit)",
                                detail=f"{size[key]} values from here on")
            if depth[key] > MAX_YAML_DEPTH:
                raise SpecError(field, _where(node.start_mark),
                                f"YAML nested at most {MAX_YAML_DEPTH} levels deep with aliases expanded (the limit)")
            continue
        if key in size:
            continue
        if key in open_nodes:
            raise SpecError(field, _where(node.start_mark), "YAML without recursive aliases",
                            detail="an alias refers to a collection that contains it")
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((k, False) for k in _children(node) if id(k) not in size)


def safe_yaml(text: str, *, field: str) -> Any:
    """Parse YAML text safely within the limits (see the module docstring); SpecError on ``field``.

    Examples
    --------
    >>> safe_yaml("a: [1, 2]", field="spec")
    {'a': [1, 2]}
    >>> safe_yaml("a: 1\\nb: 2\\na: 3", field="spec")
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: spec: got 'key a at line 3', expected each key once in a mapping (given twice: line 1, column 1 and line 3, column 1)
    >>> safe_yaml("a: &x [1, 2]\\nb: *x\\nc: [*x, *x]", field="spec")["c"]
    [[1, 2], [1, 2]]
    """
    if not isinstance(text, str):
        raise SpecError(field, type(text).__name__, "YAML text")
    if len(text) > MAX_SPEC_BYTES:
        raise SpecError(field, f"{len(text)} characters", f"at most {MAX_SPEC_BYTES} characters (the limit)")
    loader = _Loader(text, field)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise SpecError(field, "the YAML text", f"YAML nested at most {MAX_YAML_DEPTH} levels deep") from None
        if node is None:
            return None
        _check_expanded(node, field)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = " ".join(str(getattr(exc, "problem", None) or type(exc).__name__).split())[:80]
        context, opened = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and opened is not None and mark is not None and opened.line != mark.line:
            # the parser notices late (an unclosed bracket or quote shows on a later line): name both places
            problem += f"; {' '.join(str(context).split())[:60]} that starts at {_where(opened)}"
        raise SpecError(field, _where(mark), "valid YAML", detail=problem) from None
    finally:
        loader.dispose()


def read_yaml(text: str, *, field: str, keys: Sequence[str], shape: str) -> Mapping[str, Any]:
    """Parse YAML text into a mapping whose keys are all in ``keys`` (else SpecError on ``field``).

    A document that is not a mapping is described by its kind, not echoed (it may be any
    file's content)."""
    data = safe_yaml(text, field=field)
    if not isinstance(data, Mapping):
        kind = "a list" if isinstance(data, list) else "nothing" if data is None else f"a single {type(data).__name__} value"
        raise SpecError(field, f"YAML holding {kind}", shape)
    for key in data:
        if key not in keys:
            from ._schema import did_you_mean

            hint = did_you_mean(key, keys)
            raise SpecError(field, key, f"a known key ({', '.join(keys)})",
                            detail="unknown key" + (f"; {hint}" if hint else ""))
    return data
