"""Real root isolation in python-flint (equivid/solve/_roots.py), against sympy's own
isolation (``Poly.count_roots`` on intervals, an independent implementation) on seeded
random polynomials, rational roots at bisection midpoints, close roots and the degree-40
characteristic polynomials of issue 16's benchmark."""

from __future__ import annotations

import random

import flint
import numpy as np
import pytest
import sympy

from equivid.solve._roots import _variations, isolate_real_roots, separating_intervals

t = sympy.Symbol("t")


def fmpq_poly(p: sympy.Poly) -> flint.fmpq_poly:
    return flint.fmpq_poly([flint.fmpq(int(c.p), int(c.q)) for c in reversed(p.all_coeffs())])


def assert_separates(q: sympy.Poly, found: list[tuple[sympy.Rational, sympy.Rational]]) -> None:
    """Every real root has its own pair ``lo < root < hi``, nothing else in ``[lo, hi]``."""
    assert len(found) == q.count_roots()
    for k, (lo, hi) in enumerate(found):
        assert lo < hi
        assert q.eval(lo) != 0 and q.eval(hi) != 0
        assert q.count_roots(lo, hi) == 1
        if k:
            assert found[k - 1][0] < lo  # in increasing order of the roots


def random_squarefree(rng: random.Random) -> sympy.Poly:
    f = sympy.Poly([rng.choice([1, -1, 2, 3])] + [rng.randint(-5, 5) for _ in range(rng.randint(1, 9))], t)
    for _ in range(rng.randint(0, 3)):  # rational roots, some at dyadic points
        f *= sympy.Poly(rng.choice([1, 2, 4, 3]) * t - rng.randint(-6, 6), t)
    return sympy.Poly(sympy.sqf_part(f.as_expr()), t)


@pytest.mark.parametrize("seed", range(4))
def test_random_polynomials_against_sympy(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        q = random_squarefree(rng)
        if q.degree() < 1:
            continue
        assert_separates(q, separating_intervals(q))
        intervals = isolate_real_roots(fmpq_poly(q))
        assert len(intervals) == q.count_roots()
        for a, b in intervals:
            lo, hi = sympy.Rational(int(a.p), int(a.q)), sympy.Rational(int(b.p), int(b.q))
            if lo == hi:
                assert q.eval(lo) == 0
            else:  # one root inside; an end that is a root is one of the exact ones
                ends = [x for x in (lo, hi) if q.eval(x) == 0]
                assert q.count_roots(lo, hi) - len(ends) == 1
                assert all((flint.fmpq(int(x.p), int(x.q)),) * 2 in intervals for x in ends)


def test_rational_roots_at_midpoints_and_at_zero_are_exact() -> None:
    # 0, the bisection points 1/2, 1, 2, -4, and two irrational roots between exact ones
    q = sympy.Poly(t * (2 * t - 1) * (t - 1) * (t - 2) * (t + 4) * (t**2 - 3), t)
    found = isolate_real_roots(fmpq_poly(q))
    exact = {str(a) for a, b in found if a == b}
    assert {"0", "1", "2", "-4"} <= exact <= {"-4", "0", "1/2", "1", "2"}  # bisection points are caught exactly
    assert len(found) == 7
    assert_separates(q, separating_intervals(q))


def test_close_and_large_roots() -> None:
    q = sympy.Poly((t - 1) * (1000 * t - 1001) * (t + 10**6) * (t**2 + 1), t)
    assert_separates(q, separating_intervals(q))


def test_no_real_roots_and_constants() -> None:
    assert separating_intervals(sympy.Poly(t**4 + t**2 + 1, t)) == []
    assert isolate_real_roots(flint.fmpq_poly([5])) == []


def test_a_repeated_factor_is_taken_once() -> None:
    q = sympy.Poly((t - 1) ** 3 * (t**2 - 2), t)
    assert len(isolate_real_roots(fmpq_poly(q))) == 3


@pytest.mark.parametrize("seed", [0, 1])
def test_degree_40_characteristic_polynomials(seed: int) -> None:
    A = np.random.default_rng(seed).integers(-9, 10, (40, 40))
    chi = flint.fmpq_mat(40, 40, [int(x) for x in A.flatten()]).charpoly()
    q = chi / chi.gcd(chi.derivative())
    found = separating_intervals(q)
    # a proof without sympy's per-interval counts (slow at degree 40): ordered, disjoint
    # intervals with a sign change each hold an odd number of roots; as many intervals as
    # real roots (sympy's count) leaves one each
    total = sympy.Poly(list(reversed([sympy.Rational(int(c.p), int(c.q)) for c in q.coeffs()])), t).count_roots()
    assert len(found) == total
    for k, (lo, hi) in enumerate(found):
        assert lo < hi and (k == 0 or found[k - 1][1] <= lo)
        assert q(flint.fmpq(int(lo.p), int(lo.q))) * q(flint.fmpq(int(hi.p), int(hi.q))) < 0
    real = sorted(e.real for e in np.linalg.eigvals(A.astype(float)) if abs(e.imag) < 1e-9)  # a float cross-check
    assert len(found) == len(real)
    assert all(float(lo) < x < float(hi) for (lo, hi), x in zip(found, real))


def test_the_sign_count_skips_zeros() -> None:
    assert _variations([1, 0, -1, 0, 0, 2, -3]) == 3
    assert _variations([0, 0, 4]) == 0
