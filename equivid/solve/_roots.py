"""Real roots of rational polynomials, isolated exactly with python-flint polynomials.

The components of a commutant need, for each real root ``theta`` of a squarefree
characteristic polynomial, rationals ``lo < theta < hi`` that separate it from the other
real roots (docs/theory.md#components-of-a-commutant). The isolation is the bisection
method of Collins and Akritas (1976) with Descartes' rule of signs as the test: the
roots of ``P`` in ``(0, 1)`` are the positive roots of ``(x + 1)**d P(1 / (x + 1))``,
whose number is at most its count of coefficient sign changes and has the same parity,
so a count of 0 or 1 is exact. Every step is an exact integer polynomial operation in
python-flint; sympy's isolation runs the same method on its own pure-Python
polynomials, about ten times slower at degree 40.
"""

from __future__ import annotations

from collections.abc import Sequence

import flint
import sympy

__all__ = ["isolate_real_roots", "separating_intervals"]

_SHIFT = flint.fmpz_poly([1, 1])  # x + 1


def _variations(coefficients: Sequence[flint.fmpz]) -> int:
    """The number of sign changes in a sequence, zeros skipped."""
    changes, previous = 0, 0
    for c in coefficients:
        sign = (c > 0) - (c < 0)
        if sign:
            changes += previous * sign < 0
            previous = sign
    return changes


def _primitive(P: flint.fmpz_poly) -> flint.fmpz_poly:
    content = P.content()
    return P if content == 1 else flint.fmpz_poly([c // content for c in P.coeffs()])


def _halved(P: flint.fmpz_poly) -> flint.fmpz_poly:
    """``2**d P(x / 2)`` for ``d = deg P``: the roots of ``P`` in ``(0, 1/2)`` moved to ``(0, 1)``."""
    coefficients = P.coeffs()
    d = len(coefficients) - 1
    return flint.fmpz_poly([c << (d - i) for i, c in enumerate(coefficients)])


def _unit_roots(P: flint.fmpz_poly) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The roots of the squarefree ``P`` in ``(0, 1)``: open dyadic intervals ``(c / 2**k,
    (c + 1) / 2**k)`` holding one root each, and exact dyadic roots ``c / 2**k``, as
    ``(c, k)`` pairs."""
    intervals: list[tuple[int, int]] = []
    exact: list[tuple[int, int]] = []
    stack = [(_primitive(P), 0, 0)]
    while stack:
        Q, c, k = stack.pop()
        if Q.degree() < 1:
            continue
        test = flint.fmpz_poly(list(reversed(Q.coeffs())))(_SHIFT)  # (x+1)**d Q(1/(x+1))
        count = _variations(test.coeffs())
        if count == 0:
            continue
        if count == 1:
            intervals.append((c, k))
            continue
        half = _halved(Q)  # the two halves of (0, 1), each moved to (0, 1)
        if sum(half.coeffs()) == 0:  # Q(1/2) = 0: a root at the midpoint
            exact.append((2 * c + 1, k + 1))
            half = half // flint.fmpz_poly([-1, 1])
        stack.append((_primitive(half(_SHIFT)), 2 * c + 1, k + 1))
        stack.append((_primitive(half), 2 * c, k + 1))
    return intervals, exact


def isolate_real_roots(p: flint.fmpq_poly) -> list[tuple[flint.fmpq, flint.fmpq]]:
    """Isolating intervals of the real roots of ``p`` (its squarefree part), in increasing order.

    Each pair is ``(a, a)`` for a rational root ``a`` found exactly, or ``a < b`` with exactly
    one root in the open interval ``(a, b)``; an end of an open interval is either not a
    root or one of the exact roots listed, and the intervals are disjoint except that one
    may end where the next begins.

    Examples
    --------
    >>> [(str(a), str(b)) for a, b in isolate_real_roots(flint.fmpq_poly([-2, 0, 1]))]  # x**2 - 2
    [('-8', '0'), ('0', '8')]
    >>> isolate_real_roots(flint.fmpq_poly([0, -1, 0, 1]))[1]  # x**3 - x: the root 0
    (0, 0)
    """
    return _isolated(_squarefree(p)) if p.degree() >= 1 else []


def _squarefree(p: flint.fmpq_poly) -> flint.fmpq_poly:
    return p / p.gcd(p.derivative()) if p.degree() > 0 else p


def _isolated(squarefree: flint.fmpq_poly) -> list[tuple[flint.fmpq, flint.fmpq]]:
    """:func:`isolate_real_roots` of a squarefree polynomial."""
    if squarefree.degree() < 1:
        return []
    coefficients = squarefree.numer().coeffs()
    found: list[tuple[flint.fmpq, flint.fmpq]] = []
    if coefficients[0] == 0:  # the root 0; the rest of p has no other root there
        found.append((flint.fmpq(0), flint.fmpq(0)))
        coefficients = coefficients[1:]
    scale = 1 << _root_bound_exponent(coefficients)
    for sign in (1, -1):  # roots of p(sign * scale * y) in y in (0, 1)
        P = flint.fmpz_poly([c * (sign**i) * (scale**i) for i, c in enumerate(coefficients)])
        intervals, exact = _unit_roots(P)
        for c, k in intervals:
            ends = (flint.fmpq(sign * scale * c, 1 << k), flint.fmpq(sign * scale * (c + 1), 1 << k))
            found.append((min(ends), max(ends)))
        for c, k in exact:
            root = flint.fmpq(sign * scale * c, 1 << k)
            found.append((root, root))
    return sorted(found)


def _root_bound_exponent(coefficients: Sequence[flint.fmpz]) -> int:
    """An ``e`` with ``|root| < 2**e`` for every complex root: Fujiwara's bound
    ``2 max_i |a_(d-i) / a_d|**(1/i)``, each ratio bounded by bit lengths."""
    d = len(coefficients) - 1
    lead = int(abs(coefficients[-1])).bit_length() - 1  # |a_d| >= 2**lead
    exponents = [0]
    for i in range(1, d + 1):
        c = coefficients[d - i]
        if c != 0:  # |a_(d-i) / a_d| < 2**(bits - lead), so its i-th root < 2**ceil((bits - lead) / i)
            bits = int(abs(c)).bit_length()
            exponents.append(-((lead - bits) // i))
    return 1 + max(exponents) + 1


def _simplest_between(lo: flint.fmpq, hi: flint.fmpq) -> flint.fmpq:
    """The rational strictly between ``lo < hi`` with the smallest denominator, and of
    those the smallest absolute value."""
    q = 1
    while True:
        first, last = int((lo * q).floor()) + 1, int((hi * q).ceil()) - 1
        if first <= last:
            p = 0 if first <= 0 <= last else first if first > 0 else last
            return flint.fmpq(p, q)
        q += 1


def _narrowed(p: flint.fmpq_poly, a: flint.fmpq, b: flint.fmpq) -> tuple[flint.fmpq, flint.fmpq]:
    """The half of the isolating interval ``(a, b)`` of a simple root of ``p`` that holds it
    (``p`` is nonzero at ``a`` and ``b``: the rational roots found exactly are divided out)."""
    if a == b:
        return a, b
    m = (a + b) / 2
    value = p(m)
    if value == 0:
        return m, m
    return (a, m) if (value > 0) != (p(a) > 0) else (m, b)


def separating_intervals(q: sympy.Poly | flint.fmpq_poly) -> list[tuple[sympy.Rational, sympy.Rational]]:
    """For each real root of the squarefree ``q``, rationals ``lo < theta < hi`` with no other
    real root in ``[lo, hi]`` (so ``q(lo), q(hi) != 0``), in increasing order.

    ``lo`` and ``hi`` are the simplest rationals (smallest denominator, then smallest
    absolute value) in the gaps between the isolating intervals.

    Examples
    --------
    >>> t = sympy.Symbol("t")
    >>> separating_intervals(sympy.Poly(t**2 - 2, t))
    [(-3, 0), (0, 3)]
    """
    p = q if isinstance(q, flint.fmpq_poly) else flint.fmpq_poly(
        [flint.fmpq(int(c.p), int(c.q)) for c in reversed(q.all_coeffs())])
    p = _squarefree(p)
    found = _isolated(p)
    reduced = p  # without the rational roots found exactly (an interval may end at one of them)
    for a, b in found:
        if a == b:
            reduced = reduced // flint.fmpq_poly([-a, 1])
    for _ in range(256):  # narrow intervals that touch until every gap is open
        touching = {k for k in range(len(found) - 1) if found[k][1] >= found[k + 1][0]}
        if not touching:
            break
        for k in touching | {k + 1 for k in touching}:
            found[k] = _narrowed(reduced, *found[k])
    else:  # pragma: no cover - isolating intervals of a squarefree polynomial always separate
        raise ArithmeticError("could not separate the real roots")
    out = []
    for k, (a, b) in enumerate(found):
        left = found[k - 1][1] if k else a - 2
        right = found[k + 1][0] if k + 1 < len(found) else b + 2
        lo, hi = _simplest_between(left, a), _simplest_between(b, right)
        out.append((sympy.Rational(int(lo.p), int(lo.q)), sympy.Rational(int(hi.p), int(hi.q))))
    return out
