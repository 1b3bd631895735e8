"""Mechanisms and systems: the maps under which latent variables evolve.

A :class:`Mechanism` is one map of the latent space to itself (``kind="map"``),
or a vector field generating a continuous-time flow (``kind="flow"``), written as
exact sympy expressions in the latent symbols. A :class:`System` holds the latents,
the mechanisms and what is quantified over (``families``).
"""

from __future__ import annotations

import keyword
import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import numpy as np
import sympy
from numpy.typing import NDArray

from ._limits import MAX_STATES
from ._parse import (
    CONSTANTS,
    FUNCTIONS,
    MAX_NUMBER_DIGITS,
    ExactnessWarning,
    parse_expression,
    parse_tuple,
)
from ._yaml import read_yaml
from .ansatz import Ansatz
from .errors import SpecError
from .noise import parse_law
from .parameters import parse_constraints, parse_parameters, parse_values

__all__ = [
    "Mechanism",
    "System",
    "SPEC_KEYS",
    "finite_system",
    "make_symbols",
    "mechanism_components",
    "mechanism_from_spec",
    "named_mechanisms",
    "parse_constants",
    "parse_value",
    "state_sizes",
    "system_from_graph",
    "system_from_spec",
]

_KINDS = ("map", "flow")


def _symbol_name(value: object, field: str) -> str:
    name = value.name if isinstance(value, sympy.Symbol) else value
    if (
        not isinstance(name, str)
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or name in FUNCTIONS
        or name in CONSTANTS
    ):
        raise SpecError(field, value, "a symbol name (an identifier that is not a function name)")
    return name


def make_symbols(values: Iterable[object], field: str, taken: Iterable[str] = ()) -> tuple[sympy.Symbol, ...]:
    """Validate names and return plain sympy symbols, refusing duplicates."""
    seen = set(taken)
    symbols = []
    for index, value in enumerate(values):
        name = _symbol_name(value, f"{field}[{index}]")
        if name in seen:
            raise SpecError(f"{field}[{index}]", name, "a name not declared before", detail="declared twice")
        seen.add(name)
        symbols.append(sympy.Symbol(name))
    return tuple(symbols)


@dataclass(frozen=True)
class Mechanism:
    """One mechanism ``m``: a map ``z -> m(z)`` or a vector field ``dz/dt = V(z)``.

    Parameters
    ----------
    name : str
        The name the spec gives it.
    components : tuple of sympy.Expr
        One expression per latent.
    kind : {"map", "flow"}
        A map (discrete time) or the vector field of a flow (continuous time).
    noise : tuple of (key, value) pairs or None
        The noise law of a stochastic mechanism, as written in the spec.
    table : tuple of int or None
        Finite-state systems only: the image of every state (by index in the
        lexicographic enumeration of the states) instead of ``components``, which
        are then empty.
    kernel : tuple of tuples of sympy.Rational or None
        Finite-state systems only: a Markov kernel, ``kernel[s][t]`` the exact
        probability of moving from state ``s`` to state ``t`` (rows in state order),
        instead of ``components``, which are then empty.

    Examples
    --------
    >>> import sympy
    >>> z1, z2 = sympy.symbols("z1 z2")
    >>> Mechanism("push", (z1 + 1, z2)).components
    (z1 + 1, z2)
    """

    name: str
    components: tuple[sympy.Expr, ...]
    kind: str = "map"
    noise: tuple[tuple[str, Any], ...] | None = None
    table: tuple[int, ...] | None = None
    kernel: tuple[tuple[sympy.Rational, ...], ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise SpecError(f"mechanisms.{self.name}", self.kind, "kind 'map' or 'flow'")
        object.__setattr__(self, "components", tuple(sympy.sympify(c) for c in self.components))
        # -- finite-state tables (equivid.finite) --
        if self.table is not None:
            if self.kind != "map" or self.components:
                raise SpecError(f"mechanisms.{self.name}", "table", "a table without components, for a map")
            object.__setattr__(self, "table", _table_values(self.table, f"mechanisms.{self.name}.table"))
        # -- finite-state Markov kernels (equivid.finite.kernels) --
        if self.kernel is not None:
            if self.kind != "map" or self.components or self.table is not None:
                raise SpecError(f"mechanisms.{self.name}", "kernel", "a kernel without components or table, for a map")
            object.__setattr__(self, "kernel", _kernel_values(self.kernel, f"mechanisms.{self.name}.kernel"))

    @property
    def is_flow(self) -> bool:
        """Whether the mechanism is the vector field of a flow (``kind="flow"``), not a map."""
        return self.kind == "flow"

    def __call__(self, point: Sequence[Any], latents: Sequence[sympy.Symbol]) -> tuple[sympy.Expr, ...]:
        """Substitute ``point`` for the latents (simultaneously)."""
        subs = dict(zip(latents, point))
        return tuple(c.xreplace(subs) for c in self.components)


@dataclass(frozen=True)
class System:
    """Latents, mechanisms and what the learner knows about them.

    Build one with :meth:`from_maps` (Python), :meth:`from_spec` (YAML text) or
    :func:`equivid.load` (a spec file).

    Parameters
    ----------
    latents : tuple of sympy.Symbol
        The latent variables ``z``, in order (for finite-state systems, the state
        coordinates).
    mechanisms : tuple of Mechanism
        The maps and flows, each with one component per latent (or a table or kernel
        over the states); at least one.
    families : tuple of sympy.Symbol, optional
        Symbols quantified over all reals: each value gives one more mechanism.
    constants : tuple of (sympy.Symbol, sympy.Expr) pairs, optional
        Named exact values, already substituted in the mechanisms.
    ansatz : str, optional
        The class :func:`equivid.solve` searches by default (``"affine"`` when None).
    learner : dict, optional
        What the learner knows when not the mechanisms themselves (spec ``learner:``,
        such as ``{"knows": "class", "class": "diagonal"}``).
    states : tuple of (str, int) pairs, optional
        Finite-state systems only: each coordinate's name and number of values.
    description : str, optional
        A line about the system (spec ``description:`` or ``name:``).
    observe : dict, optional
        How :func:`equivid.numeric.verify` renders the latents (spec ``observe:``).
    parameters : tuple of sympy.Symbol, optional
        Symbols the answer depends on (solved by :func:`equivid.solve_cases`).
    constraints : tuple of sympy relations, optional
        Relations on the parameters, such as ``a != b`` or ``a > 0``.

    Raises
    ------
    SpecError
        If there is no mechanism, a mechanism has the wrong number of components, or it
        uses a symbol that is not declared.

    Examples
    --------
    >>> system = System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
    >>> system.latents
    (z1, z2)
    >>> system.mechanisms[0].components
    (z1 + 1, z2)
    """

    latents: tuple[sympy.Symbol, ...]
    mechanisms: tuple[Mechanism, ...]
    families: tuple[sympy.Symbol, ...] = ()
    constants: tuple[tuple[sympy.Symbol, sympy.Expr], ...] = ()
    ansatz: str | None = None
    learner: Any = field(default=None, compare=False)
    states: tuple[tuple[str, int], ...] | None = None
    description: str = ""
    observe: Any = field(default=None, compare=False)  # how verify renders the latents (observe_settings)
    parameters: tuple[sympy.Symbol, ...] = ()  # symbols the answer depends on (equivid.solve_cases)
    constraints: tuple[sympy.Basic, ...] = ()  # relations on the parameters (a != b, a > 0)

    def __post_init__(self) -> None:
        if not self.mechanisms:
            raise SpecError("mechanisms", {}, "at least one mechanism")
        n = len(self.latents)
        allowed = set(self.latents) | set(self.families) | set(self.parameters)
        for mechanism in self.mechanisms:
            where = f"{'flows' if mechanism.is_flow else 'mechanisms'}.{mechanism.name}"
            # -- finite-state tables (equivid.finite): length checked against the states --
            if mechanism.table is not None:
                _check_table_length(mechanism.name, mechanism.table, self.states)
                continue
            if mechanism.kernel is not None:  # Markov kernel (equivid.finite.kernels)
                _check_kernel(mechanism.name, mechanism.kernel, self.states)
                continue
            if len(mechanism.components) != n:
                raise SpecError(
                    where,
                    [str(c) for c in mechanism.components],
                    f"{n} components, one per latent ({', '.join(map(str, self.latents))})",
                )
            if mechanism.noise is not None:  # the law is validated here, before any solving
                noise = dict(mechanism.noise)
                if self.parameters:  # validated at positive values of the parameters it holds
                    noise = noise_at(noise, {s: sympy.Rational(2 * k + 3, 2) for k, s in enumerate(self.parameters)},
                                     self.parameters, f"{where}.noise")
                parse_law(noise, f"{where}.noise", n)
            for component in mechanism.components:
                if not self.states and component.has(sympy.Mod):
                    raise SpecError(where, str(component), "Mod (or %) only in maps of finite-state latents (declare 'states:')",
                                    detail="Mod of continuous latents is not supported")
                stray = component.free_symbols - allowed
                if stray:
                    raise SpecError(
                        where,
                        str(component),
                        "an expression in the latents, families and parameters",
                        detail=f"unknown symbol {sorted(map(str, stray))[0]!r}",
                    )
            if self.parameters and self.states:
                raise SpecError("parameters", [s.name for s in self.parameters], "parameters of continuous latents only",
                                detail="finite-state systems take numbers")

    # -- construction ---------------------------------------------------------------
    @classmethod
    def from_maps(
        cls,
        latents: Sequence[str | sympy.Symbol],
        maps: Mapping[str, Sequence[Any] | str] | None = None,
        *,
        flows: Mapping[str, Sequence[Any] | str] | None = None,
        families: Sequence[str | sympy.Symbol] = (),
        constants: Mapping[str | sympy.Symbol, Any] | None = None,
        ansatz: str | None = None,
        parameters: Sequence[str] | Mapping[str, Any] | None = None,
        constraints: Sequence[str] | None = None,
    ) -> System:
        """Build a system from Python: latents and ``{name: [component, ...]}`` maps.

        Components are sympy expressions or strings; a map may also be one string
        holding a tuple ``"(e1, e2)"``. ``families`` are symbols quantified over all
        reals; ``constants`` are substituted by their exact values; ``parameters``
        (names, or names -> assumptions such as ``"positive"``) are symbols the answer
        depends on, with ``constraints`` such as ``"a != b"`` (:mod:`equivid.parameters`;
        solved by :func:`equivid.solve_cases`).

        Parameters
        ----------
        latents : sequence of str or sympy.Symbol
            The names of the latents, in order.
        maps : mapping of str to sequence or str, optional
            Maps by name: a list of components (expressions or strings), or one tuple
            string ``"(e1, e2)"``.
        flows : mapping of str to sequence or str, optional
            Vector fields of flows by name, written like ``maps``.
        families : sequence of str or sympy.Symbol, optional
            Symbols quantified over all reals.
        constants : mapping of str or sympy.Symbol to value, optional
            Names and exact values (numbers, or text such as ``"1/3"`` or ``"sqrt(2)"``).
        ansatz : str, optional
            The class searched by default (``"linear"``, ``"affine"``, ``"polynomial:D"``,
            ``"finite"``).
        parameters : sequence of str or mapping of str to str, optional
            Names of the parameters, or names -> assumptions (``"positive"``, ...).
        constraints : sequence of str, optional
            Relations on the parameters (``"a != b"``, ``"a > 0"``).

        Returns
        -------
        System
            The system, with every expression parsed exactly.

        Raises
        ------
        SpecError
            If a name is not a valid symbol or is declared twice, or an expression does
            not parse or uses an undeclared symbol.

        Examples
        --------
        >>> System.from_maps(["z1", "z2"], flows={"drift": [1, 0]}).mechanisms[0].kind
        'flow'
        >>> System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"]).parameters
        (a, b)
        >>> System.from_maps(["z1", "z2"], {"m": "(z1 + c, z2)"}, constants={"c": "1/3"}).mechanisms[0].components
        (z1 + 1/3, z2)
        """
        if ansatz is not None:
            ansatz = str(Ansatz.parse(ansatz, field="ansatz"))
        latent_symbols = make_symbols(latents, "latents")
        family_symbols = make_symbols(families, "families", taken=[s.name for s in latent_symbols])
        taken = [s.name for s in latent_symbols + family_symbols]
        constant_pairs = parse_constants(constants or {}, taken)
        parameter_symbols = parse_parameters(
            list(parameters) if parameters is not None and not isinstance(parameters, Mapping) else parameters,
            taken + [s.name for s, _ in constant_pairs])
        table = {s.name: s for s in latent_symbols + family_symbols + parameter_symbols}
        table.update({s.name: s for s, _ in constant_pairs})
        mechanisms = [
            mechanism_from_spec(name, value, kind, table, dict(constant_pairs))
            for kind, group in (("map", maps or {}), ("flow", flows or {}))
            for name, value in named_mechanisms(group, "mechanisms" if kind == "map" else "flows")
        ]
        return cls(
            latent_symbols,
            tuple(mechanisms),
            families=family_symbols,
            constants=constant_pairs,
            ansatz=ansatz,
            parameters=parameter_symbols,
            constraints=parse_constraints(list(constraints) if constraints is not None else None, parameter_symbols),
        )

    @classmethod
    def from_graph(cls, graph: Any) -> System:
        """Build a finite-state system from a networkx digraph (see :func:`equivid.finite.system_from_graph`).

        Parameters
        ----------
        graph : networkx.DiGraph or networkx.MultiDiGraph
            The states as nodes; every edge ``u -> v`` names its mechanism(s) in its
            ``mechanism`` attribute, and each mechanism leaves every node exactly once.

        Returns
        -------
        System
            One coordinate ``s`` whose value ``k`` is the ``k``-th node of ``graph.nodes``,
            and one table mechanism per name.

        Raises
        ------
        SpecError
            If the graph is not directed or a mechanism is not a map of the nodes.

        Examples
        --------
        >>> import networkx as nx
        >>> G = nx.DiGraph([(0, 1, {"mechanism": "step"}), (1, 0, {"mechanism": "step"})])
        >>> System.from_graph(G).mechanisms[0].table
        (1, 0)
        """
        return system_from_graph(graph)

    @classmethod
    def from_spec(cls, text: str) -> System:
        """Build a system from spec text (YAML, DESIGN.md section 4).

        Parameters
        ----------
        text : str
            The spec: a YAML mapping with keys such as ``latents`` and ``mechanisms``
            (:data:`SPEC_KEYS`).

        Returns
        -------
        System
            The system the spec describes.

        Raises
        ------
        SpecError
            If the text is not such a mapping or any entry has a bad value.

        Examples
        --------
        >>> system = System.from_spec('''
        ... latents: [z1, z2]
        ... mechanisms:
        ...   swap: "(z2, z1)"
        ... ''')
        >>> system.latents, system.mechanisms[0].components
        ((z1, z2), (z2, z1))
        """
        return system_from_spec(text)

    # -- views ------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of latents."""
        return len(self.latents)

    @property
    def maps(self) -> tuple[Mechanism, ...]:
        """The mechanisms that are maps (discrete time), in order.

        Examples
        --------
        >>> system = System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]}, flows={"drift": [1, 0]})
        >>> [m.name for m in system.maps], [m.name for m in system.flows]
        (['push'], ['drift'])
        """
        return tuple(m for m in self.mechanisms if not m.is_flow)

    @property
    def flows(self) -> tuple[Mechanism, ...]:
        """The mechanisms that are vector fields of flows (continuous time), in order."""
        return tuple(m for m in self.mechanisms if m.is_flow)

    def symbol_table(self) -> dict[str, sympy.Symbol]:
        """Names of latents, family symbols and parameters, for parsing maps given as text.

        Returns
        -------
        dict of str to sympy.Symbol
            Each name and its symbol: latents first, then families, then parameters.

        Examples
        --------
        >>> System.from_maps(["z1", "z2"], {"m": ["a*z1 + d", "z2"]}, families=["d"], parameters=["a"]).symbol_table()
        {'z1': z1, 'z2': z2, 'd': d, 'a': a}
        """
        return {s.name: s for s in self.latents + self.families + self.parameters}

    def at(self, values: Mapping[Any, Any] | str | None = None, **named: Any) -> System:
        """The system with exact values for some or all parameters (``"a=2,b=1/3"``, a
        mapping, or keywords), each checked against its assumptions and the constraints.

        Parameters
        ----------
        values : mapping or str, optional
            Parameter names (or symbols) -> exact values, or text such as ``"a=2,b=1/3"``.
        **named : object
            The values as keywords instead (``a=2``); not together with ``values``.

        Returns
        -------
        System
            The system with the values substituted in its mechanisms (and noise laws and
            learner); the parameters given no value remain parameters.

        Raises
        ------
        SpecError
            If both ``values`` and keywords are given, a name is not a parameter, or a
            value breaks an assumption or a constraint.

        Examples
        --------
        >>> system = System.from_maps(["z1", "z2"], {"grow": ["a*z1", "b*z2"]}, parameters=["a", "b"])
        >>> special = system.at(a=2, b=2)
        >>> special.mechanisms[0].components, special.parameters
        ((2*z1, 2*z2), ())
        """
        if values is not None and named:
            raise SpecError("at", values, "either one mapping (or 'a=2,b=3' text) or keywords, not both")
        subs = parse_values(values if values is not None else named, self.parameters, self.constraints,
                            field="values")  # (the command line's --at names itself)
        if not subs:
            return self
        mechanisms = tuple(
            replace(m, components=tuple(c.xreplace(subs) for c in m.components),
                    noise=None if m.noise is None else tuple(sorted(noise_at(dict(m.noise), subs, self.parameters,
                                                                             f"mechanisms.{m.name}.noise").items())))
            for m in self.mechanisms)
        remaining = tuple(s for s in self.parameters if s not in subs)
        learner = self.learner if self.learner is None else noise_at(self.learner, subs, self.parameters, "learner")
        return replace(self, mechanisms=mechanisms, parameters=remaining, learner=learner,
                       constraints=tuple(c.xreplace(subs) for c in self.constraints) if remaining else ())

    def parse_map(self, text: str | Sequence[Any], *, field: str = "map") -> tuple[sympy.Expr, ...]:
        """Parse a map written like a mechanism (``"(e1, e2)"`` or a list) over the latents.

        Parameters
        ----------
        text : str or sequence
            A tuple string ``"(e1, e2)"`` or a list of components (expressions or
            strings), one per latent.
        field : str, default "map"
            The name an error message gives the value.

        Returns
        -------
        tuple of sympy.Expr
            One expression per latent.

        Raises
        ------
        SpecError
            If the text does not parse, uses a symbol other than the latents, or has the
            wrong number of components.

        Examples
        --------
        >>> system = System.from_maps(["z1", "z2"], {"push": ["z1 + 1", "z2"]})
        >>> system.parse_map("(z2, z1 + 1)"), system.parse_map(["2*z1", 0])
        ((z2, z1 + 1), (2*z1, 0))
        """
        table = {s.name: s for s in self.latents}
        return mechanism_components(text, table, field, len(self.latents), {})


def noise_at(value: Any, subs: Mapping[sympy.Symbol, sympy.Expr], parameters: Sequence[sympy.Symbol], field: str) -> Any:
    """A noise law's spec value with parameter values substituted (law names kept as they are)."""
    if isinstance(value, Mapping):
        return {k: v if k == "law" else noise_at(v, subs, parameters, f"{field}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [noise_at(v, subs, parameters, f"{field}[{k}]") for k, v in enumerate(value)]
    if isinstance(value, str) or isinstance(value, sympy.Basic):
        names = {s.name for s in parameters}
        tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", value)) if isinstance(value, str) else set()
        if isinstance(value, str) and not names & tokens:
            return value
        table = {t: sympy.Symbol(t) for t in tokens if t not in FUNCTIONS and t not in CONSTANTS}  # other names kept
        table.update({s.name: s for s in parameters})
        expr = parse_value(value, table, field, "an exact number or an expression in the parameters")
        return str(expr.xreplace(dict(subs)))
    return value


def named_mechanisms(group: Mapping[str, Any], field: str) -> list[tuple[str, Any]]:
    """The (name, value) pairs of a mapping of named mechanisms, checking the names."""
    if not isinstance(group, Mapping):
        raise SpecError(field, group, "a mapping from mechanism names to maps")
    out = []
    for name, value in group.items():
        if not isinstance(name, str) or not name:
            raise SpecError(field, name, "mechanism names that are non-empty strings")
        out.append((name, value))
    return out


def parse_constants(constants: Mapping[Any, Any], taken: Sequence[str]) -> tuple[tuple[sympy.Symbol, sympy.Expr], ...]:
    """``constants:`` as (symbol, exact value) pairs; names must not be in ``taken``."""
    if not isinstance(constants, Mapping):
        raise SpecError("constants", constants, "a mapping from names to exact values")
    symbols = make_symbols(constants.keys(), "constants", taken=taken)
    pairs = []
    for symbol, value in zip(symbols, constants.values()):
        field = f"constants.{symbol.name}"
        expr = parse_value(value, {}, field, "a number or constant expression (e.g. 1/3, sqrt(2), cos(1))")
        if expr.free_symbols:
            raise SpecError(field, str(value), "a number without symbols")
        pairs.append((symbol, expr))
    return tuple(pairs)


def parse_value(value: Any, table: Mapping[str, sympy.Symbol], field: str, expected: str) -> sympy.Expr:
    """One value (text, number or sympy expression) as an expression in the symbols of ``table``."""
    if isinstance(value, bool) or value is None:
        raise SpecError(field, value, expected)
    if isinstance(value, str):
        return parse_expression(value, table, field=field, expected=expected)
    if isinstance(value, float):
        return parse_expression(repr(value), table, field=field, expected=expected)
    if isinstance(value, int) and abs(value) > 10**MAX_NUMBER_DIGITS:
        raise SpecError(field, value, expected, detail=f"a number with more than {MAX_NUMBER_DIGITS} digits (the limit)")
    if isinstance(value, (int, sympy.Basic)):
        expr = sympy.sympify(value)
        by_name = {s.name: s for s in getattr(expr, "free_symbols", set())}
        unknown = [name for name in by_name if name not in table]
        if unknown:
            raise SpecError(field, str(value), expected, detail=f"unknown symbol {sorted(unknown)[0]!r}")
        return expr.xreplace({by_name[name]: table[name] for name in by_name})
    raise SpecError(field, value, expected)




def mechanism_components(
    value: Any,
    table: Mapping[str, sympy.Symbol],
    field: str,
    n: int | None,
    constants: Mapping[sympy.Symbol, sympy.Expr],
) -> tuple[sympy.Expr, ...]:
    """A map's components (a list, or a tuple string ``"(e1, e2)"``) as expressions, constants substituted."""
    expected = "a list of component expressions or a tuple string '(e1, e2, ...)'"
    if isinstance(value, str):
        parts = parse_tuple(value, table, field=field, expected=expected)
    elif isinstance(value, (list, tuple, sympy.Tuple, sympy.MatrixBase)):
        parts = tuple(
            parse_value(v, table, f"{field}[{i}]", "an expression in the declared symbols") for i, v in enumerate(value)
        )
    else:
        raise SpecError(field, value, expected)
    if n is not None and len(parts) != n:
        raise SpecError(field, [str(p) for p in parts], f"{n} components, one per latent")
    return tuple(sympy.sympify(p).xreplace(dict(constants)) for p in parts)




def mechanism_from_spec(
    name: str,
    value: Any,
    kind: str,
    table: Mapping[str, sympy.Symbol],
    constants: Mapping[sympy.Symbol, sympy.Expr],
) -> Mechanism:
    """One mechanism from its spec value: components, ``{map, noise}``, ``{table}`` or ``{kernel}``."""
    field = f"{'mechanisms' if kind == 'map' else 'flows'}.{name}"
    noise = None
    # -- finite-state tables: {table: [image of state 0, image of state 1, ...]} --
    if isinstance(value, Mapping) and "table" in value:
        if set(value) != {"table"} or kind != "map":
            raise SpecError(field, dict(value), "a mapping with the single key 'table' (for maps of finite states)")
        return Mechanism(name, (), kind, table=_table_values(value["table"], f"{field}.table"))
    # -- finite-state Markov kernels: {kernel: [[p00, p01, ...], [p10, ...], ...]} --
    if isinstance(value, Mapping) and "kernel" in value:
        if set(value) != {"kernel"} or kind != "map":
            raise SpecError(field, dict(value), "a mapping with the single key 'kernel' (a Markov kernel of finite states)")
        return Mechanism(name, (), kind, kernel=_kernel_values(value["kernel"], f"{field}.kernel"))
    if isinstance(value, Mapping):
        extra = set(value) - {"map", "noise"}
        if extra or "map" not in value:
            raise SpecError(field, dict(value), "a map, or a mapping with keys 'map' and optional 'noise'")
        if kind == "flow":
            raise SpecError(field, dict(value), "a vector field (noise is for maps only)")
        noise_value = value.get("noise")
        if noise_value is not None:
            if not isinstance(noise_value, Mapping):
                raise SpecError(f"{field}.noise", noise_value, "a mapping such as {law: laplace, scale: 1}")
            noise = tuple(sorted((str(k), v) for k, v in noise_value.items()))
        value = value["map"]
        field += ".map"
    components = mechanism_components(value, table, field, None, constants)
    return Mechanism(name, components, kind, noise)


# -- finite-state tables (equivid.finite) ------------------------------------------------
def _table_values(values: Any, field: str) -> tuple[int, ...]:
    """A table as a tuple of plain ints; the first non-integer entry is an error."""
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        raise SpecError(field, values, "a list of state indices, one per state")
    out = []
    for index, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, sympy.Integer)) and not (
            hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu"
        ):
            raise SpecError(f"{field}[{index}]", v, "an integer state index", detail=f"state {index}")
        out.append(int(v))
    return tuple(out)


def _state_count(field: str, what: str, states: tuple[tuple[str, int], ...] | None) -> int:
    """Number of states of a finite-state system; a table or kernel needs ``states:``."""
    if not states:
        raise SpecError(field, what, f"{what}s only for finite-state systems (declare 'states:')")
    return math.prod(size for _, size in states)


def _check_table_length(name: str, table: tuple[int, ...], states: tuple[tuple[str, int], ...] | None) -> None:
    field = f"mechanisms.{name}.table"
    count = _state_count(field, "table", states)
    if len(table) != count:
        raise SpecError(field, f"{len(table)} entries", f"one entry per state ({count} states)")


# -- finite-state Markov kernels (equivid.finite.kernels) --------------------------------
_RATIONAL = re.compile(r"\s*[+-]?\d+(\s*/\s*\d+)?\s*")
_PROBABILITY = "an exact probability (an integer or a rational such as 1/3)"


def _probability(v: Any, field: str) -> sympy.Rational:
    """One kernel entry as an exact rational (floats via the parser's ExactnessWarning)."""
    if isinstance(v, sympy.Rational):
        return v
    if isinstance(v, bool) or v is None:
        raise SpecError(field, v, _PROBABILITY)
    if isinstance(v, int) or (hasattr(v, "dtype") and getattr(v.dtype, "kind", "") in "iu"):
        return sympy.Integer(int(v))
    if isinstance(v, Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, str) and _RATIONAL.fullmatch(v):
        exact = Fraction(v.replace(" ", ""))
        return sympy.Rational(exact.numerator, exact.denominator)
    value = parse_value(v, {}, field, _PROBABILITY)
    if not isinstance(value, sympy.Rational):
        raise SpecError(field, str(v), _PROBABILITY)
    return value


def _kernel_values(values: Any, field: str) -> tuple[tuple[sympy.Rational, ...], ...]:
    """A kernel as rows of exact rationals; the first entry that is not one is an error."""
    if hasattr(values, "tolist") and not isinstance(values, sympy.Basic):  # numpy arrays
        values = values.tolist()
    if isinstance(values, sympy.MatrixBase):
        values = values.tolist()
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        raise SpecError(field, values, "a list of rows of probabilities, one row per state")
    rows = []
    with warnings.catch_warnings(record=True) as floats:  # one ExactnessWarning per kernel, not per entry
        warnings.simplefilter("always", ExactnessWarning)
        for r, row in enumerate(values):
            if isinstance(row, (str, bytes, Mapping)) or not hasattr(row, "__iter__"):
                raise SpecError(f"{field}[{r}]", row, "a row of probabilities, one per state", detail=f"row {r}")
            rows.append(tuple(_probability(v, f"{field}[{r}][{c}]") for c, v in enumerate(row)))
    exactness = [w for w in floats if issubclass(w.category, ExactnessWarning)]
    for w in floats:
        if w not in exactness:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if exactness:
        more = f" (and {len(exactness) - 1} more floats in this kernel)" if len(exactness) > 1 else ""
        warnings.warn(f"{exactness[0].message}{more}", ExactnessWarning, stacklevel=2)
    return tuple(rows)


def _check_kernel(name: str, kernel: tuple[tuple[sympy.Rational, ...], ...],
                  states: tuple[tuple[str, int], ...] | None) -> None:
    """Square N x N over the N states, entries in [0, 1], every row summing to exactly 1."""
    field = f"mechanisms.{name}.kernel"
    count = _state_count(field, "kernel", states)
    if len(kernel) != count:
        raise SpecError(field, f"{len(kernel)} rows", f"one row per state ({count} states, an N x N matrix)")
    for r, row in enumerate(kernel):
        if len(row) != count:
            raise SpecError(f"{field}[{r}]", f"{len(row)} entries", f"one probability per state ({count} states)",
                            detail=f"row {r}")
        for c, p in enumerate(row):
            if p.p < 0 or p.p > p.q:
                raise SpecError(f"{field}[{r}]", f"entry {c} = {p}", "probabilities in [0, 1]", detail=f"row {r}")
        total = sum((Fraction(int(p.p), int(p.q)) for p in row if p.p), Fraction(0))
        if total != 1:
            raise SpecError(f"{field}[{r}]", f"row sum {total}", "each row summing to exactly 1 (a Markov kernel)",
                            detail=f"row {r}")


# -- spec text (YAML, DESIGN.md section 4; read and written by equivid.spec) ------------
#: The top-level keys of a spec.
SPEC_KEYS = (
    "latents",
    "states",
    "mechanisms",
    "flows",
    "families",
    "constants",
    "ansatz",
    "learner",
    "observe",
    "parameters",
    "constraints",
    "description",
    "name",
    "$schema",  # for editors (equivid/schema/spec.schema.json); ignored
)

#: The attributes a sprite renderer draws (``observe: {renderer: sprites, roles: ...}``).
SPRITE_ROLES = ("x", "y", "angle", "scale", "hue")


def observe_settings(value: Any, latents: Sequence[str]) -> dict[str, Any]:
    """Validate a spec's ``observe:`` entry (how :func:`equivid.numeric.verify` renders the
    latents) and return it with its defaults: ``renderer: sprites``, ``size`` (pixels, 8 to
    64, default 16) and ``roles`` (latent -> one of ``x, y, angle, scale, hue``; default in
    that order).

    Examples
    --------
    >>> observe_settings({"renderer": "sprites"}, ["px", "py"])
    {'renderer': 'sprites', 'size': 16, 'roles': {'px': 'x', 'py': 'y'}}
    """
    if not isinstance(value, Mapping):
        raise SpecError("observe", value, "a mapping such as {renderer: sprites, size: 16, roles: {z1: x, z2: y}}")
    unknown = sorted(set(map(str, value)) - {"renderer", "size", "roles"})
    if unknown:
        raise SpecError(f"observe.{unknown[0]}", value[unknown[0]], "keys among renderer, size, roles")
    if value.get("renderer") != "sprites":
        raise SpecError("observe.renderer", value.get("renderer"), "sprites (the built-in renderer)")
    size = value.get("size", 16)
    if isinstance(size, bool) or not isinstance(size, int) or not 8 <= size <= 64:
        raise SpecError("observe.size", size, "a canvas size in pixels from 8 to 64")
    if len(latents) > len(SPRITE_ROLES):
        raise SpecError("observe", dict(value), f"at most {len(SPRITE_ROLES)} latents for sprites (got {len(latents)})")
    roles = value.get("roles", dict(zip(latents, SPRITE_ROLES)))
    if not isinstance(roles, Mapping) or sorted(map(str, roles)) != sorted(latents):
        raise SpecError("observe.roles", roles, f"a role for each latent ({', '.join(latents)})")
    for name, role in roles.items():
        if role not in SPRITE_ROLES:
            raise SpecError(f"observe.roles.{name}", role, f"one of {', '.join(SPRITE_ROLES)}")
    if len(set(roles.values())) != len(roles):
        raise SpecError("observe.roles", dict(roles), "a different role for each latent")
    return {"renderer": "sprites", "size": size, "roles": {name: str(roles[name]) for name in latents}}


def state_sizes(states: Any) -> tuple[tuple[str, int], ...]:
    """Validate a ``states:`` mapping ``{name: size}`` and return its (name, size) pairs.

    Examples
    --------
    >>> state_sizes({"i": 4, "j": 3})
    (('i', 4), ('j', 3))
    """
    if not isinstance(states, Mapping) or not states:
        raise SpecError("states", states, "a mapping from coordinate names to sizes, e.g. {i: 4, j: 3}")
    sizes = []
    for name, size in states.items():
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise SpecError(f"states.{name}", size, "a positive integer number of values")
        sizes.append((str(name), int(size)))
    total = math.prod(size for _, size in sizes)
    if total > MAX_STATES:
        raise SpecError("states", dict(states), f"at most {MAX_STATES} states in all (the limit; got {total})")
    return tuple(sizes)


def _latent_names(data: Mapping[str, Any]) -> tuple[list[Any], tuple[tuple[str, int], ...] | None]:
    if "states" in data:
        if "latents" in data:
            raise SpecError("states", data["states"], "either 'latents' or 'states', not both")
        sizes = state_sizes(data["states"])
        return [name for name, _ in sizes], sizes
    latents = data.get("latents")
    if not isinstance(latents, list) or not latents:
        raise SpecError("latents", latents, "a non-empty list of names, e.g. [z1, z2]")
    return latents, None


def system_from_spec(text: str) -> System:
    """Build a :class:`System` from spec text.

    Examples
    --------
    >>> system = system_from_spec('''
    ... latents: [z1, z2]
    ... mechanisms:
    ...   grow: "(2*z1, 3*z2)"
    ... ''')
    >>> system.mechanisms[0].components
    (2*z1, 3*z2)
    """
    data = read_yaml(text, field="spec", keys=SPEC_KEYS, shape="a YAML mapping with keys such as latents and mechanisms")
    names, states = _latent_names(data)
    latents = make_symbols(names, "states" if states else "latents")
    families = make_symbols(_list(data, "families"), "families", taken=[s.name for s in latents])
    taken = [s.name for s in latents + families]
    constants = parse_constants(data.get("constants") or {}, taken)
    parameters = parse_parameters(data.get("parameters"), taken + [s.name for s, _ in constants])
    table = {s.name: s for s in latents + families + parameters}
    table.update({s.name: s for s, _ in constants})
    if "mechanisms" not in data and "flows" not in data:
        raise SpecError("mechanisms", None, "a mapping of named mechanisms (or 'flows')")
    mechanisms = [
        mechanism_from_spec(name, value, kind, table, dict(constants))
        for kind, key in (("map", "mechanisms"), ("flow", "flows"))
        for name, value in named_mechanisms(data.get(key) or {}, key)
    ]
    ansatz = data.get("ansatz")
    if ansatz is None and states:  # finite-state systems search permutations of the states
        ansatz = "finite"
    if ansatz is not None:
        ansatz = str(Ansatz.parse(ansatz, field="ansatz"))
    description = data.get("description") or data.get("name") or ""
    system = System(
        latents,
        tuple(mechanisms),
        families=families,
        constants=constants,
        ansatz=ansatz,
        learner=data.get("learner"),
        observe=_observe(data, latents, states),
        states=states,
        description=str(description),
        parameters=parameters,
        constraints=parse_constraints(data.get("constraints"), parameters),
    )
    from ._schema import check_against_schema

    check_against_schema(data)  # after the specific checks above: nothing the published schema refuses is taken
    return system


def _observe(data: Mapping[str, Any], latents: Sequence[sympy.Symbol], states: Any) -> dict[str, Any] | None:
    if data.get("observe") is None:
        return None
    if states:
        raise SpecError("observe", data["observe"], "continuous latents (finite-state systems are not rendered)")
    return observe_settings(data["observe"], [s.name for s in latents])


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise SpecError(key, value, "a list of names")
    return value


# -- finite-state systems from Python and from graphs (equivid.finite) ----------------------
def finite_system(
    states: Mapping[str, int],
    maps: Mapping[str, Any],
    *,
    description: str = "",
) -> System:
    """Build a finite-state system from Python: coordinate ranges and named maps.

    A map is a tuple string ``"(e1, e2)"``, a list of components, or ``{"table": [...]}``
    (the image index of every state, in lexicographic state order).

    Examples
    --------
    >>> finite_system({"i": 2}, {"flip": {"table": [1, 0]}}).mechanisms[0].table
    (1, 0)
    """
    sizes = list(state_sizes(states))
    latents = make_symbols(list(states), "states")
    table = {s.name: s for s in latents}
    mechanisms = tuple(mechanism_from_spec(name, value, "map", table, {}) for name, value in named_mechanisms(maps, "mechanisms"))
    return System(latents, mechanisms, ansatz="finite", states=tuple(sizes), description=description)


def system_from_graph(graph: Any, *, coordinate: str = "s") -> System:
    """A finite-state system from a networkx digraph whose edges name their mechanism.

    Every edge ``u -> v`` carries ``mechanism`` (a name, or a list of names for edges
    shared by several mechanisms; a ``MultiDiGraph`` may repeat edges instead). Each
    mechanism must leave every node exactly once. State ``k`` (coordinate ``s = k``) is
    the ``k``-th node of ``graph.nodes``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.cycle_graph(5, create_using=nx.DiGraph)
    >>> nx.set_edge_attributes(G, "step", "mechanism")
    >>> system = system_from_graph(G)
    >>> system.states, system.mechanisms[0].table
    ((('s', 5),), (1, 2, 3, 4, 0))
    """
    if not hasattr(graph, "is_directed") or not graph.is_directed():
        raise SpecError("graph", type(graph).__name__, "a networkx DiGraph or MultiDiGraph")
    nodes = list(graph.nodes)
    if not nodes:
        raise SpecError("graph", "no nodes", "at least one state")
    where = {node: k for k, node in enumerate(nodes)}
    tables: dict[str, NDArray[np.int64]] = {}
    for u, v, data in graph.edges(data=True):
        names = data.get("mechanism")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, (list, tuple, set, frozenset)) or not names or not all(
            isinstance(n, str) and n for n in names
        ):
            raise SpecError(f"graph.edges[{u!r}, {v!r}]", dict(data),
                            "an edge attribute 'mechanism' naming its mechanism(s)")
        for name in names:
            row = tables.setdefault(name, np.full(len(nodes), -1, dtype=np.int64))
            if row[where[u]] not in (-1, where[v]):
                raise SpecError(f"mechanisms.{name}", f"state {u!r} -> {nodes[row[where[u]]]!r} and {v!r}",
                                "one image per state (a map)")
            row[where[u]] = where[v]
    if not tables:
        raise SpecError("graph", "no edges", "edges carrying a 'mechanism' attribute")
    for name, row in tables.items():
        missing = np.flatnonzero(row < 0)
        if missing.size:
            raise SpecError(f"mechanisms.{name}", f"state {nodes[int(missing[0])]!r} has no image",
                            "an edge from every state (a map)")
    return finite_system({coordinate: len(nodes)}, {name: {"table": row.tolist()} for name, row in tables.items()},
                         description=f"from a networkx graph: state s = k is node {nodes[0]!r}, ... in graph order")
