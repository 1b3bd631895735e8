"""Rational invariants ``p/q`` of a group with linear generators and linear discrete elements.

Why semi-invariants suffice: let ``f = p/q`` in lowest terms be invariant. For a linear
vector field ``X``, ``X(f) = 0`` reads ``X(p) q = p X(q)``; ``p`` and ``q`` are coprime,
so ``p`` divides ``X(p)``, which has the degree of ``p``: ``X(p) = c p`` with a constant
``c``, and then ``X(q) = c q``. For a linear invertible ``d``, ``p∘d / q∘d = p/q`` in
lowest terms gives ``p∘d = mu p`` and ``q∘d = mu q``. So ``p`` and ``q`` are
*semi-invariants* with the same *character* ``(c_X, mu_d)``. When ``f`` has rational
coefficients the characters are rational (``X(p)`` has rational coefficients). On the
homogeneous polynomials of degree ``k`` each ``X`` and ``d`` acts as a rational matrix;
a character value is one of its rational eigenvalues, and the semi-invariants of a
given character form the subspace cut out by the linear equations
``(T_X - c_X) p = 0``, ``(T_d - mu_d) p = 0``: exact linear algebra.

What is searched: for each degree ``k <= D`` and each non-trivial rational character
(a trivial one gives polynomial invariants, reported separately), the reduced basis
``b_1, ..., b_r`` of the semi-invariants; the candidates are ``b_i / b_r``. A candidate
that is a polynomial in rational invariants already kept (of no larger numerator
degree) is dropped, so ``z1**2/z2**2`` is not reported next to ``z1/z2``. Not searched:
``p`` and ``q`` of different degrees (``z1**2/z2`` for ``(z1, 2*z2)``), non-linear
generators, and ratios of polynomial invariants (implied by the polynomial ones).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations_with_replacement

import flint
import sympy

from . import linalg
from .errors import UnsupportedMechanismError
from .solve._verify import compose, is_zero

__all__ = ["is_linear_map", "monomial_exponents", "rational_invariants"]

Exponents = tuple[int, ...]
Map = tuple[sympy.Expr, ...]
Vector = list[sympy.Expr]
Character = tuple[sympy.Rational, ...]


def monomial_exponents(n: int, degree: int) -> list[Exponents]:
    """Exponents of the monomials of degree 1..degree, highest degree first, then lex."""
    out: list[Exponents] = []
    for d in range(degree, 0, -1):
        for combo in combinations_with_replacement(range(n), d):
            exps = [0] * n
            for i in combo:
                exps[i] += 1
            out.append(tuple(exps))
    return out


def is_linear_map(components: Map, latents: Sequence[sympy.Symbol]) -> bool:
    """Whether every component is zero or a homogeneous linear form with rational coefficients."""
    for c in components:
        if c == 0:
            continue
        if not c.is_polynomial(*latents):
            return False
        poly = sympy.Poly(c, *latents)
        if not poly.is_homogeneous or poly.total_degree() != 1 or not all(x.is_Rational for x in poly.coeffs()):
            return False
    return True




def _basis(n: int, k: int) -> list[tuple[int, ...]]:
    return [e for e in monomial_exponents(n, k) if sum(e) == k]


def _operator(
    components: Map, is_flow: bool, basis: list[tuple[int, ...]], latents: Sequence[sympy.Symbol]
) -> flint.fmpq_mat:
    """The action on homogeneous polynomials of degree k: column j is the image of monomial j."""
    index = {e: i for i, e in enumerate(basis)}
    T = flint.fmpq_mat(len(basis), len(basis))
    for j, exps in enumerate(basis):
        mono = sympy.Mul(*[z**e for z, e in zip(latents, exps)])
        if is_flow:
            image = sympy.Add(*[sympy.diff(mono, z) * x for z, x in zip(latents, components)])
        else:
            image = compose([mono], components, latents)[0]
        image = sympy.expand(image)
        if image != 0:
            for monom, c in sympy.Poly(image, *latents).terms():
                T[index[monom], j] = flint.fmpq(int(c.p), int(c.q))
    return T


def _eigenvalues(T: flint.fmpq_mat) -> list[sympy.Rational]:
    """The rational eigenvalues of ``T`` (from the linear factors of its characteristic polynomial)."""
    _, factors = T.charpoly().factor()
    roots = []
    for factor, _ in factors:
        if factor.degree() == 1:
            b, a = factor.coeffs()
            root = -b / a
            roots.append(sympy.Rational(int(root.p), int(root.q)))
    return sorted(roots)


def _to_sympy(M: flint.fmpq_mat) -> list[list[sympy.Rational]]:
    return [[sympy.Rational(int(M[i, j].p), int(M[i, j].q)) for j in range(M.ncols())] for i in range(M.nrows())]


def _semi_invariants(
    latents: Sequence[sympy.Symbol], actions: list[tuple[Map, bool]], k: int
) -> list[tuple[Character, list[Vector]]]:
    """``(character, basis)`` for every rational character with semi-invariants of degree k."""
    basis = _basis(len(latents), k)
    N = len(basis)
    identity = flint.fmpq_mat(N, N, [int(i == j) for i in range(N) for j in range(N)])
    pieces: list[tuple[Character, flint.fmpq_mat]] = [((), identity)]
    for components, is_flow in actions:
        T = _operator(components, is_flow, basis, latents)
        refined = []
        for character, B in pieces:  # B: N x r, columns span the piece
            TB = T * B
            for c in _eigenvalues(T):
                M = TB - B * flint.fmpq(int(c.p), int(c.q))
                kernel = linalg.nullspace(linalg.as_domain_matrix(_to_sympy(M)))
                if kernel:
                    Y = flint.fmpq_mat([[flint.fmpq(int(x.p), int(x.q)) for x in v] for v in kernel]).transpose()
                    refined.append((character + (c,), B * Y))
        pieces = refined
    out = []
    for character, B in pieces:
        rows = linalg.as_domain_matrix(_to_sympy(B.transpose())).rref()[0].to_Matrix().tolist()
        out.append((character, [[sympy.sympify(x) for x in row] for row in rows if any(x != 0 for x in row)]))
    return out


def _polynomial(vector: Vector, basis: list[tuple[int, ...]], latents: Sequence[sympy.Symbol]) -> sympy.Expr:
    return sympy.Add(*[x * sympy.Mul(*[z**e for z, e in zip(latents, exps)]) for x, exps in zip(vector, basis)])


def _products(kept: list[tuple[sympy.Expr, int]], bound: int) -> list[sympy.Expr]:
    out: list[sympy.Expr] = []

    def extend(start: int, expr: sympy.Expr, degree: int) -> None:
        for i in range(start, len(kept)):
            f, d = kept[i]
            if degree + d <= bound:
                out.append(expr * f)
                extend(i, expr * f, degree + d)

    extend(0, sympy.Integer(1), 0)
    return out


def _redundant(f: sympy.Expr, kept: list[tuple[sympy.Expr, int]], latents: Sequence[sympy.Symbol]) -> bool:
    """Whether ``f`` is a polynomial in the kept invariants (exact linear algebra)."""
    p, q = sympy.fraction(f)
    terms = [sympy.Integer(1)] + _products(kept, sympy.Poly(p, *latents).total_degree())
    den = sympy.Integer(1)
    for g in terms + [f]:
        den = sympy.lcm(den, sympy.fraction(sympy.cancel(g))[1])
    vectors = [dict(sympy.Poly(sympy.cancel(g * den), *latents).terms()) for g in terms + [f]]
    keys = sorted({key for v in vectors for key in v})
    rows = [[v.get(key, 0) for key in keys] for v in vectors]
    return bool(linalg.rank(linalg.as_domain_matrix(rows[:-1])) == linalg.rank(linalg.as_domain_matrix(rows)))


def _proved(f: sympy.Expr, actions: list[tuple[Map, bool]], latents: Sequence[sympy.Symbol]) -> bool:
    for components, is_flow in actions:
        if is_flow:
            residual = sympy.Add(*[sympy.diff(f, z) * x for z, x in zip(latents, components)])
        else:
            residual = compose([f], components, latents)[0] - f
        if not is_zero(sympy.cancel(residual)):
            return False
    return True


def rational_invariants(
    latents: Sequence[sympy.Symbol], flows: Sequence[Map], maps: Sequence[Map], degree: int
) -> tuple[list[sympy.Expr], int]:
    """Rational invariants ``p/q`` (see the module docstring) and the count of dropped candidates.

    Examples
    --------
    >>> z1, z2 = sympy.symbols("z1 z2")
    >>> rational_invariants((z1, z2), [(z1, z2)], [], 2)
    ([z1/z2], 0)
    >>> rational_invariants((z1, z2), [(z1, z2)], [(-z1, z2)], 2)
    ([z1**2/z2**2], 0)
    """
    actions = [(tuple(X), True) for X in flows] + [(tuple(d), False) for d in maps]
    bad = [a for a, _ in actions if not is_linear_map(a, latents)]
    if bad:
        raise UnsupportedMechanismError(
            f"rational invariants need linear generators and discrete elements; got {tuple(map(str, bad[0]))}"
        )
    trivial = tuple(sympy.Integer(int(not is_flow)) for _, is_flow in actions)
    kept: list[tuple[sympy.Expr, int]] = []
    dropped = 0
    for k in range(1, degree + 1):
        basis = _basis(len(latents), k)
        for character, rows in _semi_invariants(latents, actions, k):
            if character == trivial or len(rows) < 2:
                continue
            denominator = _polynomial(rows[-1], basis, latents)
            for row in rows[:-1]:
                f = sympy.cancel(_polynomial(row, basis, latents) / denominator)
                if _proved(sympy.fraction(f)[0], actions, latents) or _redundant(f, kept, latents):
                    continue  # a ratio of polynomial invariants, or a polynomial in kept ones
                if _proved(f, actions, latents):
                    kept.append((f, sympy.Poly(sympy.fraction(f)[0], *latents).total_degree()))
                else:
                    dropped += 1
    return [f for f, _ in kept], dropped
