"""Property-testing identifiability statements: hypothesis strategies
(:mod:`equivid.testing.strategies`), assertions, and a pytest plugin with hypothesis
profiles (:mod:`equivid.testing.pytest_plugin`).

Examples
--------
>>> import equivid
>>> from equivid.testing import assert_identifiable_up_to, assert_sound, assert_complete
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
>>> group = assert_identifiable_up_to(system, "diagonal scalings")
>>> assert_complete(assert_sound(group)).dimension
2
"""

from .assertions import (
    NoOracleError,
    assert_case,
    assert_complete,
    assert_consistent_encoder,
    assert_identifiable_up_to,
    assert_recoverable,
    assert_sound,
    random_invertible_decoder,
)

__all__ = [
    "assert_case",
    "assert_identifiable_up_to",
    "assert_sound",
    "assert_complete",
    "assert_consistent_encoder",
    "assert_recoverable",
    "random_invertible_decoder",
    "NoOracleError",
]
