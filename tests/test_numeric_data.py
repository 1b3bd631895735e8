"""Users' recorded data (``verify(..., data=...)``, ``equivid verify SPEC --data FILE.npz``): the
arrays and their shapes, one-line errors for wrong ones, and trained encoders scored against
true latents or against each other."""

import json

import numpy as np
import pytest

import equivid
from equivid.cli import EXAMPLES, main
from equivid.numeric import random_decoder, transitions, verify
from equivid.numeric.data import load_observations


@pytest.fixture(scope="module")
def recorded():
    system = equivid.load(EXAMPLES / "translations_two.yaml")
    data = transitions(system, 1200, rng=0)
    g = random_decoder(2, dim=3, activation="smooth", rng=1)
    return system, data, g


def arrays(recorded, **changes):
    system, data, g = recorded
    out = {"x": g(data.z), "x_next": g(data.z_next), "labels": np.array(data.names)[data.label], "z": data.z}
    out.update(changes)
    return {k: v for k, v in out.items() if v is not None}


def test_labels_by_name_or_index_and_images_kept_flat(recorded):
    system, data, _ = recorded
    by_name = load_observations(arrays(recorded), system)
    by_index = load_observations(arrays(recorded, labels=data.label), system)
    assert np.array_equal(by_name.labels, data.label) and np.array_equal(by_index.labels, data.label)
    images = np.zeros((len(data.z), 3, 4, 5))
    flat = load_observations(arrays(recorded, x=images, x_next=images), system)
    assert flat.x.shape == (len(data.z), 60) and flat.image_shape == (3, 4, 5)
    gray = load_observations(arrays(recorded, x=images[:, 0], x_next=images[:, 0]), system)
    assert gray.image_shape == (1, 4, 5)


@pytest.mark.parametrize("change, field, expected", [
    ({"x": np.zeros((1200,))}, "x", "shape (N, D)"),
    ({"x_next": np.zeros((1200, 2))}, "x_next", "the shape of x"),
    ({"labels": np.zeros((1200, 1))}, "labels", "shape (1200,)"),
    ({"labels": np.full(1200, "spin")}, "labels", "a mechanism of the spec"),
    ({"labels": np.full(1200, 7)}, "labels", "an index from 0 to 1"),
    ({"labels": None}, "labels", "the spec has 2 mechanisms"),
    ({"z": np.zeros((1200, 3))}, "z", "shape (1200, 2)"),
    ({"z": np.full((1200, 2), np.nan)}, "z", "finite"),
    ({"params": np.zeros((1200, 1))}, "params", "the spec has none"),
    ({"dt": np.array(-1.0)}, "dt", "a positive number"),
    ({"extra": np.zeros(3)}, "extra", "arrays among"),
])
def test_wrong_arrays_are_one_line_errors(recorded, change, field, expected):
    system = recorded[0]
    with pytest.raises(equivid.SpecError) as caught:
        load_observations(arrays(recorded, **change), system)
    message = str(caught.value)
    assert field in message and expected in message and "\n" not in message


def test_family_values_are_required(recorded):
    family = equivid.load(EXAMPLES / "translation_family.yaml")
    with pytest.raises(equivid.SpecError, match="params"):
        load_observations(arrays(recorded, labels=None), family)


def test_an_encoder_given_needs_true_latents(recorded):
    system = recorded[0]
    with pytest.raises(equivid.SpecError, match="true latents"):
        verify(system, data=arrays(recorded, z=None), encoder=lambda x: x[:, :2])
    with pytest.raises(equivid.SpecError, match="--seeds"):
        verify(system, data=arrays(recorded, z=None), seeds=1, steps=1)
    with pytest.raises(equivid.SpecError, match="decoder"):
        verify(system, data=arrays(recorded), decoder=lambda z: z)


def test_an_exact_encoder_on_recorded_data_is_scored_against_the_latents(recorded):
    system, _, g = recorded
    shift = np.array([0.5, -1.0])
    good = verify(system, data=arrays(recorded), encoder=lambda x: g.inverse(x) + shift, seeds=1)
    assert good.seeds[0].verdict == "confirmed" and good.settings["scored_against"] == "true latents"
    assert good.seeds[0].consistency > 0.999  # measured on the recorded transitions
    turned = verify(system, data=arrays(recorded), encoder=lambda x: g.inverse(x)[:, ::-1] * [1.0, 2.0], seeds=1)
    assert turned.verdict == "refuted"


def test_the_settings_say_what_ran_on_recorded_data(recorded):
    """An encoder given is scored once, on every transition, and nothing is trained: the
    settings say so, whatever --seeds and --steps asked for."""
    system, _, g = recorded
    report = verify(system, data=arrays(recorded), encoder=lambda x: g.inverse(x), seeds=3, steps=999)
    assert len(report.seeds) == 1 and report.settings["seeds"] == 1
    assert report.settings["steps"] is None
    assert (report.settings["trained_on"], report.settings["scored_on"]) == (0, 1200)


@pytest.mark.slow  # about 10-15 s of training; test_cli_data_end_to_end trains on recorded data in the fast suite
def test_trained_encoders_on_recorded_data(recorded, tmp_path):
    pytest.importorskip("torch")
    system = recorded[0]
    path = tmp_path / "run.npz"
    np.savez(path, **arrays(recorded, z=None))
    before = path.read_bytes()
    report = verify(system, data=path, seeds=2, steps=400, rng=0)
    assert report.settings["scored_against"] == "seed 0's encoder" and [s.seed for s in report.seeds] == [1]
    assert report.seeds[0].verdict == "confirmed", str(report)  # f_1∘f_0^-1 is a translation
    assert path.read_bytes() == before


def test_cli_data_end_to_end(recorded, tmp_path, capsys):
    pytest.importorskip("torch")
    path = tmp_path / "run.npz"
    np.savez(path, **arrays(recorded))
    status = main(["verify", "translations_two", "--data", str(path), "--seeds", "1", "--steps", "300",
                   "--format", "json", "--quiet"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["settings"]["data"] == str(path) and data["settings"]["samples"] == 1200
    assert (data["settings"]["trained_on"], data["settings"]["scored_on"], data["settings"]["steps"]) == (600, 600, 300)
    assert data["seeds"][0]["mcc_pearson"] > 0.9


@pytest.mark.parametrize("content", [b"not an archive", None])
def test_cli_bad_data_files(tmp_path, capsys, content):
    path = tmp_path / "bad.npz"
    if content is not None:
        path.write_bytes(content)
    assert main(["verify", "translations_two", "--data", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--data" in err
