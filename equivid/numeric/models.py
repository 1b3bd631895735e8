"""From a solved group to numeric fitters: the group's fitter and the smaller groups it is
compared with, chosen from the group's *structure*.

Nothing here reads the group's name or description to decide anything (they are only
the display name of a model): a renamed or unnamed group gets the same fitter. What is
read is the kind of answer (``group.solution.kind``) and:

- ``"family"``: the exact affine structure ``group.solution.structure`` (base and
  directions of ``(B, c)``) where present, else the general element in the latents and
  ``group.parameters``; the discrete representatives ``group.discrete``; the Lie
  algebra ``group.lie_algebra`` (for a general element that is not linear in its
  parameters);
- ``"class"`` and ``"noise"``: the pieces of the defining condition (``B``, ``c``,
  ``parameters``, ``equations``, ``sample``), and for noise the law's Gaussian
  coordinates and covariance (``law.gauss``, ``law.cov``);
- ``"finite"`` (finite-state) answers permute states: there is nothing to fit.

The set is first written, where it can be, as a finite union of *affine cosets*
``{base + sum_k t_k d_k}`` in the coordinates ``(B, c)`` (each affine in the latents and
linear in its parameters, checked by differentiating):

- a family: its structure (or its differentiated general element) composed with every
  product of the discrete representatives, ``V∘d`` (products that land in a coset
  already found are dropped; at most ``MAX_COMPONENTS`` cosets, or ``MAX_ELEMENTS``
  single maps when there are no directions);
- a class or noise answer: its pieces, when none is given by equations.

The union is then fitted, with a closed form where the matrices say exactly which
group it is (``T``: every coset contains all translations ``(0, e_i)``; else every
translation part is zero, or there is no closed form):

- one map: the identity (``"identity"``); one coset ``(I, 0) + translations``:
  ``"translations"``;
- finitely many maps (no directions; or fixed linear parts, each with all translations):
  the signed permutation matrices exactly: :func:`~.fitters.fit_permutations` with
  ``signs``; the permutation matrices: ``fit_permutations``; the diagonal sign matrices:
  ``"sign flips"``; any other finite set, shifts included: ``"finite closure"``
  (:func:`~.fitters.fit_elements`);
- ``n!`` cosets ``{P D : D diagonal}``, one per permutation matrix ``P``: ``"monomial"``
  (``fit_permutations`` with ``scales``);
- one coset whose linear parts form a linear space ``L``: ``L = gl(n)``:
  ``"general affine"`` / ``"general linear"``; ``L`` the diagonal matrices:
  ``"diagonal scalings"``; ``L = span(I)``: ``"uniform scalings"``;
- otherwise linear least squares over each coset, the best coset kept
  (:func:`~.fitters.fit_span`): ``"span"`` for a family, ``"pieces"`` for a class or
  noise answer.

Sets that are not affine cosets:

- a family or a noise answer whose Lie algebra's linear parts are all of
  ``o(S) = {X : X S + S X^T = 0}`` (``S = I`` for a family, the covariance for noise
  whose coordinates are all Gaussian), with the discrete representatives and sampled
  elements in ``O(S)``, and translations either all free (the Lie algebra contains every
  translation) or none: orthogonal Procrustes in the metric ``S``
  (:func:`~.fitters.fit_orthogonal`), ``special`` (``det B = 1``) when no discrete or
  sampled element has ``det B < 0``: ``"orthogonal"`` / ``"rotations"``, or
  ``"orthogonal (metric)"`` / ``"rotations (metric)"`` when ``S`` is not a multiple of
  ``I``;
- a class answer whose pieces are given by equations (the orthogonal class,
  ``B^T B`` in the forms every linear part keeps), each piece's ``B`` a matrix of
  parameters: when sampled points all have ``B^T B = s^2 G`` for one ``G``, random
  ``s Q G^{1/2}`` satisfy the equations, and the piece has the dimension of the
  similarities (``1 + n(n-1)/2``, ``+ n`` with translations): scaled Procrustes after
  the change of coordinates ``G^{1/2}`` (``"similarities"`` when ``G = I``).

Anything else raises :class:`~equivid.errors.UnsupportedMechanismError`.

The smaller groups (``GroupModel.smaller``) are proper subgroups derived from the same
structure: for ``gl(n)``, the diagonal scalings, the orthogonal maps and the identity;
for the monomial matrices, the diagonal scalings and the permutations; for the
similarities, the orthogonal maps and the uniform scalings; for ``O(S)`` (not ``SO(S)``)
with ``S`` diagonal, its signed permutation matrices (those with ``M S M^T = S``); for a finite closure, its permutation
matrices when they are a proper, nontrivial part; the uniform scalings when the coset of
the identity is a linear space holding ``(I, 0)``; and last the translations (when
``T``) or the identity, for every set that is more than that.

Examples
--------
>>> import equivid
>>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
>>> model = group_model(group)
>>> model.kind, [m.name for m in model.smaller]
('diagonal scalings', ['uniform scalings', 'identity'])

A renamed group gets the same fitter:

>>> import dataclasses
>>> group_model(dataclasses.replace(group, name="something else")).kind
'diagonal scalings'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ..errors import UnsupportedMechanismError
from . import fitters as F

__all__ = ["GroupModel", "group_model", "map_function", "outside_map"]

Array = NDArray[np.float64]
Fitter = Callable[[Array, Array], F.AffineFit]
Pair = tuple[Array, Array]
#: Cosets (a family's span composed with products of discrete representatives) fitted, at most.
MAX_COMPONENTS = 64
#: Single maps of a finite closure (no continuous directions) enumerated, at most.
MAX_ELEMENTS = 4096
#: Absolute tolerance of the numeric structure tests (the matrices are exact, small rationals).
TOL = 1e-9
#: Sampled elements checked by the structure tests that sample.
SAMPLES = 3


@dataclass(frozen=True)
class GroupModel:
    """A group of affine maps as a fitter: ``fit(z, y)`` returns the best element.

    Parameters
    ----------
    name : str
        The display name of the group.
    kind : str
        Which fitter it is (e.g. ``"diagonal scalings"``, ``"span"``, ``"finite closure"``;
        see the module docstring).
    fit : callable
        ``fit(z, y)`` on two ``(N, n)`` arrays returns the least-squares best element, an
        :class:`~equivid.numeric.fitters.AffineFit`.
    smaller : tuple of GroupModel, default ()
        The proper subgroups it is compared with.

    Examples
    --------
    >>> from equivid.numeric.fitters import fit_identity, fit_translations
    >>> model = GroupModel("translations", "translations", fit_translations,
    ...                    (GroupModel("identity", "identity", fit_identity),))
    >>> z = np.zeros((3, 2))
    >>> model.fit(z, z + [1.0, 2.0]).c.tolist(), [m.name for m in model.smaller]
    ([1.0, 2.0], ['identity'])
    """

    name: str
    kind: str
    fit: Fitter = field(compare=False)
    smaller: tuple[GroupModel, ...] = ()


# -- numeric linear algebra on (B, c) ----------------------------------------------------------
def _numeric(M: Any) -> Array:
    return np.array(sympy.Matrix(M).evalf(), dtype=np.float64)


def _vec(pair: Pair) -> Array:
    return np.concatenate([pair[0].ravel(), pair[1].ravel()])


def _rank(rows: Sequence[Array]) -> int:
    return int(np.linalg.matrix_rank(np.stack(rows), tol=TOL)) if len(rows) else 0


def _in_span(v: Array, rows: Sequence[Array]) -> bool:
    if not len(rows):
        return bool(np.allclose(v, 0, atol=TOL))
    A = np.stack(rows, axis=1)
    coef = np.linalg.lstsq(A, v, rcond=None)[0]
    return bool(np.allclose(A @ coef, v, atol=TOL))


def _same_span(a: Sequence[Array], b: Sequence[Array]) -> bool:
    ra = _rank(a)
    return ra == _rank(b) == _rank(list(a) + list(b))


def _unit(n: int, i: int, j: int) -> Array:
    E = np.zeros((n, n))
    E[i, j] = 1.0
    return E


@dataclass(frozen=True)
class _Coset:
    """The affine family ``{base + sum_k t_k directions[k]}`` of maps ``z -> B z + c``."""

    base: Pair
    directions: tuple[Pair, ...]

    @property
    def n(self) -> int:
        return len(self.base[1])

    def rows(self) -> list[Array]:
        return [_vec(d) for d in self.directions]

    def contains(self, pair: Pair) -> bool:
        return _in_span(_vec(pair) - _vec(self.base), self.rows())

    def same(self, other: _Coset) -> bool:
        return _same_span(self.rows(), other.rows()) and self.contains(other.base)

    def compose(self, d: Pair) -> _Coset:
        """``{a∘d : a in self}``: ``(B D, B e + c)``, again affine in the parameters."""
        D, e = d
        return _Coset((self.base[0] @ D, self.base[0] @ e + self.base[1]),
                      tuple((B @ D, B @ e + c) for B, c in self.directions))

    def translations(self) -> bool:
        """Whether every translation ``(0, e_i)`` is a direction."""
        n, rows = self.n, self.rows()
        return all(_in_span(_vec((np.zeros((n, n)), np.eye(n)[i])), rows) for i in range(n))

    def split(self) -> bool:
        """All translations free, or every translation part zero: the linear parts alone
        then say what the coset is."""
        return self.translations() or (not self.base[1].any() and not any(c.any() for _, c in self.directions))

    def linear(self) -> list[Array]:
        return [B for B, _ in self.directions if np.abs(B).max(initial=0.0) > TOL]

    def linear_space(self) -> bool:
        """Whether the linear parts ``B0 + span(B_k)`` form a linear space (``B0`` in the span)."""
        return _in_span(self.base[0].ravel(), [B.ravel() for B in self.linear()])

    def fixed(self) -> bool:
        """Whether the linear part is the same for every parameter value."""
        return not self.linear()


def _identity_pair(n: int) -> Pair:
    return np.eye(n), np.zeros(n)


class _Union:
    """Cosets without repeats (single maps by a rounded key, cosets by exact span tests)."""

    def __init__(self) -> None:
        self.cosets: list[_Coset] = []
        self._keys: set[bytes] = set()
        self._spans: list[_Coset] = []

    def add(self, coset: _Coset) -> bool:
        if not coset.directions:
            key = np.round(_vec(coset.base), 8).tobytes()
            if key in self._keys or any(c.contains(coset.base) for c in self._spans):
                return False
            self._keys.add(key)
        else:
            if any(coset.same(c) for c in self._spans):
                return False
            self._spans.append(coset)
        self.cosets.append(coset)
        return True


def _closure(V: _Coset, reps: Sequence[Pair]) -> list[_Coset]:
    """``V`` composed with products of the representatives (breadth first, without repeats)."""
    limit = MAX_ELEMENTS if not V.directions else MAX_COMPONENTS
    union = _Union()
    union.add(V)
    frontier = [V]
    while frontier and len(union.cosets) < limit:
        new = []
        for coset, d in itertools.product(frontier, reps):
            candidate = coset.compose(d)
            if len(union.cosets) < limit and union.add(candidate):
                new.append(candidate)
        frontier = new
    return union.cosets


# -- reading the structure -------------------------------------------------------------------
def _affine_in(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> tuple[sympy.Matrix, sympy.Matrix] | None:
    """``(B, c)`` with ``components = B z + c`` (entries may hold parameters), by
    differentiating; None when a component is not affine in the latents."""
    rows, consts = [], []
    at_zero = dict.fromkeys(latents, 0)
    for e in components:
        e = sympy.sympify(e)
        row = [sympy.diff(e, z) for z in latents]
        if any(v.has(*latents) for v in row):
            return None
        rows.append(row)
        consts.append(e.xreplace(at_zero))
    return sympy.Matrix(rows), sympy.Matrix(consts)


def _linear_coset(B: sympy.Matrix, c: sympy.Matrix, parameters: Sequence[sympy.Symbol]) -> _Coset | None:
    """The coset of ``(B(t), c(t))`` when every entry is linear in the parameters (its
    derivatives hold neither parameters nor other symbols), else None."""
    entries = list(B) + list(c)
    params = list(parameters)
    if any(sympy.sympify(e).free_symbols - set(params) for e in entries):
        return None
    derivatives = [[sympy.diff(e, t) for e in entries] for t in params]
    if any(sympy.sympify(v).free_symbols for row in derivatives for v in row):
        return None
    zero = dict.fromkeys(params, 0)
    n = B.rows

    def pair(values: Sequence[Any]) -> Pair:
        array = np.array([float(sympy.sympify(v)) for v in values], dtype=np.float64)
        return array[: n * n].reshape(n, n), array[n * n:]

    return _Coset(pair([sympy.sympify(e).xreplace(zero) for e in entries]), tuple(pair(row) for row in derivatives))


def _family_cosets(group: Any) -> list[_Coset] | None:
    solution = group.solution
    n = len(group.latents)
    structure = solution.structure
    if structure is not None:  # exact: (B, c) = base + sum t_k directions
        V = _Coset((_numeric(structure.base[0]), _numeric(structure.base[1]).ravel()),
                   tuple((_numeric(B), _numeric(c).ravel()) for B, c in structure.directions))
    else:
        parts = _affine_in(group.general_element, group.latents)
        if parts is None:
            return None
        coset = _linear_coset(*parts, group.parameters)
        if coset is None:
            return None
        V = coset
    reps = []
    for d in group.discrete:
        parts = _affine_in(d, group.latents)
        if parts is None or parts[0].free_symbols or parts[1].free_symbols:
            return None
        reps.append((_numeric(parts[0]), _numeric(parts[1]).ravel()))
    assert V.n == n
    return _closure(V, reps)


def _piece_cosets(pieces: Sequence[Any]) -> list[_Coset] | None:
    union = _Union()
    for piece in pieces:
        if piece.equations:
            return None
        coset = _linear_coset(piece.B, piece.c, piece.parameters)
        if coset is None:
            return None
        union.add(coset)
    return union.cosets or None


def _condition(group: Any) -> Any:
    """The defining condition of a class or noise answer: its ``pieces`` (and, for noise, its ``law``)."""
    return group.solution.condition


def _cosets(group: Any) -> list[_Coset] | None:
    if group.solution.kind == "family":
        return _family_cosets(group)
    return _piece_cosets(_condition(group).pieces)


def _pairs(maps: Iterable[Sequence[sympy.Expr]], latents: Sequence[sympy.Symbol]) -> list[Pair] | None:
    out = []
    for a in maps:
        parts = _affine_in(a, latents)
        if parts is None or parts[0].free_symbols or parts[1].free_symbols:
            return None
        out.append((_numeric(parts[0]), _numeric(parts[1]).ravel()))
    return out


# -- the vocabulary of closed-form models ---------------------------------------------------------
def _suffix(T: bool) -> str:
    return " and translations" if T else ""


def _identity() -> GroupModel:
    return GroupModel("identity", "identity", F.fit_identity)


def _lower(T: bool) -> GroupModel:
    """The translations (with the identity below them) or the identity."""
    if T:
        return GroupModel("translations", "translations", F.fit_translations, (_identity(),))
    return _identity()


def _uniform(T: bool) -> GroupModel:
    return GroupModel("uniform scalings" + _suffix(T), "uniform scalings",
                      partial(F.fit_scalings, diagonal=False, translations=T), (_lower(T),))


def _diagonal(T: bool) -> GroupModel:
    return GroupModel("diagonal scalings" + _suffix(T), "diagonal scalings", partial(F.fit_scalings, translations=T),
                      (_uniform(T), _lower(T)))


def _permutations(T: bool) -> GroupModel:
    return GroupModel("permutations" + _suffix(T), "permutations", partial(F.fit_permutations, translations=T),
                      (_lower(T),))


def _signed(T: bool) -> GroupModel:
    return GroupModel("signed permutations" + _suffix(T), "signed permutations",
                      partial(F.fit_permutations, signs=True, translations=T), (_permutations(T), _lower(T)))


def _orthogonal(T: bool) -> GroupModel:
    return GroupModel("orthogonal maps" + _suffix(T), "orthogonal", partial(F.fit_orthogonal, translations=T),
                      (_signed(T), _lower(T)))


# -- finite sets of linear parts -------------------------------------------------------------------
def _is_permutation(B: Array, signs: bool) -> bool:
    """Whether ``B`` is a permutation matrix (a signed one when ``signs``)."""
    values = np.abs(B) if signs else B
    rounded = np.round(values)
    return bool(np.allclose(values, rounded, atol=TOL) and set(rounded.ravel()) <= {0.0, 1.0}
                and (rounded.sum(axis=0) == 1).all() and (rounded.sum(axis=1) == 1).all())


def _finite_model(elements: Sequence[Pair], T: bool, n: int, name: str) -> GroupModel:
    """Finitely many maps (each composed with every translation when ``T``)."""
    mats = [B for B, _ in elements]
    linear = T or all(not c.any() for _, c in elements)  # no fixed shifts: the matrices say it all
    lower = (_lower(T),)
    if linear and len(elements) == 1 and np.allclose(mats[0], np.eye(n), atol=TOL):
        return _lower(T)
    if linear and len(elements) == 2**n * math.factorial(n) and all(_is_permutation(B, True) for B in mats):
        return _signed(T)
    if linear and len(elements) == math.factorial(n) and all(_is_permutation(B, False) for B in mats):
        return _permutations(T)
    if linear and len(elements) == 2**n and all(_is_permutation(B, True) and np.allclose(B, np.diag(np.diag(B)), atol=TOL)
                                               for B in mats):
        return GroupModel("sign flips" + _suffix(T), "sign flips",
                          partial(F.fit_elements, elements=list(elements), translations=T, name="sign flips"), lower)
    perms = [(B, c) for B, c in elements if _is_permutation(B, False) and (T or not c.any())]
    smaller: tuple[GroupModel, ...] = lower
    if 1 < len(perms) < len(elements):  # the permutation matrices among the elements
        sub = _permutations(T) if len(perms) == math.factorial(n) else GroupModel(
            "permutations" + _suffix(T), "finite closure",
            partial(F.fit_elements, elements=perms, translations=T, name="permutations"), lower)
        smaller = (sub,) + lower
    return GroupModel(name, "finite closure", partial(F.fit_elements, elements=list(elements), translations=T, name=name),
                      smaller)


def _monomial_pattern(coset: _Coset) -> tuple[int, ...] | None:
    """``p`` when the coset's linear parts are exactly ``{B : B[i, j] = 0 unless j = p[i]}``
    (a permutation matrix times the diagonal matrices), else None."""
    n = coset.n
    linear = coset.linear()
    if len(linear) < n or not coset.linear_space():
        return None
    generic = coset.base[0] + sum((np.sqrt(k + 2.0) * B for k, B in enumerate(linear)), np.zeros((n, n)))
    support = np.abs(generic) > TOL
    if not ((support.sum(axis=1) == 1).all() and (support.sum(axis=0) == 1).all()):
        return None
    pattern = tuple(int(np.argmax(row)) for row in support)
    units = [_unit(n, i, j).ravel() for i, j in enumerate(pattern)]
    return pattern if _same_span([B.ravel() for B in linear], units) else None


# -- unions of affine cosets ------------------------------------------------------------------------
def _union_model(cosets: Sequence[_Coset], n: int, name: str, kind: str) -> GroupModel:
    T = all(c.translations() for c in cosets)
    split = all(c.split() for c in cosets)
    if all(c.fixed() for c in cosets) and (T or all(not c.directions for c in cosets)):  # finitely many maps
        elements: list[Pair] = []
        keys: set[bytes] = set()
        for c in cosets:
            pair = (c.base[0], np.zeros(n) if T else c.base[1])
            key = np.round(_vec(pair), 8).tobytes()
            if key not in keys:
                keys.add(key)
                elements.append(pair)
        return _finite_model(elements, T, n, name)
    if split and len(cosets) == math.factorial(n) and n > 1:
        patterns = [_monomial_pattern(c) for c in cosets]
        if None not in patterns and len(set(patterns)) == len(patterns):
            return GroupModel("permutations times scalings" + _suffix(T), "monomial",
                              partial(F.fit_permutations, scales=True, translations=T),
                              (_diagonal(T), _permutations(T), _lower(T)))
    if len(cosets) == 1 and split and cosets[0].linear_space():
        linear = [B.ravel() for B in cosets[0].linear()]
        if _rank(linear) == n * n:
            linear_maps = GroupModel("linear maps", "general linear", partial(F.fit_general, translations=False),
                                     (_diagonal(False), _orthogonal(False), _identity()))
            if not T:
                return linear_maps
            # the maximal proper subgroups tested: the linear maps (fixing 0), and the diagonal scalings and the
            # Euclidean maps, each with the translations (which hold the translations alone)
            return GroupModel("affine maps", "general affine", partial(F.fit_general, translations=True),
                              (linear_maps, _diagonal(True), _orthogonal(True)))
        if n > 1 and _same_span(linear, [_unit(n, i, i).ravel() for i in range(n)]):
            return _diagonal(T)
        if _same_span(linear, [np.eye(n).ravel()]):
            return _uniform(T)
    return GroupModel(name, "span" if kind == "family" else "pieces", _span_fitter(cosets, name), _span_smaller(cosets, T))


def _span_fitter(cosets: Sequence[_Coset], name: str) -> Fitter:
    def fit(z: Array, y: Array) -> F.AffineFit:
        best, error = None, np.inf
        for coset in cosets:
            candidate = F.fit_span(z, y, list(coset.directions), coset.base, name=name)
            residual = float((candidate.residuals(z, y) ** 2).sum())
            if residual < error:
                best, error = candidate, residual
        assert best is not None
        return best

    return fit


def _span_smaller(cosets: Sequence[_Coset], T: bool) -> tuple[GroupModel, ...]:
    n = cosets[0].n
    lower: list[GroupModel] = []
    own = next((c for c in cosets if c.contains(_identity_pair(n))), None)
    if own is not None and _in_span(_vec(own.base), own.rows()) and _in_span(_vec(_identity_pair(n)), own.rows()):
        lower.append(_uniform(T))  # s I (and the translations, when T) lie in the coset of the identity
    trivial = len(cosets) == 1 and not cosets[0].directions and np.allclose(_vec(cosets[0].base), _vec(_identity_pair(n)))
    if not trivial:
        lower.append(_lower(T))
    return tuple(lower)


# -- the orthogonal group of a metric ----------------------------------------------------------------
def _signed_permutations_of(S: Array) -> list[Array] | None:
    """The signed permutation matrices ``M`` with ``M S M^T = S`` (``S`` diagonal), or None
    when there are more than ``MAX_ELEMENTS``."""
    n = len(S)
    d = np.diag(S)
    classes: dict[float, list[int]] = {}
    for i, v in enumerate(d):
        classes.setdefault(round(float(v), 9), []).append(i)
    if math.prod(math.factorial(len(v)) for v in classes.values()) * 2**n > MAX_ELEMENTS:
        return None
    blocks = [list(itertools.permutations(members)) for members in classes.values()]
    out = []
    for choice in itertools.product(*blocks):
        target = [0] * n
        for members, perm in zip(classes.values(), choice):
            for i, j in zip(members, perm):
                target[i] = j
        for signs in itertools.product([1.0, -1.0], repeat=n):
            M = np.zeros((n, n))
            M[range(n), target] = signs
            out.append(M)
    return out


def _orthogonal_model(group: Any, S: Array) -> GroupModel | None:
    """``O(S)`` or ``SO(S)`` (times all translations, or none), read off the Lie algebra,
    the discrete representatives and sampled elements; None when that is not the set."""
    n = len(group.latents)
    lie = _pairs(group.lie_algebra, group.latents)
    discrete = _pairs(group.discrete, group.latents)
    samples = _pairs((group.sample(rng=seed) for seed in range(SAMPLES)), group.latents)
    if lie is None or discrete is None or samples is None:
        return None
    rotations = [X for X, _ in lie if np.abs(X).max(initial=0.0) > TOL]
    shifts = [c for X, c in lie if np.abs(X).max(initial=0.0) <= TOL]
    T = _rank(shifts) == n
    if not T and any(c.any() for _, c in lie + discrete + samples):
        return None
    if any(not np.allclose(X @ S + S @ X.T, 0, atol=TOL) for X in rotations):
        return None
    if _rank([X.ravel() for X in rotations]) != n * (n - 1) // 2:
        return None
    if any(not np.allclose(M @ S @ M.T, S, atol=1e-8) for M, _ in discrete + samples):
        return None
    special = all(np.linalg.det(M) > 0 for M, _ in discrete + samples)
    lower = (_lower(T),)
    scale = float(np.trace(S)) / n
    if np.allclose(S, scale * np.eye(n), atol=TOL):
        if special:
            return GroupModel("rotations" + _suffix(T), "rotations", partial(F.fit_orthogonal, translations=T, special=True),
                              lower)
        return _orthogonal(T)
    smaller: tuple[GroupModel, ...] = lower
    finite = _signed_permutations_of(S) if np.allclose(S, np.diag(np.diag(S)), atol=TOL) and not special else None
    if finite is not None:
        elements = [(M, np.zeros(n)) for M in finite]
        smaller = (GroupModel("signed permutations keeping S" + _suffix(T), "finite closure",
                              partial(F.fit_elements, elements=elements, translations=T, name="signed permutations keeping S"),
                              lower),) + lower
    what = "B S B^T = S" + (", det B = 1" if special else "")
    return GroupModel(what + _suffix(T), "rotations (metric)" if special else "orthogonal (metric)",
                      partial(F.fit_orthogonal, translations=T, special=special, metric=S), smaller)


# -- similarities: pieces given by equations (the orthogonal class) ------------------------------------
def _random_orthogonal(rng: np.random.Generator, n: int) -> Array:
    Q, R = np.linalg.qr(rng.standard_normal((n, n)))
    return np.asarray(Q * np.sign(np.diag(R)))


def _similarity_piece(piece: Any, n: int, rng: np.random.Generator) -> tuple[bool, Array] | None:
    """``(T, G)`` when the piece is ``{s Q G^{1/2} z (+ c)}``: its ``B`` a matrix of
    parameters, sampled ``B^T B = s^2 G``, random ``s Q G^{1/2}`` satisfying its equations,
    and the dimension of the similarities; None otherwise."""
    B, c = sympy.Matrix(piece.B), sympy.Matrix(piece.c)
    entries = list(B)
    params = list(piece.parameters)
    if any(e not in params for e in entries) or len(set(entries)) != n * n:
        return None
    entries_set = set(entries)
    others = [t for t in params if t not in entries_set]
    if any(sympy.sympify(e).free_symbols - set(entries) for e in piece.equations):
        return None
    grams = []
    for _ in range(SAMPLES):
        Bs, _ = piece.sample(rng)
        M = _numeric(Bs)
        G = M.T @ M
        grams.append(G / (np.trace(G) / n))
    G0 = grams[0]
    if any(not np.allclose(G, G0, atol=1e-8) for G in grams):
        return None
    if c.is_zero_matrix:
        T = False
    else:
        point = dict(zip(params, piece.point))
        jac = [[float(sympy.diff(e, t).xreplace(point)) for t in others] for e in c] if others else []
        if not others or np.linalg.matrix_rank(np.array(jac), tol=TOL) != n:
            return None
        T = True
    if piece.dimension != 1 + n * (n - 1) // 2 + (n if T else 0):
        return None
    root = np.linalg.cholesky(G0).T  # root^T root = G0
    equations = sympy.lambdify(entries, list(piece.equations), modules="numpy")
    for _ in range(SAMPLES):
        values = (float(rng.uniform(0.5, 2.0)) * _random_orthogonal(rng, n) @ root).ravel()
        residual = np.asarray(equations(*values), dtype=np.float64) if piece.equations else np.zeros(0)
        if residual.size and np.abs(residual).max() > 1e-8:
            return None
    return T, G0


def _similarity_model(group: Any) -> GroupModel | None:
    pieces = _condition(group).pieces
    n = len(group.latents)
    found = [_similarity_piece(p, n, np.random.default_rng(0)) for p in pieces]
    if not found or None in found:
        return None
    shapes = [f for f in found if f is not None]
    T, G0 = shapes[0]
    if any(t != T or not np.allclose(G, G0, atol=1e-8) for t, G in shapes):
        return None
    lower = (_lower(T),)
    if np.allclose(G0, np.eye(n), atol=1e-8):
        return GroupModel("similarities" + _suffix(T), "similarities", partial(F.fit_orthogonal, translations=T, scaled=True),
                          (_orthogonal(T), _uniform(T)) + lower)
    root = np.linalg.cholesky(G0).T
    name = "similarities after G^(1/2)" + _suffix(T)

    def fit(z: Array, y: Array) -> F.AffineFit:  # B = s Q root: Procrustes in the coordinates root z
        inner = F.fit_orthogonal(np.asarray(z) @ root.T, y, translations=T, scaled=True)
        return F.AffineFit(name, inner.B @ root, inner.c)

    return GroupModel(name, "similarities (form)", fit, lower)


# -- the entry point ---------------------------------------------------------------------------------
def group_model(group: Any) -> GroupModel:
    """The fitter of ``group`` (an :class:`~equivid.EquivarianceGroup`) and its smaller
    groups, from its structure (see the module docstring for the rules).

    Parameters
    ----------
    group : EquivarianceGroup
        A solved group (:func:`equivid.solve`).

    Returns
    -------
    GroupModel
        Its fitter, with the smaller groups to compare with in ``smaller``.

    Raises
    ------
    UnsupportedMechanismError
        For a finite-state group (it permutes states: nothing to fit), or a set with no
        numeric fitter.

    Examples
    --------
    >>> import equivid
    >>> model = group_model(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})))
    >>> model.name, model.kind, [m.name for m in model.smaller]
    ('scaled rotations', 'span', ['uniform scalings', 'identity'])
    >>> z = np.random.default_rng(0).standard_normal((50, 2))
    >>> twice_a_quarter_turn = np.array([[0.0, -2.0], [2.0, 0.0]])
    >>> bool(np.allclose(model.fit(z, z @ twice_a_quarter_turn.T).B, twice_a_quarter_turn))
    True
    """
    kind = group.solution.kind
    if kind == "finite":
        raise UnsupportedMechanismError("verify: finite-state groups permute states; there is no continuous encoder to fit")
    n = len(group.latents)
    display = group.name or group.description
    cosets = _cosets(group)
    if cosets is not None:
        return _union_model(cosets, n, display, kind)
    model = None
    if kind == "family":
        model = _orthogonal_model(group, np.eye(n))
    elif kind == "noise":
        law = getattr(_condition(group), "law", None)  # a NoiseLaw
        if law is not None and len(law.gauss) == n:
            model = _orthogonal_model(group, _numeric(law.cov))
    elif kind == "class":
        model = _similarity_model(group)
    if model is None:
        raise UnsupportedMechanismError(f"verify: no numeric fitter for the group {group.description!r}")
    return model


def map_function(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> Callable[[Array], Array]:
    """A sympy map as a function on ``(N, n)`` arrays."""
    function = sympy.lambdify(list(latents), list(components), modules="numpy")

    def apply(z: Array) -> Array:
        values = function(*[z[:, k] for k in range(z.shape[1])])
        return np.stack([np.broadcast_to(np.asarray(v, dtype=np.float64), (len(z),)) for v in values], axis=1)

    return apply


def outside_map(group: Any) -> tuple[sympy.Expr, ...]:
    """A map outside ``group`` (by the exact membership test), for the negative control:
    the first of a rotation by ``atan(4/3)``, a shear, an anisotropic scaling, and a
    polynomial bijection ``z1 + z2^2/2`` (``z1 + z1^3/3`` in one dimension).

    Parameters
    ----------
    group : EquivarianceGroup
        A solved group (:func:`equivid.solve`).

    Returns
    -------
    tuple of sympy.Expr
        The map's components, one per latent.

    Raises
    ------
    UnsupportedMechanismError
        When every candidate lies in the group.

    Examples
    --------
    >>> import equivid
    >>> outside_map(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    (3*z1/5 - 4*z2/5, 4*z1/5 + 3*z2/5)
    >>> outside_map(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})))
    (z1 + 3*z2/2, z2)
    """
    z = list(group.latents)
    n = len(z)
    half = sympy.Rational(1, 2)
    candidates = []
    if n >= 2:
        r = sympy.Rational(3, 5), sympy.Rational(4, 5)
        candidates.append((r[0] * z[0] - r[1] * z[1], r[1] * z[0] + r[0] * z[1], *z[2:]))
        candidates.append((z[0] + 3 * half * z[1], *z[1:]))
        candidates.append((2 * z[0], half * z[1], *z[2:]))
        candidates.append((z[0] + half * z[1] ** 2, *z[1:]))
    else:
        candidates += [(2 * z[0],), (z[0] + z[0] ** 3 / 3,)]
    for candidate in candidates:
        if not group.contains(candidate):
            return tuple(candidate)
    raise UnsupportedMechanismError("verify: every candidate map for the negative control lies in the group")  # pragma: no cover
