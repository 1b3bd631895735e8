"""The JSON Schema of spec files (``equivid/schema/spec.schema.json``), shipped with the package.

It is the machine-readable form of the spec format (docs: Spec file format): editors use it
for completion and validation (a ``# yaml-language-server: $schema=...`` line, or a
``$schema`` entry in the editor's settings), and equivid uses it twice when it reads a spec:
its top-level keys are the known keys (an unknown one gets a "did you mean"), and after the
parser's own checks (which give the most specific messages) the whole document is validated
against it, so that nothing the schema refuses is ever accepted.
"""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .errors import SpecError

__all__ = ["SCHEMA_PATH", "spec_schema", "schema_keys", "check_against_schema", "did_you_mean"]

#: The schema file (package data).
SCHEMA_PATH = Path(__file__).parent / "schema" / "spec.schema.json"


@functools.cache
def spec_schema() -> Mapping[str, Any]:
    """The spec schema as a mapping (read once).

    Returns
    -------
    Mapping
        The JSON Schema (draft 2020-12) of a spec file.

    Examples
    --------
    >>> spec_schema()["title"]
    'equivid spec file'
    """
    with SCHEMA_PATH.open(encoding="utf-8") as handle:
        schema: Mapping[str, Any] = json.load(handle)
    return schema


def schema_keys() -> tuple[str, ...]:
    """The top-level keys of a spec, in the schema's order.

    Returns
    -------
    tuple of str
        The keys a spec file may hold.

    Examples
    --------
    >>> schema_keys()[:4]
    ('$schema', 'name', 'description', 'latents')
    """
    return tuple(spec_schema()["properties"])


def did_you_mean(word: object, choices: Iterable[str]) -> str:
    """``"did you mean 'x'?"`` for the closest of ``choices`` to ``word``, or ``""``.

    Parameters
    ----------
    word : object
        What was given (its ``str``).
    choices : iterable of str
        The known words.

    Returns
    -------
    str
        The suggestion, or an empty string when nothing is close.

    Examples
    --------
    >>> did_you_mean("latent", ["latents", "states"])
    "did you mean 'latents'?"
    >>> did_you_mean("zzz", ["latents"])
    ''
    """
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else ""


def check_against_schema(data: Mapping[str, Any], field: str = "spec") -> None:
    """Validate a parsed spec against the schema; the first (most relevant) violation is a
    one-line :class:`~equivid.errors.SpecError` naming the entry.

    Parameters
    ----------
    data : Mapping
        The spec as parsed from YAML.
    field : str, default "spec"
        The field named when the violation is at the top level.

    Raises
    ------
    SpecError
        Where ``data`` violates the schema.

    Examples
    --------
    >>> check_against_schema({"latents": ["z1"], "mechanisms": {"m": ["2*z1"]}})
    >>> check_against_schema({"latents": ["z1"], "mechanisms": {"m": ["2*z1"]}, "name": 3})
    Traceback (most recent call last):
    ...
    equivid.errors.SpecError: name: got 3, expected a string (A short name of the system (shown in reports).)
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(spec_schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is None:
        return
    where = ".".join(str(part) for part in error.absolute_path) or field
    expected = _expected(error)
    described = str(error.schema.get("description") or "") if isinstance(error.schema, Mapping) else ""
    raise SpecError(where, error.instance if not isinstance(error.instance, Mapping) else dict(error.instance),
                    expected, detail=described or "")


def _expected(error: Any) -> str:
    """What the schema wanted, in words."""
    kind, value = error.validator, error.validator_value
    if kind == "type":
        names = {"string": "a string", "number": "a number", "integer": "a whole number", "array": "a list",
                 "object": "a mapping", "null": "nothing", "boolean": "true or false"}
        kinds = value if isinstance(value, list) else [value]
        return " or ".join(names.get(str(k), str(k)) for k in kinds)
    if kind == "enum":
        return "one of " + ", ".join(map(str, value))
    if kind == "additionalProperties":
        return "only the keys the format defines"
    if kind == "required":
        return "the key(s) " + ", ".join(map(str, value))
    if kind == "minimum":
        return f"a number >= {value}"
    if kind == "maximum":
        return f"a number <= {value}"
    if kind in ("minItems", "minProperties"):
        return f"at least {value} entr{'y' if value == 1 else 'ies'}"
    if kind == "pattern":
        return f"text matching {value}"
    return " ".join(error.message.split())[:100]
