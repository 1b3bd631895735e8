"""The solver: small parts, registered in order, each with ``matches`` and ``run``.

:func:`solve_system` picks the first part that matches the system and the ansatz,
turns its answer into a :class:`Solution`, verifies every generator and element by
substitution, and records which parts ran. Parts (DESIGN.md section 2):

- ``affine``: affine mechanisms, families and flows, linear/affine ansatz: the exact
  group-level solution (linear algebra), the Lie algebra, the components.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from ..ansatz import Ansatz
from ..errors import UnsupportedMechanismError, VerificationError
from ..mechanisms import System
from ._affine import AffinePart
from ._components import invertibility
from ._result import AffineStructure, Solution
from ._verify import commutes, generates

__all__ = ["solve_system", "Solution", "AffineStructure", "PARTS", "parameter_symbols"]

PARTS = (AffinePart(),)

# Above this many latents the substitution check runs in matrix form (same algebra,
# exact arithmetic, without expanding large sympy expressions).
MATRIX_CHECK_ABOVE = 8


def parameter_symbols(count: int, taken: Sequence[str]) -> tuple[sympy.Symbol, ...]:
    """``t1, t2, ...``, with another letter when a latent or family already uses one."""
    for prefix in ("t", "s", "u", "p", "theta"):
        names = [f"{prefix}{k + 1}" for k in range(count)]
        if not set(names) & set(taken):
            return tuple(sympy.Symbol(name) for name in names)
    return tuple(sympy.Symbol(f"param_{k + 1}") for k in range(count))


def _refuse(system: System, ansatz: Ansatz) -> UnsupportedMechanismError:
    if system.states:
        return UnsupportedMechanismError("states: finite-state systems are not supported yet")
    if system.learner is not None:
        return UnsupportedMechanismError("learner: hypothesis classes of mechanisms are not supported yet")
    for m in system.mechanisms:
        if m.noise is not None:
            return UnsupportedMechanismError(f"mechanisms.{m.name}: stochastic mechanisms are not supported yet")
    if ansatz.kind not in ("linear", "affine"):
        return UnsupportedMechanismError(f"ansatz: {ansatz} is not supported yet (use linear or affine)")
    from ._forms import affine_form

    for m in system.mechanisms:
        if affine_form(m, system) is not None:
            continue
        where = f"{'flows' if m.is_flow else 'mechanisms'}.{m.name}"
        return UnsupportedMechanismError(
            f"{where}: only mechanisms affine in the latents are supported so far "
            f"(got {', '.join(map(str, m.components))})"
        )
    return UnsupportedMechanismError("no solver part matches this system")  # pragma: no cover


def solve_system(system: System, ansatz: Ansatz) -> Solution:
    """Solve ``a∘m = m∘a`` for ``a`` in ``ansatz`` and every mechanism ``m``, verified."""
    if system.states or system.learner is not None or any(m.noise for m in system.mechanisms):
        raise _refuse(system, ansatz)
    for part in PARTS:
        if part.matches(system, ansatz):
            structure = part.structure(system, ansatz)
            solution = _from_affine(structure, system, ansatz, part.name)
            _verify(solution, system)
            return solution
    raise _refuse(system, ansatz)


def _affine_map(B: sympy.MatrixBase, c: sympy.MatrixBase, latents: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
    return tuple(sympy.expand(e) for e in B * sympy.Matrix(latents) + c)


def _from_affine(structure: AffineStructure, system: System, ansatz: Ansatz, part: str) -> Solution:
    latents = system.latents
    taken = [s.name for s in latents + system.families]
    parameters = parameter_symbols(len(structure.directions), taken)
    B0, c0 = structure.base
    B = sympy.Matrix(B0)
    c = sympy.Matrix(c0)
    for t, (Bk, ck) in zip(parameters, structure.directions):
        B += t * Bk
        c += t * ck
    identity = _identity_values(structure, parameters)
    inv = invertibility(B, parameters, identity)
    general = _affine_map(B, c, latents)
    flips = tuple(tuple(e.xreplace(dict(zip(parameters, point))) for e in general) for point in inv.flips)
    lie = tuple(_affine_map(Bk, ck, latents) for Bk, ck in structure.directions)
    notes = (inv.note,) if inv.note else ()
    return Solution(
        latents=latents,
        ansatz=ansatz,
        general_element=general,
        parameters=parameters,
        identity=identity,
        nonzero=inv.nonzero,
        lie_algebra=lie,
        discrete=flips,
        components=inv.components,
        structure=structure,
        parts=(part, "invertibility", "verify"),
        notes=notes,
    )


def _identity_values(structure: AffineStructure, parameters: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
    """Parameter values giving the identity: the pivot entries of (I, 0)."""
    n = structure.n
    target = list(sympy.eye(n)) + [0] * n
    values = []
    for B, c in structure.directions:
        vector = list(B) + list(c)
        pivot = next(k for k, v in enumerate(vector) if v != 0)
        values.append(sympy.Integer(target[pivot]) if pivot < len(target) else sympy.Integer(0))
    return tuple(values)


def _verify(solution: Solution, system: System) -> None:
    """Substitute every generator and element into every mechanism; raise if one fails."""
    if system.n > MATRIX_CHECK_ABOVE and solution.structure is not None:
        _verify_matrices(solution.structure, system)
        return
    at_identity = dict(zip(solution.parameters, solution.identity))
    if any(e.xreplace(at_identity) != z for e, z in zip(solution.general_element, solution.latents)):
        raise VerificationError("the general element is not the identity at the identity parameters")
    if not commutes(solution.general_element, system):
        raise VerificationError(
            f"the general element {solution.general_element} does not commute with every mechanism"
        )
    for X in solution.lie_algebra:
        if not generates(X, system):
            raise VerificationError(f"the Lie algebra generator {X} fails the infinitesimal condition")
    for element in solution.discrete:
        if not commutes(element, system):
            raise VerificationError(f"the component representative {element} does not commute")


def _verify_matrices(structure: AffineStructure, system: System) -> None:
    from ._forms import affine_forms

    forms = affine_forms(system) or []
    identity = sympy.eye(structure.n)
    for label, (B, c), homogeneous in [("base", structure.base, False)] + [
        (f"generator {k + 1}", d, True) for k, d in enumerate(structure.directions)
    ]:
        Bm = sympy.Matrix(B) - (0 if homogeneous else identity)
        for form in forms:
            for s in form.slices:
                ok = (sympy.Matrix(B) * s.A - s.A * sympy.Matrix(B)).is_zero_matrix
                ok = ok and (form.shift(s) * sympy.Matrix(c) - Bm * s.b).is_zero_matrix
                if not ok:
                    raise VerificationError(f"{label} fails the commuting condition for {form.mechanism.name}")
