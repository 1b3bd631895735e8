"""Hypothesis strategies for identifiability conjectures.

Every strategy draws exact objects (integers and rationals, never floats) and shrinks
towards small, simple ones: small dimensions, small integer entries, the identity
change of basis. Matrices are returned as ``sympy.Matrix``; mechanisms as lists of
component strings (ready for :meth:`equivid.System.from_maps` or a spec file); whole
systems as :class:`equivid.System`.

Examples
--------
>>> from hypothesis import given
>>> from equivid.testing import strategies as eqst
>>> @given(eqst.linear_mechanisms(n=2, spectrum=[2, 3]))
... def test_two_distinct_rates(A):
...     assert sorted(A.eigenvals()) == [2, 3]
>>> test_two_distinct_rates()
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import sympy
from hypothesis import strategies as st

from ..mechanisms import System

__all__ = [
    "parameter_values",
    "latent_names",
    "rationals",
    "unimodular_matrices",
    "matrices",
    "linear_mechanisms",
    "jordan_matrices",
    "affine_mechanisms",
    "translation_sets",
    "axis_translations",
    "polynomial_maps",
    "triangular_automorphisms",
    "noise_laws",
    "finite_tables",
    "gridworlds",
    "affine_systems",
    "systems",
    "group_elements",
    "map_strings",
]

SMALL = st.integers(min_value=-3, max_value=3)


def latent_names(min_n: int = 1, max_n: int = 3, prefix: str = "z") -> st.SearchStrategy[list[str]]:
    """``["z1", ..., "zn"]`` with ``min_n <= n <= max_n`` (shrinks to ``min_n``)."""
    return st.integers(min_value=min_n, max_value=max_n).map(lambda n: [f"{prefix}{k + 1}" for k in range(n)])


def rationals(bound: int = 3, max_denominator: int = 4) -> st.SearchStrategy[sympy.Rational]:
    """Exact rationals ``p/q`` with ``|p| <= bound``, ``1 <= q <= max_denominator``."""
    return st.fractions(
        min_value=Fraction(-bound), max_value=Fraction(bound), max_denominator=max_denominator
    ).map(lambda f: sympy.Rational(f.numerator, f.denominator))


def matrices(n: int, entries: st.SearchStrategy[Any] = SMALL) -> st.SearchStrategy[sympy.Matrix]:
    """``n x n`` matrices with entries from ``entries`` (not necessarily invertible)."""
    return st.lists(st.lists(entries, min_size=n, max_size=n), min_size=n, max_size=n).map(sympy.Matrix)


@st.composite
def unimodular_matrices(draw: Any, n: int, bound: int = 2) -> sympy.Matrix:
    """Integer matrices with determinant +-1 (so their inverses are integer too): a
    product of a lower and an upper unitriangular matrix, rows permuted. Shrinks to I."""
    lower = sympy.eye(n)
    upper = sympy.eye(n)
    for i in range(n):
        for j in range(i):
            lower[i, j] = draw(st.integers(-bound, bound))
            upper[j, i] = draw(st.integers(-bound, bound))
    order = draw(st.permutations(range(n)))
    P = lower * upper
    return sympy.Matrix([list(P.row(k)) for k in order])


@st.composite
def linear_mechanisms(
    draw: Any,
    n: int | None = None,
    *,
    spectrum: Sequence[Any] | None = None,
    eigenvalues: st.SearchStrategy[Any] | None = None,
    distinct: bool = False,
) -> sympy.Matrix:
    """A diagonalizable rational matrix ``P diag(lambda) P^{-1}`` with a unimodular ``P``.

    ``spectrum`` fixes the eigenvalues (their order is drawn); otherwise they come from
    ``eigenvalues`` (default: small non-zero rationals), pairwise different when
    ``distinct``.
    """
    if spectrum is not None:
        n = len(spectrum)
        values = [sympy.nsimplify(v) for v in draw(st.permutations(list(spectrum)))]
    else:
        n = n if n is not None else draw(st.integers(1, 3))
        pool = eigenvalues if eigenvalues is not None else rationals().filter(lambda q: q != 0)
        lists = st.lists(pool, min_size=n, max_size=n, unique=distinct)
        values = [sympy.nsimplify(v) for v in draw(lists)]
    P = draw(unimodular_matrices(n))
    return P * sympy.diag(*values) * P.inv()


@st.composite
def jordan_matrices(draw: Any, blocks: Sequence[tuple[Any, int]] | None = None, *, max_n: int = 4) -> sympy.Matrix:
    """A rational matrix with a prescribed Jordan structure ``[(eigenvalue, size), ...]``
    (drawn when not given), conjugated by a unimodular matrix."""
    if blocks is None:
        count = draw(st.integers(1, 3))
        blocks = []
        total = 0
        for _ in range(count):
            size = draw(st.integers(1, max(1, max_n - total)))
            if total + size > max_n:
                break
            blocks.append((draw(st.integers(-2, 3)), size))
            total += size
    J = sympy.diag(*[_jordan_block(value, size) for value, size in blocks])
    P = draw(unimodular_matrices(J.rows))
    return P * J * P.inv()


def _jordan_block(value: Any, size: int) -> sympy.Matrix:
    return sympy.Matrix(size, size, lambda i, j: value if i == j else (1 if j == i + 1 else 0))


def map_strings(A: sympy.Matrix, b: Sequence[Any] | None = None, latents: Sequence[str] | None = None) -> list[str]:
    """The components of ``z -> Az + b`` as strings in the latents."""
    n = A.rows
    names = sympy.symbols(list(latents) if latents else [f"z{k + 1}" for k in range(n)])
    z = sympy.Matrix(names)
    shift = sympy.Matrix(list(b)) if b is not None else sympy.zeros(n, 1)
    return [str(e) for e in (A * z + shift)]


@st.composite
def affine_mechanisms(draw: Any, n: int, *, invertible: bool = False) -> list[str]:
    """``z -> Az + b`` with small integer ``A`` and ``b``, as component strings."""
    A = draw(matrices(n).filter(lambda M: M.det() != 0) if invertible else matrices(n))
    b = draw(st.lists(SMALL, min_size=n, max_size=n))
    return map_strings(A, b)


@st.composite
def translation_sets(draw: Any, n: int, *, spanning: bool = True, max_count: int | None = None) -> dict[str, list[str]]:
    """Pushes ``z + d_k`` with integer ``d_k``; ``spanning`` makes the ``d_k`` span R^n."""
    count = draw(st.integers(n if spanning else 1, max_count or n + 1))
    vectors = st.lists(SMALL, min_size=n, max_size=n).filter(any)
    ds = draw(st.lists(vectors, min_size=count, max_size=count).filter(
        lambda vs: not spanning or sympy.Matrix(vs).rank() == n
    ))
    return {f"push_{k + 1}": map_strings(sympy.eye(n), d) for k, d in enumerate(ds)}


@st.composite
def axis_translations(draw: Any, n: int, *, all_axes: bool = True) -> dict[str, list[str]]:
    """One-coordinate perturbations ``z + s e_i`` with non-zero integer ``s``."""
    axes = list(range(n)) if all_axes else draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n, unique=True))
    out = {}
    for i in axes:
        step = draw(st.integers(1, 3)) * draw(st.sampled_from([1, -1]))
        d = [step if k == i else 0 for k in range(n)]
        out[f"nudge_{i + 1}"] = map_strings(sympy.eye(n), d)
    return out


@st.composite
def polynomial_maps(draw: Any, n: int, degree: int = 2, *, terms: int = 3) -> list[str]:
    """Polynomial maps of degree <= ``degree`` with a few small integer terms per component
    (not necessarily invertible)."""
    from ..ansatz import monomials

    names = sympy.symbols([f"z{k + 1}" for k in range(n)])
    basis = monomials(names, degree)
    out = []
    for _ in range(n):
        chosen = draw(st.lists(st.sampled_from(basis), min_size=1, max_size=terms, unique=True))
        coefficients = draw(st.lists(SMALL.filter(bool), min_size=len(chosen), max_size=len(chosen)))
        out.append(str(sum((c * m for c, m in zip(coefficients, chosen)), sympy.Integer(0))))
    return out


@st.composite
def triangular_automorphisms(draw: Any, n: int, degree: int = 3) -> list[str]:
    """``z_i -> c_i z_i + p_i(z_1..z_{i-1})`` with ``c_i`` in {1, -1, 2}: polynomial maps
    with polynomial inverses (shrinks to the identity)."""
    from ..ansatz import monomials

    names = sympy.symbols([f"z{k + 1}" for k in range(n)])
    out = []
    for i in range(n):
        c = draw(st.sampled_from([1, -1, 2]))
        basis = monomials(names[:i], degree) if i else [sympy.Integer(1)]
        coefficients = draw(st.lists(SMALL, min_size=len(basis), max_size=len(basis)))
        out.append(str(c * names[i] + sum((k * m for k, m in zip(coefficients, basis)), sympy.Integer(0))))
    return out


@st.composite
def noise_laws(draw: Any, n: int, *, laws: Sequence[str] = ("gaussian", "laplace", "uniform", "student_t", "generalized_normal")) -> dict[str, Any]:
    """A spec ``noise:`` mapping for an additive law on R^n (exact parameters)."""
    law = draw(st.sampled_from(list(laws)))
    if law == "gaussian":
        L = draw(matrices(n).filter(lambda M: M.det() != 0))
        S = L * L.T
        return {"law": "gaussian", "cov": [[str(S[i, j]) for j in range(n)] for i in range(n)]}
    if law in ("laplace", "uniform"):
        return {"law": law, "scale": draw(st.integers(1, 3))}
    if law == "student_t":
        return {"law": law, "nu": draw(st.integers(1, 6))}
    return {"law": law, "beta": draw(st.sampled_from([1, 3, 4]))}


@st.composite
def finite_tables(draw: Any, size: int | None = None, mechanisms: int | None = None) -> System:
    """A finite-state system: ``size`` states (one latent ``s``), each mechanism a random
    table (a map of the states to themselves)."""
    size = size if size is not None else draw(st.integers(2, 8))
    count = mechanisms if mechanisms is not None else draw(st.integers(1, 2))
    maps = {}
    for k in range(count):
        table = draw(st.lists(st.integers(0, size - 1), min_size=size, max_size=size))
        maps[f"m{k + 1}"] = {"table": table}
    import yaml

    text = yaml.safe_dump({"states": {"s": size}, "mechanisms": maps})
    return System.from_spec(text)


@st.composite
def gridworlds(draw: Any, max_side: int = 6) -> System:
    """A width x height gridworld with moves right/up, each wrapping or walled per axis."""
    width, height = draw(st.integers(2, max_side)), draw(st.integers(2, max_side))
    wrap_x, wrap_y = draw(st.booleans()), draw(st.booleans())
    right = f"Mod(x + 1, {width})" if wrap_x else f"Min(x + 1, {width - 1})"
    up = f"Mod(y + 1, {height})" if wrap_y else f"Min(y + 1, {height - 1})"
    import yaml

    text = yaml.safe_dump({
        "states": {"x": width, "y": height},
        "mechanisms": {"right": f"({right}, y)", "up": f"(x, {up})"},
    })
    return System.from_spec(text)


@st.composite
def affine_systems(draw: Any, min_n: int = 1, max_n: int = 3, max_mechanisms: int = 2, flows: bool | None = None) -> System:
    """Whole systems of 1..``max_mechanisms`` affine maps (or flows) with small integer entries."""
    n = draw(st.integers(min_n, max_n))
    count = draw(st.integers(1, max_mechanisms))
    as_flows = draw(st.booleans()) if flows is None else flows
    mechanisms = {f"m{k + 1}": draw(affine_mechanisms(n)) for k in range(count)}
    latents = [f"z{k + 1}" for k in range(n)]
    if as_flows:
        return System.from_maps(latents, flows=mechanisms)
    return System.from_maps(latents, mechanisms)


def systems(kind: str = "affine", **kwargs: Any) -> st.SearchStrategy[System]:
    """Whole systems of a kind: ``affine``, ``diagonalizable``, ``translations``,
    ``triangular`` (polynomial automorphisms), ``finite`` or ``gridworld``."""
    n = kwargs.pop("n", 2)
    if kind == "affine":
        return affine_systems(**kwargs)
    if kind == "diagonalizable":
        return linear_mechanisms(n, **kwargs).map(
            lambda A: System.from_maps([f"z{k + 1}" for k in range(n)], {"m": map_strings(A)})
        )
    if kind == "translations":
        return translation_sets(n, **kwargs).map(lambda maps: System.from_maps([f"z{k + 1}" for k in range(n)], maps))
    if kind == "triangular":
        return triangular_automorphisms(n, **kwargs).map(
            lambda m: System.from_maps([f"z{k + 1}" for k in range(n)], {"m": m})
        )
    if kind == "finite":
        return finite_tables(**kwargs)
    if kind == "gridworld":
        return gridworlds(**kwargs)
    from ..errors import SpecError

    raise SpecError("kind", kind, "one of affine, diagonalizable, translations, triangular, finite, gridworld")


@st.composite
def group_elements(draw: Any, group: Any) -> tuple[sympy.Expr, ...]:
    """An element of a computed :class:`~equivid.EquivarianceGroup`: small rational
    parameters with every invertibility condition non-zero, composed with a drawn
    discrete representative (or a drawn element of a finite-state group)."""
    from ..solve._verify import compose

    if group.solution.kind == "finite":
        import numpy as np

        seed = draw(st.integers(0, 2**32 - 1))
        return tuple(group.sample(np.random.default_rng(seed)))
    values = {}
    for t in group.parameters:
        values[t] = draw(rationals(bound=3, max_denominator=3))
    element = tuple(sympy.expand(e.xreplace(values)) for e in group.general_element)
    if group.parameters and any(sympy.sympify(c).xreplace(values) == 0 for c in group.conditions):
        from hypothesis import assume

        assume(False)
    if group.discrete and draw(st.booleans()):
        representative = draw(st.sampled_from(list(group.discrete)))
        element = tuple(sympy.expand(e) for e in compose(representative, element, group.latents))
    return element


def parameter_values(where: Any, bound: int = 6, max_denominator: int = 5) -> st.SearchStrategy[dict[sympy.Symbol, sympy.Expr]]:
    """Exact parameter values in a case of a case tree (or one of its strata): its free
    parameters drawn as small rationals (integer indices as small integers), the others
    computed from its parametrisation, kept when they lie in it.

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"], ansatz="linear")
    >>> tree = equivid.solve_cases(system)
    >>> @given(parameter_values(tree.cases[1]))
    ... def test_equal(values):
    ...     assert values[tree.parameters[0]] == values[tree.parameters[1]]
    >>> test_equal()
    """
    strata = tuple(getattr(where, "strata", (where,)))
    if not all(s.resolved for s in strata):
        raise ValueError("parameter_values: a stratum that is not parametrised has no values to draw")

    @st.composite
    def draw(draw_: Any) -> dict[sympy.Symbol, sympy.Expr]:
        stratum = draw_(st.sampled_from(strata))
        point: dict[sympy.Symbol, sympy.Expr] = {}
        for s in stratum.free:
            if s.is_integer:
                point[s] = sympy.Integer(draw_(st.integers(-bound, bound)))
            else:
                q = draw_(st.fractions(-bound, bound, max_denominator=max_denominator))
                point[s] = sympy.Rational(q.numerator, q.denominator)
        values = stratum.values_at(point)
        return {"stratum": stratum, "values": values}  # type: ignore[return-value]

    return draw().filter(lambda d: all(v.is_real for v in d["values"].values())  # type: ignore[index,attr-defined]
                         and d["stratum"].contains(d["values"])).map(lambda d: d["values"])  # type: ignore[index]
