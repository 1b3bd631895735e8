"""Tests for equivid.spec and equivid.mechanisms: spec text and Python in, System out."""

import textwrap

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import equivid
from equivid import Mechanism, SpecError, System
from equivid.spec import SPEC_KEYS, system_from_spec, system_to_spec

z1, z2, d, i, j = sympy.symbols("z1 z2 d i j")


def spec(text):
    return System.from_spec(textwrap.dedent(text))


# -- the formats of DESIGN.md section 4 ------------------------------------------------------


def test_list_and_tuple_string_mechanisms():
    system = spec(
        """
        latents: [z1, z2]
        mechanisms:
          push: [z1 + 1, z2]
          grow: "(2*z1, 3*z2)"
        """
    )
    assert system.latents == (z1, z2)
    assert [m.name for m in system.mechanisms] == ["push", "grow"]
    assert system.mechanisms[0].components == (z1 + 1, z2)
    assert system.mechanisms[1].components == (2 * z1, 3 * z2)
    assert all(m.kind == "map" for m in system.mechanisms)
    assert system.ansatz is None


def test_latents_are_plain_symbols():
    system = spec("latents: [z1, z2]\nmechanisms: {m: [z2, z1]}\n")
    assert system.latents == (sympy.Symbol("z1"), sympy.Symbol("z2"))
    assert system.n == 2


def test_families():
    system = spec(
        """
        latents: [z1, z2]
        families: [d]
        mechanisms:
          shift: [z1 + d, z2]
        """
    )
    assert system.families == (d,)
    assert system.mechanisms[0].components == (z1 + d, z2)


def test_constants_are_substituted_exactly():
    system = spec(
        """
        latents: [z1, z2]
        constants: {theta: 1}
        mechanisms:
          turn: [cos(theta)*z1 - sin(theta)*z2, sin(theta)*z1 + cos(theta)*z2]
        """
    )
    c, s = sympy.cos(1), sympy.sin(1)
    assert system.mechanisms[0].components == (c * z1 - s * z2, s * z1 + c * z2)
    assert system.constants == ((sympy.Symbol("theta"), sympy.Integer(1)),)
    for component in system.mechanisms[0].components:
        assert component.free_symbols <= {z1, z2}
        assert not component.atoms(sympy.Float)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1/3", sympy.Rational(1, 3), id="fraction"),
        pytest.param("sqrt(2)", sympy.sqrt(2), id="sqrt"),
        pytest.param("pi/4", sympy.pi / 4, id="pi"),
        pytest.param("2", sympy.Integer(2), id="int"),
    ],
)
def test_constant_values_are_exact(value, expected):
    system = spec(f"latents: [z1]\nconstants: {{k: '{value}'}}\nmechanisms: {{m: [k*z1]}}\n")
    assert system.mechanisms[0].components == (expected * z1,)


def test_float_constant_warns_and_is_exact():
    with pytest.warns(equivid.ExactnessWarning, match="constants.k"):
        system = spec("latents: [z1]\nconstants: {k: 0.5}\nmechanisms: {m: [k*z1]}\n")
    assert system.mechanisms[0].components == (z1 / 2,)


def test_flows():
    system = spec(
        """
        latents: [z1, z2]
        flows:
          drift: [1, 0]
        """
    )
    (flow,) = system.mechanisms
    assert flow.kind == "flow" and flow.is_flow
    assert flow.components == (1, 0)
    assert system.flows == (flow,) and system.maps == ()


def test_maps_and_flows_together():
    system = spec("latents: [z1]\nmechanisms: {m: [2*z1]}\nflows: {f: [z1]}\n")
    assert [m.kind for m in system.mechanisms] == ["map", "flow"]


def test_stochastic_mechanism():
    system = spec(
        """
        latents: [z1, z2]
        mechanisms:
          walk: {map: [z1, z2], noise: {law: laplace, scale: 1}}
        """
    )
    (walk,) = system.mechanisms
    assert walk.components == (z1, z2)
    assert dict(walk.noise) == {"law": "laplace", "scale": 1}


def test_finite_states():
    system = spec(
        """
        states: {i: 4, j: 3}
        mechanisms:
          right: "(Mod(i + 1, 4), j)"
          up: "(i, Min(j + 1, 2))"
        """
    )
    assert system.latents == (i, j)
    assert system.states == (("i", 4), ("j", 3))
    assert system.mechanisms[0].components == (sympy.Mod(i + 1, 4), j)
    assert system.mechanisms[1].components == (i, sympy.Min(j + 1, 2))


def test_learner_name_and_description_are_kept():
    system = spec(
        """
        name: pushes
        latents: [z1]
        mechanisms: {m: [z1 + 1]}
        learner: {knows: class, class: translations}
        """
    )
    assert system.learner == {"knows": "class", "class": "translations"}
    assert system.description == "pushes"


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        pytest.param("linear", "linear", id="linear"),
        pytest.param("affine", "affine", id="affine"),
        pytest.param("' linear '", "linear", id="spaces"),
        pytest.param("polynomial:3", "polynomial:3", id="polynomial"),
        pytest.param("'polynomial : 2'", "polynomial:2", id="polynomial-spaces"),
        pytest.param("polynomial(4)", "polynomial:4", id="polynomial-call-form"),
        pytest.param("polynomial:1", "affine", id="degree-one-is-affine"),
        pytest.param("finite", "finite", id="finite"),
    ],
)
def test_ansatz_is_normalised(written, normalised):
    system = spec(f"latents: [z1]\nmechanisms: {{m: [z1]}}\nansatz: {written}\n")
    assert system.ansatz == normalised


def test_spec_keys_are_the_documented_ones():
    documented = {
        "latents",
        "states",
        "mechanisms",
        "flows",
        "families",
        "constants",
        "ansatz",
        "learner",
    }
    assert documented <= set(SPEC_KEYS)


# -- System.from_maps --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "latents",
    [
        pytest.param(["z1", "z2"], id="names"),
        pytest.param([z1, z2], id="symbols"),
        pytest.param(("z1", z2), id="mixed"),
    ],
)
@pytest.mark.parametrize(
    "grow",
    [
        pytest.param(["2*z1", "3*z2"], id="string-components"),
        pytest.param([2 * z1, 3 * z2], id="sympy-components"),
        pytest.param("(2*z1, 3*z2)", id="tuple-string"),
        pytest.param((2 * z1, "3*z2"), id="mixed-components"),
        pytest.param(sympy.Matrix([2 * z1, 3 * z2]), id="matrix"),
    ],
)
def test_from_maps_inputs(latents, grow):
    system = System.from_maps(latents, {"grow": grow})
    assert system.latents == (z1, z2)
    assert system.mechanisms == (Mechanism("grow", (2 * z1, 3 * z2)),)
    assert system == spec("latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2]}\n")


def test_from_maps_user_symbols_with_assumptions_are_rebound_to_the_latents():
    real_z1 = sympy.Symbol("z1", real=True)
    system = System.from_maps(["z1", "z2"], {"grow": [2 * real_z1, z2]})
    (component, _) = system.mechanisms[0].components
    assert component == 2 * z1
    assert component.free_symbols == {z1}
    assert real_z1 not in component.free_symbols


def test_from_maps_user_symbol_latents_are_plain():
    system = System.from_maps([sympy.Symbol("z1", positive=True)], {"m": ["2*z1"]})
    assert system.latents == (z1,)


def test_from_maps_families_constants_flows_ansatz():
    system = System.from_maps(
        ["z1", "z2"],
        {"shift": ["z1 + d", "cos(theta)*z2"]},
        flows={"drift": [1, 0]},
        families=["d"],
        constants={"theta": 1},
        ansatz="linear",
    )
    assert system.families == (d,)
    assert system.maps[0].components == (z1 + d, sympy.cos(1) * z2)
    assert system.flows[0].components == (1, 0)
    assert system.ansatz == "linear"


def test_from_maps_sympy_constant_symbol_is_substituted():
    theta = sympy.Symbol("theta")
    system = System.from_maps(
        ["z1"], {"m": [sympy.cos(theta) * z1]}, constants={theta: sympy.Rational(1, 2)}
    )
    assert system.mechanisms[0].components == (sympy.cos(sympy.Rational(1, 2)) * z1,)


def test_from_maps_unknown_sympy_symbol_is_refused():
    with pytest.raises(SpecError, match=r"^mechanisms\.m\[0\]: .*unknown symbol 'w'"):
        System.from_maps(["z1"], {"m": [2 * sympy.Symbol("w")]})


def test_system_is_immutable_and_compares_by_content():
    a = System.from_maps(["z1"], {"m": ["z1 + 1"]})
    b = System.from_maps([z1], {"m": [z1 + 1]})
    assert a == b and hash(a) == hash(b)
    with pytest.raises(AttributeError):
        a.latents = ()  # type: ignore[misc]


def test_mechanism_call_substitutes_simultaneously():
    swap = Mechanism("swap", (z2, z1))
    assert swap((z2, z1), (z1, z2)) == (z1, z2)


def test_parse_map():
    system = System.from_maps(["z1", "z2"], {"m": ["2*z1", "z2"]})
    assert system.parse_map("(5*z1, -z2)") == (5 * z1, -z2)
    with pytest.raises(SpecError, match=r"^map: .*2 components"):
        system.parse_map("(z1,)")


# -- equivid.load ------------------------------------------------------------------------------


def test_load_reads_a_file(tmp_path):
    path = tmp_path / "push.yaml"
    path.write_text(
        "# a push\nlatents: [z1, z2]\nmechanisms:\n  push: [z1 + 1, z2]\n", encoding="utf-8"
    )
    system = equivid.load(path)
    assert system.mechanisms[0].components == (z1 + 1, z2)
    assert equivid.load(str(path)) == system


def test_load_missing_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(SpecError) as info:
        equivid.load(missing)
    assert str(info.value) == f"SPEC: got {str(missing)!r}, expected an existing spec file"


def test_load_does_not_modify_the_file(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"latents: [z1]\nmechanisms: {m: [0.5*z1]}\n")
    before = path.read_bytes()
    with pytest.warns(equivid.ExactnessWarning):
        equivid.load(path)
    assert path.read_bytes() == before


# -- round trips -------------------------------------------------------------------------------

ROUND_TRIP = {
    "lists": "latents: [z1, z2]\nmechanisms: {push: [z1 + 1, z2], grow: '(2*z1, 3*z2)'}\n",
    "families": "latents: [z1, z2]\nfamilies: [d]\nmechanisms: {shift: [z1 + d, z2/3]}\n",
    "flows": "latents: [z1, z2]\nmechanisms: {m: [z2, z1]}\nflows: {f: [1, z1]}\nansatz: linear\n",
    "noise": "latents: [z1]\nmechanisms: {w: {map: [z1], noise: {law: gaussian, cov: 1}}}\n",
    "states": "states: {i: 4, j: 3}\nmechanisms: {right: '(Mod(i + 1, 4), j)', up: '(i, Min(j + 1, 2))'}\n",
    "irrational": "latents: [z1, z2]\nmechanisms: {m: [sqrt(2)*z1 - cos(1)*z2, pi*z2 + 1/3]}\n",
    "description": "description: hello\nlatents: [z1]\nmechanisms: {m: [-z1]}\nansatz: polynomial:2\n",
}


@pytest.mark.parametrize("text", list(ROUND_TRIP.values()), ids=list(ROUND_TRIP))
def test_round_trip(text):
    system = system_from_spec(text)
    assert system_from_spec(system_to_spec(system)) == system


def test_round_trip_with_constants_keeps_the_mechanisms():
    """Constants are written already substituted: the mechanisms survive the round trip."""
    system = system_from_spec(
        "latents: [z1]\nconstants: {theta: 1}\nmechanisms: {m: [cos(theta)*z1]}\n"
    )
    again = system_from_spec(system_to_spec(system))
    assert again.mechanisms == system.mechanisms
    assert again.latents == system.latents


def test_round_trip_with_constants_is_equal():
    system = system_from_spec(
        "latents: [z1]\nconstants: {theta: 1}\nmechanisms: {m: [cos(theta)*z1]}\n"
    )
    assert system_from_spec(system_to_spec(system)) == system


def test_from_maps_round_trips():
    system = System.from_maps(["z1", "z2"], {"m": [2 * z1 + z2, sympy.Rational(-1, 3) * z2 + 5]})
    assert system_from_spec(system_to_spec(system)) == system


coefficients = st.integers(min_value=-5, max_value=5)


@st.composite
def affine_systems(draw):
    n = draw(st.integers(min_value=1, max_value=3))
    latents = [f"z{k + 1}" for k in range(n)]
    symbols = sympy.symbols(latents)
    count = draw(st.integers(min_value=1, max_value=3))
    maps = {}
    for m in range(count):
        components = []
        for _ in range(n):
            row = draw(st.lists(coefficients, min_size=n, max_size=n))
            shift = draw(coefficients)
            components.append(sum((c * s for c, s in zip(row, symbols)), sympy.Integer(shift)))
        maps[f"m{m}"] = components
    as_text = draw(st.booleans())
    if as_text:
        maps = {name: "(" + ", ".join(map(str, comps)) + ",)" for name, comps in maps.items()}
    return System.from_maps(latents, maps)


@given(affine_systems())
def test_random_affine_systems_round_trip_through_spec_text(system):
    text = system_to_spec(system)
    assert isinstance(text, str)
    assert system_from_spec(text) == system


# -- bad input ---------------------------------------------------------------------------------

BASE = "latents: [z1, z2]\nmechanisms:\n  m: [z1, z2]\n"

BAD = [
    pytest.param(BASE + "colour: red\n", "spec", "unknown key", id="unknown-top-level-key"),
    pytest.param(
        "latents: [z1, z1]\nmechanisms: {m: [z1, z1]}\n",
        "latents[1]",
        "declared twice",
        id="latent-twice",
    ),
    pytest.param(
        "latents: [z1, sin]\nmechanisms: {m: [z1, z1]}\n",
        "latents[1]",
        "not a function name",
        id="latent-named-sin",
    ),
    pytest.param(
        "latents: [z1, pi]\nmechanisms: {m: [z1, z1]}\n",
        "latents[1]",
        "symbol name",
        id="latent-named-pi",
    ),
    pytest.param(
        "latents: [z1, lambda]\nmechanisms: {m: [z1, z1]}\n",
        "latents[1]",
        "symbol name",
        id="latent-keyword",
    ),
    pytest.param(
        "latents: [z1, z2]\nfamilies: [z1]\nmechanisms: {m: [z1, z2]}\n",
        "families[0]",
        "declared twice",
        id="family-shadows-latent",
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {m: [z1]}\n",
        "mechanisms.m",
        "2 components",
        id="arity-short-list",
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {m: '(z1, z2, z1)'}\n",
        "mechanisms.m",
        "2 components",
        id="arity-long-tuple",
    ),
    pytest.param(
        "latents: [z1, z2]\nflows: {f: [1]}\n", "flows.f", "2 components", id="arity-flow"
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {m: ['z1 +', z2]}\n",
        "mechanisms.m[0]",
        "syntax error",
        id="unparsable",
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {m: '(z1, z2'}\n",
        "mechanisms.m",
        "syntax error",
        id="unparsable-tuple",
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {m: [z1, w]}\n",
        "mechanisms.m[1]",
        "unknown symbol 'w'",
        id="unknown-symbol",
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {m: [z1, 'open(z2)']}\n",
        "mechanisms.m[1]",
        "unknown function 'open'",
        id="unknown-function",
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: {}\n",
        "mechanisms",
        "at least one mechanism",
        id="empty-mechanisms",
    ),
    pytest.param(
        "latents: [z1, z2]\n", "mechanisms", "mapping of named mechanisms", id="no-mechanisms"
    ),
    pytest.param(
        "latents: [z1, z2]\nmechanisms: [z1, z2]\n",
        "mechanisms",
        "mapping from mechanism names",
        id="mechanisms-list",
    ),
    pytest.param(
        "latents: []\nmechanisms: {m: []}\n", "latents", "non-empty list", id="empty-latents"
    ),
    pytest.param(
        "latents: z1\nmechanisms: {m: [z1]}\n", "latents", "non-empty list", id="latents-not-list"
    ),
    pytest.param("- z1\n- z2\n", "spec", "YAML mapping", id="non-mapping-spec"),
    pytest.param("just text\n", "spec", "YAML mapping", id="scalar-spec"),
    pytest.param("", "spec", "YAML mapping", id="empty-spec"),
    pytest.param(
        "latents: [z1, z2\nmechanisms: {m: [z1]}\n", "spec", "valid YAML", id="invalid-yaml"
    ),
    pytest.param(BASE + "ansatz: quadratic\n", "ansatz", "linear, affine", id="ansatz-quadratic"),
    pytest.param(BASE + "ansatz: polynomial:0\n", "ansatz", "D >= 1", id="ansatz-polynomial-0"),
    pytest.param(BASE + "ansatz: 3\n", "ansatz", "linear, affine", id="ansatz-number"),
    pytest.param(
        BASE + "constants: {theta: z1}\n",
        "constants.theta",
        "unknown symbol 'z1'",
        id="constant-uses-latent",
    ),
    pytest.param(
        BASE + "constants: {z1: 1}\n",
        "constants[0]",
        "declared twice",
        id="constant-shadows-latent",
    ),
    pytest.param(BASE + "constants: [1]\n", "constants", "mapping", id="constants-not-mapping"),
    pytest.param(
        BASE + "constants: {theta: true}\n", "constants.theta", "number", id="constant-bool"
    ),
    pytest.param(
        "states: {i: 0}\nmechanisms: {m: '(i,)'}\n",
        "states.i",
        "positive integer",
        id="states-zero",
    ),
    pytest.param(
        "states: {i: -3}\nmechanisms: {m: '(i,)'}\n",
        "states.i",
        "positive integer",
        id="states-negative",
    ),
    pytest.param(
        "states: {i: 2.5}\nmechanisms: {m: '(i,)'}\n",
        "states.i",
        "positive integer",
        id="states-float",
    ),
    pytest.param("states: {}\nmechanisms: {m: '(i,)'}\n", "states", "mapping", id="states-empty"),
    pytest.param(
        "states: {i: 2}\nlatents: [z1]\nmechanisms: {m: '(i,)'}\n",
        "states",
        "not both",
        id="states-and-latents",
    ),
    pytest.param(
        "latents: [z1]\nmechanisms: {m: {map: [z1], colour: red}}\n",
        "mechanisms.m",
        "keys 'map'",
        id="bad-mechanism-mapping",
    ),
    pytest.param(
        "latents: [z1]\nmechanisms: {m: {map: [z1], noise: 3}}\n",
        "mechanisms.m.noise",
        "mapping",
        id="noise-not-mapping",
    ),
    pytest.param(
        "latents: [z1]\nflows: {f: {map: [z1], noise: {law: laplace}}}\n",
        "flows.f",
        "noise is for maps only",
        id="noisy-flow",
    ),
    pytest.param(
        "latents: [z1]\nmechanisms: {m: 3}\n",
        "mechanisms.m",
        "list of component",
        id="mechanism-number",
    ),
]


@pytest.mark.parametrize(("text", "field", "fragment"), BAD)
def test_bad_spec_raises_one_line_spec_error(text, field, fragment):
    with pytest.raises(SpecError) as info:
        system_from_spec(text)
    message = str(info.value)
    assert info.value.field == field
    assert message.startswith(f"{field}: got ")
    assert fragment in message
    assert "\n" not in message
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        pytest.param(
            lambda: System.from_maps(["z1", "z1"], {"m": ["z1", "z1"]}),
            "latents[1]",
            id="duplicate-latent",
        ),
        pytest.param(
            lambda: System.from_maps(["z1", "cos"], {"m": ["z1", "z1"]}),
            "latents[1]",
            id="latent-cos",
        ),
        pytest.param(lambda: System.from_maps(["z1", "z2"], {}), "mechanisms", id="no-mechanisms"),
        pytest.param(
            lambda: System.from_maps(["z1", "z2"], {"m": ["z1"]}), "mechanisms.m", id="arity"
        ),
        pytest.param(
            lambda: System.from_maps(["z1"], {"m": ["y"]}), "mechanisms.m[0]", id="unknown-symbol"
        ),
        pytest.param(lambda: System.from_maps(["z1"], {"m": 5}), "mechanisms.m", id="not-a-map"),
        pytest.param(
            lambda: System.from_maps(["z1"], {"m": ["z1"]}, constants={"c": "z1"}),
            "constants.c",
            id="constant-symbol",
        ),
        pytest.param(
            lambda: System.from_maps([3], {"m": ["1"]}), "latents[0]", id="latent-not-a-name"
        ),
        pytest.param(lambda: System.from_maps(["z1"], {"": ["z1"]}), "mechanisms", id="empty-name"),
        pytest.param(lambda: Mechanism("m", (z1,), kind="jump"), "mechanisms.m", id="bad-kind"),
    ],
)
def test_bad_python_input_raises_spec_error(call, field):
    with pytest.raises(SpecError) as info:
        call()
    assert info.value.field == field
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(["z1 < 0", "z2"], id="relational"),
        pytest.param(["True", "z2"], id="boolean"),
        pytest.param("((z1, z2), z2)", id="nested-tuple"),
    ],
)
def test_components_must_be_expressions(value):
    with pytest.raises(SpecError):
        System.from_maps(["z1", "z2"], {"m": value})


def test_from_maps_validates_ansatz():
    with pytest.raises(SpecError, match="^ansatz: "):
        System.from_maps(["z1"], {"m": ["2*z1"]}, ansatz="quadratic")
