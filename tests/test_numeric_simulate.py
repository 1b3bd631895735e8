"""Simulation and mixing: every mechanism kind, determinism through rng=, no global state."""

import numpy as np
import pytest

import equivid
from equivid.numeric import random_decoder, sample_noise, trajectory, transitions

SPECS = {
    "map": "latents: [z1, z2]\nmechanisms: {grow: [2*z1, 3*z2], push: [z1 + 1, z2]}\n",
    "family": "latents: [z1, z2]\nfamilies: [d]\nmechanisms: {shift: [z1 + d, z2]}\n",
    "noise": "latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: laplace, scale: 2}}}\n",
    "flow": "latents: [z1, z2]\nflows: {spin: [-z2, z1]}\n",
    "finite": "states: {i: 5}\nmechanisms: {step: \"(Mod(i + 1, 5),)\"}\n",
}


@pytest.mark.parametrize("kind", sorted(SPECS))
def test_transitions_are_deterministic_and_leave_global_state_alone(kind):
    system = equivid.System.from_spec(SPECS[kind])
    state = np.random.get_state()[1].copy()
    a, b = transitions(system, 50, rng=7), transitions(system, 50, rng=7)
    np.testing.assert_array_equal(a.z_next, b.z_next)
    assert np.array_equal(np.random.get_state()[1], state)
    assert not np.array_equal(transitions(system, 50, rng=8).z, a.z)


def test_maps_and_families_are_applied_exactly():
    data = transitions(equivid.System.from_spec(SPECS["map"]), 100, rng=0)
    grow = data.label == data.names.index("grow")
    np.testing.assert_allclose(data.z_next[grow], data.z[grow] * [2, 3])
    np.testing.assert_allclose(data.z_next[~grow], data.z[~grow] + [1, 0])
    family = transitions(equivid.System.from_spec(SPECS["family"]), 100, rng=0)
    np.testing.assert_allclose(family.z_next[:, 0] - family.z[:, 0], family.params[:, 0])


def test_noise_has_its_law():
    data = transitions(equivid.System.from_spec(SPECS["noise"]), 20000, rng=0)
    steps = data.z_next - data.z
    assert np.abs(steps).mean() == pytest.approx(2.0, rel=0.03)  # Laplace(scale 2): E|eps| = 2
    gauss = sample_noise({"law": "gaussian", "cov": [[1, 0], [0, 4]]}, 20000, 2, rng=0)
    np.testing.assert_allclose(np.cov(gauss.T), [[1, 0], [0, 4]], atol=0.1)
    uniform = sample_noise({"law": "uniform", "scale": 1}, 1000, 2, rng=0)
    assert uniform.min() >= -1 and uniform.max() <= 1


def test_product_noise_is_drawn_per_coordinate_from_the_registry():
    from equivid.noise import parse_law, sample_law
    from equivid.numeric.simulate import mechanism_noise

    spec = ("latents: [z1, z2]\nmechanisms: {walk: {map: [z1, z2], noise: {law: product, factors: "
            "[{law: laplace, scale: 1}, {law: exponential, scale: 3}]}}}\n")
    system = equivid.System.from_spec(spec)
    law = mechanism_noise(system.mechanisms[0], 2)
    assert law == parse_law({"law": "product", "factors": [{"law": "laplace"}, {"law": "exponential", "scale": 3}]},
                            "mechanisms.walk.noise", 2)
    assert mechanism_noise(equivid.System.from_spec(SPECS["map"]).mechanisms[0], 2) is None
    steps = transitions(system, 20000, rng=0)
    eps = steps.z_next - steps.z
    assert np.abs(eps[:, 0]).mean() == pytest.approx(1.0, rel=0.03)  # Laplace(1): E|eps| = 1
    assert eps[:, 1].min() >= -1e-12 and eps[:, 1].mean() == pytest.approx(3.0, rel=0.03)  # Exp(scale 3)
    np.testing.assert_array_equal(sample_noise(law, 7, 2, rng=4), sample_law(law, 7, 2, rng=4))


def test_flow_is_integrated():
    data = transitions(equivid.System.from_spec(SPECS["flow"]), 20, rng=0, dt=np.pi / 2)
    np.testing.assert_allclose(data.z_next, np.stack([-data.z[:, 1], data.z[:, 0]], axis=1), atol=1e-5)


def test_finite_states_move_through_tables():
    data = transitions(equivid.System.from_spec(SPECS["finite"]), 50, rng=0)
    np.testing.assert_array_equal(data.z_next[:, 0], (data.z[:, 0] + 1) % 5)
    path = trajectory(equivid.System.from_spec(SPECS["finite"]), 7, rng=0, start=[3])
    assert path.z[:, 0].tolist() == [3, 4, 0, 1, 2, 3, 4]


def test_trajectories_are_consecutive():
    path = trajectory(equivid.System.from_spec(SPECS["noise"]), 30, rng=1)
    np.testing.assert_array_equal(path.z[1:], path.z_next[:-1])


@pytest.mark.parametrize("activation", ["leaky", "smooth"])
@pytest.mark.parametrize("n, dim, depth", [(2, 2, 3), (3, 7, 3), (6, 6, 3), (1, 4, 2)])
def test_decoders_are_invertible_with_controlled_condition(n, dim, depth, activation):
    g = random_decoder(n, dim=dim, depth=depth, condition=4.0, activation=activation, rng=0)
    z = np.random.default_rng(1).standard_normal((100, n))
    x = g(z)
    assert x.shape == (100, dim)
    np.testing.assert_allclose(g.inverse(x), z, atol=1e-9)
    if n > 1:
        np.testing.assert_allclose(g.condition_numbers(), 4.0)
    assert not np.allclose(x, x @ np.linalg.lstsq(x, x, rcond=None)[0] + 1) or depth == 1


@pytest.mark.parametrize("activation", ["leaky", "smooth"])
def test_decoder_is_nonlinear(activation):
    g = random_decoder(2, activation=activation, rng=0)
    z = np.random.default_rng(0).standard_normal((500, 2))
    design = np.hstack([z, np.ones((500, 1))])
    residual = g(z) - design @ np.linalg.lstsq(design, g(z), rcond=None)[0]
    assert np.abs(residual).max() > 0.05


def test_the_smooth_decoder_is_smooth_and_inverted_far_out():
    leaky, smooth = (random_decoder(2, activation=a, rng=0) for a in ("leaky", "smooth"))
    assert leaky.weights[0].tolist() == smooth.weights[0].tolist()  # same layers, other activation
    z = 30 * np.random.default_rng(2).standard_normal((2000, 2))  # far into both tails
    np.testing.assert_allclose(smooth.inverse(smooth(z)), z, atol=1e-9)
    # second differences along a line: bounded for the smooth map, a spike at each kink for the leaky one
    t = np.linspace(-3, 3, 6001)[:, None]
    line = t * [[0.6, 0.8]]
    curvature = [np.abs(np.diff(g(line), n=2, axis=0)).max() / (t[1, 0] - t[0, 0]) ** 2 for g in (leaky, smooth)]
    assert curvature[1] < 10 < curvature[0]


@pytest.mark.parametrize("kwargs", [{"dim": 1}, {"depth": 2, "n": 6}, {"slope": 1.5}, {"condition": 0.5},
                                    {"activation": "relu"}])
def test_bad_decoder_arguments(kwargs):
    n = kwargs.pop("n", 2)
    with pytest.raises(equivid.SpecError):
        random_decoder(n, **kwargs)
