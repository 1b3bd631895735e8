"""The solver: one pipeline of registered parts, and one checker run after every part.

:func:`solve_system` builds a :class:`~equivid.solve.problem.Problem` (the system, the
class searched, and the facts several parts need, computed once), walks :data:`PARTS`
in order, runs the first part whose ``matches(problem)`` is true, re-verifies its
:class:`Solution` with :func:`~equivid.solve.check.check_solution` and raises
:class:`~equivid.VerificationError` when any element fails. :func:`classify` says
which parts match a system; ``solve_system(..., part=NAME)`` pins one part (tests do
this to exercise a part on a system another part would take first).

The parts, in the order they are tried:

- ``finite``: finite-state systems (``states:``), ansatz ``finite``: the automorphism
  group of the coloured functional digraph (``equivid/finite/part.py``).
- ``class``: the learner knows only a class of mechanisms (``learner:``): the set of
  ``a`` with ``a∘m∘a^{-1}`` in the class, which need not be a group (``_classes.py``).
- ``noise``: stochastic mechanisms (``noise:``): the mean maps' answer cut down by the
  linear symmetry group of the noise law (``_noise.py``).
- ``affine``: affine mechanisms, families and flows, linear/affine ansatz: the exact
  group-level solution, the Lie algebra, the components (``_affine.py``).
- ``polynomial-group``: polynomial mechanisms under a ``polynomial:D`` ansatz, and
  non-affine ones under a linear/affine ansatz (``_polynomial.py``).
- ``non-polynomial``: mechanisms such as ``tanh`` or ``sin``, linear/affine ansatz: the
  identity component from the Lie algebra, isolated elements from Taylor-jet conditions
  and signed permutations (``_nonpolynomial.py``).

How to add a solver part
------------------------
1. Write a class with a ``name`` (a short string reported in ``solver_parts``), a
   ``matches(problem) -> bool`` that only inspects the problem (cheap: it runs for every
   system), and a ``solve(problem) -> Solution``. Read the system, the ansatz and the
   shared facts from ``problem`` (``problem.forms``, ``problem.polynomial``, ...); add a
   fact to :class:`~equivid.solve.problem.Problem` as a ``cached_property`` when a
   second part needs it.
2. Return a :class:`Solution` of the right kind: a family of maps (general element,
   parameters, identity values, Lie algebra, discrete representatives, components), a
   finite-state group (``finite_group``), or a defining condition (``condition``, for
   classes and noise). Say in ``completeness`` what was searched exhaustively: a
   discrete search over a hand-picked candidate list is a lower bound
   (``Completeness.lower_bound(reason)``), and the answer's ``finite``, ``order`` and
   verdict then read "at least".
3. Do not verify in the part: the dispatcher runs the checker on every result. If your
   kind of result needs a check the checker does not do, add it to ``check.py`` with a
   test that feeds it a wrong answer.
4. Set ``examined = True`` when the completeness of the part's answers rests on a
   hand-picked candidate list: :func:`equivid.solve` then cross-examines them by default.
5. Insert an instance into :data:`PARTS` at the place where it should win over the
   parts after it, and add tests that pin it with ``solve_system(..., part=NAME)``.
6. Describe it in ``docs/architecture.md``.

Examples
--------
>>> import equivid
>>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
>>> classify(system, equivid.Ansatz.parse("affine"))
('affine', 'polynomial-group')
>>> solve_system(system, equivid.Ansatz.parse("affine"), part="polynomial-group").parts[0]
'polynomial-group'
"""

from __future__ import annotations

from typing import Protocol

from .._progress import note
from ..ansatz import Ansatz
from ..errors import SpecError, UnsupportedMechanismError, VerificationError
from ..finite.part import FinitePart
from ..mechanisms import System
from ._affine import AffinePart
from ._classes import ClassPart
from ._noise import NoisePart
from ._nonpolynomial import NonPolynomialPart
from ._polynomial import PolynomialPart
from ._result import AffineStructure, Claim, Completeness, Solution, parameter_symbols
from .check import CheckReport, check_solution
from .problem import Problem

__all__ = [
    "solve_system",
    "classify",
    "examined",
    "Solution",
    "AffineStructure",
    "Claim",
    "Completeness",
    "CheckReport",
    "check_solution",
    "Problem",
    "Part",
    "PARTS",
    "parameter_symbols",
]


class Part(Protocol):
    """A solver part: ``matches`` inspects a problem, ``solve`` answers it. ``examined``:
    whether the completeness of its answers rests on a hand-picked candidate list, so that
    :func:`equivid.solve` cross-examines them by default (:mod:`equivid.examine`)."""

    name: str
    examined: bool

    def matches(self, problem: Problem) -> bool: ...

    def solve(self, problem: Problem) -> Solution: ...


class _NoiseAdapter:
    """The noise part through the part protocol (it keeps its ``(system, ansatz)`` methods
    for callers that build mean systems of their own)."""

    name = "noise"
    #: Cross-examined by default: products of laws are searched over coordinates of equal law.
    examined = True

    def __init__(self) -> None:
        self.part = NoisePart()

    def matches(self, problem: Problem) -> bool:
        return bool(self.part.matches(problem.system, problem.ansatz))

    def solve(self, problem: Problem) -> Solution:
        return self.part.solve(problem.system, problem.ansatz)


AFFINE_PART = AffinePart()
#: The parts, in the order :func:`solve_system` tries them.
PARTS: tuple[Part, ...] = (
    FinitePart(), ClassPart(), _NoiseAdapter(), AFFINE_PART, PolynomialPart(), NonPolynomialPart(),
)


def examined(name: str) -> bool:
    """Whether answers of the part called ``name`` are cross-examined by default.

    >>> examined("non-polynomial"), examined("affine")
    (True, False)
    """
    return any(part.examined for part in PARTS if part.name == name)


def classify(system: System, ansatz: Ansatz) -> tuple[str, ...]:
    """The names of the parts that match ``system`` with ``ansatz``, in the order tried."""
    problem = Problem(system, ansatz)
    return tuple(part.name for part in PARTS if part.matches(problem))


def solve_system(system: System, ansatz: Ansatz, *, part: str | None = None) -> Solution:
    """Solve ``a∘m = m∘a`` for ``a`` in ``ansatz`` and every mechanism ``m``, verified.

    The first matching part answers (or the part named ``part``, which must match); its
    result is re-verified by the checker, and a failure raises ``VerificationError``."""
    problem = Problem(system, ansatz)
    if part is not None:
        chosen = [p for p in PARTS if p.name == part]
        if not chosen:
            raise SpecError("part", part, "one of " + ", ".join(p.name for p in PARTS))
        if not chosen[0].matches(problem):
            raise UnsupportedMechanismError(f"the solver part {part!r} does not match this system")
    else:
        first = next((p for p in PARTS if p.matches(problem)), None)  # the later parts are not asked
        chosen = [first] if first is not None else []
    if not chosen:
        raise _refuse(problem)
    note(f"solving ({chosen[0].name})")
    solution = chosen[0].solve(problem)
    note("checking the answer")
    report = check_solution(solution, system)
    if not report.ok:
        raise VerificationError(f"the {chosen[0].name} part's answer failed its check: " + "; ".join(report.failures))
    return solution


def _refuse(problem: Problem) -> Exception:
    system, ansatz = problem.system, problem.ansatz
    if problem.finite:
        return SpecError("ansatz", str(ansatz), "finite (a finite-state system has only permutations of its states)")
    gens = system.latents + system.families
    for m in system.mechanisms:
        if all(c.is_polynomial(*gens) for c in m.components):
            continue
        where = f"{'flows' if m.is_flow else 'mechanisms'}.{m.name}"
        got = ", ".join(map(str, m.components))
        if ansatz.kind == "polynomial":
            return UnsupportedMechanismError(
                f"{where}: a polynomial:D ansatz needs polynomial mechanisms (got {got}); use "
                "--ansatz affine, or equivid.lie_algebra(system, degree=D) for the Lie algebra"
            )
        return UnsupportedMechanismError(
            f"{where}: mechanisms that are not polynomial are solved without family symbols only "
            f"(got {got} with families {', '.join(map(str, system.families))}); "
            "equivid.lie_algebra(system, degree=D) gives the Lie algebra"
        )
    return UnsupportedMechanismError("no solver part matches this system")  # pragma: no cover

