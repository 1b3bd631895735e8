"""Steps and proof sketches: data first (claims, justifications, sympy objects), printed last.

Every :class:`Step` is built by a function that also checks it (sympy substitution,
exact ranks, tables); a step whose check could not be run carries ``checked=False``
and the ``reason``, and the printers say "asserted, not checked".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sympy

from ..mechanisms import Mechanism, System

if TYPE_CHECKING:
    from ..groups import EquivarianceGroup

__all__ = ["Step", "ProofSketch", "KINDS", "Failure", "joined", "run_check", "combine", "consistency_step", "conclusion_step",
           "equation_objects", "SHOW", "SCOPE_REASON"]

#: The kinds of steps, in the order a person argues.
KINDS = (
    "consistency", "ansatz", "equations", "law", "solution", "invertibility", "discrete", "conclusion", "outside",
)
#: The consistency identity is checked with undefined functions up to this many latents.
FORMAL_UP_TO = 8
#: Equations, elements or table entries listed one by one up to this many; beyond, by pattern and count.
SHOW = 12


@dataclass(frozen=True)
class Step:
    """One step: a claim, why it holds, the sympy objects behind it, and whether sympy checked it.

    ``objects`` are ``(label, value)`` pairs: sympy expressions, equations (``sympy.Eq``),
    matrices, tuples of expressions, or plain strings for what has no formula.
    ``checks`` says what was verified; ``reason`` why the step is not checked.
    """

    kind: str
    claim: str
    justification: str
    objects: tuple[tuple[str, Any], ...] = ()
    checked: bool = True
    checks: tuple[str, ...] = ()
    reason: str = ""
    scope: bool = False  # a statement of what was searched: not a claim, nothing to check

    def __post_init__(self) -> None:
        if self.failed and self.checked:
            raise ValueError(f"step {self.kind!r}: a step whose check failed is not checked")
        if self.kind not in KINDS:
            raise ValueError(f"kind: got {self.kind!r}, expected one of {', '.join(KINDS)}")
        if not self.checked and not self.reason:
            raise ValueError(f"step {self.kind!r}: an unchecked step needs a reason")
        if self.scope and self.checked:
            raise ValueError(f"step {self.kind!r}: a statement of scope is not checked (checked=False, with its reason)")

    @property
    def failed(self) -> bool:
        """Whether a check ran and refuted the claim (its reason is a :class:`Failure`), not one
        skipped or unable to run."""
        return isinstance(self.reason, Failure)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "claim": self.claim,
            "justification": self.justification,
            "checked": self.checked,
            "failed": self.failed,
            "scope": self.scope,
            "checks": list(self.checks),
            "reason": self.reason or None,
            "objects": [{"label": label, "value": _text(value)} for label, value in self.objects],
        }


@dataclass(frozen=True)
class ProofSketch:
    """A derivation of one identifiability result: steps in order, each checked when built.

    ``conclusion`` holds what the group reports (verdict, name, dimension, ...), so a
    reader can compare the sketch with ``equivid analyze``.

    Built by :meth:`EquivarianceGroup.sketch <equivid.EquivarianceGroup.sketch>` or
    :func:`equivid.sketch`, not by hand.

    Parameters
    ----------
    title : str
        The heading (``"Identifiability under grow"``).
    setting : str
        What kind of mechanisms the argument is about (exactly known maps, a class,
        noise, finite states).
    steps : tuple of Step
        The steps in the order a person argues, each checked when it was built.
    conclusion : dict, optional
        What the group reports (verdict, name, dimension, completeness, mechanisms, ...).

    Examples
    --------
    >>> import equivid
    >>> system = equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})
    >>> proof = equivid.solve(system, ansatz="affine").sketch()
    >>> proof
    <ProofSketch 'Identifiability under grow': 8 steps, all steps checked>
    >>> proof.kinds
    ('consistency', 'ansatz', 'equations', 'solution', 'invertibility', 'discrete', 'conclusion', 'outside')
    >>> proof.step("solution").claim
    'The solutions form a family with 2 free parameters (t1, t2)'
    >>> proof.to_markdown().splitlines()[0]
    '# Identifiability under grow'
    >>> latex = proof.to_latex(fragment=True)
    >>> "section*{Identifiability under grow}" in latex, "documentclass" in latex
    (True, False)
    """

    title: str
    setting: str
    steps: tuple[Step, ...]
    conclusion: dict[str, Any] = field(default_factory=dict)

    @property
    def all_checked(self) -> bool:
        """Whether every step that makes a claim was checked (statements of scope claim nothing)."""
        return all(step.checked for step in self.steps if not step.scope)  # statements of scope claim nothing

    @property
    def failed(self) -> bool:
        """Whether a step's check ran and refuted its claim: the sketch must not be trusted
        (``equivid sketch`` exits with status 1). A step that was only not checked (skipped
        for size, or its check could not run) is not a failure."""
        return any(step.failed for step in self.steps)

    @property
    def kinds(self) -> tuple[str, ...]:
        """The kinds of the steps, in order (``"consistency"``, ``"ansatz"``, ...; see ``KINDS``)."""
        return tuple(step.kind for step in self.steps)

    def step(self, kind: str) -> Step:
        """The first step of a kind (``KeyError`` if there is none).

        Parameters
        ----------
        kind : str
            One of ``KINDS`` (``"consistency"``, ``"ansatz"``, ``"equations"``, ...).

        Returns
        -------
        Step
            The first step with that kind.

        Raises
        ------
        KeyError
            Where no step has that kind.
        """
        for s in self.steps:
            if s.kind == kind:
                return s
        raise KeyError(kind)

    def to_dict(self) -> dict[str, Any]:
        """The sketch as a JSON-ready object.

        Returns
        -------
        dict
            ``title``, ``setting``, ``all_checked``, ``steps`` (each step's dict: kind, claim,
            justification, checked, scope, checks, reason and its objects as text) and
            ``conclusion``.
        """
        return {
            "title": self.title,
            "setting": self.setting,
            "all_checked": self.all_checked,
            "steps": [s.to_dict() for s in self.steps],
            "conclusion": dict(self.conclusion),
        }

    def to_markdown(self) -> str:
        """The sketch in Markdown: title, setting, result, then each step with its status.

        Returns
        -------
        str
            Markdown text, formulas as ``$...$`` math.
        """
        from ._render import markdown

        return markdown(self)

    def to_latex(self, *, fragment: bool = False) -> str:
        """A standalone LaTeX document (``article``, ``amsmath``, ``amssymb``), or with
        ``fragment`` its body alone, to ``\\input`` into a paper.

        Parameters
        ----------
        fragment : bool, optional
            Whether to give the body alone (a ``\\section*`` for the title, the steps as
            ``\\subsection*``) instead of a standalone document (default False).

        Returns
        -------
        str
            The LaTeX source, ending in a newline.
        """
        from ._render import latex

        return latex(self, fragment=fragment)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def _repr_html_(self) -> str:
        from ._render import html

        return html(self)

    def __repr__(self) -> str:  # short: the dataclass repr printed every step
        checked = "all steps checked" if self.all_checked else "not every step checked"
        return f"<ProofSketch {self.title!r}: {len(self.steps)} steps, {checked}>"

    def __str__(self) -> str:
        return self.to_markdown()


def _text(value: Any) -> Any:
    if isinstance(value, sympy.Equality):
        return f"{value.lhs} = {value.rhs}"
    if isinstance(value, sympy.MatrixBase):
        return str(value.tolist())
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(str(_text(v)) for v in value) + ("," if len(value) == 1 else "") + ")"
    return str(value)


class Failure(str):
    """A step's reason that records a check which ran and refuted the claim (a plain ``str``
    reason is a check skipped or unable to run). A :class:`Step` with such a reason is
    ``failed``; :func:`combine` and :func:`joined` keep the mark."""


def joined(*reasons: str) -> str:
    """``reasons`` joined by ``"; "`` (the empty ones left out), a :class:`Failure` if one of them is."""
    text = "; ".join(r for r in reasons if r)
    return Failure(text) if any(isinstance(r, Failure) for r in reasons) else text


def run_check(check: Callable[..., Any], what: str) -> tuple[bool, str]:
    """Run one check; ``(ok, reason)`` where a failed or crashed check gives its reason (a
    :class:`Failure` when the check ran and said no; a plain reason when it could not run)."""
    try:
        result = check()
    except Exception as exc:  # noqa: BLE001 - a check that cannot run is reported, never raised
        return False, f"{what}: the check could not run ({type(exc).__name__}: {exc})"
    if result is True:
        return True, ""
    return False, Failure(f"{what}: {result if isinstance(result, str) else 'failed'}")


def combine(results: Sequence[tuple[bool, str]]) -> tuple[bool, str]:
    """``(every check passed, the reasons of those that did not)``; a :class:`Failure` if one failed."""
    reasons = [r for ok, r in results if not ok]
    return (not reasons, joined(*reasons))


# -- step 1: the consistency condition -------------------------------------------------------
def _functions(prefix: str, count: int) -> list[Any]:
    return [sympy.Function(f"{prefix}{k + 1}") for k in range(count)]


def consistency_step(system: System, *, learned: str = "m", noise: bool = False) -> Step:
    """``f(x') = m(f(x))`` with ``x = g(z)`` becomes ``a∘m = m∘a`` (``a = f∘g``), checked with
    undefined functions ``f``, ``g``: replacing ``a_i(w)`` by ``f_i(g(w))`` turns one into the other.

    ``learned``: ``"m"`` (exact mechanisms), ``"h"`` (a class: ``a∘m = h∘a``)."""
    z = system.latents
    n = len(z)
    a, f, g = _functions("a", n), _functions("f", n), _functions("g", n)
    results = []
    objects: list[tuple[str, Any]] = []
    if n > FORMAL_UP_TO:
        results.append((False, f"n = {n}: the formal substitution with {n} undefined functions of {n} arguments is "
                               "skipped for speed (it is the same identity for every n)"))
    for mechanism in system.mechanisms if n <= FORMAL_UP_TO else ():
        ok, obj = _consistency(mechanism, z, a, f, g, learned)
        results.append(run_check(lambda ok=ok: ok, f"{mechanism.name}"))
        if len(objects) < 4 and obj is not None:
            objects.append((mechanism.name, obj))
    ok, reason = combine(results)
    flows = bool(system.flows)
    if learned == "h":
        claim = "Consistency with a class reads a∘m = h∘a for some h in H, i.e. a∘m∘a^{-1} in H, for every mechanism m"
        just = (
            "With x = g(z) and x' = g(m(z)), the learner's f(x') = h(f(x)) reads f(g(m(z))) = h(f(g(z))); "
            "write a = f∘g (docs/theory.md#result-2-a-known-class-of-mechanisms)."
        )
    elif noise:
        claim = "Consistency in distribution: a(m(z) + eps) has the law of m(a(z)) + eps for every z"
        just = (
            "The learner's encoded transitions must follow the same stochastic mechanism (docs/theory.md#result-3-stochastic-mechanisms); "
            "for affine a(z) = Bz + c this splits into a condition on the means and one on the noise (step 3)."
        )
    else:
        claim = "Consistency of the encoder f with every mechanism m is a∘m = m∘a, where a = f∘g"
        just = (
            "With x = g(z) and x' = g(m(z)), f(x') = m(f(x)) reads f(g(m(z))) = m(f(g(z))) "
            "(docs/theory.md#result-1-exact-mechanisms)."
        )
        if flows:
            claim += "; for a flow of V it is Da(z) V(z) = V(a(z)), i.e. [a_* V = V]"
            just += (
                " For a flow dz/dt = V(z) the encoded path f(g(z(t))) must solve the same ODE: by the chain rule "
                "d/dt a(z(t)) = Da(z) V(z) = V(a(z))."
            )
    checks: tuple[str, ...] = ("replacing a_i(w) by f_i(g(w)) turns a∘m - m∘a into f(g(m(z))) - m(f(g(z))) (sympy, undefined f, g)",)
    if flows:
        checks += ("for flows: d/dt a(z(t)) with dz/dt = V(z) equals Da(z) V(z) (sympy chain rule)",)
    return Step("consistency", claim, just, tuple(objects), ok, checks if ok else (), reason)


def _consistency(mechanism: Mechanism, z: Sequence[sympy.Symbol], a: list[Any], f: list[Any], g: list[Any],
                 learned: str) -> tuple[bool, Any]:
    m = mechanism.components
    n = len(z)
    if mechanism.is_flow:
        t = sympy.Symbol("t")
        path = [sympy.Function(f"_path{k}")(t) for k in range(n)]
        along = [ai(*path) for ai in a]
        moved = [sympy.diff(e, t).subs({sympy.Derivative(p, t): v.xreplace(dict(zip(z, path)))
                                        for p, v in zip(path, m)}) for e in along]
        pushed = sympy.Matrix([[sympy.diff(ai(*z), zj) for zj in z] for ai in a]) * sympy.Matrix(m)
        back = {p: zj for p, zj in zip(path, z)}
        ok = all(sympy.simplify(u.xreplace(back) - v) == 0 for u, v in zip(moved, pushed))
        image = [ai(*z) for ai in a]
        rhs = [v.xreplace(dict(zip(z, image))) for v in m]
        return ok, sympy.Eq(sympy.Tuple(*pushed), sympy.Tuple(*rhs), evaluate=False)
    inner = [gk(*z) for gk in g]
    image_m = [gk(*m) for gk in g]
    # f(g(m(z))) - m(f(g(z))): the learner's condition on the observations
    encoded = [fi(*inner) for fi in f]
    learner = [fi(*image_m) - v.xreplace(dict(zip(z, encoded))) for fi, v in zip(f, m)]
    # a(m(z)) - m(a(z)) with a = f∘g substituted
    a_now = [ai(*z) for ai in a]
    condition = [ai(*m) - v.xreplace(dict(zip(z, a_now))) for ai, v in zip(a, m)]
    replaced = [
        e.replace(lambda x: x.func in a, lambda x: f[a.index(x.func)](*[gk(*x.args) for gk in g]))
        for e in condition
    ]
    ok = all(sympy.expand(u - v) == 0 for u, v in zip(replaced, learner))
    lhs = sympy.Tuple(*[ai(*m) for ai in a])
    rhs = sympy.Tuple(*[v.xreplace(dict(zip(z, a_now))) for v in m]) if learned != "h" else sympy.Tuple(
        *[sympy.Function(f"h{k + 1}")(*a_now) for k in range(n)])
    if n > 4:
        return ok, None
    return ok, sympy.Eq(lhs, rhs, evaluate=False)


# -- the last steps -------------------------------------------------------------------------
def conclusion_step(group: EquivarianceGroup, verified: Sequence[tuple[bool, str]], objects: Sequence[tuple[str, Any]] = ()) -> Step:
    """The verdict, checked against the steps before it (dimension, components, identity)."""
    ok, reason = combine(verified)
    shown: list[tuple[str, Any]] = list(objects)
    if group.general_element and len(group.latents) <= 8:
        shown.insert(0, ("general element", sympy.Eq(sympy.Function("a")(*group.latents),
                                                     sympy.Tuple(*group.general_element), evaluate=False)))
    claim = group.verdict[0].upper() + group.verdict[1:]
    detail = f"name: {group.name or group.description}; dimension {group.dimension}"
    partial = {key: c for key, c in group.completeness.items() if not c.complete and key != "identifiable_properties"}
    if group.solution.completeness.infinite_discrete:
        detail += "; infinitely many components"
    elif group.order is not None:
        detail += f"; order {'at least ' if 'order' in partial else ''}{group.order}"
    elif group.components is not None:
        detail += f"; {'at least ' if 'components' in partial else ''}{group.components} component{'s' if group.components != 1 else ''}"
    if partial:
        reasons = "; ".join(sorted({c.reason for c in partial.values()}))
        scope = (f"Result 1 (docs/theory.md#result-1-exact-mechanisms) makes every element found sound; the answer "
                 f"is a lower bound, not complete within the class searched: {', '.join(partial)} ({reasons}).")
    else:
        scope = ("Result 1 (docs/theory.md#result-1-exact-mechanisms) makes it sound and complete within the "
                 "class searched.")
    return Step(
        "conclusion", claim, f"From the steps above ({detail}). {scope}", tuple(shown), ok,
        ("the dimension, components and identity reported agree with the checked steps",) if ok else (), reason,
    )


#: What a statement of scope says in place of a check.
SCOPE_REASON = "a statement of scope (what was searched), not a claim: nothing to check"


def equation_objects(equations: Sequence[sympy.Expr], label: str) -> list[tuple[str, Any]]:
    """Equations ``e = 0`` listed when few, else the first few and a count."""
    shown = [(label if k == 0 else "", sympy.Eq(e, 0)) for k, e in enumerate(equations[:SHOW])]
    if len(equations) > SHOW:
        shown.append(("", f"... and {len(equations) - SHOW} more of the same form"))
    return shown
