"""The public entry points that tie the layers together."""

from __future__ import annotations

from .ansatz import Ansatz
from .groups import EquivarianceGroup
from .mechanisms import System
from .solve import solve_system
from .solve._lie import LieResult
from .solve._lie import lie_algebra as _lie_algebra

__all__ = ["solve", "lie_algebra"]


def solve(system: System, *, ansatz: str | Ansatz | None = None) -> EquivarianceGroup:
    """The group of invertible maps ``a`` in ``ansatz`` with ``a∘m = m∘a`` for every mechanism.

    ``ansatz`` defaults to the spec's ``ansatz:`` key, else ``"affine"``. Every
    reported generator and element has been verified by substitution.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> group = equivid.solve(system)
    >>> group.dimension, group.general_element
    (4, (t1*z2 + t3 + z1, t2*z2 + t4))
    """
    if not isinstance(system, System):
        from .errors import SpecError

        raise SpecError("system", type(system).__name__, "an equivid.System")
    chosen = Ansatz.parse(ansatz if ansatz is not None else system.ansatz, field="ansatz")
    return EquivarianceGroup.from_solution(system, solve_system(system, chosen))


def lie_algebra(system: System, *, degree: int = 1) -> LieResult:
    """Polynomial vector fields ``X`` of degree <= ``degree`` with ``X∘m = Dm·X`` for every map
    (``[X, V] = 0`` for every flow): the Lie algebra of the equivariance group, for any
    mechanism. Each generator is verified symbolically before it is returned.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})
    >>> equivid.lie_algebra(system, degree=1)
    ((z2, -z1), (z1, z2))
    """
    if not isinstance(system, System):
        from .errors import SpecError

        raise SpecError("system", type(system).__name__, "an equivid.System")
    return _lie_algebra(system, degree=degree)
