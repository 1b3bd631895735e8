"""The spec files' JSON Schema (equivid/schema/spec.schema.json) and the messages built on it
(issue 20, item 6): the schema is valid, every spec equivid ships or documents follows it, it
names the same keys, laws, assumptions and classes as the parser, the loader refuses what it
refuses, and misspellings get a "did you mean"; YAML and expression syntax errors name the
right places."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import equivid
from equivid import SpecError
from equivid._schema import (
    SCHEMA_PATH,
    check_against_schema,
    did_you_mean,
    schema_keys,
    spec_schema,
)
from equivid.cli import main
from equivid.mechanisms import SPEC_KEYS, system_from_spec

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parents[1]
SPECS = sorted((ROOT / "equivid" / "examples").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))


def test_the_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_every_shipped_spec_follows_the_schema(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = list(jsonschema.Draft202012Validator(spec_schema()).iter_errors(data))
    assert errors == [], [e.message for e in errors]


def test_the_schema_names_what_the_parser_knows():
    from equivid.noise import LAWS
    from equivid.parameters import ASSUMPTIONS
    from equivid.solve._classes import NAMED_CLASSES

    defs = spec_schema()["$defs"]
    assert set(schema_keys()) == set(SPEC_KEYS)
    assert set(defs["noise"]["properties"]["law"]["enum"]) == set(LAWS)
    parameters = {p for law in LAWS.values() for p in (q.name for q in law.parameters)}
    assert set(defs["noise"]["properties"]) - {"law"} == parameters
    assert set(defs["assumption"]["enum"]) == set(ASSUMPTIONS)
    learner_class = spec_schema()["properties"]["learner"]["properties"]["class"]["oneOf"][0]["enum"]
    assert set(learner_class) == set(NAMED_CLASSES)


def test_the_loader_refuses_what_the_schema_refuses():
    # the parser took any description (str() of it); the schema wants a string, and the loader follows it
    text = "latents: [z1]\nmechanisms: {m: [2*z1]}\ndescription: [not, a, string]\n"
    with pytest.raises(SpecError, match=r"^description: got \[.*expected a string"):
        system_from_spec(text)
    with pytest.raises(SpecError, match="^name: got 3, expected a string"):
        check_against_schema({"latents": ["z1"], "mechanisms": {"m": ["2*z1"]}, "name": 3})
    with pytest.raises(SpecError, match=r"^mechanisms\.m\.noise\.law: got 'cauchy', expected one of gaussian"):
        check_against_schema({"latents": ["z1"], "mechanisms": {"m": {"map": ["z1"], "noise": {"law": "cauchy"}}}})


def test_a_schema_line_for_editors_is_accepted():
    text = "$schema: https://equivid.readthedocs.io/schema/spec.schema.json\nlatents: [z1]\nmechanisms: {m: [2*z1]}\n"
    assert system_from_spec(text).n == 1
    modeline = "# yaml-language-server: $schema=../equivid/schema/spec.schema.json\nlatents: [z1]\nmechanisms: {m: [2*z1]}\n"
    assert system_from_spec(modeline).n == 1


def test_did_you_mean():
    assert did_you_mean("mechanism", SPEC_KEYS) == "did you mean 'mechanisms'?"
    assert did_you_mean("qqqq", SPEC_KEYS) == ""


def test_a_misspelt_key_gets_a_suggestion():
    with pytest.raises(SpecError, match=r"unknown key; did you mean 'latents'\?"):
        system_from_spec("latent: [z1]\nmechanisms: {m: [2*z1]}\n")


def test_a_misspelt_example_name_gets_a_suggestion(capsys):
    assert main(["analyze", "diagonal_scalin"]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'diagonal_scaling' (a bundled example)?" in err and len(err.strip().splitlines()) == 1
    assert main(["examples", "--show", "cycle12"]) == 2
    assert "did you mean 'cycle_12'?" in capsys.readouterr().err
    assert main(["analyze", "no_such_thing_at_all"]) == 2
    assert "did you mean" not in capsys.readouterr().err


def test_a_sweep_names_the_example_it_meant(tmp_path):
    from equivid.sweep import load_sweep

    path = tmp_path / "s.yaml"
    path.write_text("systems:\n  - {spec: diagonal_scalin}\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"did you mean 'diagonal_scaling'\?"):
        load_sweep(path)


@pytest.mark.parametrize("text, where, opened", [
    ("latents: [z1, z2\nmechanisms:\n  grow: [2*z1, 3*z2]\n", "line 2, column 11", "line 1, column 10"),
    ('latents: [z1]\nmechanisms:\n  grow: "2*z1\n  push: 3\n', "line 5, column 1", "line 3, column 9"),
])
def test_a_yaml_syntax_error_names_where_the_construct_starts(text, where, opened):
    with pytest.raises(SpecError) as info:
        system_from_spec(text)
    message = str(info.value)
    assert message.startswith(f"spec: got '{where}', expected valid YAML") and f"starts at {opened}" in message


def test_an_unclosed_bracket_in_an_expression_says_so():
    group = equivid.solve(equivid.System.from_maps(["z1", "z2"], {"grow": ["2*z1", "3*z2"]}))
    with pytest.raises(SpecError) as info:
        group.contains("(z1, z2")
    message = str(info.value)
    assert "'(' was never closed (opened at column 1; the text ends at column 8)" in message
    with pytest.raises(SpecError, match="syntax error at column 6"):
        group.contains("(z1 +* 2, z2)")


def test_the_schema_takes_every_ansatz_the_parser_takes():
    import re

    from equivid.ansatz import Ansatz

    pattern = re.compile(spec_schema()["properties"]["ansatz"]["pattern"])
    for text in ["linear", " affine ", "finite", "polynomial:3", "polynomial : 2", "polynomial(4)", "quadratic",
                 "polynomial", "polynomial:x", "Linear"]:
        try:
            Ansatz.parse(text)
            parsed = True
        except SpecError:
            parsed = False
        assert bool(pattern.match(text)) == parsed, text


def test_the_command_line_prints_the_shipped_schema(capsys, tmp_path):
    assert main(["examples", "--schema"]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed) == spec_schema()
    # saved next to a spec and named on its modeline, it validates that spec as the loader does
    jsonschema = pytest.importorskip("jsonschema")
    (tmp_path / "spec.schema.json").write_text(printed)
    validator = jsonschema.Draft202012Validator(json.loads(printed))
    assert not list(validator.iter_errors({"latents": ["z1"], "mechanisms": {"m": ["2*z1"]}}))
    assert list(validator.iter_errors({"latents": ["z1"], "mechanism": {"m": ["2*z1"]}}))
    assert main(["examples", "--schema", "--show", "pendulum"]) == 2
    assert "--show: got 'pendulum', expected no --show with --schema" in capsys.readouterr().err
