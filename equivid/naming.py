"""Names of the groups equivid recognises, in one place: affine solution sets, finite
groups of linear maps, groups of permutations of a finite state set, class answers and
noise answers. Names are for people: nothing downstream decides anything from them
(the numeric fitters read the structure)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import flint
import numpy as np
import sympy

from . import linalg
from .mechanisms import System

if TYPE_CHECKING:  # the solver imports this module: importing it back at run time would be a circle
    from .solve._result import AffineStructure, FiniteData

__all__ = ["affine_name", "fixed_vectors", "finite_linear_name", "finite_name", "class_name", "noise_name",
           "noise_symmetry", "finite_translations"]

IntArray = Any

# sympy's permutation-group algorithms name groups on at most this many moved states
# (naming a 408-state wreath product took ~20 s at 2000; larger groups stay unnamed).
SYMPY_NAMING_LIMIT = 256
# ... and test cyclic / dihedral structure there up to this order.
SYMPY_NAMING_ORDER = 10**5
# ... but sympy's dihedral test computes every element's order: only up to order x degree of this.
SYMPY_DIHEDRAL_WORK = 50_000
# ... with at most this many generators, and direct products of at most this many orbits.
SYMPY_NAMING_GENERATORS = 64
SYMPY_NAMING_FACTORS = 8


def _span_rank(mats: Sequence[sympy.MatrixBase]) -> int:
    if not mats:
        return 0
    return sympy.Matrix([list(M) for M in mats]).rank()


def _same_span(a: Sequence[sympy.MatrixBase], b: Sequence[sympy.MatrixBase]) -> bool:
    ra = _span_rank(a)
    return ra == _span_rank(b) == _span_rank(list(a) + list(b))


def _vector(v: Sequence[sympy.Expr]) -> str:
    return "(" + ", ".join(str(e) for e in v) + ")"


def fixed_vectors(linear_parts: Sequence[sympy.MatrixBase], n: int) -> list[list[sympy.Expr]]:
    """A basis of ``{v : B v = v for every B}``."""
    if not linear_parts:
        return [list(sympy.eye(n).row(k)) for k in range(n)]
    from .solve._matrix import to_flint

    exact = [to_flint(B if isinstance(B, sympy.MatrixBase) else sympy.ImmutableMatrix(B)) for B in linear_parts]
    if any(B is None for B in exact):
        stacked = sympy.Matrix.vstack(*[sympy.Matrix(B) - sympy.eye(n) for B in linear_parts])
        return [list(v) for v in stacked.nullspace()]
    return _rational_fixed_vectors([B for B in exact if B is not None], n)


def _kernel_columns(M: flint.fmpq_mat) -> flint.fmpq_mat:
    """Columns spanning ``{v : M v = 0}``."""
    num, _ = M.numer_denom()
    X, nullity = num.nullspace()
    return flint.fmpq_mat(X.nrows(), nullity, [X[i, j] for i in range(X.nrows()) for j in range(nullity)])


def _rational_fixed_vectors(parts: Sequence[flint.fmpq_mat], n: int) -> list[list[sympy.Expr]]:
    """:func:`fixed_vectors` for rational matrices, in python-flint: the common fixed space
    is cut down one matrix at a time, then given in the basis sympy's ``nullspace`` would
    return (from the reduced row echelon form of its orthogonal complement)."""
    eye = flint.fmpq_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    K = eye
    for B in parts:
        M = (B - eye) * K
        if not any(M.entries()):
            continue
        K = K * _kernel_columns(M)
        if K.ncols() == 0:
            return []
        R, rank = K.transpose().rref()  # keep the entries small: the reduced basis of the same space
        K = R.transpose()
        K = flint.fmpq_mat(n, rank, [K[i, j] for i in range(n) for j in range(rank)])
    complement = _kernel_columns(K.transpose()).transpose()  # rows spanning K's orthogonal complement
    basis = linalg.kernel_rows(complement)  # K's column space, in the basis sympy's nullspace gives
    return [[sympy.Rational(int(x.p), int(x.q)) for x in basis.table()[t]] for t in range(basis.nrows())]


def _linear_name(parts: Sequence[sympy.MatrixBase], n: int, structure: AffineStructure, system: System) -> str | None:
    """Name of a linear space of matrices that contains the identity."""
    dim = len(parts)
    if dim == n * n:
        return f"GL({n})"
    if dim == n and n > 1 and all(B.is_diagonal() for B in parts):
        return "diagonal scalings"
    if dim == 1:
        return "uniform scalings"
    J = sympy.Matrix([[0, -1], [1, 0]])
    if n == 2 and dim == 2 and _same_span(parts, [sympy.eye(2), J]):
        return "scaled rotations"
    names = structure.commutant_of
    if not names:
        return None
    if len(names) == 1:
        from .solve._forms import affine_forms
        from .solve._matrix import rational_rep

        form = next(f for f in affine_forms(system) or [] if f.mechanism.name == names[0])
        moving = [s.A for s in form.slices if not s.A.is_diagonal() or len(set(s.A.diagonal())) > 1]
        # the whole commutant of one matrix has dimension >= n, with equality exactly when the
        # matrix is cyclic (non-derogatory); with several slices the commutant is a joint one
        cyclic = dim == n and (len(moving) == 1 or linalg.is_nonderogatory(rational_rep(moving[0])))
        kind = " (polynomials in it)" if cyclic else ""
        return f"commutant of the linear part of {names[0]}{kind}"
    return "joint commutant of the linear parts of " + ", ".join(names)


def affine_name(structure: AffineStructure, system: System, translations_allowed: bool) -> str | None:
    """A recognised name for the solution set, or None.

    Names: trivial, translations, diagonal scalings, uniform scalings, scaled
    rotations, GL(n), affine group Aff(n), commutant of a matrix, and maps whose
    linear part fixes given vectors; ``... and translations R^n`` when the
    translations split off.
    """
    n = structure.n
    directions = structure.directions
    if not directions:
        return "trivial"
    B0, c0 = structure.base
    translations = [c for B, c in directions if B.is_zero_matrix]
    linear = [B for B, _ in directions if not B.is_zero_matrix]
    if not linear:
        k = len(translations)
        return f"translations R^{n}" if k == n else f"translations along a {k}-dimensional subspace"
    split = len(translations) == n or all(c.is_zero_matrix for _, c in directions)
    if not split or not c0.is_zero_matrix:
        return None
    suffix = f" and translations R^{n}" if len(translations) == n else ""
    # the identity is in the span (a zero base; or the base I beside a whole commutant, which
    # contains I): the linear parts form a vector space
    if B0.is_zero_matrix or (structure.commutant_of and B0 == sympy.eye(n)):
        name = _linear_name(linear, n, structure, system)
        if name == f"GL({n})" and suffix:
            return f"affine group Aff({n})"
        return None if name is None else name + suffix
    fixed = fixed_vectors([B0] + [B0 + B for B in linear], n)
    if fixed and len(linear) == n * n - n * len(fixed):
        where = " and ".join(f"B{_vector(v)} = {_vector(v)}" for v in fixed)
        kind = "affine maps z -> Bz + c" if suffix else "linear maps z -> Bz"
        return f"{kind} with {where}"
    return None


def finite_linear_name(elements: Sequence[Sequence[sympy.Expr]], latents: Sequence[sympy.Symbol]) -> str | None:
    """Name a finite group of linear maps given by all its elements (identity included)."""
    from math import factorial

    n = len(latents)
    mats = [sympy.Matrix([[sympy.diff(e, z) for z in latents] for e in a]) for a in elements]
    if any(any(e.subs(dict.fromkeys(latents, 0)) != 0 for e in a) for a in elements):
        return None
    monomial = all(
        all(sum(1 for x in M.row(i) if x != 0) == 1 for i in range(n)) and all(x in (0, 1, -1) for x in M) for M in mats
    )
    count = len(set(map(lambda M: tuple(M), mats)))
    if count == 1:
        return "trivial"
    if not monomial:
        return None
    signed = any(x == -1 for M in mats for x in M)
    diagonal = all(M.is_diagonal() for M in mats)
    if signed and count == 2**n * factorial(n):
        return "signed permutations"
    if not signed and count == factorial(n):
        return "permutations"
    if diagonal and count == 2**n:
        return "sign flips"
    return None


def _perm_order(p: IntArray) -> int:
    """The order of a permutation: the lcm of its cycle lengths."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    n = p.size
    graph = coo_matrix((np.ones(n, np.int8), (np.arange(n), p)), shape=(n, n))
    labels = connected_components(graph, directed=False)[1]
    return math.lcm(*{int(c) for c in np.bincount(labels)}) if n else 1


def _abelian(gens: Sequence[IntArray]) -> bool:
    return all(np.array_equal(a[b], b[a]) for k, a in enumerate(gens) for b in gens[k + 1:])


def finite_translations(data: FiniteData) -> bool:
    """Whether the group is exactly the translations of the state torus."""
    space = data.space
    if data.order != space.count:
        return False
    coords = space.coordinates()
    for k, size in enumerate(space.sizes):
        shifted = list(coords)
        shifted[k] = (coords[k] + 1) % size
        if size > 1 and not data.group.contains(space.index(shifted)):
            return False
    return True


def _moved(gens: Sequence[IntArray]) -> IntArray:
    if not gens:
        return np.zeros(0, dtype=np.int64)
    n = gens[0].size
    return np.flatnonzero(np.any(np.stack(gens) != np.arange(n), axis=0))


def _sympy_name(gens: Sequence[IntArray], order: int) -> str | None:
    """Name a small permutation group with sympy (cyclic, dihedral, symmetric, products)."""
    from sympy.combinatorics import Permutation, PermutationGroup

    moved = _moved(gens)
    if moved.size == 0 or moved.size > SYMPY_NAMING_LIMIT or len(gens) > SYMPY_NAMING_GENERATORS:
        return None
    where = np.full(gens[0].size, -1, dtype=np.int64)
    where[moved] = np.arange(moved.size)
    small = [where[g[moved]] for g in gens]
    G = PermutationGroup([Permutation(g.tolist()) for g in small])
    name = _single_name(G, order)
    if name is not None:
        return name
    # a direct product over the orbits (each factor named on its own orbit)
    orbits = [sorted(o) for o in G.orbits()]
    if 1 < len(orbits) <= SYMPY_NAMING_FACTORS:
        factors = []
        for orbit in orbits:
            index = {s: k for k, s in enumerate(orbit)}
            H = PermutationGroup([Permutation([index[g.array_form[s]] for s in orbit]) for g in G.generators])
            factors.append(H)
        if math.prod(int(H.order()) for H in factors) == order:
            names = [_single_name(H, int(H.order())) for H in factors]
            if all(names):
                return " x ".join(str(n) for n in names)
    if G.is_abelian:
        return "abelian group " + " x ".join(f"Z_{d}" for d in G.abelian_invariants())
    return None


def _single_name(G: Any, order: int) -> str | None:
    orbits = G.orbits()
    if len(orbits) == 1 and math.factorial(len(next(iter(orbits)))) == order:
        return f"symmetric group S_{len(next(iter(orbits)))}"
    if order > SYMPY_NAMING_ORDER:
        return None
    if order == 2 or G.is_cyclic:
        return f"cyclic group C_{order}"
    if order >= 6 and order * G.degree <= SYMPY_DIHEDRAL_WORK and G.is_dihedral:
        return f"dihedral group D_{order // 2}"
    return None


def finite_name(data: FiniteData) -> str | None:
    """A recognised name: trivial, translations of a torus, cyclic, dihedral, symmetric,
    direct products of these over the orbits, abelian groups by their invariants.

    Examples
    --------
    >>> import equivid
    >>> from equivid.finite import finite_system
    >>> system = finite_system({"i": 4, "j": 3}, {"x": "(Mod(i + 1, 4), j)", "y": "(i, Mod(j + 1, 3))"})
    >>> finite_name(equivid.solve(system).solution.finite_group)
    'translations of the torus Z_4 x Z_3'
    """
    order = data.order
    if order == 1:
        return "trivial"
    if len(data.group.generators) > SYMPY_NAMING_GENERATORS:
        return None
    gens = list(data.group.generators)
    abelian = _abelian(gens)
    space = data.space
    if abelian and len([s for s in space.sizes if s > 1]) > 1 and finite_translations(data):
        return "translations of the torus " + " x ".join(f"Z_{s}" for s in space.sizes)
    if abelian and math.lcm(*(_perm_order(g) for g in gens)) == order:
        return f"cyclic group C_{order}"
    return _sympy_name(gens, order)


def class_name(pieces: Sequence[Any], n: int, group: bool, linear: bool) -> str | None:
    """A recognised name for the set of a class answer made of ``pieces``, or None (not a group,
    or no recognised shape)."""
    if not group:
        return None
    main = next((p for p in pieces if p.has_identity), None)
    if main is None:
        return None
    free_c = all(main.c[i] in main.parameters for i in range(n)) and not main.c.free_symbols & main.B.free_symbols
    no_c = main.c.is_zero_matrix
    suffix = f" and translations R^{n}" if free_c else "" if no_c else None
    if suffix is None:
        return None
    if main.equations:  # the orthogonal class: B^T B in the invariant forms
        scaled = main.known_dimension == 1 + n * (n - 1) // 2 + (n if suffix else 0)
        return "similarities z -> sQz (Q orthogonal)" + suffix if scaled else None
    dim_B = len(main.B.free_symbols & set(main.parameters))
    if dim_B == n * n and len(pieces) == 1:
        return f"affine group Aff({n})" if suffix else f"GL({n})"
    monomial = all(
        all(sum(1 for x in p.B.row(i) if x != 0) == 1 for i in range(n)) and all(len(x.free_symbols) == 1 for x in p.B if x != 0)
        for p in pieces
    )
    if monomial and len(pieces) == math.factorial(n):
        return "monomial matrices (permutations times scalings)" + suffix
    if monomial and len(pieces) == 1:
        return "diagonal scalings" + suffix
    return None


def noise_symmetry(law: Any) -> str:
    """The noise law's linear symmetry group, in words."""
    parts = []
    if law.gauss:
        k = len(law.gauss)
        S = law.cov
        parts.append(f"O({k})" if S == sympy.eye(k) else f"{{B : B S B^T = S}} with S = {S.tolist()}")
    if law.factors:
        symmetric = all(family.symmetric for _, _, family in law.factors)
        if law.scaled:
            mixed = not symmetric and any(family.symmetric for _, _, family in law.factors)
            rule = ("+-(scale_i/scale_j) e_i" if symmetric else "(scale_i/scale_j) e_i" if not mixed
                    else "+-(scale_i/scale_j) e_i, the sign + for asymmetric laws")
            what = ("signed scaled permutations" if symmetric else "scaled permutations") + \
                f" among coordinates of one scale family (B e_j = {rule})"
        else:
            what = "signed permutations" if symmetric else "permutations"
            if len({label for _, label, _ in law.factors}) > 1:
                what += " among coordinates of equal law"
        parts.append(f"{what} (order {len(law.finite_choices())})")
    return " x ".join(parts)


def noise_name(law: Any, lie: Sequence[sympy.Matrix], reps: Sequence[tuple[sympy.Matrix, sympy.Matrix]],
               coords: Any, n: int, system: System) -> str | None:
    """A recognised name for a noise answer (the mean maps' group cut down by the law), or None."""
    split = coords.c0.is_zero_matrix and all(c.is_zero_matrix for c in coords.cdirs)
    suffix = f" and translations R^{n}" if len(coords.fibre) == n and split else "" if not coords.fibre and split else None
    if suffix is None:
        return None
    if not lie:
        z = sympy.Matrix(system.latents)
        # conjugated by the scales, B e_j = +-(scale_i/scale_j) e_i becomes a signed permutation
        D = sympy.diag(*law.scales())
        conjugated = [(D.inv() * B * D).applyfunc(sympy.simplify) for B, _ in reps]
        scaled = any(C != B for C, (B, _) in zip(conjugated, reps))
        elements = [tuple(z)] + [tuple(C * z) for C in conjugated]
        name = finite_linear_name(elements, system.latents)
        if scaled:
            name = {"signed permutations": "signed scaled permutations",
                    "permutations": "scaled permutations"}.get(name or "")
    elif law.gauss == tuple(range(n)) and len(lie) == n * (n - 1) // 2:
        name = f"orthogonal group O({n})" if law.cov == sympy.eye(n) else "the orthogonal group of the covariance (B S B^T = S)"
        if not reps:
            name = f"SO({n})" if law.cov == sympy.eye(n) else "rotations of the covariance (B S B^T = S, det B = 1)"
    else:
        return None
    return None if name is None else name + suffix
