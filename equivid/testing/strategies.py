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
    """``["z1", ..., "zn"]`` with ``min_n <= n <= max_n`` (shrinks to ``min_n``).

    Parameters
    ----------
    min_n : int, default 1
        The fewest latents.
    max_n : int, default 3
        The most latents.
    prefix : str, default "z"
        The names' prefix; each name is the prefix and a number from 1.

    Returns
    -------
    SearchStrategy of list of str
        Lists of latent names.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import latent_names
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(latent_names(), lambda names: len(names) > 1, settings=fixed)
    ['z1', 'z2']
    >>> find(latent_names(prefix="x"), lambda names: True, settings=fixed)
    ['x1']
    """
    return st.integers(min_value=min_n, max_value=max_n).map(lambda n: [f"{prefix}{k + 1}" for k in range(n)])


def rationals(bound: int = 3, max_denominator: int = 4) -> st.SearchStrategy[sympy.Rational]:
    """Exact rationals ``p/q`` with ``|p/q| <= bound``, ``1 <= q <= max_denominator``.

    Parameters
    ----------
    bound : int, default 3
        The largest absolute value.
    max_denominator : int, default 4
        The largest denominator.

    Returns
    -------
    SearchStrategy of sympy.Rational
        Exact rationals (shrinking towards 0 and small denominators).

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import rationals
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(rationals(), lambda q: not q.is_integer, settings=fixed)
    1/2
    >>> find(rationals(bound=1, max_denominator=2), lambda q: q < 0, settings=fixed)
    -1
    """
    return st.fractions(
        min_value=Fraction(-bound), max_value=Fraction(bound), max_denominator=max_denominator
    ).map(lambda f: sympy.Rational(f.numerator, f.denominator))


def matrices(n: int, entries: st.SearchStrategy[Any] = SMALL) -> st.SearchStrategy[sympy.Matrix]:
    """``n x n`` matrices with entries from ``entries`` (not necessarily invertible).

    Parameters
    ----------
    n : int
        The number of rows and columns.
    entries : SearchStrategy, optional
        The entries (default: the integers from -3 to 3).

    Returns
    -------
    SearchStrategy of sympy.Matrix
        Square matrices.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import matrices
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(matrices(2), lambda M: M.det() != 0, settings=fixed).tolist()
    [[0, 1], [1, 0]]
    """
    return st.lists(st.lists(entries, min_size=n, max_size=n), min_size=n, max_size=n).map(sympy.Matrix)


@st.composite
def unimodular_matrices(draw: Any, n: int, bound: int = 2) -> sympy.Matrix:
    """Integer matrices with determinant +-1 (so their inverses are integer too): a
    product of a lower and an upper unitriangular matrix, rows permuted. Shrinks to I.

    Parameters
    ----------
    n : int
        The number of rows and columns.
    bound : int, default 2
        The largest absolute value of an entry of the triangular factors.

    Returns
    -------
    SearchStrategy of sympy.Matrix
        Unimodular ``n x n`` matrices.

    Examples
    --------
    >>> from hypothesis import find, given, settings
    >>> from equivid.testing.strategies import unimodular_matrices
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(unimodular_matrices(2), lambda P: True, settings=fixed).tolist()
    [[1, 0], [0, 1]]
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(unimodular_matrices(3))
    ... def test_integer_inverse(P):
    ...     assert P.det() in (1, -1) and all(x.is_integer for x in P.inv())
    >>> test_integer_inverse()
    """
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

    Parameters
    ----------
    n : int, optional
        The size (default: the length of ``spectrum``, else drawn from 1 to 3).
    spectrum : sequence, optional
        The eigenvalues, with multiplicity.
    eigenvalues : SearchStrategy, optional
        Where the eigenvalues come from without ``spectrum`` (default: non-zero
        :func:`rationals`).
    distinct : bool, default False
        Draw pairwise different eigenvalues (without ``spectrum``).

    Returns
    -------
    SearchStrategy of sympy.Matrix
        Diagonalizable rational matrices.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import linear_mechanisms
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(linear_mechanisms(spectrum=[2, 3]), lambda A: not A.is_diagonal(), settings=fixed).tolist()
    [[2, 1], [0, 3]]
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
    (drawn when not given), conjugated by a unimodular matrix.

    Parameters
    ----------
    blocks : sequence of (eigenvalue, int), optional
        The Jordan blocks (default: one to three drawn blocks, small integer eigenvalues).
    max_n : int, default 4
        The largest size of a drawn structure.

    Returns
    -------
    SearchStrategy of sympy.Matrix
        Matrices ``P J P^{-1}`` with ``J`` in Jordan form and ``P`` unimodular.

    Examples
    --------
    >>> from hypothesis import find, given, settings
    >>> from equivid.testing.strategies import jordan_matrices
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(jordan_matrices(max_n=2), lambda J: not J.is_diagonalizable(), settings=fixed).tolist()
    [[0, 1], [0, 0]]
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(jordan_matrices([(2, 2), (3, 1)]))
    ... def test_structure(J):
    ...     assert J.eigenvals() == {2: 2, 3: 1} and not J.is_diagonalizable()
    >>> test_structure()
    """
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
    """The components of ``z -> Az + b`` as strings in the latents.

    Parameters
    ----------
    A : sympy.Matrix
        The ``n x n`` linear part.
    b : sequence, optional
        The shift (default: zero).
    latents : sequence of str, optional
        The latents' names (default: ``z1, ..., zn``).

    Returns
    -------
    list of str
        The ``n`` components.

    Examples
    --------
    >>> import sympy
    >>> from equivid.testing.strategies import map_strings
    >>> map_strings(sympy.Matrix([[1, 2], [0, 1]]), [1, 0])
    ['z1 + 2*z2 + 1', 'z2']
    >>> map_strings(sympy.Matrix([[0, 1], [1, 0]]), latents=["x", "y"])
    ['y', 'x']
    """
    n = A.rows
    names = sympy.symbols(list(latents) if latents else [f"z{k + 1}" for k in range(n)])
    z = sympy.Matrix(names)
    shift = sympy.Matrix(list(b)) if b is not None else sympy.zeros(n, 1)
    return [str(e) for e in (A * z + shift)]


@st.composite
def affine_mechanisms(draw: Any, n: int, *, invertible: bool = False) -> list[str]:
    """``z -> Az + b`` with small integer ``A`` and ``b``, as component strings.

    Parameters
    ----------
    n : int
        The number of latents (``z1, ..., zn``).
    invertible : bool, default False
        Draw an invertible ``A`` only.

    Returns
    -------
    SearchStrategy of list of str
        The ``n`` components of an affine map.

    Examples
    --------
    >>> import sympy
    >>> from hypothesis import find, given, settings
    >>> from equivid.testing.strategies import affine_mechanisms
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(affine_mechanisms(2), lambda m: "z2" in m[0], settings=fixed)
    ['z2', '0']
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(affine_mechanisms(2, invertible=True))
    ... def test_invertible(components):
    ...     assert sympy.Matrix(sympy.sympify(components)).jacobian(sympy.symbols("z1 z2")).det() != 0
    >>> test_invertible()
    """
    A = draw(matrices(n).filter(lambda M: M.det() != 0) if invertible else matrices(n))
    b = draw(st.lists(SMALL, min_size=n, max_size=n))
    return map_strings(A, b)


@st.composite
def translation_sets(draw: Any, n: int, *, spanning: bool = True, max_count: int | None = None) -> dict[str, list[str]]:
    """Pushes ``z + d_k`` with integer ``d_k``; ``spanning`` makes the ``d_k`` span R^n.

    Parameters
    ----------
    n : int
        The number of latents (``z1, ..., zn``).
    spanning : bool, default True
        Make the ``d_k`` span R^n (at least ``n`` of them).
    max_count : int, optional
        The most pushes (default: ``n + 1``).

    Returns
    -------
    SearchStrategy of dict of str to list of str
        Mechanisms ``push_1, push_2, ...``, each as component strings.

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given, settings
    >>> from equivid.testing.strategies import translation_sets
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(translation_sets(2))
    ... def test_translations(maps):
    ...     group = equivid.solve(equivid.System.from_maps(["z1", "z2"], maps))
    ...     assert group.name == "translations R^2", group.name
    >>> test_translations()
    """
    count = draw(st.integers(n if spanning else 1, max_count or n + 1))
    vectors = st.lists(SMALL, min_size=n, max_size=n).filter(any)
    ds = draw(st.lists(vectors, min_size=count, max_size=count).filter(
        lambda vs: not spanning or sympy.Matrix(vs).rank() == n
    ))
    return {f"push_{k + 1}": map_strings(sympy.eye(n), d) for k, d in enumerate(ds)}


@st.composite
def axis_translations(draw: Any, n: int, *, all_axes: bool = True) -> dict[str, list[str]]:
    """One-coordinate perturbations ``z + s e_i`` with non-zero integer ``s``.

    Parameters
    ----------
    n : int
        The number of latents (``z1, ..., zn``).
    all_axes : bool, default True
        One perturbation of every coordinate; otherwise of a drawn non-empty set of them.

    Returns
    -------
    SearchStrategy of dict of str to list of str
        Mechanisms ``nudge_i`` (``i`` the coordinate), each as component strings; ``|s| <= 3``.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import axis_translations
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(axis_translations(2), lambda maps: maps["nudge_1"][0] == "z1 - 1", settings=fixed)
    {'nudge_1': ['z1 - 1', 'z2'], 'nudge_2': ['z1', 'z2 + 1']}
    """
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
    (not necessarily invertible).

    Parameters
    ----------
    n : int
        The number of latents (``z1, ..., zn``).
    degree : int, default 2
        The largest degree of a term.
    terms : int, default 3
        The most terms of a component.

    Returns
    -------
    SearchStrategy of list of str
        The ``n`` components.

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import polynomial_maps
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(polynomial_maps(1), lambda m: "z1**2" in m[0], settings=fixed)
    ['z1**2']
    """
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
    with polynomial inverses (shrinks to the identity).

    Parameters
    ----------
    n : int
        The number of latents (``z1, ..., zn``).
    degree : int, default 3
        The largest degree of the ``p_i``.

    Returns
    -------
    SearchStrategy of list of str
        The ``n`` components (``z1`` first, its own coefficient only).

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import triangular_automorphisms
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(triangular_automorphisms(2, degree=2), lambda m: m[1] != "z2", settings=fixed)
    ['z1', 'z1**2 + z2']
    """
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
    """A spec ``noise:`` mapping for an additive law on R^n (exact parameters).

    Parameters
    ----------
    n : int
        The dimension of the noise.
    laws : sequence of str, optional
        The laws to draw from (default: gaussian, laplace, uniform, student_t and
        generalized_normal).

    Returns
    -------
    SearchStrategy of dict
        ``noise:`` mappings: a gaussian with a positive definite integer ``cov`` (as
        strings), a laplace or uniform ``scale`` (1 to 3), a student_t ``nu`` (1 to 6), a
        generalized_normal ``beta`` (1, 3 or 4).

    Examples
    --------
    >>> from hypothesis import find, settings
    >>> from equivid.testing.strategies import noise_laws
    >>> fixed = settings(settings.get_profile("default"), derandomize=True, database=None, deadline=None)  # the same search every run
    >>> find(noise_laws(1), lambda law: True, settings=fixed)
    {'law': 'gaussian', 'cov': [['1']]}
    >>> find(noise_laws(2), lambda law: law["law"] == "laplace", settings=fixed)
    {'law': 'laplace', 'scale': 1}
    """
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
    table (a map of the states to themselves).

    Parameters
    ----------
    size : int, optional
        The number of states (default: drawn from 2 to 8).
    mechanisms : int, optional
        The number of mechanisms ``m1, m2, ...`` (default: drawn, 1 or 2).

    Returns
    -------
    SearchStrategy of System
        Finite-state systems.

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given, settings
    >>> from equivid.testing import assert_complete
    >>> from equivid.testing.strategies import finite_tables
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(finite_tables(size=4))
    ... def test_brute_force_agrees(system):
    ...     assert_complete(equivid.solve(system))
    >>> test_brute_force_agrees()
    """
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
    """A width x height gridworld with moves right/up, each wrapping or walled per axis.

    Parameters
    ----------
    max_side : int, default 6
        The largest width and height (each drawn from 2).

    Returns
    -------
    SearchStrategy of System
        Finite-state systems with latents ``x`` and ``y`` and mechanisms ``right`` and ``up``.

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given, settings
    >>> from equivid.testing import assert_complete
    >>> from equivid.testing.strategies import gridworlds
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(gridworlds(max_side=3))
    ... def test_brute_force_agrees(system):
    ...     assert_complete(equivid.solve(system))
    >>> test_brute_force_agrees()
    """
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
    """Whole systems of 1 to ``max_mechanisms`` affine maps (or flows) with small integer entries.

    Parameters
    ----------
    min_n : int, default 1
        The fewest latents.
    max_n : int, default 3
        The most latents.
    max_mechanisms : int, default 2
        The most mechanisms (``m1, m2, ...``).
    flows : bool, optional
        Flows (True) or maps (False) only; default: either, drawn.

    Returns
    -------
    SearchStrategy of System
        Systems with latents ``z1, ..., zn``.

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given, settings
    >>> from equivid.testing import assert_sound
    >>> from equivid.testing.strategies import affine_systems
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(affine_systems(max_n=2))
    ... def test_sound(system):
    ...     assert_sound(equivid.solve(system))
    >>> test_sound()
    """
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
    ``triangular`` (polynomial automorphisms), ``finite`` or ``gridworld``.

    Parameters
    ----------
    kind : str, default "affine"
        The kind of system.
    **kwargs
        ``n`` (the number of latents of the diagonalizable, translations and triangular
        kinds; default 2) and the options of the strategy behind the kind
        (:func:`affine_systems`, :func:`linear_mechanisms`, :func:`translation_sets`,
        :func:`triangular_automorphisms`, :func:`finite_tables`, :func:`gridworlds`).

    Returns
    -------
    SearchStrategy of System
        Whole systems.

    Raises
    ------
    SpecError
        If ``kind`` is none of these.

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given, settings
    >>> from equivid.testing.strategies import systems
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(systems("diagonalizable", n=2, distinct=True))
    ... def test_two_dimensional(system):
    ...     assert equivid.solve(system, ansatz="linear").dimension == 2
    >>> test_two_dimensional()
    """
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
    discrete representative (or a drawn element of a finite-state group).

    Parameters
    ----------
    group : EquivarianceGroup
        The group to draw from.

    Returns
    -------
    SearchStrategy of tuple of sympy.Expr
        Elements, as their components in the latents (a finite-state group: a
        :meth:`~equivid.EquivarianceGroup.sample` of it).

    Examples
    --------
    >>> import equivid
    >>> from hypothesis import given, settings
    >>> from equivid.testing.strategies import group_elements
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> group = equivid.solve(system)
    >>> group.general_element
    (t1*z1, t2*z2)
    >>> @settings(max_examples=5, derandomize=True, database=None, deadline=None)
    ... @given(group_elements(group))
    ... def test_in_the_group(a):
    ...     assert group.contains(a)
    >>> test_in_the_group()
    """
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

    Parameters
    ----------
    where : Case or Stratum
        A case of a :class:`~equivid.parametric.CaseTree` (its strata drawn from) or one
        stratum.
    bound : int, default 6
        The largest absolute value of a free parameter.
    max_denominator : int, default 5
        The largest denominator of a free parameter.

    Returns
    -------
    SearchStrategy of dict of sympy.Symbol to sympy.Expr
        A value for every parameter, real, at a point of ``where``.

    Raises
    ------
    ValueError
        If a stratum of ``where`` is not parametrised.

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
