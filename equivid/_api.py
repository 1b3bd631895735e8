"""The public entry points that tie the layers together."""

from __future__ import annotations

import time

from . import render as render  # registers the text and LaTeX printers of a group
from ._budget import budget_seconds
from ._progress import note
from .ansatz import Ansatz
from .groups import EquivarianceGroup
from .mechanisms import System
from .proofs import ProofSketch, sketch_group
from .solve import CheckReport, check_solution, examined, solve_system
from .solve import classify as _classify
from .solve._lie import LieResult
from .solve._lie import lie_algebra as _lie_algebra

__all__ = ["solve", "lie_algebra", "check", "sketch", "classify"]


def solve(system: System, *, ansatz: str | Ansatz | None = None, part: str | None = None,
          cross_examine: bool | None = None) -> EquivarianceGroup:
    """The group of invertible maps ``a`` in ``ansatz`` with ``a∘m = m∘a`` for every mechanism.

    ``ansatz`` defaults to the spec's ``ansatz:`` key, else ``"affine"``. Every
    reported generator and element has been verified by substitution (:func:`check`).
    ``part`` pins one solver part (``equivid.solve.classify`` lists those that match).

    ``cross_examine``: None (default) runs a quick independent numeric search for missed
    elements (:data:`equivid.examine.QUICK`) behind answers whose completeness rests on a
    hand-picked candidate list (non-polynomial mechanisms, noise, classes); True runs the
    full search (:func:`equivid.cross_examine`'s defaults) behind any answer; False runs
    none; either search stops at what the solve left of the wall-clock budget
    (``--budget``, ``EQUIVID_BUDGET_SECONDS``) if that comes first, and says so. A proved missed element is added to the answer or makes it a lower bound naming
    the element (:func:`equivid.examine.incorporate`); ``group.examination`` holds the report.

    Parameters
    ----------
    system : System
        The latents and mechanisms; without parameters (for those, use
        :func:`equivid.solve_cases`, or ``system.at(...)`` for given values).
    ansatz : str or Ansatz, optional
        The class searched: ``"linear"``, ``"affine"``, ``"polynomial:D"`` or
        ``"finite"``; default the spec's ``ansatz:`` key, else ``"affine"``.
    part : str, optional
        The name of the solver part to use (it must match the system); default the
        first that matches.
    cross_examine : bool, optional
        None (default): the quick numeric search where completeness rests on a
        candidate list; True: the full search; False: none.

    Returns
    -------
    EquivarianceGroup
        The verified answer: its dimension, general element, Lie algebra, discrete part
        and whether it is complete for the class searched.

    Raises
    ------
    SpecError
        If ``system`` is not a :class:`System`, has parameters, or an argument has a bad
        value.
    UnsupportedMechanismError
        If no solver part (or not the part named) handles the system.
    VerificationError
        If an answer fails its substitution check (it is never reported).

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> group = equivid.solve(system)
    >>> group.dimension, group.general_element
    (4, (t1*z2 + t3 + z1, t2*z2 + t4))
    """
    if not isinstance(system, System):
        from .errors import SpecError

        raise SpecError("system", type(system).__name__, "an equivid.System")
    if cross_examine not in (None, True, False):
        from .errors import SpecError

        raise SpecError("cross_examine", cross_examine, "None (the default), True or False")
    if system.parameters:
        from .errors import SpecError

        raise SpecError("parameters", ", ".join(s.name for s in system.parameters),
                        "no parameters for equivid.solve: use equivid.solve_cases(system) for the case tree, "
                        "or system.at(...) for given values")
    chosen = Ansatz.parse(ansatz if ansatz is not None else system.ansatz, field="ansatz")
    started = time.monotonic()
    group = EquivarianceGroup.from_solution(system, solve_system(system, chosen, part=part))
    if cross_examine is False or (cross_examine is None and not examined(group.solution.parts[0])):
        return group
    from .examine import QUICK, incorporate
    from .examine import cross_examine as examine

    note("cross-examining (a numeric search for missed elements)")
    options = dict(QUICK) if cross_examine is None else {}
    left = budget_seconds() - (time.monotonic() - started)  # what the solve left of the budget
    options["budget_seconds"] = max(0.01, min(options.get("budget_seconds", 10.0), left))
    return incorporate(group, examine(group, **options))


def check(group: EquivarianceGroup) -> CheckReport:
    """Re-verify ``group`` against its system by exact substitution (the counterpart of
    sympy's ``checkodesol``): the report names every element that fails.

    Checked: the general element is the identity at the identity parameters and commutes
    with every mechanism; every Lie generator satisfies the infinitesimal condition;
    every discrete element commutes; the family's tangent fields lie in the span of the
    Lie algebra; for affine mechanisms the Lie algebra's dimension is recounted; a finite
    answer's elements are closed under composition; finite-state generators commute and
    their order is re-derived; class and noise answers satisfy their defining condition.
    The solver runs the same check on every result before returning it.

    Parameters
    ----------
    group : EquivarianceGroup
        A solved group (from :func:`solve`).

    Returns
    -------
    CheckReport
        ``ok`` (whether every check passed), ``failures`` (one line per element that
        failed) and ``checked`` (what was checked).

    Raises
    ------
    SpecError
        If ``group`` is not an :class:`EquivarianceGroup`.

    Examples
    --------
    >>> import dataclasses, equivid
    >>> group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
    >>> equivid.check(group).ok
    True
    >>> z1, z2 = group.latents
    >>> tampered = dataclasses.replace(group.solution, discrete=((z2, z1),))
    >>> equivid.check(dataclasses.replace(group, solution=tampered)).failures
    ('the component representative (z2, z1) does not commute',)
    """
    if not isinstance(group, EquivarianceGroup):
        from .errors import SpecError

        raise SpecError("group", type(group).__name__, "an equivid.EquivarianceGroup")
    return check_solution(group.solution, group.system)


def lie_algebra(system: System, *, degree: int = 1) -> LieResult:
    """Polynomial vector fields ``X`` of degree <= ``degree`` with ``X∘m = Dm·X`` for every map
    (``[X, V] = 0`` for every flow): the Lie algebra of the equivariance group, for any
    mechanism. Each generator is verified symbolically before it is returned.

    Parameters
    ----------
    system : System
        The latents and mechanisms (maps and flows, of any kind).
    degree : int, default 1
        The largest total degree of the components of a vector field (at least 1).

    Returns
    -------
    LieResult
        A tuple of the generators, each a tuple of one sympy expression per latent, with
        ``method`` (how the condition was solved) and ``dropped`` (candidates that failed
        the symbolic check).

    Raises
    ------
    SpecError
        If ``system`` is not a :class:`System` or ``degree`` is below 1.

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"turn": ["-z2", "z1"]})
    >>> equivid.lie_algebra(system, degree=1)
    ((z2, -z1), (z1, z2))
    """
    if not isinstance(system, System):
        from .errors import SpecError

        raise SpecError("system", type(system).__name__, "an equivid.System")
    return _lie_algebra(system, degree=degree)


def sketch(system: System | EquivarianceGroup, *, ansatz: str | Ansatz | None = None) -> ProofSketch:
    """The checked proof sketch of ``solve(system, ansatz=ansatz)`` (or of a solved group).

    Parameters
    ----------
    system : System or EquivarianceGroup
        The system to solve, or a group already solved (then ``ansatz`` is not used).
    ansatz : str or Ansatz, optional
        The class searched, as in :func:`solve`.

    Returns
    -------
    ProofSketch
        The derivation step by step, each step checked, with its ``conclusion``.

    Examples
    --------
    >>> import equivid
    >>> proof = equivid.sketch(equivid.System.from_maps(["z1"], {"m": ["2*z1"]}))
    >>> proof.all_checked, proof.conclusion["complete"]
    (True, True)
    """
    if isinstance(system, EquivarianceGroup):
        return sketch_group(system)
    return sketch_group(solve(system, ansatz=ansatz))


def classify(system: System, *, ansatz: str | Ansatz | None = None) -> tuple[str, ...]:
    """The solver parts that match ``system`` (with ``ansatz``, default as in :func:`solve`),
    in the order they are tried: the first one answers ``solve(system)``.

    Parameters
    ----------
    system : System
        The latents and mechanisms.
    ansatz : str or Ansatz, optional
        The class searched, as in :func:`solve`.

    Returns
    -------
    tuple of str
        The names of the matching parts (empty when none handles the system).

    Raises
    ------
    SpecError
        If ``system`` is not a :class:`System` or ``ansatz`` is not a class.

    Examples
    --------
    >>> import equivid
    >>> equivid.classify(equivid.System.from_maps(["z1", "z2"], {"m": ["tanh(z1)", "z2"]}))
    ('non-polynomial',)
    """
    if not isinstance(system, System):
        from .errors import SpecError

        raise SpecError("system", type(system).__name__, "an equivid.System")
    chosen = Ansatz.parse(ansatz if ansatz is not None else system.ansatz, field="ansatz")
    return _classify(system, chosen)
