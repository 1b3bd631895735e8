"""Every public function and class has a numpydoc docstring (issue 20): a summary, its
parameters and what it returns or yields, and for functions and classes an Examples section
(the examples themselves run as doctests: ``--doctest-modules`` in setup.cfg).

The public API is what the API reference documents (docs/api.rst): the names in ``__all__`` of
the modules in :data:`PUBLIC_MODULES`, and the public methods and properties that their
classes define. The checks are numpydoc's own (``numpydoc.validate``)."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import Any

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")
docscrape_sphinx = pytest.importorskip("numpydoc.docscrape_sphinx")

#: The modules whose ``__all__`` is the public API.
PUBLIC_MODULES = ("equivid", "equivid.testing", "equivid.testing.strategies", "equivid.numeric", "equivid.sweep")

#: numpydoc's codes checked everywhere: a docstring exists, every parameter is documented and no
#: unknown one is, a Returns (Yields) section where the code returns (yields) a value.
EVERYWHERE = {"GL08", "PR01", "PR02", "RT01", "YD01"}
#: Checked for functions and classes (not each method and property): an Examples section.
TOP_LEVEL = {"EX01"}


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    for name, value in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            yield name, value
        elif isinstance(value, (classmethod, staticmethod)):
            yield name, value.__func__
        elif inspect.isfunction(value):
            yield name, value


def public_objects() -> Iterator[tuple[str, Any, bool]]:
    """(qualified name, object, top level) for each public function, class, method and property."""
    seen: set[int] = set()
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)) or id(obj) in seen:
                continue
            seen.add(id(obj))
            yield f"{module_name}.{name}", obj, True
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for member, value in _members(obj):
                    yield f"{module_name}.{name}.{member}", value, False


def _problems(qualified: str, obj: Any, top_level: bool) -> list[str]:
    target = obj.fget if isinstance(obj, property) else obj
    doc = docscrape_sphinx.get_doc_object(target)
    result = numpydoc_validate.validate(doc)
    wanted = EVERYWHERE | (TOP_LEVEL if top_level else set())
    if isinstance(obj, property):
        wanted -= {"RT01", "PR01"}  # a property is documented as an attribute
    return [f"{code}: {message}" for code, message in result["errors"] if code in wanted]


CASES = list(public_objects())


@pytest.mark.parametrize("qualified, obj, top_level", CASES, ids=[c[0] for c in CASES])
def test_public_docstring(qualified: str, obj: Any, top_level: bool) -> None:
    problems = _problems(qualified, obj, top_level)
    assert not problems, f"{qualified}: " + "; ".join(problems)


def test_the_check_rejects_an_undocumented_function() -> None:
    def documented(x: int) -> int:
        """Twice ``x``.

        Parameters
        ----------
        x : int
            A number.

        Returns
        -------
        int
            ``2 * x``.

        Examples
        --------
        >>> documented(2)
        4
        """
        return 2 * x

    def bare(x: int, y: int) -> int:
        """Sum."""
        return x + y

    assert _problems("documented", documented, True) == []
    found = _problems("bare", bare, True)
    assert any(p.startswith("PR01") for p in found) and any(p.startswith("RT01") for p in found)
    assert any(p.startswith("EX01") for p in found)


def test_the_public_api_is_found() -> None:
    names = {c[0] for c in CASES}
    assert {"equivid.solve", "equivid.System", "equivid.System.from_maps", "equivid.testing.assert_case"} <= names
