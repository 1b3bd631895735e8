"""Sets of affine maps given as a union of pieces, each a parametrised family ``z -> B z + c``.

Hypothesis classes (``_classes.py``) and stochastic mechanisms (``_noise.py``) answer
with such unions: the set ``{a : a∘m∘a^{-1} in H}`` falls apart into pieces (one per
choice of the class member each mechanism is conjugated to), and a noise law's
symmetry group has a continuous part and finitely many components. This module turns
the pieces into a :class:`~equivid.solve._result.Solution`, decides whether the union
is a group, and verifies every reported element against the defining condition.

Examples
--------
>>> t = sympy.symbols("t1 t2")
>>> piece = Piece(sympy.Matrix([[t[0], 0], [0, 1]]), sympy.Matrix([t[1], 0]), t, (1, 0))
>>> piece.element(sympy.symbols("z1 z2"))
(t1*z1 + t2, z2)
>>> piece.dimension
2
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy

from ..ansatz import Ansatz
from ._components import invertibility
from ._forms import affine_coefficients
from ._result import ConditionSolution, Solution

__all__ = ["Piece", "AffineMap", "affine_parts", "assemble", "is_group", "random_point", "sample_union"]

Map = tuple[sympy.Expr, ...]
#: ``(B, c)``: the map ``z -> B z + c`` as exact sympy matrices.
AffineMap = tuple[sympy.Matrix, sympy.Matrix]
#: Random products tested per pair of pieces when deciding whether a union is a group.
GROUP_SAMPLES = 3


@dataclass(frozen=True)
class Piece:
    """One piece ``{z -> B(p) z + c(p)}``: exact matrices in the ``parameters``.

    ``point`` holds parameter values of one invertible element of the piece (the
    identity where the piece contains it, flagged by ``has_identity``). ``equations``
    are expressions in the parameters that must vanish (empty for a parametrised
    piece); ``dimension`` defaults to the number of parameters less the number of
    independent equations, which the part sets where it knows it.
    """

    B: sympy.Matrix
    c: sympy.Matrix
    parameters: tuple[sympy.Symbol, ...]
    point: tuple[sympy.Expr, ...]
    has_identity: bool = False
    equations: tuple[sympy.Expr, ...] = ()
    known_dimension: int | None = None
    label: str = ""
    sampler: Callable[[np.random.Generator], AffineMap] | None = field(default=None, compare=False)

    @property
    def dimension(self) -> int:
        if self.known_dimension is not None:
            return self.known_dimension
        return len(self.parameters)

    def element(self, latents: Sequence[sympy.Symbol], values: Sequence[sympy.Expr] | None = None) -> Map:
        """The general element (or the one at ``values``) as components."""
        B, c = self.at(values) if values is not None else (self.B, self.c)
        z = sympy.Matrix(latents)
        return tuple(sympy.expand(e) for e in B * z + c)

    def at(self, values: Sequence[sympy.Expr]) -> AffineMap:
        subs = dict(zip(self.parameters, values))
        return self.B.xreplace(subs), self.c.xreplace(subs)

    def sample(self, rng: np.random.Generator) -> AffineMap:
        """A random invertible element with small rational parameters."""
        if self.sampler is not None:
            return self.sampler(rng)
        for _ in range(200):
            values = random_point(len(self.parameters), rng)
            B, c = self.at(values)
            if B.det() != 0:
                return B, c
        return self.at(self.point)


def sample_union(pieces: Sequence[Piece], rng: Any, latents: Sequence[sympy.Symbol]) -> Map:
    """A random element of a union of pieces (a random piece, small rational parameters)."""
    generator = np.random.default_rng(rng)
    piece = pieces[int(generator.integers(len(pieces)))]
    B, c = piece.sample(generator)
    z = sympy.Matrix(latents)
    return tuple(sympy.expand(e) for e in B * z + c)


def sample_group(pieces: Sequence[Piece], rng: Any, latents: Sequence[sympy.Symbol]) -> Map:
    """A random element of a *group* given as pieces: an element of the identity component
    composed with an element of a random piece, so that every coset is reached (a piece may
    hold only its representatives: for O(2), the reflection's piece is one matrix)."""
    generator = np.random.default_rng(rng)
    piece = pieces[int(generator.integers(len(pieces)))]
    B, c = piece.sample(generator)
    identity = next((p for p in pieces if p.has_identity and p.parameters), None)
    if identity is not None:
        B0, c0 = identity.sample(generator)
        B, c = B0 * B, B0 * c + c0
    z = sympy.Matrix(latents)
    return tuple(sympy.expand(e) for e in B * z + c)


def random_point(count: int, rng: np.random.Generator) -> list[sympy.Rational]:
    return [sympy.Rational(int(rng.integers(-7, 8)), int(rng.integers(1, 4))) for _ in range(count)]


def affine_membership(
    a: Any, system: Any, ansatz: Ansatz, holds: Callable[[AffineMap], bool]
) -> tuple[tuple[sympy.Expr, ...], bool, bool | None, bool | None]:
    """``(map, in the ansatz, invertible, the defining condition holds)`` for an affine ``a``;
    None for what was not decided (both, outside the ansatz; the condition, for a singular map)."""
    components = system.parse_map(a, field="map")
    parts = affine_parts(components, system.latents)
    if parts is None or (ansatz.kind == "linear" and not parts[1].is_zero_matrix):
        return components, False, None, None
    invertible = bool(parts[0].det() != 0)
    return components, True, invertible, bool(holds(parts)) if invertible else None


def affine_parts(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol]) -> AffineMap | None:
    """``(B, c)`` of an affine map given by components, or None when it is not affine.

    Examples
    --------
    >>> z = sympy.symbols("z1 z2")
    >>> affine_parts((1 - z[1], z[0]), z)
    (Matrix([
    [0, -1],
    [1,  0]]), Matrix([
    [1],
    [0]]))
    """
    rows = []
    for e in components:
        row = affine_coefficients(sympy.sympify(e), latents)
        if row is None or any(v.free_symbols for v in row):
            return None
        rows.append(row)
    n = len(latents)
    return sympy.Matrix([r[:n] for r in rows]), sympy.Matrix([r[n] for r in rows])


def compose(a: AffineMap, b: AffineMap) -> AffineMap:
    """``a∘b``."""
    return a[0] * b[0], a[0] * b[1] + a[1]


def inverse(a: AffineMap) -> AffineMap:
    Binv = a[0].inv()
    return Binv, -Binv * a[1]


def is_group(pieces: Sequence[Piece], holds: Callable[[AffineMap], bool], n: int, *, seed: int = 5) -> bool:
    """Whether the union of the pieces is a group (closed in GL: products and the identity).

    The union is Zariski-closed in the affine group and each piece is irreducible, so
    the product of two pieces lies in the union iff it lies in it at random points
    (Schwartz-Zippel); a closed sub-monoid of an algebraic group is a subgroup. A
    failure is a counterexample; success is exact up to that random test.
    """
    if not holds((sympy.eye(n), sympy.zeros(n, 1))):
        return False
    rng = np.random.default_rng(seed)
    for p in pieces:
        for q in pieces:
            for _ in range(GROUP_SAMPLES):
                a, b = p.sample(rng), q.sample(rng)
                if not holds(compose(a, b)) or not holds(inverse(a)):
                    return False
    return True


def _components(piece: Piece) -> tuple[int | None, tuple[tuple[sympy.Expr, ...], ...], tuple[sympy.Expr, ...]]:
    """Connected components of a parametrised piece (``det B(p)``'s factors), with flips."""
    if piece.equations or piece.B.free_symbols - set(piece.parameters):
        return None, (), ()
    if not (piece.B.free_symbols & set(piece.parameters)):
        return 1, (), ()
    inv = invertibility(piece.B, piece.parameters, piece.point)
    return inv.components, inv.flips, inv.nonzero


def assemble(
    pieces: Sequence[Piece],
    *,
    latents: tuple[sympy.Symbol, ...],
    ansatz: Ansatz,
    part: str,
    holds: Callable[[AffineMap], bool],
    condition: Any,
    group: bool | None,
    name: str | None,
    notes: Sequence[str],
    lie: Sequence[Map] = (),
    components: int | None = -1,
    extra: Sequence[tuple[str, Any]] = (),
) -> Solution:
    """A :class:`Solution` from verified pieces: the main piece (the one holding the
    identity, else the largest) gives the general element; every other piece and every
    other component of the main piece is represented by one element in ``discrete``.
    ``components=-1`` asks for them to be counted from the pieces."""
    main = max(pieces, key=lambda p: (p.has_identity, p.dimension))
    count, flips, nonzero = _components(main) if components == -1 else (None, (), ())
    discrete = [main.element(latents, f) for f in flips]
    total: int | None = count
    for p in pieces:
        if p is main:
            continue
        discrete.append(p.element(latents, p.point))
        k, _, _ = _components(p) if components == -1 else (None, (), ())
        total = None if total is None or k is None else total + k
    if components != -1:
        total = components
    general = main.element(latents)
    return ConditionSolution(
        latents=latents,
        ansatz=ansatz,
        general_element=general,
        parameters=main.parameters,
        identity=main.point,
        nonzero=nonzero,
        lie_algebra=tuple(lie),
        discrete=tuple(discrete),
        components=total,
        parts=(part, "verify"),
        notes=tuple(notes),
        condition=condition,
        is_group=group,
        name=name,
        extra=tuple(extra) + ((("equations", [f"{e} = 0" for e in main.equations]),) if main.equations else ()),
        known_dimension=main.known_dimension,
    )


def piece_failures(piece: Piece, holds: Callable[[AffineMap], bool], latents: Sequence[sympy.Symbol]) -> list[str]:
    """What fails of a piece: its point, (without equations, small n) its general element,
    and two sampled elements must satisfy the defining condition ``holds``."""
    B, c = piece.at(piece.point)
    if B.det() == 0 or not holds((B, c)):
        return [f"the element {piece.element(latents, piece.point)} fails the defining condition"]
    if not piece.equations and len(latents) <= 3 and piece.sampler is None:
        if not holds((piece.B, piece.c)):
            return [f"the general element {piece.element(latents)} fails the defining condition"]
    rng = np.random.default_rng(11)
    for _ in range(2):
        a = piece.sample(rng)
        if not holds(a):
            return [f"a sampled element {a} fails the defining condition"]
    return []
