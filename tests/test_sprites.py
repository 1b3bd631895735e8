"""The sprite renderer (a decoder for image observations), the spec's ``observe:`` entry, and a
convolutional encoder trained on rendered frames end to end."""

import numpy as np
import pytest

import equivid
from equivid.cli import EXAMPLES, main
from equivid.numeric.sprites import SpriteRenderer, renderer_for, sprite_renderer


def test_each_role_changes_the_image_and_the_rendering_is_smooth():
    g = sprite_renderer(5, size=16)
    z = np.random.default_rng(0).standard_normal((20, 5))
    base = g(z)
    for k in range(5):
        bumped = z.copy()
        bumped[:, k] += 1e-4
        difference = np.linalg.norm(g(bumped) - base, axis=1)
        assert np.all(difference > 1e-7), g.roles[k]  # every latent is seen
        bumped[:, k] += 1e-4
        second = np.linalg.norm(g(bumped) - base, axis=1)
        np.testing.assert_allclose(second, 2 * difference, rtol=1e-2)  # locally linear: smooth


def test_distinct_latents_give_distinct_images():
    # injective in practice: the nearest other rendering of random latents is far from each one
    g = sprite_renderer(3, size=12)
    z = np.random.default_rng(1).standard_normal((300, 3))
    x = g(z)
    distances = np.linalg.norm(x[:, None, :] - x[None, :, :], axis=2) + np.eye(len(x)) * 1e9
    closest = distances.argmin(axis=1)
    ratio = distances[np.arange(len(x)), closest] / np.linalg.norm(z - z[closest], axis=1)
    assert ratio.min() > 1e-2


def test_the_angle_is_not_a_symmetry():
    g = sprite_renderer(3, roles=["x", "y", "angle"], size=16)
    images = g(np.array([[0.0, 0.0, -1.5], [0.0, 0.0, 0.0], [0.0, 0.0, 1.5]]))
    assert np.linalg.norm(images[0] - images[2]) > 0.5 * np.linalg.norm(images[0])


@pytest.mark.parametrize("observe, field", [
    ({"renderer": "raytracer"}, "observe.renderer"),
    ({"renderer": "sprites", "size": 4}, "observe.size"),
    ({"renderer": "sprites", "roles": {"z1": "x"}}, "observe.roles"),
    ({"renderer": "sprites", "roles": {"z1": "x", "z2": "x"}}, "observe.roles"),
    ({"renderer": "sprites", "roles": {"z1": "x", "z2": "depth"}}, "observe.roles.z2"),
    ({"renderer": "sprites", "colour": "red"}, "observe.colour"),
])
def test_bad_observe_entries_are_one_line_errors(observe, field):
    import yaml

    text = yaml.safe_dump({"latents": ["z1", "z2"], "mechanisms": {"m": "(z1 + 1, z2)"}, "observe": observe})
    with pytest.raises(equivid.SpecError) as caught:
        equivid.System.from_spec(text)
    assert field in str(caught.value) and "\n" not in str(caught.value)


def test_the_spec_entry_round_trips_and_builds_the_renderer():
    system = equivid.load(EXAMPLES / "moving_sprite.yaml")
    assert renderer_for(system) == SpriteRenderer(("x", "y"), 16)
    again = equivid.System.from_spec(equivid.spec.system_to_spec(system))
    assert again.observe == system.observe
    assert renderer_for(equivid.load(EXAMPLES / "translations_two.yaml")) is None


@pytest.mark.slow  # the convolutional encoder also trains in test_a_user_decoder_with_an_image_shape_...
def test_a_convolutional_encoder_on_rendered_frames(capsys):
    pytest.importorskip("torch")
    import json

    status = main(["verify", "moving_sprite", "--seeds", "1", "--steps", "200", "--samples", "500", "--quiet",
                   "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0
    assert data["settings"]["mixing"] == "sprites (16x16)" and data["settings"]["dim"] == 768
    assert data["settings"]["train"]["encoder"] == "auto"
    assert data["seeds"][0]["mcc_pearson"] > 0.9  # the conv encoder recovered the position
    assert data["seeds"][0]["verdict"] == "confirmed"  # R^2 in group 0.978 [0.972, 0.982] here


def test_conv_needs_images():
    pytest.importorskip("torch")
    from equivid.numeric.train import train_encoder

    system = equivid.load(EXAMPLES / "translations_two.yaml")
    with pytest.raises(equivid.SpecError, match="--encoder"):
        train_encoder(system, np.zeros((30, 2)), np.zeros((30, 2)), np.zeros(30, dtype=int), encoder="conv")
    with pytest.raises(equivid.SpecError, match="image_shape"):
        train_encoder(system, np.zeros((30, 12)), np.zeros((30, 12)), np.zeros(30, dtype=int), image_shape=(3, 2, 3))


def test_a_user_decoder_with_an_image_shape_trains_the_convolutional_encoder():
    pytest.importorskip("torch")
    from equivid.numeric import verify

    class Frames:  # a user's decoder: the sprite renderer behind a plain callable with image_shape
        image_shape = (3, 12, 12)

        def __init__(self):
            self.inner = sprite_renderer(2, size=12)

        def __call__(self, z):
            return self.inner(z)

    system = equivid.load(EXAMPLES / "translations_two.yaml")
    report = verify(system, decoder=Frames(), seeds=1, samples=400, steps=60)
    assert report.settings["mixing"] == "given" and report.settings["dim"] == 432  # 3 x 12 x 12, measured
    assert np.isfinite(report.seeds[0].mcc_pearson)
