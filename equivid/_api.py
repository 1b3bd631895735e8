"""The public entry points that tie the layers together."""

from __future__ import annotations

from .ansatz import Ansatz
from .groups import EquivarianceGroup
from .mechanisms import System
from .solve import solve_system

__all__ = ["solve"]


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
