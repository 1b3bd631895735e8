"""YAML text to a mapping with known keys: the first step of reading spec and sweep files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from .errors import SpecError

__all__ = ["read_yaml"]


def read_yaml(text: str, *, field: str, keys: Sequence[str], shape: str) -> Mapping[str, Any]:
    """Parse YAML text into a mapping whose keys are all in ``keys`` (else SpecError on ``field``)."""
    if not isinstance(text, str):
        raise SpecError(field, text, "YAML text")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else str(exc)
        raise SpecError(field, text.strip().splitlines()[0] if text.strip() else text, "valid YAML", detail=where) from None
    if not isinstance(data, Mapping):
        raise SpecError(field, data, shape)
    for key in data:
        if key not in keys:
            raise SpecError(field, key, f"a known key ({', '.join(keys)})", detail="unknown key")
    return data
