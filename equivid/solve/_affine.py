"""Solver part: affine mechanisms (maps, families, flows) under a linear or affine ansatz.

For ``a(z) = Bz + c`` and a mechanism slice ``g(d)(A z + b)`` the condition
``a∘m = m∘a`` is linear in ``(B, c)`` (docs/theory.md#affine-mechanisms)::

    B A = A B        and   (A - I) c = (B - I) b      (a map's constant slice)
    B A_k = A_k B    and   A_k c = (B - I) b_k        (other family slices; flows)

Writing ``B = I + B'`` makes it homogeneous in ``(B', c)``: the solution set is
``id + N`` with ``N`` the kernel, and ``N`` is also the Lie algebra. ``B'`` lies in the
joint commutant of the ``A``'s (computed with the structural shortcuts of
:mod:`equivid.linalg`); the translation equations are then a small system.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import flint
import sympy
from sympy.polys.domains import QQ
from sympy.polys.matrices import DomainMatrix

from .. import linalg
from ..ansatz import Ansatz
from ..mechanisms import System
from ._components import Invertibility, invertibility
from ._forms import AffineForm, affine_forms
from ._matrix import MATRIX_CHECK_ABOVE, FrozenMatrix, from_flint, rational_rep, to_flint
from ._result import AffineStructure, Claim, Completeness, Lazy, Solution, parameter_symbols
from ._units import unit_components
from .problem import Problem

__all__ = ["AffinePart", "solve_affine_structure", "solution_from_structure", "affine_map"]

Pair = tuple[sympy.ImmutableMatrix, sympy.ImmutableMatrix]


# Above this many latents the basis is kept as found (e.g. the powers of a
# non-derogatory A): the canonical RREF has entries of ~1000 digits at n = 40.
CANONICAL_UP_TO = 12


def _is_scalar(A: sympy.ImmutableMatrix) -> bool:
    kept = to_flint(A, copy=False) if isinstance(A, FrozenMatrix) else None
    if kept is not None:  # read in flint
        return bool(kept == _eye(A.rows) * kept[0, 0]) if A.rows else True
    return A.is_diagonal() and len(set(A.diagonal())) <= 1


def _eye(n: int) -> flint.fmpq_mat:
    return flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])


def _linear_parts(forms: Sequence[AffineForm]) -> tuple[list[sympy.ImmutableMatrix], list[str]]:
    """The distinct non-scalar linear parts, and the mechanisms they come from."""
    mats: list[sympy.ImmutableMatrix] = []
    names: list[str] = []
    for form in forms:
        for s in form.slices:
            if _is_scalar(s.A):
                continue
            if s.A not in mats:
                mats.append(s.A)
            if form.mechanism.name not in names:
                names.append(form.mechanism.name)
    return mats, names


def _commutant(mats: Sequence[sympy.ImmutableMatrix], n: int, canonical: bool) -> list[sympy.ImmutableMatrix]:
    """A basis of the matrices commuting with every matrix in ``mats``."""
    if not mats:
        return [sympy.ImmutableMatrix(n, n, lambda i, j, k=k: int(i * n + j == k)) for k in range(n * n)]
    reps = [rational_rep(A) for A in mats]
    if not canonical and len(mats) == 1 and linalg.is_nonderogatory(reps[0]):
        A = to_flint(mats[0], copy=False)
        if A is not None:  # the powers of a cyclic A, each kept as the flint matrix computed
            return [from_flint(P, copy=False) for P in linalg.power_chain(A, n)]
    found = linalg.commutant_basis(reps, canonical=canonical)
    return [_immutable(C) for C in found]


def _immutable(C: DomainMatrix) -> sympy.ImmutableMatrix:
    """DomainMatrix -> ImmutableMatrix, converting entries once (rational fast path)."""
    n, m = C.shape
    if C.domain.is_QQ or C.domain.is_ZZ:
        return from_flint(C.convert_to(QQ).to_dense().to_dfm().rep)
    flat = [C.domain.to_sympy(x) for x in C.to_list_flat()]
    return sympy.ImmutableMatrix(n, m, flat)


def _translation_rows(
    forms: Sequence[AffineForm], basis: Sequence[sympy.ImmutableMatrix], translations: bool
) -> list[list[sympy.Expr]]:
    """Rows of ``(A - I) c - B' b = 0`` in the unknowns (x_1..x_r, c_1..c_n)."""
    rows = []
    for form in forms:
        for s in form.slices:
            moves = not s.b.is_zero_matrix
            if not moves and not translations:
                continue
            shift = form.shift(s)
            if not moves and shift.is_zero_matrix:
                continue
            images = [C * s.b for C in basis] if moves else []
            for i in range(s.A.rows):
                row = [-v[i] for v in images] if moves else [sympy.Integer(0)] * len(basis)
                if translations:
                    row += list(shift.row(i))
                rows.append(row)
    return rows


def _canonical(vectors: list[list[sympy.Expr]]) -> tuple[list[list[sympy.Expr]], list[int]]:
    """RREF of the spanning vectors: a canonical basis and its pivot positions."""
    if not vectors:
        return [], []
    if all(e.is_Rational for v in vectors for e in v):
        entries = [flint.fmpq(int(e.p), int(e.q)) for v in vectors for e in v]
        reduced, rank = flint.fmpq_mat(len(vectors), len(vectors[0]), entries).rref()
        rows = [[sympy.Rational(int(x.p), int(x.q)) for x in reduced.table()[k]] for k in range(rank)]
    else:
        matrix = DomainMatrix.from_list_sympy(len(vectors), len(vectors[0]), vectors)
        dm, _ = matrix.to_field().rref()
        rank = dm.rank()
        rows = dm.to_Matrix().tolist()[:rank]
    pivots = [next(j for j, e in enumerate(row) if e != 0) for row in rows]
    return rows, pivots


def _already_reduced(vectors: list[list[sympy.Expr]]) -> tuple[list[list[sympy.Expr]], list[int]]:
    """Vectors from a canonical commutant basis plus free translations are already in RREF."""
    pivots = [next(j for j, e in enumerate(v) if e != 0) for v in vectors]
    order = sorted(range(len(vectors)), key=pivots.__getitem__)
    return [vectors[k] for k in order], [pivots[k] for k in order]


def _kernel(rows: list[list[sympy.Expr]], width: int) -> list[list[sympy.Expr]]:
    if not rows:
        return [[sympy.Integer(int(i == k)) for i in range(width)] for k in range(width)]
    return linalg.nullspace_checked(linalg.as_domain_matrix(rows))


def _directions(
    kernel: list[list[sympy.Expr]], basis: Sequence[sympy.ImmutableMatrix], n: int, translations: bool
) -> list[list[sympy.Expr]]:
    """Kernel vectors (x, c) as vectors (vec B', c) in the original coordinates."""
    vectors = []
    r = len(basis)
    for x in kernel:
        used = [(coefficient, C) for coefficient, C in zip(x[:r], basis) if coefficient != 0]
        if len(used) == 1 and used[0][0] == 1:
            B = used[0][1]
        else:
            B = sympy.ImmutableMatrix.zeros(n, n)
            for coefficient, C in used:
                B += coefficient * C
        c = list(x[r:]) if translations else [sympy.Integer(0)] * n
        vectors.append(B.flat() + c)
    return vectors


def solve_affine_structure(forms: Sequence[AffineForm], n: int, ansatz: Ansatz) -> AffineStructure:
    """The solution set of ``a∘m = m∘a`` for affine ``m`` and ``a`` in a linear/affine ansatz."""
    translations = ansatz.has_constant
    mats, names = _linear_parts(forms)
    canonical = n <= CANONICAL_UP_TO
    basis = _commutant(mats, n, canonical)
    rows = _translation_rows(forms, basis, translations)
    if not rows and not canonical:
        return _free_structure(basis, n, translations, tuple(names) if mats else (), tuple(mats))
    kernel = _kernel(rows, len(basis) + (n if translations else 0))
    vectors = _directions(kernel, basis, n, translations)
    full = not rows or sympy.Matrix([x[: len(basis)] for x in kernel] or [[0]]).rank() == len(basis)
    commutant_of = tuple(names) if full and mats else ()
    identity = list(sympy.eye(n)) + [sympy.Integer(0)] * n
    if canonical:
        vectors, pivots = _canonical(vectors) if rows else _already_reduced(vectors)
        base = sympy.Matrix(identity)
        for vector, pivot in zip(vectors, pivots):
            if base[pivot] != 0:
                base -= base[pivot] * sympy.Matrix(vector)
        at_identity = tuple(sympy.Integer(identity[p]) for p in pivots)
    elif identity in vectors:
        base = sympy.zeros(len(identity), 1)
        at_identity = tuple(sympy.Integer(int(v == identity)) for v in vectors)
    else:
        base = sympy.Matrix(identity)
        at_identity = tuple(sympy.Integer(0) for _ in vectors)
    return AffineStructure(
        _pair(list(base), n),
        tuple(_pair(v, n) for v in vectors),
        identity=at_identity,
        commutant_of=commutant_of,
        commuting=tuple(mats),
    )


def _free_structure(
    basis: Sequence[sympy.ImmutableMatrix], n: int, translations: bool, commutant_of: tuple[str, ...],
    commuting: tuple[sympy.ImmutableMatrix, ...],
) -> AffineStructure:
    """No translation constraints, large n: the commutant basis (plus free translations) as is.

    Skips re-packing thousands of entries into vectors and back (the canonical RREF is
    not computed above CANONICAL_UP_TO latents anyway).
    """
    zero = from_flint(flint.fmpq_mat(n, 1), copy=False)  # shared; read in flint by the check (no conversion per use)
    directions = [(C, zero) for C in basis]
    if translations:
        directions += [(sympy.ImmutableMatrix.zeros(n, n), sympy.ImmutableMatrix.eye(n)[:, k]) for k in range(n)]
    eye = sympy.ImmutableMatrix.eye(n)
    flint_eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    is_eye = [_is_identity(C, flint_eye) for C in basis]
    if any(is_eye):
        base: Pair = (sympy.ImmutableMatrix.zeros(n, n), zero)
        at_identity = tuple(sympy.Integer(int(k < len(basis) and is_eye[k])) for k in range(len(directions)))
    else:
        base = (eye, zero)
        at_identity = tuple(sympy.Integer(0) for _ in directions)
    return AffineStructure(base, tuple(directions), identity=at_identity, commutant_of=commutant_of, commuting=commuting)


def _is_identity(C: sympy.MatrixBase, eye: flint.fmpq_mat) -> bool:
    """``C == I``, read in python-flint where ``C`` keeps a flint matrix (no sympy entries built)."""
    kept = getattr(C, "_flint", None)
    return bool(C == sympy.eye(C.rows)) if kept is None else bool(kept == eye)


def _pair(vector: Sequence[sympy.Expr], n: int) -> Pair:
    B = sympy.ImmutableMatrix(n, n, list(vector[: n * n]))
    c = sympy.ImmutableMatrix(n, 1, list(vector[n * n:]))
    return B, c


class AffinePart:
    """Affine mechanisms (maps, families, flows) with a linear or affine ansatz: the exact
    group-level solution (linear algebra), its Lie algebra and its components."""

    name = "affine"
    examined = False

    def matches(self, problem: Problem) -> bool:
        return problem.ansatz.kind in ("linear", "affine") and problem.forms is not None

    def structure(self, system: System, ansatz: Ansatz, forms: Sequence[AffineForm] | None = None) -> AffineStructure:
        forms = affine_forms(system) if forms is None else forms
        if forms is None:  # pragma: no cover - guarded by matches()
            raise ValueError("affine part run on a system that is not affine")
        return solve_affine_structure(forms, system.n, ansatz)

    def solve(self, problem: Problem) -> Solution:
        structure = self.structure(problem.system, problem.ansatz, problem.forms)
        return solution_from_structure(structure, problem.system, problem.ansatz, self.name)


def affine_map(B: sympy.MatrixBase, c: sympy.MatrixBase, latents: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
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
    base = affine_map(*structure.base, latents)
    if len(latents) <= MATRIX_CHECK_ABOVE:
        return tuple(
            sympy.expand(b + sum((t * X[i] for t, X in zip(parameters, lie)), sympy.Integer(0)))
            for i, b in enumerate(base)
        )
    general = []
    for i, b in enumerate(base):  # each t_k X_k[i] as a product (t8*(-z5) reads -t8*z5); the sum unexpanded
        terms = ([b] if b != 0 else []) + [_times(t, X[i]) for t, X in zip(parameters, lie) if X[i] != 0]
        general.append(sympy.Add._from_args(terms) if len(terms) > 1 else terms[0] if terms else sympy.Integer(0))
    return tuple(general)


def _times(t: sympy.Symbol, x: sympy.Expr) -> sympy.Expr:
    """``t * x`` with a number or a monomial ``x`` merged into one product (cheap: two factors),
    a sum kept as ``t*(...)`` (not expanded)."""
    if x.is_Add:
        return sympy.Mul._from_args((t, x))
    return sympy.Mul(t, x)


def _spans_all_matrices(structure: AffineStructure, n: int) -> bool:
    """The linear parts of the family span every n x n matrix (the group is GL(n) times a
    connected fibre of translations)."""
    if len(structure.directions) < n * n:
        return False
    return sympy.Matrix([list(B) for B, _ in structure.directions]).rank() == n * n


def _pairs_at(structure: AffineStructure, points: Sequence[Sequence[sympy.Expr]]
              ) -> list[tuple[flint.fmpq_mat, flint.fmpq_mat]] | None:
    """The matrices ``(B, c)`` of ``base + sum t_k direction_k`` at rational parameters ``t``,
    summed in python-flint; None where an entry is not rational."""
    if not points:
        return []
    if not all(sympy.sympify(t).is_Rational for point in points for t in point):
        return None
    found = [(to_flint(structure.base[0], copy=False), to_flint(structure.base[1], copy=False))]
    found += [(to_flint(B, copy=False), to_flint(c, copy=False)) for B, c in structure.directions]  # read only
    parts = [(B, c) for B, c in found if B is not None and c is not None]
    if len(parts) != len(found):
        return None
    out = []
    for point in points:
        B, c = parts[0]
        for t, (Bk, ck) in zip(point, parts[1:]):
            if t != 0:
                q = flint.fmpq(int(t.p), int(t.q))
                B, c = B + Bk * q, c + ck * q
        out.append((B, c))
    return out


def _elements_at(structure: AffineStructure, points: Sequence[Sequence[sympy.Expr]],
                 latents: Sequence[sympy.Symbol]) -> Sequence[tuple[sympy.Expr, ...]] | None:
    """The maps ``base + sum t_k direction_k`` at rational parameters ``t``; None where an
    entry is not rational. Above MATRIX_CHECK_ABOVE latents a :class:`Lazy` tuple whose
    ``source`` holds the python-flint matrices (checked in matrix form, printed on demand)."""
    pairs = _pairs_at(structure, points)
    if pairs is None:
        return None
    if len(latents) > MATRIX_CHECK_ABOVE:
        return Lazy(len(pairs), lambda k: affine_map(from_flint(pairs[k][0]), from_flint(pairs[k][1]), latents),
                    source=pairs)
    return tuple(affine_map(from_flint(B), from_flint(c), latents) for B, c in pairs)


#: Up to this many latents the components come from factoring det B(t) first (its factors are
#: also the invertibility conditions shown); above it, from the algebra of linear parts.
SMALL_DETERMINANT = 4


def solution_from_structure(structure: AffineStructure, system: System, ansatz: Ansatz, part: str) -> Solution:
    """The :class:`Solution` of an affine structure: general element, Lie algebra, components.

    Where the determinant does not tell the components but the family is all of GL(n)
    (or Aff(n)), the reflection of ``z1`` represents the second component."""
    latents = system.latents
    taken = [s.name for s in latents + system.families]
    parameters = parameter_symbols(len(structure.directions), taken)
    lie: Sequence[tuple[sympy.Expr, ...]]
    general: Sequence[sympy.Expr]
    if system.n > MATRIX_CHECK_ABOVE:  # checked in matrix form: sympy maps built when asked for
        lie = Lazy(len(structure.directions), lambda k: affine_map(*structure.directions[k], latents))
        whole = functools.cache(lambda: _general_element(structure, lie, parameters, latents))
        general = Lazy(system.n, lambda i: whole()[i])
    else:
        lie = tuple(affine_map(Bk, ck, latents) for Bk, ck in structure.directions)
        general = _general_element(structure, lie, parameters, latents)
    units = unit_components(structure, commuting=structure.commuting) if system.n > SMALL_DETERMINANT else None
    if units is not None:  # decided from the algebra: no symbolic determinant
        inv = Invertibility((), units.count, units.points,
                            note=f"det B(t) != 0 (not expanded above {SMALL_DETERMINANT} latents); {units.how}")
    elif system.n <= MATRIX_CHECK_ABOVE:
        B = sympy.Matrix(structure.base[0])
        for t, (Bk, _) in zip(parameters, structure.directions):
            B += t * Bk
        inv = invertibility(B, parameters, structure.identity)
        if inv.components is None and system.n <= SMALL_DETERMINANT:
            units = unit_components(structure, commuting=structure.commuting)
            if units is not None:
                inv = Invertibility(inv.nonzero, units.count, units.points, note=units.how)
    else:
        inv = Invertibility((), None, (), note="det B(t) != 0 (not expanded: the matrix is large)")
    exact_flips = _elements_at(structure, inv.flips, latents)
    flips = exact_flips if exact_flips is not None else tuple(
        tuple(e.xreplace(dict(zip(parameters, point))) for e in general) for point in inv.flips)
    notes = (inv.note,) if inv.note else ()
    components = inv.components
    n = system.n
    if components is None and n <= MATRIX_CHECK_ABOVE and _spans_all_matrices(structure, n):  # GL(n) or Aff(n): two components, det > 0 and det < 0
        flips, components, notes = ((-latents[0],) + tuple(latents[1:]),), 2, ()
    completeness = Completeness() if components is not None else Completeness(
        discrete=Claim(False, "the components were not determined (det B(t) has factors equivid does not decide)"))
    return Solution(
        latents=latents,
        ansatz=ansatz,
        general_element=general,  # type: ignore[arg-type]  # a Lazy tuple above MATRIX_CHECK_ABOVE
        parameters=parameters,
        identity=structure.identity,
        nonzero=inv.nonzero,
        lie_algebra=lie,  # type: ignore[arg-type]
        discrete=flips,  # type: ignore[arg-type]  # a Lazy tuple above MATRIX_CHECK_ABOVE
        components=components,
        structure=structure,
        parts=(part, "units" if units is not None else "invertibility", "verify"),
        notes=notes,
        completeness=completeness,
    )
