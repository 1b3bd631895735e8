"""The ``orthogonal`` class: ``B A B^{-1}`` orthogonal for every mechanism ``m = (A, b)``.

``B A B^{-1}`` is orthogonal iff ``A^T G A = G`` for ``G = B^T B``: ``B`` ranges over the
matrices whose Gram matrix is a positive definite form that every ``A`` preserves (a
linear space ``F`` of symmetric matrices, met with the positive definite cone). The set
of such ``B`` is ``O(n) . {G^(1/2) : G in F, G > 0}``: dimension ``dim F + n(n-1)/2``,
two components (``det B`` of either sign). It is not a linear space, so the piece is
given by its equations; the translation must satisfy ``(A - I) w = b`` with ``c = Bw``.

Examples
--------
>>> A = sympy.Matrix([[0, -1], [1, 0]])
>>> [p.dimension for p in orthogonal_pieces([(A, sympy.zeros(2, 1))], 2, False, sympy.symbols("t1:9"))]
[2]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import sympy

from ._pieces import AffineMap, Piece

__all__ = ["orthogonal_pieces", "invariant_forms"]


def invariant_forms(mats: Sequence[sympy.Matrix], n: int) -> list[sympy.Matrix]:
    """A basis of the symmetric ``G`` with ``A^T G A = G`` for every ``A``."""
    g = sympy.symbols(f"_g0:{n * (n + 1) // 2}")
    G = sympy.zeros(n, n)
    k = 0
    for i in range(n):
        for j in range(i, n):
            G[i, j] = G[j, i] = g[k]
            k += 1
    eqs = [e for A in mats for e in (A.T * G * A - G) if e != 0]
    if not eqs:
        return [G.xreplace({x: int(x == y) for x in g}) for y in g]
    M, _ = sympy.linear_eq_to_matrix(eqs, list(g))
    return [G.xreplace(dict(zip(g, v))) for v in M.nullspace()]


def _positive_definite(G: sympy.Matrix) -> bool:
    return all(G[:k, :k].det() > 0 for k in range(1, G.rows + 1))


def _cayley(rng: np.random.Generator, n: int) -> sympy.Matrix:
    """A random rational orthogonal matrix ``(I - K)^{-1}(I + K)``, ``K`` skew, times a sign."""
    K = sympy.zeros(n, n)
    for i in range(n):
        for j in range(i + 1, n):
            K[i, j] = sympy.Rational(int(rng.integers(-5, 6)), int(rng.integers(1, 4)))
            K[j, i] = -K[i, j]
    Q = (sympy.eye(n) - K).inv() * (sympy.eye(n) + K)
    if rng.integers(2):
        Q[0, :] = -Q[0, :]
    return Q


def orthogonal_pieces(maps: Sequence[tuple[sympy.Matrix, sympy.Matrix]], n: int, linear: bool,
                      names: Sequence[sympy.Symbol]) -> list[Piece]:
    """The one piece of the orthogonal class (empty when no positive definite form is preserved)."""
    forms = invariant_forms([A for A, _ in maps], n)
    if not forms:
        return []
    candidates = [sympy.eye(n)] + [sum(forms, sympy.zeros(n, n))] + forms
    G0 = next((G for G in candidates if (G == sympy.eye(n) or G in forms or G == sum(forms, sympy.zeros(n, n)))
               and _in_span(G, forms) and _positive_definite(G)), None)
    if G0 is None:
        return []
    w = sympy.Matrix(sympy.symbols(f"_w0:{n}"))
    weqs = [e for A, b in maps for e in (A - sympy.eye(n)) * w - b if e != 0] + (list(w) if linear else [])
    if weqs:
        M, rhs = sympy.linear_eq_to_matrix(weqs, list(w))
        try:
            particular, free = M.gauss_jordan_solve(rhs)
        except ValueError:
            return []
        w0 = particular.xreplace({p: 0 for p in free})
        K = M.nullspace()
    else:
        w0, K = sympy.zeros(n, 1), [sympy.eye(n)[:, k] for k in range(n)]
    b = list(names[: n * n])
    r = list(names[n * n: n * n + len(K)])
    B = sympy.Matrix(n, n, b)
    c = (B * (w0 + sum((rj * k for rj, k in zip(r, K)), sympy.zeros(n, 1)))).applyfunc(sympy.expand)
    equations = []
    for A, _ in maps:
        E = (A.T * B.T * B * A - B.T * B).applyfunc(sympy.expand)
        equations += [E[i, j] for i in range(n) for j in range(i, n) if E[i, j] != 0]
    L = G0.cholesky(hermitian=False).T  # L^T L = G0
    point = tuple(list(L) + [sympy.Integer(0)] * len(r))
    identity = G0 == sympy.eye(n) and w0.is_zero_matrix

    def sample(rng: Any) -> AffineMap:
        Bs = _cayley(rng, n) * L
        ws = w0 + sum((sympy.Rational(int(rng.integers(-5, 6)), 2) * k for k in K), sympy.zeros(n, 1))
        return Bs, Bs * ws

    return [Piece(B, c, tuple(b + r), point, has_identity=identity, equations=tuple(equations),
                  known_dimension=len(forms) + n * (n - 1) // 2 + len(K), sampler=sample)]


def _in_span(G: sympy.Matrix, forms: Sequence[sympy.Matrix]) -> bool:
    stacked = sympy.Matrix.hstack(*[sympy.Matrix(list(F)) for F in forms])
    return bool(stacked.rank() == sympy.Matrix.hstack(stacked, sympy.Matrix(list(G))).rank())
