"""The solver: small parts, registered in order, each with ``matches`` and ``run``.

:func:`solve_system` picks the first part that matches the system and the ansatz,
turns its answer into a :class:`Solution`, verifies every generator and element by
substitution, and records which parts ran. Parts (DESIGN.md section 2):

- ``affine``: affine mechanisms, families and flows, linear/affine ansatz: the exact
  group-level solution (linear algebra), the Lie algebra, the components.
- ``polynomial-group``: polynomial mechanisms under a ``polynomial:D`` ansatz, and
  non-affine ones under a linear/affine ansatz: ``id + span(Lie algebra)`` for affine
  mechanisms, else the polynomial equations on the coefficients solved exactly under a
  budget; invertible maps only (constant Jacobian determinant, Groebner inverse).
- ``non-polynomial``: mechanisms such as ``tanh`` or ``exp``, linear/affine ansatz: the
  identity component from the Lie algebra (proved), signed permutations as discrete
  candidates (``_nonpolynomial.py``).
- ``finite``: finite-state systems (``states:``), ansatz ``finite``: the automorphism
  group of the coloured functional digraph (``_finite.py``), generators verified.
- ``class``: the learner knows only a class of mechanisms (``learner:``): the set of
  ``a`` with ``a∘m∘a^{-1}`` in the class, which need not be a group (``_classes.py``).
- ``noise``: stochastic mechanisms (``noise:``): the deterministic answer for the mean
  maps cut down by the linear symmetry group of the noise law (``_noise.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import flint
import sympy
from sympy.polys.domains import QQ

from ..ansatz import Ansatz
from ..errors import UnsupportedMechanismError, VerificationError
from ..mechanisms import System
from ._affine import AffinePart
from ._classes import ClassPart
from ._components import Invertibility, invertibility
from ._finite import FinitePart
from ._noise import NoisePart
from ._nonpolynomial import NonPolynomialPart
from ._polynomial import PolynomialPart
from ._result import AffineStructure, Solution
from ._verify import is_zero, unsound

__all__ = ["solve_system", "Solution", "AffineStructure", "PARTS", "parameter_symbols"]

AFFINE_PART = AffinePart()
# Polynomial mechanisms under a polynomial:D ansatz, and non-affine ones under a
# linear/affine ansatz: solve/_polynomial.py.
POLYNOMIAL_PART = PolynomialPart()
# Mechanisms that are not polynomial, linear/affine ansatz: solve/_nonpolynomial.py.
NONPOLYNOMIAL_PART = NonPolynomialPart()
# Finite-state systems: solve/_finite.py.
FINITE_PART = FinitePart()
# A learner that knows only a class of mechanisms: solve/_classes.py.
CLASS_PART = ClassPart()
# Stochastic mechanisms (additive noise): solve/_noise.py.
NOISE_PART = NoisePart()
# The parts, in the order solve_system tries them.
PARTS = (FINITE_PART, CLASS_PART, NOISE_PART, AFFINE_PART, POLYNOMIAL_PART, NONPOLYNOMIAL_PART)

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
    gens = system.latents + system.families
    for m in system.mechanisms:
        if all(c.is_polynomial(*gens) for c in m.components):
            continue
        where = f"{'flows' if m.is_flow else 'mechanisms'}.{m.name}"
        got = ", ".join(map(str, m.components))
        if ansatz.kind == "polynomial":
            return UnsupportedMechanismError(
                f"{where}: a polynomial:D ansatz needs polynomial mechanisms (got {got}); use "
                "--ansatz affine, or equivid.lie_algebra(system, degree=D) for the Lie algebra"
            )
        return UnsupportedMechanismError(
            f"{where}: mechanisms that are not polynomial are solved without family symbols only "
            f"(got {got} with families {', '.join(map(str, system.families))}); "
            "equivid.lie_algebra(system, degree=D) gives the Lie algebra"
        )
    return UnsupportedMechanismError("no solver part matches this system")  # pragma: no cover


def solve_system(system: System, ansatz: Ansatz) -> Solution:
    """Solve ``a∘m = m∘a`` for ``a`` in ``ansatz`` and every mechanism ``m``, verified."""
    # -- finite-state systems: solve/_finite.py (any other ansatz is a SpecError there) --
    if system.states:
        return FINITE_PART.solve(system, ansatz)
    if CLASS_PART.matches(system, ansatz):
        return CLASS_PART.solve(system, ansatz)
    if NOISE_PART.matches(system, ansatz):
        return NOISE_PART.solve(system, ansatz)
    if AFFINE_PART.matches(system, ansatz):
        structure = AFFINE_PART.structure(system, ansatz)
        solution = _from_affine(structure, system, ansatz, AFFINE_PART.name)
        _verify(solution, system)
        return solution
    if POLYNOMIAL_PART.matches(system, ansatz):
        return POLYNOMIAL_PART.solve(system, ansatz)
    if NONPOLYNOMIAL_PART.matches(system, ansatz):
        return NONPOLYNOMIAL_PART.solve(system, ansatz)
    raise _refuse(system, ansatz)


def _affine_map(B: sympy.MatrixBase, c: sympy.MatrixBase, latents: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
    """The components of ``z -> Bz + c``, built term by term (no matrix products).

    Large maps are built unevaluated: sympy's evaluation of tens of thousands of
    products with big integer coefficients would dominate the solve.
    """
    evaluate = B.rows <= MATRIX_CHECK_ABOVE
    components = []
    rows, shifts = B.tolist(), list(c)
    for row, shift in zip(rows, shifts):
        if evaluate:
            terms = [b * z for b, z in zip(row, latents) if b != 0]
        else:  # exact numbers times symbols: build the products without sympy's evaluation
            terms = [z if b == 1 else sympy.Mul._from_args((b, z)) for b, z in zip(row, latents) if b != 0]
        if shift != 0 or not terms:
            terms.append(shift)
        if len(terms) == 1:
            components.append(terms[0])
        else:
            components.append(sympy.Add(*terms) if evaluate else sympy.Add._from_args(terms))
    return tuple(components)


def _general_element(
    structure: AffineStructure, lie: Sequence[tuple[sympy.Expr, ...]], parameters: Sequence[sympy.Symbol],
    latents: Sequence[sympy.Symbol],
) -> tuple[sympy.Expr, ...]:
    """``base(z) + sum_k t_k X_k(z)``, expanded when small."""
    base = _affine_map(*structure.base, latents)
    if len(latents) <= MATRIX_CHECK_ABOVE:
        return tuple(
            sympy.expand(b + sum((t * X[i] for t, X in zip(parameters, lie)), sympy.Integer(0)))
            for i, b in enumerate(base)
        )
    general = []
    for i, b in enumerate(base):
        terms = ([b] if b != 0 else []) + [sympy.Mul._from_args((t, X[i])) for t, X in zip(parameters, lie) if X[i] != 0]
        general.append(sympy.Add._from_args(terms) if len(terms) > 1 else terms[0] if terms else sympy.Integer(0))
    return tuple(general)


def _from_affine(structure: AffineStructure, system: System, ansatz: Ansatz, part: str) -> Solution:
    latents = system.latents
    taken = [s.name for s in latents + system.families]
    parameters = parameter_symbols(len(structure.directions), taken)
    lie = tuple(_affine_map(Bk, ck, latents) for Bk, ck in structure.directions)
    general = _general_element(structure, lie, parameters, latents)
    if system.n <= MATRIX_CHECK_ABOVE:
        B = sympy.Matrix(structure.base[0])
        for t, (Bk, _) in zip(parameters, structure.directions):
            B += t * Bk
        inv = invertibility(B, parameters, structure.identity)
    else:
        inv = Invertibility((), None, (), note="det B(t) != 0 (not expanded: the matrix is large)")
    flips = tuple(tuple(e.xreplace(dict(zip(parameters, point))) for e in general) for point in inv.flips)
    notes = (inv.note,) if inv.note else ()
    return Solution(
        latents=latents,
        ansatz=ansatz,
        general_element=general,
        parameters=parameters,
        identity=structure.identity,
        nonzero=inv.nonzero,
        lie_algebra=lie,
        discrete=flips,
        components=inv.components,
        structure=structure,
        parts=(part, "invertibility", "verify"),
        notes=notes,
    )


def _verify(solution: Solution, system: System) -> None:
    """Substitute every generator and element into every mechanism; raise if one fails."""
    if system.n > MATRIX_CHECK_ABOVE and solution.structure is not None:
        _verify_matrices(solution.structure, system)
        return
    at_identity = dict(zip(solution.parameters, solution.identity))
    if any(e.xreplace(at_identity) != z for e, z in zip(solution.general_element, solution.latents)):
        raise VerificationError("the general element is not the identity at the identity parameters")
    failure = unsound(system, [("the general element", solution.general_element)], solution.lie_algebra,
                      solution.discrete)
    if failure is not None:
        raise VerificationError(failure)


def _flint(M: sympy.MatrixBase) -> flint.fmpq_mat | None:
    """A rational sympy matrix as a python-flint matrix (None if an entry is not rational)."""
    rep = getattr(M, "_rep", None)  # sympy keeps rational matrices over ZZ/QQ internally
    if rep is not None and (rep.domain.is_ZZ or rep.domain.is_QQ) and M.rows and M.cols:
        return rep.convert_to(QQ).to_dfm().rep
    entries = M.flat()
    if not all(e.is_Rational for e in entries):
        return None
    return flint.fmpq_mat(M.rows, M.cols, [flint.fmpq(int(e.p), int(e.q)) for e in entries])


def _vanish(B: Any, c: Any, moved: Any, A: Any, shift: Any, b: Any) -> bool:
    """``BA - AB = 0`` and ``shift c - moved b = 0`` (python-flint or sympy matrices)."""
    if all(isinstance(m, flint.fmpq_mat) for m in (B, c, moved, A, shift, b)):
        return not any((B * A - A * B).entries()) and not any((shift * c - moved * b).entries())
    B, c, moved, A, shift, b = (m if isinstance(m, sympy.MatrixBase) else _sympy(m) for m in (B, c, moved, A, shift, b))
    residuals = list(B * A - A * B) + list(shift * c - moved * b)
    return all(is_zero(e) for e in residuals)


def _sympy(M: flint.fmpq_mat) -> sympy.Matrix:
    return sympy.Matrix(M.nrows(), M.ncols(), [sympy.Rational(int(x.p), int(x.q)) for x in M.entries()])


def _exact(M: sympy.MatrixBase) -> Any:
    converted = _flint(M)
    return M if converted is None else converted


def _verify_matrices(structure: AffineStructure, system: System) -> None:
    """The substitution check in matrix form (exact arithmetic, python-flint when rational)."""
    from ._forms import affine_forms

    n = structure.n
    slices = [
        (form.mechanism.name, _exact(s.A), _exact(form.shift(s)), _exact(s.b))
        for form in affine_forms(system) or []
        for s in form.slices
    ]
    checks = [("base", structure.base, False)]
    checks += [(f"generator {k + 1}", d, True) for k, d in enumerate(structure.directions)]
    for label, (B, c), homogeneous in checks:
        moved = B if homogeneous else B - sympy.eye(n)
        fB, fc, fmoved = _exact(B), _exact(c), _exact(moved)
        for name, A, shift, b in slices:
            if not _vanish(fB, fc, fmoved, A, shift, b):
                raise VerificationError(f"{label} fails the commuting condition for {name}")
