"""Printers for an :class:`~equivid.groups.EquivarianceGroup`: text, Markdown, LaTeX.

Data first, printing last: these functions only read the group's attributes.
"""

from __future__ import annotations

import sympy

from ._citations import cite
from .groups import PRESENTERS, EquivarianceGroup
from .solve._result import finite_of

__all__ = ["text_report", "markdown_report", "latex_report", "latex_group", "html_report", "notebook_markdown", "short_repr"]


def _arguments(latents: tuple[sympy.Symbol, ...]) -> str:
    """``(z1, z2)``, and ``(z1)`` for one latent: the arguments of ``a``, not a tuple."""
    return "(" + ", ".join(str(z) for z in latents) + ")"


def _map(components: tuple[sympy.Expr, ...]) -> str:
    return "(" + ", ".join(str(e) for e in components) + ("," if len(components) == 1 else "") + ")"


def _degree_lines(group: EquivarianceGroup, degree: int | None) -> list[str]:
    """What the learner can recover, and the dimension profile (when a degree is given)."""
    if degree is None or group.solution.kind == "finite":
        return []
    lines = []
    if group.solution.is_group is not False and group.solution.kind == "family":
        lines.extend(_recoverable_lines(group, degree))
    elif group.solution.is_group is not False:
        recovered = group.identifiable_properties(degree)
        shown = ", ".join(str(e) for e in recovered) if recovered else (
            f"nothing of degree <= {degree} (every polynomial property is changed by some element)"
        )
        claim = group.completeness["identifiable_properties"]
        scope = "" if claim.complete else ", within the searched class only"
        lines.append(f"recoverable: {shown}  [invariants of the group, degree <= {degree}{scope}]")
    if group.solution.kind == "family":
        profile = group.dimension_profile(degree)
        dims = ", ".join(f"{d}: {k}" for d, k in profile.items())
        verdict = {
            True: "stable: finite-dimensional",
            False: "still growing: infinite-dimensional in this class",
            None: "not decided",
        }[profile.finite_dimensional]
        lines.append(f"profile:    Lie algebra dimension by degree {dims} ({verdict})")
        if profile.invariants:
            lines.append(
                "            driven by the invariant functions of the mechanisms "
                f"(I∘m = I): {', '.join(str(e) for e in profile.invariants)}"
            )
    return lines


def _recoverable_lines(group: EquivarianceGroup, degree: int) -> list[str]:
    """What is recoverable, with what elements outside the class exclude and what remains a candidate."""
    found = group.recoverable(degree)
    changed = "changed by some element" + (", or by a mechanism that may be one" if found.excluded else "")
    shown = (", ".join(str(e) for e in found.properties) if found.properties
             else f"nothing of degree <= {degree} (every polynomial property is {changed})")
    scope = f"complete among {found.scope} maps" if found.scope else "within the searched class only"
    lines = [f"recoverable: {shown}  [invariants of everything known in the group, degree <= {degree}; {scope}]"]
    for phi, by in found.excluded:
        lines.append(f"            not {phi}: invariant within the class, but changed by {', '.join(by)}")
    if found.candidates:
        lines.append(f"            candidates: functions of {', '.join(str(e) for e in found.candidates)} (every "
                     "recoverable property is a first integral of the flows in the group)")
    return lines


def beyond_lines(group: EquivarianceGroup) -> list[tuple[str, str]]:
    """``(label, text)`` rows on what lies beyond the searched class: where the answer is
    complete, the elements known outside the class, the first integrals behind them."""
    if group.solution.kind in ("class", "noise"):
        return []
    completion = group.complete_in
    rows = []
    if completion.within is None:
        rows.append(("complete in", f"not determined: {completion.reason}"))
    elif completion.beyond_class:
        rows.append(("complete in", f"{completion.within} maps, by {completion.theorem}"))
    else:
        rows.append(("complete in", f"{group.ansatz} only: " + (
            "elements outside it are known (below)" if group.outside_class else "maps outside it were not searched")
            + (f"; {completion.hint}" if completion.hint else "")))
    for e in group.outside_class:
        rows.append(("outside", f"{e.description} [{e.checked}]"))
    integrals = [e for e in group.outside_class if e.integrals]
    if integrals:
        rows.append(("integrals", ", ".join(str(i) for i in integrals[0].integrals) + " (first integrals, proved)"))
    return rows


def text_report(group: EquivarianceGroup, degree: int | None = None) -> str:
    """A report for people: name, verdict, general element, generators, class searched;
    with ``degree`` also what the learner can recover and the dimension profile."""
    if group.solution.kind == "finite":
        return "\n".join(_finite_lines(group))
    lines = [
        f"group:      {group.description}",
        f"verdict:    {group.verdict}",
        f"searched:   {group.ansatz} ({group.ansatz.describe()})",
        f"dimension:  {group.dimension}",
    ]
    partial = {key: claim for key, claim in group.completeness.items()
               if not claim.complete and key != "identifiable_properties"}
    if group.solution.completeness.infinite_discrete:
        lines.append("components: infinitely many (an infinite discrete part)")
    elif group.finite:
        lines.append(f"order:      {group.order}")
    elif group.finite is None and group.order is not None:
        lines.append(f"order:      at least {group.order}")
    elif group.components is not None:
        lines.append(f"components: {'at least ' if 'components' in partial else ''}{group.components}")
    if partial:
        reasons = sorted({claim.reason for claim in partial.values()})
        lines.append(f"complete:   no, a lower bound: {', '.join(partial)} ({'; '.join(reasons)})")
    else:
        lines.append(f"complete:   yes, within {group.ansatz.describe()}")
    lines.extend(f"{label + ':':11s} {text}" for label, text in beyond_lines(group))
    latents = _arguments(group.latents)
    lines.append(f"element:    a{latents} = {_map(group.general_element)}")
    if group.parameters:
        lines.append(f"parameters: {', '.join(p.name for p in group.parameters)}")
    if group.conditions:
        lines.append(f"invertible: {' and '.join(f'{c} != 0' for c in group.conditions)}")
    if group.lie_algebra:
        lines.append("Lie algebra (vector fields):")
        lines.extend(f"  X{k + 1} = {_map(X)}" for k, X in enumerate(group.lie_algebra))
    if group.discrete:
        lines.append("other components, represented by:")
        lines.extend(f"  {_map(a)}" for a in group.discrete)
    lines.extend(_degree_lines(group, degree))
    for note in group.notes:
        lines.append(f"note: {note}")
    return cite("\n".join(lines))


def _markdown_head(group: EquivarianceGroup) -> list[str]:
    """Title, verdict and the class searched: the lines every Markdown report opens with."""
    return [
        f"## {group.description}",
        "",
        f"**Verdict.** {group.verdict}.",
        "",
        f"- class searched: `{group.ansatz}` ({group.ansatz.describe()})",
    ]


def markdown_report(group: EquivarianceGroup) -> str:
    """The same report as Markdown."""
    if group.solution.kind == "finite":
        return _finite_markdown(group)
    latents = _arguments(group.latents)
    rows = _markdown_head(group) + [
        f"- dimension: {group.dimension}",
        f"- finite: {group.finite}" + (f", order {group.order}" if group.finite else
                                       f", order at least {group.order}" if group.finite is None and group.order else ""),
        "- complete: " + ("yes, within the class searched" if group.complete else "no, a lower bound: " + "; ".join(
            sorted({c.reason for k, c in group.completeness.items() if not c.complete and k != "identifiable_properties"}))),
        f"- general element: `a{latents} = {_map(group.general_element)}`",
    ]
    rows.extend(f"- {label}: {text}" for label, text in beyond_lines(group))
    if group.conditions:
        rows.append(f"- invertible when: `{' and '.join(f'{c} != 0' for c in group.conditions)}`")
    if group.lie_algebra:
        rows.append("- Lie algebra: " + ", ".join(f"`{_map(X)}`" for X in group.lie_algebra))
    if group.discrete:
        rows.append("- other components: " + ", ".join(f"`{_map(a)}`" for a in group.discrete))
    rows.extend(f"- note: {note}" for note in group.notes)
    return cite("\n".join(rows) + "\n")


def latex_group(group: EquivarianceGroup) -> str:
    """The group as a LaTeX set, e.g. ``\\{ z \\mapsto (t_1 z_1, t_2 z_2) : t_1 t_2 \\neq 0 \\}``."""
    if group.solution.kind == "finite":
        return _finite_latex(group)
    element = r"\left(" + ", ".join(sympy.latex(e) for e in group.general_element) + r"\right)"
    condition = r" \wedge ".join(f"{sympy.latex(c)} \\neq 0" for c in group.conditions)
    body = r"z \mapsto " + element
    return r"\left\{ " + body + (r" \;:\; " + condition if condition else "") + r" \right\}"


def latex_report(group: EquivarianceGroup) -> str:
    """A LaTeX fragment: the verdict and the group."""
    name = group.description.replace("^", r"\^{}")
    return (
        f"\\paragraph{{{name}}} {group.verdict}.\n"
        f"\\[ {latex_group(group)} \\]\n"
        f"Class searched: {group.ansatz.describe()}.\n"
    )


# -- finite-state systems: generators, orbits ---------------------------------------------
#: Reports list at most this many orbits and show tables of at most this many states.
SHOW_ORBITS = 12
SHOW_TABLE = 24


def _generator(g: object) -> str:
    if isinstance(g, tuple):
        return _map(g)
    cycles = g.cycles()  # type: ignore[attr-defined]
    shown = " ".join("(" + " ".join(map(str, c)) + ")" for c in cycles[:SHOW_TABLE])
    return f"cycles of state indices {shown}{' ...' if len(cycles) > SHOW_TABLE else ''}"


def _orbit(orbit: tuple[tuple[int, ...], ...]) -> str:
    states = ", ".join(_map(s) for s in orbit[:SHOW_TABLE])  # type: ignore[arg-type]
    return "{" + states + (", ..." if len(orbit) > SHOW_TABLE else "") + "}"


def _finite_lines(group: EquivarianceGroup) -> list[str]:
    data = finite_of(group.solution)
    orbits = data.orbits
    lines = [
        f"group:      {group.description}",
        f"verdict:    {group.verdict}",
        f"searched:   {group.ansatz} ({group.ansatz.describe()})",
        f"states:     {data.space.count} ({data.space.ranges()})",
        "dimension:  0",
        f"order:      {group.order}",
    ]
    lines.extend(f"{label + ':':11s} {text}" for label, text in beyond_lines(group))
    if group.generators:
        lines.append("generators:")
        lines.extend(f"  {_generator(g)}" for g in group.generators)
    moving = [o for o in orbits if len(o) > 1]
    lines.append(f"orbits:     {len(orbits)} ({len(moving)} with more than one state)")
    lines.extend(f"  {_orbit(o)}" for o in moving[:SHOW_ORBITS])
    if len(moving) > SHOW_ORBITS:
        lines.append(f"  ... {len(moving) - SHOW_ORBITS} more")
    lines.extend(f"note: {note}" for note in group.notes)
    return lines


def _finite_markdown(group: EquivarianceGroup) -> str:
    data = finite_of(group.solution)
    rows = _markdown_head(group) + [
        f"- states: {data.space.count} ({data.space.ranges()})",
        f"- finite: True, order {group.order}",
    ]
    if group.generators:
        rows.append("- generators: " + ", ".join(f"`{_generator(g)}`" for g in group.generators))
    rows.append(f"- orbits: {len(data.orbits)}")
    rows.extend(f"- note: {note}" for note in group.notes)
    return "\n".join(rows) + "\n"


def _finite_latex(group: EquivarianceGroup) -> str:
    gens = [g for g in group.generators if isinstance(g, tuple)]
    if not gens or len(gens) != len(group.generators):
        return rf"\text{{{group.description}}}"
    body = ", ".join(r"\left(" + ", ".join(sympy.latex(e) for e in g) + r"\right)" for g in gens)
    return r"\left\langle " + body + r" \right\rangle"


# -- notebooks: HTML and Markdown of a group, a short repr --------------------------------------
#: Notebook displays write out a group's set as math up to this many LaTeX characters.
NOTEBOOK_MATH = 2000


def _facts(group: EquivarianceGroup) -> list[tuple[str, str]]:
    """(label, plain text) rows shown in a notebook: the numbers and how complete they are."""
    rows = [("verdict", group.verdict)]
    if group.solution.kind == "finite" or group.finite:
        rows.append(("order", str(group.order)))
    else:
        rows.append(("dimension", str(group.dimension)))
    rows.append(("components", "not determined" if group.components is None else str(group.components)))
    rows.append(("class searched", f"{group.ansatz} ({group.ansatz.describe()})"))
    lower = sorted({c.reason for k, c in group.completeness.items() if not c.complete and k != "identifiable_properties"})
    rows.append(("complete", "yes, within the class searched" if group.complete else "no, a lower bound: " + "; ".join(lower)))
    return rows


def _set_math(group: EquivarianceGroup) -> str | None:
    """The group as LaTeX math, or None where too long to show (large maps, big state spaces)."""
    if group.solution.kind != "finite" and len(group.latents) > 8:
        return None
    body = latex_group(group)
    return body if len(body) <= NOTEBOOK_MATH else None


def html_report(group: EquivarianceGroup) -> str:
    """The group for a notebook (``_repr_html_``): its name, verdict, dimension or order,
    components, the class searched and how complete the answer is, with the set as math.

    Examples
    --------
    >>> import equivid
    >>> html = html_report(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    >>> "<strong>diagonal scalings</strong>" in html, "t_{1} z_{1}" in html
    (True, True)
    """
    from html import escape

    rows = "".join(f"<tr><th style='text-align:left'>{escape(label)}</th><td style='text-align:left'>{escape(text)}</td></tr>"
                   for label, text in _facts(group))
    math = _set_math(group)
    shown = f"<p>$${escape(math)}$$</p>" if math else ""
    return (f"<div class='equivid-group'><p><strong>{escape(group.description)}</strong></p>{shown}"
            f"<table>{rows}</table></div>")


def notebook_markdown(group: EquivarianceGroup) -> str:
    """The group as Markdown with ``$...$`` math (``_repr_markdown_``).

    Examples
    --------
    >>> import equivid
    >>> print(notebook_markdown(equivid.solve(equivid.System.from_maps(["z1"], {"grow": ["2*z1"]}))).splitlines()[0])
    **GL(1)**
    """
    lines = [f"**{group.description}**", ""]
    math = _set_math(group)
    if math:
        lines += [f"$${math}$$", ""]
    lines += [f"- {label}: {text}" for label, text in _facts(group)]
    return "\n".join(lines) + "\n"


def short_repr(group: EquivarianceGroup) -> str:
    """A one-line ``repr``: name, dimension or order, components, class.

    Examples
    --------
    >>> import equivid
    >>> short_repr(equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]})))
    "<EquivarianceGroup 'diagonal scalings': dimension 2, 4 components, searched among affine, complete>"
    """
    size = f"order {group.order}" if group.solution.kind == "finite" or group.finite else f"dimension {group.dimension}"
    parts = "components not determined" if group.components is None else (
        f"{group.components} component{'s' if group.components != 1 else ''}")
    name = group.description if len(group.description) <= 60 else group.description[:57] + "..."
    return (f"<EquivarianceGroup {name!r}: {size}, {parts}, searched among {group.ansatz}, "
            f"{'complete' if group.complete else 'a lower bound'}>")


PRESENTERS["text"] = text_report
PRESENTERS["latex"] = latex_group
PRESENTERS["html"] = html_report
PRESENTERS["markdown"] = notebook_markdown
PRESENTERS["repr"] = short_repr
