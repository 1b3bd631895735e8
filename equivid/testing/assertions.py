"""Assertions for identifiability statements: each raises ``AssertionError`` with a
readable account of what differs, and returns the group it checked.

- :func:`assert_identifiable_up_to`: the solver's answer is the expected group.
- :func:`assert_sound`: sampled elements, discrete parts and generators commute.
- :func:`assert_complete`: nothing is missing, by an independent oracle (brute force
  over permutations for small finite-state systems, a floating-point nullspace of the
  commuting / infinitesimal condition otherwise).
- :func:`assert_recoverable`: a property is recoverable by every learner (invariant under
  everything known in the group, elements outside the class included), with the scope
  the answer supports (docs/theory.md#beyond-the-searched-class).
- :func:`assert_consistent_encoder`: docs/theory.md#result-1-exact-mechanisms read as a statement about
  learners: with a random invertible decoder ``g``, the encoder ``a∘g^{-1}`` satisfies
  the consistency objective ``f(x') = m(f(x))`` for sampled ``a`` in the group, and
  fails it for a map outside.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy

from ..errors import EquividError, SpecError
from ..groups import EquivarianceGroup
from ..mechanisms import System
from ..solve._result import finite_of

__all__ = [
    "assert_case",
    "assert_identifiable_up_to",
    "assert_sound",
    "assert_complete",
    "assert_consistent_encoder",
    "assert_recoverable",
    "random_invertible_decoder",
]

Array = np.ndarray


def _solve(system: System, ansatz: str | None) -> EquivarianceGroup:
    from .._api import solve

    return solve(system, ansatz=ansatz)


def _summary(group: EquivarianceGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "dimension": group.dimension,
        "finite": group.finite,
        "order": group.order,
        "general_element": tuple(str(e) for e in group.general_element),
    }


def assert_identifiable_up_to(
    system: System, expected: str | EquivarianceGroup, *, ansatz: str | None = None, samples: int = 5, rng: Any = 0
) -> EquivarianceGroup:
    """Assert that ``system`` is identified up to ``expected``.

    ``expected`` is a group name as equivid reports it (``"diagonal scalings"``,
    ``"signed permutations"``, ``"translations R^2"``, ...) or an
    :class:`EquivarianceGroup`; for a group, dimension, finiteness and order must agree
    and sampled elements of each must lie in the other.

    Parameters
    ----------
    system : System
        The system to solve.
    expected : str or EquivarianceGroup
        The expected group: its name or description, or a group to compare with.
    ansatz : str, optional
        The class of maps searched (default: the system's own, else ``"affine"``).
    samples : int, default 5
        How many elements of each group are sampled and checked in the other (when
        ``expected`` is a group).
    rng : int or numpy.random.Generator, default 0
        Seed or generator for the samples.

    Returns
    -------
    EquivarianceGroup
        The group computed for ``system``.

    Raises
    ------
    AssertionError
        If the computed group is not ``expected``.

    Examples
    --------
    >>> import equivid
    >>> from equivid.testing import assert_identifiable_up_to
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> assert_identifiable_up_to(system, "diagonal scalings").dimension
    2
    >>> assert_identifiable_up_to(system, "signed permutations")
    Traceback (most recent call last):
    ...
    AssertionError: expected signed permutations, got diagonal scalings (dimension 2, ...
    """
    group = _solve(system, ansatz)
    got = _summary(group)
    if isinstance(expected, str):
        if group.name != expected and group.description != expected:
            raise AssertionError(
                f"expected {expected}, got {group.description} (dimension {got['dimension']}, "
                f"general element {got['general_element']})"
            )
        return group
    want = _summary(expected)
    diff = [f"  {key}: expected {want[key]!r}, got {got[key]!r}" for key in ("dimension", "finite", "order") if want[key] != got[key]]
    if not diff:
        generator = np.random.default_rng(rng)
        for _ in range(samples):
            a = expected.sample(generator)
            if not group.contains(a):
                diff.append(f"  an element of the expected group, {a}, is not in the computed one")
                break
            b = group.sample(generator)
            if not expected.contains(b):
                diff.append(f"  an element of the computed group, {b}, is not in the expected one")
                break
    if diff:
        raise AssertionError(f"{system.description or 'the system'} is not identified up to the expected group:\n" + "\n".join(diff))
    return group


def assert_sound(group: EquivarianceGroup, system: System | None = None, *, samples: int = 5, rng: Any = 0) -> EquivarianceGroup:
    """Assert that sampled elements and discrete representatives commute with every
    mechanism (exactly, by substitution) and that every Lie generator satisfies the
    infinitesimal condition.

    Parameters
    ----------
    group : EquivarianceGroup
        The group to check.
    system : System, optional
        The system whose mechanisms the elements must commute with (default: the
        group's own, ``group.system``).
    samples : int, default 5
        How many elements are sampled.
    rng : int or numpy.random.Generator, default 0
        Seed or generator for the samples.

    Returns
    -------
    EquivarianceGroup
        ``group``, checked.

    Raises
    ------
    AssertionError
        If a sampled element, a discrete representative or a generator fails the condition.

    Examples
    --------
    >>> import equivid
    >>> from equivid.testing import assert_sound
    >>> grow = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> assert_sound(equivid.solve(grow)).general_element
    (t1*z1, t2*z2)
    >>> swap = equivid.System.from_maps(["z1", "z2"], {"swap": ["z2", "z1"]})
    >>> assert_sound(equivid.solve(grow), swap)
    Traceback (most recent call last):
    ...
    AssertionError: the sampled element ... does not commute with every mechanism
    """
    from ..solve._verify import unsound

    system = system or group.system
    generator = np.random.default_rng(rng)
    if group.solution.kind == "finite":
        from ..finite import mechanism_tables

        tables = mechanism_tables(system)
        for _ in range(samples):
            perm = np.asarray(finite_of(group.solution).group.sample(generator))
            for k, table in enumerate(tables):
                if not np.array_equal(perm[table], table[perm]):
                    raise AssertionError(f"a sampled permutation does not commute with mechanism {k + 1}")
        return group
    if group.solution.kind in ("class", "noise"):
        for _ in range(samples):
            a = group.sample(generator)
            if not group.membership(a).commutes:
                raise AssertionError(f"the sampled element {a} fails the defining condition")
        return group
    sampled = [("the sampled element", group.sample(generator)) for _ in range(samples)]
    failure = unsound(system, sampled, group.lie_algebra, group.discrete)
    if failure is not None:
        raise AssertionError(failure)
    return group


# -- completeness oracles -----------------------------------------------------------------------
BRUTE_FORCE_STATES = 10


def assert_recoverable(
    system: System | EquivarianceGroup, prop: str | sympy.Expr, *, ansatz: str | None = None,
    among: str | None = None,
) -> EquivarianceGroup:
    """Assert that the property ``prop`` (an expression in the latents) is recoverable: no
    element the group is known to contain changes it, elements outside the class included
    (:attr:`EquivarianceGroup.outside_class`), and the group found is invariant-checked
    exactly (tangent fields and discrete elements). With ``among`` (``"C^inf"``,
    ``"continuous"``, ``"all bijections"``) also that the answer is proved complete among
    those maps, so that the statement holds for every such learner; without it the
    statement is the weaker "recoverable within the searched class" and the message says so
    when it fails.

    Parameters
    ----------
    system : System or EquivarianceGroup
        The system (solved here) or its group, already computed.
    prop : str or sympy.Expr
        The property, an expression in the latents (``"z1**2 + z2**2"``).
    ansatz : str, optional
        The class of maps searched when ``system`` is a system (default: its own, else
        ``"affine"``).
    among : str, optional
        ``"C^inf"``, ``"continuous"`` or ``"all bijections"``: also require the answer to
        be proved complete among those maps.

    Returns
    -------
    EquivarianceGroup
        The group the property was checked against.

    Raises
    ------
    AssertionError
        If ``prop`` is not a function of the latents, is changed by an element the group
        is known to contain, or (with ``among``) the answer is not proved complete there;
        also where the answer is not a group of maps of continuous latents.

    Examples
    --------
    >>> import equivid
    >>> from equivid.testing import assert_recoverable
    >>> walk = equivid.load(equivid.cli.EXAMPLES / "gaussian_walk.yaml")
    >>> group = assert_recoverable(walk, "z1**2 + z2**2", ansatz="linear")
    >>> swing = equivid.System.from_maps(["theta", "omega"], flows={"swing": ["omega", "-sin(theta)"]})
    >>> assert_recoverable(swing, "omega**2")
    Traceback (most recent call last):
    ...
    AssertionError: omega**2 is not recoverable: changed by the flow of swing, the flows of f(H)·swing
    """
    from ..beyond import changed_by

    group = system if isinstance(system, EquivarianceGroup) else _solve(system, ansatz)
    if group.solution.kind == "finite" or group.solution.is_group is False:
        raise AssertionError("assert_recoverable: defined where the answer is a group of maps of continuous latents")
    table = {s.name: s for s in group.latents}
    phi = sympy.sympify(prop, locals=table) if isinstance(prop, str) else sympy.sympify(prop)
    if not phi.free_symbols <= set(group.latents):
        raise AssertionError(f"assert_recoverable: {phi} is not a function of the latents {group.latents}")
    if not group.preserves(phi):
        raise AssertionError(f"{phi} is not recoverable: changed by the group found within {group.ansatz}")
    by = changed_by(phi, group.outside_class, group.latents)
    if by:
        raise AssertionError(f"{phi} is not recoverable: changed by {', '.join(by)}")
    if among is not None and group.complete_in.within != among:
        raise AssertionError(
            f"{phi} is recoverable within the searched class, but the answer is not proved complete among {among} "
            f"maps ({group.complete_in.reason})")
    return group


def _brute_force_order(system: System) -> int:
    """Count the permutations ``p`` with ``p∘t = t∘p`` for every table ``t``, by
    backtracking over the states (a constraint is checked once both its states are placed)."""
    from ..finite import mechanism_tables

    tables = [list(map(int, t)) for t in mechanism_tables(system)]
    size = len(tables[0])
    image = [-1] * size
    used = [False] * size

    def consistent(s: int) -> bool:
        for t in tables:
            for u in range(size):  # p(t(u)) = t(p(u)) for placed u, t(u)
                if image[u] >= 0 and image[t[u]] >= 0 and image[t[u]] != t[image[u]]:
                    return False
        return True

    def place(s: int) -> int:
        if s == size:
            return 1
        count = 0
        for v in range(size):
            if not used[v]:
                image[s], used[v] = v, True
                if consistent(s):
                    count += place(s + 1)
                image[s], used[v] = -1, False
        return count

    return place(0)


def _numeric_nullity(matrix: Array) -> int:
    if matrix.size == 0:
        return matrix.shape[1]
    values = np.linalg.svd(matrix, compute_uv=False)
    tolerance = max(matrix.shape) * np.finfo(float).eps * (values[0] if values.size else 1.0) * 1e3
    return matrix.shape[1] - int(np.sum(values > tolerance))


def _lie_nullity(system: System, degree: int, constant: bool, rng: np.random.Generator) -> int:
    """Dimension of the degree-``degree`` infinitesimal condition's solution space, by a
    floating-point SVD of the residuals at random points (independent of the exact path)."""
    from ..ansatz import monomials
    from ..solve._verify import lie_residual

    latents = list(system.latents)
    gens = latents + list(system.families)
    basis = [(i, mono) for mono in monomials(system.latents, degree, constant=constant) for i in range(system.n)]
    columns = []
    for i, mono in basis:
        field = tuple(mono if k == i else sympy.Integer(0) for k in range(system.n))
        residual = [r for m in system.mechanisms for r in lie_residual(field, m, system.latents)]
        columns.append(sympy.lambdify(gens, residual, modules="numpy"))
    points = rng.uniform(-1.2, 1.2, size=(3 * len(basis) // max(1, system.n) + 8, len(gens)))
    rows = []
    for point in points:
        values = np.array([np.asarray(f(*point), dtype=float) for f in columns]).T
        rows.append(values)
    return _numeric_nullity(np.vstack(rows))


class NoOracleError(EquividError, NotImplementedError):
    """:func:`assert_complete` has no oracle for this system (more than
    :data:`BRUTE_FORCE_STATES` finite states, or a ``learner:`` or ``noise:`` system): the
    completeness was not tested, which is not a failure of it. A property test can skip on it.

    Examples
    --------
    >>> import equivid
    >>> walk = equivid.System.from_spec(
    ...     "latents: [z1]\\nmechanisms:\\n  walk: {map: [z1], noise: {law: laplace, scale: 1}}\\n")
    >>> try:
    ...     assert_complete(equivid.solve(walk))
    ... except NoOracleError as err:
    ...     print("not tested:", err)
    not tested: assert_complete has no oracle for learner: or noise: systems (it covers exactly known mechanisms)
    """


def assert_complete(group: EquivarianceGroup, system: System | None = None, *, rng: Any = 0) -> EquivarianceGroup:
    """Assert that the group misses nothing the searched class contains, by an oracle
    that shares no code with the solver's exact path: all permutations of at most
    10 states for finite-state systems; otherwise the floating-point nullspace dimension
    of the infinitesimal condition (the Lie algebra's dimension; for affine mechanisms
    under a linear/affine ansatz the group's dimension too).

    Parameters
    ----------
    group : EquivarianceGroup
        The group to check.
    system : System, optional
        The system the oracle solves (default: the group's own, ``group.system``).
    rng : int or numpy.random.Generator, default 0
        Seed or generator for the random points of the numeric oracle.

    Returns
    -------
    EquivarianceGroup
        ``group``, checked.

    Raises
    ------
    AssertionError
        If the oracle finds more (or fewer) than the group.
    NoOracleError
        If the system is out of the oracles' reach (more than 10 states; ``learner:`` or
        ``noise:`` systems): nothing was tested.

    Examples
    --------
    >>> import equivid
    >>> from equivid.testing import assert_complete
    >>> grow = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> assert_complete(equivid.solve(grow)).dimension
    2
    >>> push = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> assert_complete(equivid.solve(grow), push)
    Traceback (most recent call last):
    ...
    AssertionError: the numeric nullspace of the infinitesimal condition has dimension 4, the solver's Lie algebra 2
    """
    system = system or group.system
    if group.solution.kind == "finite":
        count = finite_of(group.solution).space.count
        if count > BRUTE_FORCE_STATES:
            raise NoOracleError(f"assert_complete brute-forces at most {BRUTE_FORCE_STATES} states, got {count}")
        order = _brute_force_order(system)
        if order != group.order:
            raise AssertionError(f"brute force finds {order} commuting permutations, the solver {group.order}")
        return group
    if group.solution.kind in ("class", "noise"):
        raise NoOracleError("assert_complete has no oracle for learner: or noise: systems (it covers exactly known mechanisms)")
    ansatz = group.ansatz
    degree = ansatz.degree if ansatz.kind == "polynomial" else 1
    nullity = _lie_nullity(system, degree, ansatz.has_constant, np.random.default_rng(rng))
    if nullity != len(group.lie_algebra):
        raise AssertionError(
            f"the numeric nullspace of the infinitesimal condition has dimension {nullity}, "
            f"the solver's Lie algebra {len(group.lie_algebra)}"
        )
    if group.solution.structure is not None and nullity != group.dimension:
        raise AssertionError(f"affine mechanisms: the group's dimension {group.dimension} != {nullity}")
    return group


# -- consistent encoders ---------------------------------------------------------------------------
def random_invertible_decoder(n: int, rng: Any = 0, *, depth: int = 3, slope: float = 0.2) -> tuple[Callable[[Array], Array], Callable[[Array], Array]]:
    """A random invertible map ``g: R^n -> R^n`` and its exact inverse: ``depth`` square
    layers ``x -> leaky_relu(W x + b)`` with well-conditioned ``W`` (orthogonal times a
    diagonal in [0.5, 2]). Arrays are ``(samples, n)``.

    Parameters
    ----------
    n : int
        The dimension of the latents and the observations.
    rng : int or numpy.random.Generator, default 0
        Seed or generator for the weights and biases.
    depth : int, default 3
        The number of layers.
    slope : float, default 0.2
        The slope of the leaky ReLU for negative inputs (> 0, so that it is invertible).

    Returns
    -------
    g : callable
        The decoder: ``(samples, n)`` latents to ``(samples, n)`` observations.
    g_inv : callable
        Its inverse: observations back to latents.

    Examples
    --------
    >>> import numpy as np
    >>> from equivid.testing import random_invertible_decoder
    >>> g, g_inv = random_invertible_decoder(2, rng=0)
    >>> z = np.random.default_rng(1).normal(size=(5, 2))
    >>> g(z).shape
    (5, 2)
    >>> bool(np.allclose(g_inv(g(z)), z)), bool(np.allclose(g(z), z))
    (True, False)
    """
    generator = np.random.default_rng(rng)
    layers = []
    for _ in range(depth):
        Q, _ = np.linalg.qr(generator.normal(size=(n, n)))
        W = Q @ np.diag(generator.uniform(0.5, 2.0, size=n))
        layers.append((W, generator.normal(scale=0.3, size=n)))

    def forward(z: Array) -> Array:
        x = np.asarray(z, dtype=float)
        for W, b in layers:
            y = x @ W.T + b
            x = np.where(y > 0, y, slope * y)
        return x

    def inverse(x: Array) -> Array:
        z = np.asarray(x, dtype=float)
        for W, b in reversed(layers):
            y = np.where(z > 0, z, z / slope)
            z = np.linalg.solve(W, (y - b).T).T
        return z

    return forward, inverse


def _vectorised(components: Sequence[sympy.Expr], latents: Sequence[sympy.Symbol], extra: dict[sympy.Symbol, float]) -> Callable[[Array], Array]:
    exprs = [sympy.sympify(e).xreplace({k: sympy.Float(v) for k, v in extra.items()}) for e in components]
    f = sympy.lambdify(list(latents), exprs, modules="numpy")

    def apply(z: Array) -> Array:
        columns = f(*z.T)
        return np.column_stack([np.broadcast_to(np.asarray(c, dtype=float), z.shape[:1]) for c in columns])

    return apply


def _consistency_error(a: Sequence[sympy.Expr], system: System, g: Callable[[Array], Array], g_inv: Callable[[Array], Array], rng: np.random.Generator, samples: int) -> float:
    latents = system.latents
    worst = 0.0
    for m in system.maps:
        families = {s: float(rng.uniform(-1, 1)) for s in system.families}
        mech = _vectorised(m.components, latents, families)
        encoder_latent = _vectorised(a, latents, {})
        z = rng.uniform(-1, 1, size=(samples, system.n))
        x, x_next = g(z), g(mech(z))
        f_x, f_next = encoder_latent(g_inv(x)), encoder_latent(g_inv(x_next))
        scale = 1.0 + np.max(np.abs(f_next))
        worst = max(worst, float(np.max(np.abs(f_next - mech(f_x)))) / scale)
    return worst


def assert_consistent_encoder(
    group: EquivarianceGroup, system: System | None = None, *, samples: int = 200, elements: int = 3,
    outside: Sequence[Any] | None = None, rng: Any = 0, tolerance: float = 1e-8,
) -> EquivarianceGroup:
    """Assert docs/theory.md#result-1-exact-mechanisms on simulated data: for ``elements`` sampled ``a`` in the
    group and a random invertible decoder ``g``, the encoder ``f = a∘g^{-1}`` has
    ``f(g(m(z))) = m(f(g(z)))`` on ``samples`` points (relative error < ``tolerance``)
    for every map mechanism; and for ``outside`` (default: a random affine map not in
    the group) the consistency error is large.

    Parameters
    ----------
    group : EquivarianceGroup
        The group to check, of a system of exact map mechanisms on continuous latents.
    system : System, optional
        The system (default: the group's own, ``group.system``).
    samples : int, default 200
        How many latent points each consistency error is measured on.
    elements : int, default 3
        How many elements of the group are sampled.
    outside : sequence of str or sympy.Expr, optional
        The components of a map outside the group, whose encoder must be inconsistent
        (default: a random affine map with small integer entries not in the group; none
        when every draw lands in it).
    rng : int or numpy.random.Generator, default 0
        Seed or generator for the decoder, the elements and the points.
    tolerance : float, default 1e-8
        The largest relative consistency error accepted for elements of the group.

    Returns
    -------
    EquivarianceGroup
        ``group``, checked.

    Raises
    ------
    AssertionError
        If an element of the group gives an inconsistent encoder, the map outside gives a
        consistent one (error < 1e-3), or the system has no map mechanisms or is not one
        of exact mechanisms on continuous latents.
    SpecError
        If the map given as ``outside`` is a member of the group.

    Examples
    --------
    >>> import equivid
    >>> from equivid.testing import assert_consistent_encoder
    >>> grow = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> assert_consistent_encoder(equivid.solve(grow)).dimension
    2
    >>> assert_consistent_encoder(equivid.solve(grow), outside=["z1 + 1/10**9", "z2"])  # outside, but barely
    Traceback (most recent call last):
    ...
    AssertionError: the map (z1 + 1/1000000000, z2), outside the group, still gives a consistent encoder (error ...)
    """
    system = system or group.system
    if not system.maps:
        raise AssertionError("assert_consistent_encoder needs map mechanisms (flows have no transitions)")
    if group.solution.kind == "finite" or group.solution.kind in ("class", "noise"):
        raise AssertionError("assert_consistent_encoder covers exact mechanisms on continuous latents")
    generator = np.random.default_rng(rng)
    g, g_inv = random_invertible_decoder(system.n, generator)
    for _ in range(elements):
        a = group.sample(generator)
        error = _consistency_error(a, system, g, g_inv, generator, samples)
        if not error < tolerance:
            raise AssertionError(f"the encoder a∘g^-1 for a = {a} in the group is inconsistent (error {error:.3g})")
    candidate = tuple(system.parse_map(outside, field="outside")) if outside is not None else _outside(group, generator)
    if outside is not None and candidate is not None and group.contains(candidate):  # its consistency would prove nothing
        raise SpecError("outside", str(candidate), "a map that is not in the group (this one is a member)")
    if candidate is not None:
        error = _consistency_error(candidate, system, g, g_inv, generator, samples)
        if error < 1e-3:
            raise AssertionError(f"the map {candidate}, outside the group, still gives a consistent encoder (error {error:.3g})")
    return group


def _outside(group: EquivarianceGroup, rng: np.random.Generator) -> tuple[sympy.Expr, ...] | None:
    """A random affine map with small integer entries that is not in the group (None if
    every draw lands in it, e.g. for GL(n))."""
    latents = sympy.Matrix(group.latents)
    n = len(group.latents)
    for _ in range(50):
        B = sympy.Matrix(rng.integers(-3, 4, size=(n, n)).tolist())
        if B.det() == 0:
            continue
        c = sympy.Matrix(rng.integers(-2, 3, size=n).tolist()) if group.ansatz.has_constant else sympy.zeros(n, 1)
        candidate = tuple(B * latents + c)
        if not group.contains(candidate):
            return candidate
    return None


def assert_case(tree: Any, values: Any, case: Any = None, statement: Callable[[EquivarianceGroup], Any] | None = None) -> EquivarianceGroup:
    """Assert that the specialised solve at ``values`` agrees with the case of ``tree``
    that holds them (or with ``case``, which must hold them): the same dimension, and
    the components, order and name where the case reports them; then ``statement(group)``
    (a predicate on the specialised group) if given. Returns the specialised group.

    Parameters
    ----------
    tree : CaseTree
        The case tree of a system with parameters (:func:`equivid.solve_cases`).
    values : mapping or str
        A value for each parameter, by name or symbol (``{"a": 3, "b": 3}``), or as text
        (``"a=3, b=3"``).
    case : Case, optional
        The case that must hold ``values`` (default: whichever of ``tree`` holds them).
    statement : callable, optional
        A predicate on the specialised group that must hold.

    Returns
    -------
    EquivarianceGroup
        The group of the system specialised at ``values``.

    Raises
    ------
    AssertionError
        If ``case`` does not hold ``values``, the specialised solve disagrees with the case,
        or ``statement`` is false.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"], ansatz="linear")
    >>> tree = equivid.solve_cases(system)
    >>> assert_case(tree, {"a": 3, "b": 3}, statement=lambda g: g.name == "GL(2)").dimension
    4
    >>> assert_case(tree, {"a": 3, "b": 3}, tree.generic)
    Traceback (most recent call last):
    ...
    AssertionError: the values a = 3, b = 3 are not in the case generic (a - b != 0)
    """
    from ..parameters import parse_values

    subs = parse_values(values, tree.parameters, tree.system.constraints, field="values")
    text = ", ".join(f"{s} = {v}" for s, v in subs.items())
    held = tree.case_of(subs)
    if case is not None and held is not case:
        raise AssertionError(f"the values {text} are not in the case {case.conditions}")
    from .. import solve

    group = solve(tree.system.at(subs), ansatz=tree.ansatz)
    diff = [f"{key}: the case says {want!r}, the solve at {text} gives {got!r}"
            for key, want, got in (("dimension", held.dimension, group.dimension),
                                   ("components", held.components, group.components),
                                   ("order", held.order, group.order))
            if want is not None and want != got]
    if held.name is not None and not held.name.startswith("at ") and held.name != group.description:
        diff.append(f"name: the case says {held.name!r}, the solve at {text} gives {group.description!r}")
    if diff:
        raise AssertionError(f"case {held.conditions}: " + "; ".join(diff))
    if statement is not None and not statement(group):
        raise AssertionError(f"the statement does not hold at {text} (case {held.conditions}): {group.description}")
    return group
