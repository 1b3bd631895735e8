"""Solver part: stochastic mechanisms with additive noise (THEORY.md, result 3).

For ``z' = m(z) + eps`` and ``a(z) = Bz + c``, consistency in distribution reads
``B m(z) + c = m(Bz + c)`` (the mean maps commute, solved by the ``affine`` part) and
``B eps`` has the law of ``eps``: the answer is the deterministic group cut down by
the linear symmetry group of the noise law. Translations are not constrained by the
noise (it is additive). The symmetry groups (derived in the README and THEORY.md):

- Gaussian ``N(0, S)``: ``B S B^T = S`` (for ``S = I`` the orthogonal group);
- independent coordinates with non-Gaussian laws (Darmois-Skitovich: ``B`` must be a
  generalised permutation, ``B e_j = s e_i``, and ``s eps_j ~ eps_i`` for each such pair):
  within one scale family (``eps = scale * X``, see :mod:`equivid.noise`) that forces
  ``s = +-scale_i/scale_j`` for symmetric laws (``laplace``, ``uniform``,
  ``generalized_normal`` with ``beta != 2``, ``student_t``) and ``s = scale_i/scale_j`` for
  asymmetric ones (``exponential``); coordinates of different families are not mixed. For
  i.i.d. coordinates these are signed permutations (plain permutations for asymmetric
  laws); Gaussian coordinates of a ``product`` law mix among themselves by ``B S B^T = S``.

The facts about each law (parameters, scale family, sampler, likelihood) live in the
registry :mod:`equivid.noise`; this module applies its symmetry rule.

The identity component is parametrised by products of one-parameter subgroups
``exp(t X)`` (compact, so onto), the other components are represented by (scaled) signed
permutation matrices or exact solutions, each verified.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_spec('''
... latents: [z1, z2]
... mechanisms: {walk: {map: [z1, z2], noise: {law: laplace, scale: 1}}}
... ''')
>>> group = equivid.solve(system)
>>> group.name, group.dimension, group.components
('signed permutations and translations R^2', 2, 8)
>>> group.contains("(1 - z2, z1)"), group.contains("(3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)")
(True, False)

Laplace coordinates of scales 1 and 2 are swapped with the factors 1/2 and 2:

>>> scaled = equivid.solve(equivid.System.from_spec('''
... latents: [z1, z2]
... mechanisms:
...   walk: {map: [z1, z2], noise: {law: product, factors: [{law: laplace, scale: 1}, {law: laplace, scale: 2}]}}
... '''))
>>> scaled.name, scaled.components, scaled.contains("(z2/2, 2*z1)"), scaled.contains("(z2, z1)")
('signed scaled permutations and translations R^2', 8, True, False)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import sympy

from ..ansatz import Ansatz
from ..errors import BudgetExceededError, UnsupportedMechanismError, VerificationError
from ..mechanisms import Mechanism, System
from ..naming import noise_name, noise_symmetry
from ..noise import LAWS, ScaleFamily, describe, gaussian_covariance, parse_law, scale_family
from ._pieces import AffineMap, Piece, affine_membership, assemble, sample_union
from ._result import AffineStructure, Solution
from ._verify import commutes, generates, is_zero

__all__ = ["NoisePart", "NoiseLaw", "noise_law", "LAWS"]

#: Finite parts (generalised permutations of coordinates of one scale family) enumerated up to this size.
MAX_FINITE = 50_000


@dataclass(frozen=True)
class NoiseLaw:
    """The law of ``eps``: Gaussian coordinates ``gauss`` with covariance ``cov``, and
    independent non-Gaussian coordinates ``factors``: ``(coordinate, label, family)`` with
    the label of its law and its :class:`~equivid.noise.ScaleFamily`."""

    n: int
    gauss: tuple[int, ...]
    cov: sympy.ImmutableMatrix
    factors: tuple[tuple[int, str, ScaleFamily], ...]
    text: str

    @property
    def others(self) -> tuple[int, ...]:
        return tuple(i for i, _, _ in self.factors)

    @property
    def labels(self) -> tuple[tuple[int, str, bool], ...]:
        """``(coordinate, label, symmetric)`` per non-Gaussian coordinate."""
        return tuple((i, label, family.symmetric) for i, label, family in self.factors)

    @property
    def scaled(self) -> bool:
        """Whether coordinates of one scale family have different scales (factors other than +-1)."""
        scales: dict[tuple[Any, ...], set[sympy.Expr]] = {}
        for _, _, family in self.factors:
            scales.setdefault(family.identity, set()).add(family.scale)
        return any(len(v) > 1 for v in scales.values())

    def scales(self) -> list[sympy.Expr]:
        """The scale of every coordinate (1 on Gaussian ones)."""
        out = [sympy.Integer(1)] * self.n
        for i, _, family in self.factors:
            out[i] = family.scale
        return out

    def preserves(self, B: sympy.MatrixBase) -> bool:
        """Whether ``B eps`` has the law of ``eps`` (exact): ``B S B^T = S`` on the Gaussian
        block, and on the others a generalised permutation, ``B e_j = s e_i`` with
        ``s eps_j ~ eps_i`` (the scale-family rule of :mod:`equivid.noise`)."""
        g, o = list(self.gauss), list(self.others)
        if any(not is_zero(B[i, j]) for i in g for j in o) or any(not is_zero(B[i, j]) for i in o for j in g):
            return False
        if g:
            Bg = B.extract(g, g)
            if any(not is_zero(e) for e in Bg * self.cov * Bg.T - self.cov):
                return False
        family = {i: f for i, _, f in self.factors}
        used = set()
        for i in o:
            nonzero = [j for j in o if not is_zero(B[i, j])]
            if len(nonzero) != 1 or nonzero[0] in used:
                return False
            j = nonzero[0]
            used.add(j)
            if not any(is_zero(B[i, j] - s) for s in family[j].scalings(family[i])):
                return False
        return True

    def classes(self) -> dict[tuple[Any, ...], list[int]]:
        """Positions in ``others`` by scale family (in order of first appearance)."""
        out: dict[tuple[Any, ...], list[int]] = {}
        for pos, (_, _, family) in enumerate(self.factors):
            out.setdefault(family.identity, []).append(pos)
        return out

    def finite_choices(self) -> list[sympy.Matrix]:
        """The ``others`` block of every element: generalised permutations among coordinates
        of one scale family, ``F[a, b] = s`` with ``s eps_b ~ eps_a``."""
        o = list(self.others)
        families = [f for _, _, f in self.factors]
        classes = self.classes()
        size = math.prod(math.factorial(len(v)) * (2 ** len(v) if families[v[0]].symmetric else 1)
                         for v in classes.values())
        if size > MAX_FINITE:
            what = "signed permutations" if not self.scaled else "generalised permutations"
            raise BudgetExceededError(f"noise: {size} {what} exceed the budget of {MAX_FINITE}")
        per_class = []
        for members in classes.values():
            options = []
            for perm in itertools.permutations(members):
                pairs = list(zip(members, perm))
                for values in itertools.product(*[families[j].scalings(families[i]) for i, j in pairs]):
                    options.append([(i, j, s) for (i, j), s in zip(pairs, values)])
            per_class.append(options)
        out = []
        for combo in itertools.product(*per_class):
            M = sympy.zeros(len(o), len(o))
            for option in combo:
                for i, j, s in option:
                    M[i, j] = s
            out.append(M)
        return out


def noise_law(mechanism: Mechanism, n: int) -> NoiseLaw:
    """The validated noise law of a stochastic mechanism.

    Examples
    --------
    >>> m = Mechanism("walk", sympy.symbols("z1 z2"), noise=(("law", "laplace"), ("scale", 2)))
    >>> law = noise_law(m, 2)
    >>> law.text, len(law.finite_choices())
    ('i.i.d. laplace(scale=2) per coordinate', 8)
    """
    field = f"mechanisms.{mechanism.name}.noise"
    law = parse_law(dict(mechanism.noise or ()), field, n)
    cov = gaussian_covariance(law, n)
    if cov is not None:
        return NoiseLaw(n, tuple(range(n)), cov, (), f"gaussian N(0, {cov.tolist()})")
    if law["law"] == "product":
        covs = [gaussian_covariance(f, 1) for f in law["factors"]]
        variances = {k: c[0, 0] for k, c in enumerate(covs) if c is not None}
        gauss = tuple(variances)
        S = sympy.ImmutableMatrix(sympy.diag(*variances.values())) if gauss else sympy.ImmutableMatrix(0, 0, [])
        factors = []
        for k, f in enumerate(law["factors"]):
            family = scale_family(f)
            if covs[k] is None and family is not None:
                factors.append((k, describe(f), family))
        text = "independent coordinates: " + ", ".join(
            describe(f) if c is None else f"gaussian(var={c[0, 0]})" for f, c in zip(law["factors"], covs))
        return NoiseLaw(n, gauss, S, tuple(factors), text)
    family = scale_family(law)
    if family is None:  # pragma: no cover - every 1-D law has a scale family
        raise UnsupportedMechanismError(f"{field}: the law {law['law']} has no scale family")
    label = describe(law)
    return NoiseLaw(n, (), sympy.ImmutableMatrix(0, 0, []), tuple((k, label, family) for k in range(n)),
                    f"i.i.d. {label} per coordinate")


# -- the condition ---------------------------------------------------------------------------
@dataclass(frozen=True)
class NoiseCondition:
    """``a`` commutes with every mean map and its linear part preserves the noise law."""

    kind = "noise"

    law: NoiseLaw
    mean: System
    ansatz: Ansatz
    pieces: tuple[Piece, ...] = ()

    def holds(self, a: AffineMap) -> bool:
        B, c = a
        z = sympy.Matrix(self.mean.latents)
        element = tuple(B * z + c)
        return self.law.preserves(B) and commutes(element, self.mean)

    def membership(self, a: Any, system: System) -> tuple[tuple[sympy.Expr, ...], bool, bool | None, bool | None]:
        return affine_membership(a, system, self.ansatz, self.holds)

    def sample(self, rng: Any, latents: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
        return sample_union(self.pieces, rng, latents)


# -- solving ---------------------------------------------------------------------------------
def _mean_system(system: System) -> System:
    return replace(system, mechanisms=tuple(replace(m, noise=None) for m in system.mechanisms), learner=None)


@dataclass(frozen=True)
class _Coordinates:
    """``(B, c) = base + sum s_k dirs_k`` split: ``B`` directions and the translation fibre."""

    B0: sympy.Matrix
    c0: sympy.Matrix
    Bdirs: list[sympy.Matrix]
    cdirs: list[sympy.Matrix]
    fibre: list[sympy.Matrix]

    def c_of(self, B: sympy.Matrix) -> sympy.Matrix | None:
        """The translation that goes with ``B`` (up to the fibre), or None if ``B`` is not in the set."""
        n = B.rows
        s = sympy.symbols(f"_s0:{len(self.Bdirs)}")
        residual = B - self.B0 - sum((sk * D for sk, D in zip(s, self.Bdirs)), sympy.zeros(n, n))
        eqs = [e for e in residual if e != 0]
        if not s:
            return self.c0 if not eqs else None
        sol = sympy.linsolve(eqs, list(s)) if eqs else {tuple(sympy.Integer(0) for _ in s)}
        if not sol:
            return None
        values = [sympy.sympify(v).xreplace({x: 0 for x in s}) for v in next(iter(sol))]
        return (self.c0 + sum((v * d for v, d in zip(values, self.cdirs)), sympy.zeros(n, 1))).applyfunc(sympy.simplify)


def _coordinates(structure: AffineStructure) -> _Coordinates:
    B0, c0 = structure.base
    n = B0.rows
    vecs = [sympy.Matrix(list(B) + list(c)) for B, c in structure.directions]
    Bpart = sympy.Matrix.hstack(*[v[: n * n, :] for v in vecs]) if vecs else sympy.zeros(n * n, 0)
    _, pivots = Bpart.rref() if vecs else (None, ())
    Bdirs = [sympy.Matrix(structure.directions[k][0]) for k in pivots]
    cdirs = [sympy.Matrix(structure.directions[k][1]) for k in pivots]
    fibre = []
    for v in Bpart.nullspace() if vecs else []:
        t = sum((v[k] * sympy.Matrix(structure.directions[k][1]) for k in range(len(vecs))), sympy.zeros(n, 1))
        if not t.is_zero_matrix:
            fibre.append(t)
    if fibre:
        rank_basis = sympy.Matrix.hstack(*fibre).columnspace()
        fibre = list(rank_basis)
    return _Coordinates(sympy.Matrix(B0), sympy.Matrix(c0), Bdirs, cdirs, fibre)


def _lie_directions(coords: _Coordinates, law: NoiseLaw, n: int) -> list[sympy.Matrix]:
    """``X`` in the span of the ``B`` directions with ``X`` zero on non-Gaussian coordinates and
    ``X S + S X^T = 0`` on the Gaussian block (the tangent space of the noise-preserving part)."""
    if not law.gauss or not coords.Bdirs:
        return []
    s = sympy.symbols(f"_x0:{len(coords.Bdirs)}")
    X = sum((sk * D for sk, D in zip(s, coords.Bdirs)), sympy.zeros(n, n))
    g, o = list(law.gauss), list(law.others)
    eqs = [X[i, j] for i in range(n) for j in range(n) if i in o or j in o]
    Xg = X.extract(g, g)
    eqs += list(Xg * law.cov + law.cov * Xg.T)
    M, _ = sympy.linear_eq_to_matrix([e for e in eqs if e != 0] or [sympy.Integer(0) * s[0]], list(s))
    basis = []
    for v in M.nullspace():
        basis.append(sum((v[k] * coords.Bdirs[k] for k in range(len(s))), sympy.zeros(n, n)))
    return basis


def _one_parameter(X: sympy.Matrix, t: sympy.Symbol) -> sympy.Matrix:
    """``exp(t X)`` for real ``t``, written with real functions (cos, sin, exp)."""
    real = sympy.Dummy("t", real=True)
    E = (real * X).exp()
    E = E.applyfunc(lambda e: sympy.simplify(sympy.expand_complex(e)) if e.has(sympy.I) else sympy.simplify(e))
    return E.xreplace({real: t})


def _gauss_candidates(law: NoiseLaw) -> list[sympy.Matrix]:
    """Elements of O(S) on the Gaussian block: signed permutations that preserve ``S``, and
    the ``S^{-1}``-reflection along the first coordinate."""
    k = len(law.gauss)
    S = sympy.Matrix(law.cov)
    out = []
    for perm in itertools.permutations(range(k)):
        for signs in itertools.product((1, -1), repeat=k):
            M = sympy.zeros(k, k)
            for i, (j, sign) in enumerate(zip(perm, signs)):
                M[i, j] = sign
            if M * S * M.T == S:
                out.append(M)
        if len(out) > 2 * MAX_FINITE:  # pragma: no cover - guarded by the budget on n
            break
    Minv = S.inv()
    v = sympy.eye(k)[:, 0]
    out.append(sympy.eye(k) - 2 * v * v.T * Minv / (v.T * Minv * v)[0, 0])
    return out


class NoisePart:
    """Matches systems with stochastic mechanisms; intersects the deterministic answer with
    the noise law's linear symmetry group."""

    name = "noise"

    def matches(self, system: System, ansatz: Ansatz) -> bool:
        return not system.states and any(m.noise is not None for m in system.mechanisms)

    def solve(self, system: System, ansatz: Ansatz) -> Solution:
        n = system.n
        laws = [noise_law(m, n) for m in system.mechanisms if m.noise is not None]
        if any(law != laws[0] for law in laws[1:]):
            raise UnsupportedMechanismError("mechanisms: stochastic mechanisms with different noise laws in one system are not supported yet")
        law = laws[0]
        mean = _mean_system(system)
        from ._affine import AffinePart
        from ._result import parameter_symbols
        from .problem import Problem

        AFFINE_PART = AffinePart()
        if not AFFINE_PART.matches(Problem(mean, ansatz)):
            raise UnsupportedMechanismError(
                f"mechanisms: stochastic mechanisms need affine mean maps and a linear or affine ansatz so far (ansatz {ansatz})")
        coords = _coordinates(AFFINE_PART.structure(mean, ansatz))
        lie = _lie_directions(coords, law, n)
        condition = NoiseCondition(law, mean, ansatz)
        names = parameter_symbols(len(lie) + len(coords.fibre), [s.name for s in system.latents + system.families])
        t, r = names[: len(lie)], names[len(lie):]
        identity_B = sympy.eye(n)
        for X, tk in zip(lie, t):
            identity_B = identity_B * _one_parameter(X, tk)
        fibre = sum((rj * f for rj, f in zip(r, coords.fibre)), sympy.zeros(n, 1))
        c_main = coords.c_of(identity_B)
        if c_main is None:  # pragma: no cover - the identity component lies in the set
            raise VerificationError("the identity component is not in the deterministic solution set")
        main = Piece(identity_B, c_main + fibre, tuple(names), tuple(sympy.Integer(0) for _ in names),
                     has_identity=True, sampler=_rational_sampler(identity_B, c_main + fibre, t, r, coords))
        reps, undetermined = self._components(coords, law, n, lie)
        pieces = [main] + [
            Piece(B, c + fibre, tuple(r), tuple(sympy.Integer(0) for _ in r), known_dimension=len(names),
                  sampler=_translated(B, c, coords.fibre))
            for B, c in reps
        ]
        count = None if undetermined else len(reps) + 1
        solution = assemble(
            pieces, latents=system.latents, ansatz=ansatz, part=self.name, holds=condition.holds,
            condition=replace(condition, pieces=tuple(pieces)), group=True, name=None, notes=[],
            components=count,
        )
        generators = tuple(tuple(sympy.expand(e) for e in X * sympy.Matrix(system.latents) + (coords.c_of(identity_B + X) or c_main) - c_main) for X in lie)
        generators += tuple(tuple(f) for f in coords.fibre)
        for gen in generators:
            if not generates(gen, mean):
                raise VerificationError(f"the Lie algebra generator {gen} fails the infinitesimal condition")
        name = noise_name(law, lie, reps, coords, n, system)
        notes = [
            f"noise: {law.text}; its linear symmetry group: {noise_symmetry(law)}; translations are not "
            "constrained by additive noise",
            f"the mean maps commute with a, and B eps has the law of eps; searched among {ansatz.describe()}",
        ] + ([undetermined] if undetermined else [])
        return replace(solution, lie_algebra=generators, name=name, notes=tuple(notes),
                       extra=(("noise", {"law": law.text, "symmetry": noise_symmetry(law)}),))

    def _components(self, coords: _Coordinates, law: NoiseLaw, n: int,
                    lie: Sequence[sympy.Matrix]) -> tuple[list[tuple[sympy.Matrix, sympy.Matrix]], str]:
        """One element for every component other than the identity's (verified by the caller),
        and a note when the count is not determined."""
        undetermined = ""
        g, o = list(law.gauss), list(law.others)
        gauss_options = _gauss_candidates(law) if g else [sympy.zeros(0, 0)]
        full_lie = len(g) > 0 and len(lie) == len(g) * (len(g) - 1) // 2
        found: list[tuple[sympy.Matrix, sympy.Matrix]] = []
        for F in law.finite_choices() if o else [sympy.zeros(0, 0)]:
            for G in gauss_options:
                B = sympy.zeros(n, n)
                for a, i in enumerate(o):
                    for b, j in enumerate(o):
                        B[i, j] = F[a, b]
                for a, i in enumerate(g):
                    for b, j in enumerate(g):
                        B[i, j] = G[a, b]
                c = coords.c_of(B)
                if c is None or B == sympy.eye(n):
                    continue
                if any(self._same_component(B, other, law, lie, full_lie) for other, _ in found) or \
                        self._same_component(B, sympy.eye(n), law, lie, full_lie):
                    continue
                found.append((B, c))
        if g and lie and not full_lie:
            undetermined = ("components: represented by signed permutations and one reflection of the "
                                  "Gaussian block; others may exist (count not determined)")
        elif g and not lie and len(g) > 1 and not all(D.is_diagonal() for D in [coords.B0] + coords.Bdirs):
            # diagonal B with B S B^T = S has entries +-1: the sign candidates are complete
            undetermined = "components: the finite part was searched among signed permutations of the Gaussian block"
        return found, undetermined

    @staticmethod
    def _same_component(B1: sympy.Matrix, B2: sympy.Matrix, law: NoiseLaw, lie: Sequence[sympy.Matrix], full: bool) -> bool:
        """``B1^{-1} B2`` in the identity component (known when the Lie algebra is 0 or all of o(S))."""
        D = B1.inv() * B2
        o = list(law.others)
        if any(not is_zero(D[i, j] - int(i == j)) for i in o for j in range(D.rows)):
            return False
        if not lie:
            return bool(D == sympy.eye(D.rows))
        if full:
            return bool(D.extract(list(law.gauss), list(law.gauss)).det() == 1)
        return False

def _translated(B: sympy.Matrix, c: sympy.Matrix, fibre: Sequence[sympy.Matrix]) -> Any:
    def sample(rng: Any) -> AffineMap:
        from ._pieces import random_point

        values = random_point(len(fibre), rng)
        return B, c + sum((v * f for v, f in zip(values, fibre)), sympy.zeros(B.rows, 1))

    return sample


def _rational_sampler(B: sympy.Matrix, c: sympy.Matrix, t: Sequence[sympy.Symbol], r: Sequence[sympy.Symbol],
                      coords: _Coordinates) -> Any:
    """Elements of the identity component at small rational parameters (exact entries: the
    one-parameter groups of rotations give cos and sin of rational angles)."""

    def sample(rng: Any) -> AffineMap:
        from ._pieces import random_point

        values = random_point(len(t) + len(r), rng)
        return B.xreplace(dict(zip(t, values))), c.xreplace(dict(zip(list(t) + list(r), values)))

    return sample
