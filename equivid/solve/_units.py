"""Components of the group of invertible linear parts of an affine family, from its algebra.

The linear parts ``B`` of an affine solution set ``base + span(directions)`` form
``I + L`` or ``L`` for the span ``L`` of the directions' linear parts; they are closed
under products, so ``U = span(I, L)`` is a unital algebra of matrices. The fibres of
``(B, c) -> B`` are affine spaces, so the group has as many components as its set of
invertible linear parts. For a real matrix algebra ``U`` the unit group ``U^x`` has
``2**r`` components, ``r`` the number of simple factors of ``(U / rad U) (x) R`` of the form
``M_k(R)`` (``GL_k(R)`` has two components; ``GL_k(C)``, ``GL_k(H)`` and ``1 + rad U``
are connected: docs/theory.md#components-of-a-commutant). Where ``I`` is not
in ``L``, ``L`` is an ideal of ``U`` with ``U / L = R``, ``U^x = R^x x (I + L)^x``, and
``I + L`` has ``2**(r - 1)`` components.

How ``r`` is decided, exactly, for any rational ``U`` (commutative or not):

1. The radical is the kernel of the trace form ``tr(XY)`` (Dickson, characteristic 0).
   Basis elements of ``U`` on which the form's Gram matrix is nonsingular (the "core") map
   to a basis of ``S = U / rad U``; every form below is read on them.
2. The centre of ``S``: ``x`` is central modulo the radical iff ``tr(x [g, Y]) = 0`` for
   every core element ``Y`` and every ``g`` in a set generating ``S``. The generators are
   two random elements, proved to generate by the rank of the span of their words paired
   with the core (computed modulo a prime: a lower bound on the rational rank); more are
   tried, and failing that the core itself is taken.
3. A central ``z`` generates the centre ``Z(S)`` (a product of number fields, one per
   simple factor of ``S``) iff the squarefree part ``q`` of its characteristic polynomial
   has degree ``dim Z(S)``. Each real root ``theta`` of ``q`` is a real place: a factor
   ``M_m(R)`` or ``M_k(H)`` of ``S (x) R``.
4. Split or quaternionic: on ``M_m(R)`` the trace form has signature ``+m``, on ``M_k(H)``
   ``-2k``, on a complex factor ``0``. With ``theta`` isolated in ``(a, b)``, ``f = (z - a)(z - b)``
   is central, negative at ``theta`` and positive at the other real places, so the signature
   of ``tr(f X Y)`` is that of ``tr(X Y)`` less twice the place's: the place is split iff
   ``sig tr(XY) - sig tr(f XY) > 0``, and then that difference is ``2m``. Signatures are
   exact: a real symmetric matrix's characteristic polynomial has only real roots, so
   Descartes' rule counts its positive and negative roots.
5. Representatives, one per split place: where ``m`` is odd, ``f`` itself (its determinant
   at the place is ``f(theta)**m < 0``). Where ``m`` is even and the place's number field is
   ``Q``, ``u = yE + (I - E)`` for the central idempotent ``E`` of that factor (a polynomial
   in ``z``) and a random ``y`` whose reduced norm there is negative; the reduced norm is
   read from the characteristic polynomial of ``u``, which is ``(x - 1)**(n - tr E)`` times a
   power of the reduced characteristic polynomial (taken exactly by factoring). An even
   ``m`` over a larger number field is left undecided (None).

Irrational entries are left to the determinant (``_components.py``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass

import flint
import sympy

from ..linalg import (
    cyclic_vector,
    diagonal_block,
    embedded,
    kernel_rows,
    pivot_columns,
    primary_basis,
)
from ._matrix import to_flint
from ._result import AffineStructure
from ._roots import separating_intervals

__all__ = ["UnitComponents", "unit_components"]

#: Random elements tried (as a generator of the centre, as a representative) before giving up.
TRIES = 12

#: Up to this dimension commutativity is tested pairwise (the centre is then the whole core).
SMALL_ALGEBRA = 16

#: Basis elements tried as a cyclic generator of an ``n``-dimensional algebra.
CYCLIC_TRIES = 3

#: The prime of the closure computation (a lower bound on the rational dimension).
_PRIME = 2**61 - 1


@dataclass(frozen=True)
class UnitComponents:
    """``count`` components; ``points``: parameter values (of the structure's directions) of
    one element in each component that changes the sign at one real place, which generate
    the others with the identity component; ``how``: one line saying how it was decided."""

    count: int
    points: tuple[tuple[sympy.Expr, ...], ...]
    how: str


def _flat_rows(mats: Sequence[flint.fmpq_mat], n: int) -> flint.fmpq_mat:
    """The matrix whose rows are the row-major flattenings of ``mats``."""
    return flint.fmpq_mat(len(mats), n * n, [x for M in mats for x in M.entries()])


def _flat_columns_transposed(mats: Sequence[flint.fmpq_mat], n: int) -> flint.fmpq_mat:
    """Column ``l`` is the flattening of ``mats[l]`` transposed: ``rows * this = tr(X_k Y_l)``."""
    transposed = [M.transpose().entries() for M in mats]
    return flint.fmpq_mat(n * n, len(mats), [t[r] for r in range(n * n) for t in transposed])


def _modular(M: flint.fmpq_mat) -> flint.nmod_mat | None:
    """``M`` modulo the prime; None when a denominator is divisible by it."""
    num, den = M.numer_denom()
    try:
        inverse = pow(int(den), -1, _PRIME)
    except ValueError:
        return None
    return flint.nmod_mat(num, _PRIME) * inverse


class _Span:
    """Independent matrices with fast exact coordinates: the rows' pivot entries (found modulo
    a prime, where a full rank proves independence over Q) give a square system; a solution
    of it is checked against every entry."""

    def __init__(self, mats: Sequence[flint.fmpq_mat], n: int):
        self.n = n
        rows = _flat_rows(mats, n) if mats else flint.fmpq_mat(0, n * n)
        reduced = _modular(rows) if mats else None
        rank = -1
        if reduced is not None:
            R, rank = reduced.rref()
        if rank != len(mats):  # dependent (or unlucky modulo the prime): an exact basis instead
            E, rank = rows.rref()
            flat = E.entries()
            mats = [flint.fmpq_mat(n, n, flat[k * n * n:(k + 1) * n * n]) for k in range(rank)]
            rows = _flat_rows(mats, n) if mats else flint.fmpq_mat(0, n * n)
            pivots = pivot_columns(E, rank)
        else:
            pivots = pivot_columns(R, rank)
        self.basis = list(mats)
        self.rows = rows
        self.pivots = pivots
        k = len(self.basis)
        self.square = flint.fmpq_mat(k, k, [rows[i, j] for j in pivots for i in range(k)]) if k else None  # S^T

    def __len__(self) -> int:
        return len(self.basis)

    def coordinates(self, target: flint.fmpq_mat) -> list[flint.fmpq] | None:
        """``c`` with ``sum c_k basis[k] = target``, or None when ``target`` is not in the span."""
        return self.all_coordinates([target])[0]

    def all_coordinates(self, targets: Sequence[flint.fmpq_mat]) -> list[list[flint.fmpq] | None]:
        """:meth:`coordinates` of each target, from one solve of the square system."""
        k = len(self.basis)
        if k == 0:
            return [[] if not any(t.entries()) else None for t in targets]
        if not targets:
            return []
        flats = [t.entries() for t in targets]
        rhs = flint.fmpq_mat(k, len(targets), [flat[j] for j in self.pivots for flat in flats])
        c = self.square.solve(rhs)  # type: ignore[union-attr]
        found = c.transpose() * self.rows  # row t: the combination for target t
        out: list[list[flint.fmpq] | None] = []
        width = self.n * self.n
        entries = found.entries()
        for t, flat in enumerate(flats):
            coefficients = [c[i, t] for i in range(k)]
            out.append(coefficients if entries[t * width:(t + 1) * width] == flat else None)
        return out


def _combine(coefficients: Sequence[flint.fmpq], basis: Sequence[flint.fmpq_mat], n: int) -> flint.fmpq_mat:
    out = flint.fmpq_mat(n, n)
    for c, X in zip(coefficients, basis):
        if c != 0:
            out += X * c
    return out


def _signature(G: flint.fmpq_mat) -> int:
    """``#positive - #negative`` eigenvalues of the symmetric rational ``G`` (Descartes' rule,
    exact because every root of the characteristic polynomial is real)."""
    num, _ = G.numer_denom()  # a positive multiple: the same signature
    coeffs = list(num.charpoly().coeffs())  # constant term first
    while coeffs and coeffs[0] == 0:
        coeffs.pop(0)  # the zero eigenvalues

    def changes(values: Sequence[flint.fmpz]) -> int:
        signs = [v > 0 for v in values if v != 0]
        return sum(1 for s, t in zip(signs, signs[1:]) if s != t)

    positive = changes(coeffs)
    negative = changes([c if k % 2 == 0 else -c for k, c in enumerate(coeffs)])
    return positive - negative


def _squarefree(p: flint.fmpq_poly) -> flint.fmpq_poly:
    return p / p.gcd(p.derivative())


def _fmpq(r: sympy.Rational) -> flint.fmpq:
    return flint.fmpq(int(r.p), int(r.q))


class _Algebra:
    """A unital rational matrix algebra ``U`` and its semisimple quotient ``S = U / rad U``.

    ``S`` is handled through ``core``: basis elements of ``U`` whose trace-form Gram matrix
    is nonsingular. Their images are a basis of ``S`` (the radical is the kernel of the
    form), every form below is read on them, and an element of ``S`` is lifted to their span.
    """

    def __init__(self, basis: Sequence[flint.fmpq_mat], n: int, rng: random.Random):
        self.basis, self.n, self.rng = list(basis), n, rng
        self.identity = flint.fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
        rows = _flat_rows(self.basis, n)
        form = rows * _flat_columns_transposed(self.basis, n)
        reduced = _modular(form)
        core: list[int] | None = None
        if reduced is not None:  # pivots of the form modulo the prime: a nonsingular principal block
            R, rank = reduced.transpose().rref()
            candidate = pivot_columns(R, int(rank))
            block = flint.fmpq_mat(len(candidate), len(candidate), [form[i, j] for i in candidate for j in candidate])
            if int(block.rank()) == int(form.rank()):
                core = candidate
        if core is None:  # pragma: no cover - the prime divides a denominator: exact pivots
            E, exact_rank = form.transpose().rref()
            core = pivot_columns(E, exact_rank)
        self.core = [self.basis[i] for i in core]
        self.core_columns = _flat_columns_transposed(self.core, n)
        self.trace_form = flint.fmpq_mat(len(core), len(core), [form[i, j] for i in core for j in core])
        # the pairwise test is a shortcut for small algebras only (the centre's general path is
        # right for commutative ones too, and cheaper than d**2 / 2 products of large entries)
        small = len(self.basis) <= SMALL_ALGEBRA
        self.commutative = small and all(X * Y == Y * X for k, X in enumerate(self.basis) for Y in self.basis[k + 1:])

    def random_element(self, bound: int) -> flint.fmpq_mat:
        return _combine([flint.fmpq(self.rng.randint(-bound, bound)) for _ in self.basis], self.basis, self.n)

    def _generates(self, gens: Sequence[flint.fmpq_mat]) -> bool:
        """Whether ``gens`` generate ``S``: the images of the words in them span it. A word's
        image is read by its pairings ``tr(w Y)`` with the core (injective on ``S``), modulo a
        prime: a rank there is a lower bound on the rational rank, so reaching ``dim S``
        proves it."""
        n, target = self.n, len(self.core)
        columns = _modular(self.core_columns)
        modular = [_modular(g) for g in gens]
        if columns is None or any(g is None for g in modular):
            return False
        kept: list[list[flint.nmod]] = []
        frontier = [flint.nmod_mat(n, n, [int(i == j) for i in range(n) for j in range(n)], _PRIME)]
        rank = 0
        while frontier and rank < target:
            new = []
            for w in frontier:
                for g in [None] if not kept else modular:
                    word = w if g is None else w * g
                    pairing = (flint.nmod_mat(1, n * n, word.entries(), _PRIME) * columns).entries()
                    trial = flint.nmod_mat(len(kept) + 1, target, [x for row in kept for x in row] + pairing, _PRIME)
                    if int(trial.rank()) > rank:
                        kept.append(pairing)
                        rank += 1
                        new.append(word)
            frontier = new
        return rank == target

    def centre(self) -> list[flint.fmpq_mat]:
        """Lifts (in the core's span) of a basis of the centre of ``S``."""
        n, k = self.n, len(self.core)
        if self.commutative:
            return list(self.core)
        gens = [self.random_element(3), self.random_element(3)]
        while not self._generates(gens):
            if len(gens) >= 4:
                gens = list(self.core)  # the core generates S, with no proof needed
                break
            gens.append(self.random_element(3 + len(gens)))
        # x central modulo the radical iff tr(x [g, Y]) = 0 for every generator g and core element Y
        commutators = [g * Y - Y * g for g in gens for Y in self.core]
        pairing = _flat_rows(self.core, n) * _flat_columns_transposed(commutators, n)  # row: x = core_i
        system = pairing.transpose()
        kernel = kernel_rows(system)
        return [_combine(kernel.table()[t], self.core, n) for t in range(kernel.nrows())] if k else []

    def signature(self, weight: flint.fmpq_mat | None = None) -> int:
        """Signature of ``tr(weight X Y)`` on ``S`` (``weight`` central and invertible there)."""
        if weight is None:
            return _signature(self.trace_form)
        return _signature(_flat_rows([weight * X for X in self.core], self.n) * self.core_columns)


def _polynomial_at(p: flint.fmpq_poly, z: flint.fmpq_mat, identity: flint.fmpq_mat) -> flint.fmpq_mat:
    """``p(z)`` by Horner's rule."""
    out = identity * 0
    for c in reversed(p.coeffs()):
        out = out * z + identity * c
    return out


def _reduced_norm_sign(u: flint.fmpq_mat, trace: int, m: int, n: int) -> int | None:
    """The sign of the reduced norm, at one place of a factor of reduced degree ``m`` over
    ``Q``, of an element ``u`` acting as the identity on the other factors; ``trace`` is the
    trace of that factor's idempotent. None where the characteristic polynomial is not of
    the expected shape (a defect: the caller gives up)."""
    x = flint.fmpq_poly([0, 1])
    chi = u.charpoly()
    rest = (x - 1) ** (n - trace)
    power, remainder = divmod(chi, rest)
    if remainder != 0 or trace % m:
        return None
    mu = trace // m
    reduced = flint.fmpq_poly([1])
    _, factors = power.factor()
    for f, e in factors:
        if e % mu:
            return None
        reduced *= f ** (e // mu)
    if reduced.degree() != m:
        return None
    value = reduced(0) * (-1) ** m  # det = (-1)**m * p(0)
    return 0 if value == 0 else (1 if value > 0 else -1)


def _cyclic(U: Sequence[flint.fmpq_mat], n: int) -> flint.fmpq_mat | None:
    """An element of ``U`` whose minimal polynomial has degree ``n``, where ``U`` has dimension
    ``n`` (the commutant of a non-derogatory matrix): the polynomials in it are then an
    ``n``-dimensional subalgebra, so all of ``U``, which is commutative and generated by it."""
    if len(U) != n:
        return None
    return next((X for X in U[:CYCLIC_TRIES] if int(X.minpoly().degree()) == n), None)


def _places(U: Sequence[flint.fmpq_mat], n: int, rng: random.Random) -> tuple[list[flint.fmpq_mat], bool] | None:
    """Elements of the unital algebra spanned by ``U``, one per split real place of its
    semisimple quotient, each negative there and positive at the others; and whether the
    quotient is commutative. None where not decided."""
    identity = flint.fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
    cyclic = _cyclic(U, n)
    if cyclic is not None:  # U = Q[z]: U / rad U = Q[x] / (squarefree part), its real places the real roots
        z, q, whole = cyclic, _squarefree(cyclic.charpoly()), None
        commutative = True
    else:
        algebra = _Algebra(U, n, rng)
        centre = algebra.centre()
        centre_dim = len(centre)
        for attempt in range(len(centre) + TRIES):  # the basis elements first (simple representatives), then random ones
            if attempt < len(centre):
                z = centre[attempt]
            else:
                bound = 3 + 4 * (attempt - len(centre))
                z = _combine([flint.fmpq(rng.randint(-bound, bound)) for _ in centre], centre, n)
            q = _squarefree(z.charpoly())
            if q.degree() == centre_dim:  # z generates the centre of U / rad U: proved by the dimension
                break
        else:
            return None
        # S commutative (its centre is all of it, by dimension): a product of number fields, every
        # real place a split factor R (m = 1), no signature needed
        commutative = centre_dim == len(algebra.core)
        whole = None if commutative else algebra.signature()
    places = []  # (theta's interval, f(z), m) for each split real place
    for a, b in separating_intervals(q):
        f = (z - identity * _fmpq(a)) * (z - identity * _fmpq(b))
        if whole is None:
            places.append(((a, b), f, 1))
            continue
        twice = whole - algebra.signature(f)
        if twice > 0:
            places.append(((a, b), f, twice // 2))
    elements = []
    for (a, b), f, m in places:
        if m % 2:
            elements.append(f)
            continue
        factor = next((g for g, _ in q.factor()[1] if g.degree() == 1 and a < -g.coeffs()[0] / g.coeffs()[1] < b), None)
        if factor is None:
            return None  # an even-degree split factor over a number field larger than Q
        rest = q / factor
        idempotent = _polynomial_at(rest * (1 / rest(-factor.coeffs()[0] / factor.coeffs()[1])), z, identity)
        trace = int(sum(idempotent[i, i] for i in range(n)))
        for attempt in range(TRIES):
            y = algebra.random_element(3 + attempt)  # m even: not the cyclic case, where every m is 1
            u = y * idempotent + (identity - idempotent)
            sign = _reduced_norm_sign(u, trace, m, n)
            if sign is None:
                return None
            if sign < 0:
                elements.append(u)
                break
        else:
            return None
    return elements, commutative


def _split(span: _Span, commuting: Sequence[flint.fmpq_mat], n: int) -> tuple[flint.fmpq_mat, list[list[flint.fmpq_mat]]] | None:
    """``U`` as a product of algebras, one per primary component of a matrix ``C`` commuting
    with ``U``: every element preserves ``C``'s primary components, and where the projections
    onto them lie in ``U`` (they do for a full commutant: they are polynomials in ``C``), ``U``
    is the product of its blocks, and its unit group the product of theirs. Returns the
    adapted basis ``P`` (as columns) and a basis of each block; None where no matrix splits ``U``."""
    adapted = [found for found in map(primary_basis, commuting) if found is not None]
    if not adapted:
        return None
    P, sizes = max(adapted, key=lambda found: len(found[1]))  # the most components
    Pinv = P.inv()
    starts = [sum(sizes[:k]) for k in range(len(sizes))]
    projections = [P * flint.fmpq_mat(n, n, [int(i == j and start <= i < start + size) for i in range(n) for j in range(n)])
                   * Pinv for start, size in zip(starts, sizes)]
    if any(c is None for c in span.all_coordinates(projections)):  # each projection lies in U
        return None
    local = [Pinv * X * P for X in span.basis]
    for X in local:  # verified, not assumed: every element is block diagonal in the adapted basis
        if any(X[i, j] != 0 for s, k in zip(starts, sizes) for i in range(s, s + k) for j in range(n)
               if not s <= j < s + k):
            return None
    # an exact basis of each block
    return P, [_Span([diagonal_block(X, start, size) for X in local], size).basis for start, size in zip(starts, sizes)]


def unit_components(structure: AffineStructure, seed: int = 0,
                    commuting: Sequence[sympy.MatrixBase] = ()) -> UnitComponents | None:
    """The components of the invertible elements of ``structure``, decided from its algebra
    of linear parts when its entries are rational; None where not decided (irrational entries,
    or an even-degree factor over a number field larger than Q without a representative).
    ``commuting``: matrices known to commute with every linear part (the mechanisms' linear
    parts); their primary components split the algebra into smaller ones where they can.

    Examples
    --------
    >>> import sympy
    >>> A = sympy.ImmutableMatrix([[0, 2], [1, 0]])  # x**2 - 2: two real places
    >>> zero = sympy.ImmutableMatrix([0, 0])
    >>> s = AffineStructure((sympy.ImmutableMatrix.zeros(2, 2), zero),
    ...                     ((sympy.ImmutableMatrix.eye(2), zero), (A, zero)), (1, 0))
    >>> found = unit_components(s)
    >>> found.count, len(found.points)
    (4, 2)
    """
    n = structure.n
    base = to_flint(structure.base[0], copy=False)
    directions = [to_flint(B, copy=False) for B, _ in structure.directions]  # read only
    if base is None or any(D is None for D in directions):
        return None
    flint_directions = [D for D in directions if D is not None]
    powers = _power_basis(base, flint_directions, [to_flint(C) for C in commuting], n)
    if powers is not None:
        return _power_components(powers, n)
    span = _Span(flint_directions, n)
    if len(span) != len(flint_directions):  # pragma: no cover - the directions are a basis
        return None
    identity = flint.fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
    unital = span.coordinates(identity) is not None
    with_identity = span if unital else _Span([identity] + flint_directions, n)
    U = with_identity.basis
    if not U:
        return None
    rng = random.Random(seed)
    exact_commuting = [to_flint(C) for C in commuting]
    split = _split(with_identity, [C for C in exact_commuting if C is not None], n) if unital else None
    if split is not None:
        P, blocks = split
        Pinv = P.inv()
        elements, commutative, start = [], True, 0
        for basis in blocks:
            size = basis[0].nrows()
            found = _places(basis, size, rng)
            if found is None:
                return None
            commutative = commutative and found[1]
            block_identity = flint.fmpq_mat(size, size, [int(i == j) for i in range(size) for j in range(size)])
            for y in found[0]:  # y on this block, the identity on the others
                elements.append(P * (identity + embedded(y - block_identity, start, n)) * Pinv)
            start += size
        how_split = f"a product of {len(blocks)} algebras (the primary components of a mechanism's linear part), whose"
    else:
        found = _places(U, n, rng)
        if found is None:
            return None
        elements, commutative = found
        how_split = "an algebra whose"
    r = len(elements)
    if not unital:  # I + L: normalise by the scalar part (the value at the place L kills)
        coordinates = with_identity.all_coordinates(elements)
        elements = [y * (1 / c[0]) for y, c in zip(elements, coordinates) if c is not None and c[0] > 0]
        if len(elements) != r - 1:
            return None  # pragma: no cover - exactly one place is the one L kills
        count = 2 ** max(r - 1, 0)
    else:
        count = 2**r
        elements = [y * (1 / _content(y, n)) for y in elements]  # a positive multiple: same component
    points = []
    for found_point in span.all_coordinates([y - base for y in elements]):
        if found_point is None:  # pragma: no cover - y lies in U, which the structure spans
            return None
        points.append(tuple(sympy.Rational(int(c.p), int(c.q)) for c in found_point))
    how = (f"the linear parts span {how_split} semisimple quotient{' (commutative)' if commutative else ''} "
           f"has {r} split real place"
           f"{'s' if r != 1 else ''} (real roots of the squarefree characteristic polynomial of a generator of its "
           f"centre{'' if commutative else ', split by the signature of the trace form'}{', less the place the translations kill' if not unital else ''}): "
           f"{count} component{'s' if count != 1 else ''}")
    return UnitComponents(count, tuple(points), how)


def _power_basis(base: flint.fmpq_mat, directions: Sequence[flint.fmpq_mat],
                 commuting: Sequence[flint.fmpq_mat | None], n: int) -> flint.fmpq_mat | None:
    """The cyclic ``A`` where the family is ``span(I, A, ..., A**(n-1))`` exactly (a zero base,
    ``directions[k] = A**k``), else None: the commutant of one non-derogatory matrix.

    Proved without forming the powers: ``A`` has a cyclic vector ``v`` (its Krylov matrix has
    full rank modulo a prime, so over Q), and a matrix ``D`` commuting with ``A`` is fixed by
    ``D v`` (``D A**j v = A**j D v``); so ``directions[k] v = A**k v`` gives
    ``directions[k] = A**k`` once the directions commute with ``A``, which the solution's
    check proves for every generator (a failure there fails the whole answer)."""
    A = next((C for C in commuting if C is not None), None)
    if A is None or len(directions) != n or n < 3 or any(base.entries()) or directions[1] != A:
        return None
    v = cyclic_vector(A, _cyclic_candidates(n))
    if v is None:
        return None
    column = flint.fmpq_mat(n, 1, v)
    first = next((j for j, x in enumerate(v) if x), 0)
    unit = v == [int(i == first) for i in range(n)]  # D v is a column of D: read, not multiplied
    image = column  # A**k v
    for D in directions:  # directions[k] v == A**k v, exactly
        found = [D[i, first] for i in range(n)] if unit else (D * column).entries()
        if found != image.entries():
            return None
        image = A * image
    return A


def _cyclic_candidates(n: int) -> list[list[int]]:
    rng = random.Random(0)
    return [[1] + [0] * (n - 1)] + [[rng.randint(-9, 9) for _ in range(n)] for _ in range(2)]


def _power_components(A: flint.fmpq_mat, n: int) -> UnitComponents:
    """Components of ``Q[A]**x`` for a cyclic ``A``: ``Q[A] = Q[x] / (chi)``, its semisimple
    quotient ``Q[x] / (q)`` for the squarefree part ``q`` of the characteristic polynomial,
    one split real place per real root of ``q``; the representative of the place at ``theta``
    is ``f(A) = (A - a)(A - b)`` for ``a < theta < b`` isolating it (coordinates: ``f``'s
    coefficients, scaled to a primitive integer matrix as the general path does)."""
    q = _squarefree(A.charpoly())
    identity = flint.fmpq_mat(n, n, [1 if i == j else 0 for i in range(n) for j in range(n)])
    square = A * A
    points = []
    for a, b in separating_intervals(q):
        lo, hi = _fmpq(a), _fmpq(b)
        coefficients = [lo * hi, -(lo + hi), flint.fmpq(1)]
        f = identity * coefficients[0] + A * coefficients[1] + square
        g = _content(f, n)
        points.append(tuple(sympy.Rational(int(c.p), int(c.q)) for c in (x / g for x in coefficients))
                      + (sympy.Integer(0),) * (n - 3))
    r = len(points)
    count = 2**r
    how = (f"the linear parts span an algebra whose semisimple quotient (commutative) has {r} split real place"
           f"{'s' if r != 1 else ''} (real roots of the squarefree characteristic polynomial of a generator of its "
           f"centre): {count} component{'s' if count != 1 else ''}")
    return UnitComponents(count, tuple(points), how)


def _content(y: flint.fmpq_mat, n: int) -> flint.fmpq:
    """The positive rational ``g`` with ``y / g`` integral and primitive."""
    numerators, denominator = y.numer_denom()  # y = numerators / (the lcm of its denominators)
    g = 0
    for e in numerators.entries():
        g = math.gcd(g, int(e))
        if g == 1:
            break
    return flint.fmpq(g, int(denominator)) if g else flint.fmpq(1, int(denominator))
