"""Verification end to end: the decision rule, encoders the user brings, the controls, trained
encoders (PyTorch, small problems), and the ``equivid verify`` command."""

import json

import numpy as np
import pytest

import equivid
from equivid.cli import EXAMPLES, main
from equivid.numeric import assess, group_model, random_decoder, transitions, verify
from equivid.numeric.models import map_function


def _group(case):
    return equivid.solve(equivid.load(EXAMPLES / f"{case}.yaml"))


KINDS = ["translations_two", "diagonal_scaling", "rotation_quarter", "laplace_walk", "gaussian_walk",
         "class_diagonal", "translation_single"]


@pytest.mark.parametrize("case", KINDS)
def test_an_encoder_that_inverts_the_mixing_up_to_a_group_element_is_confirmed(case):
    group = _group(case)
    g = random_decoder(2, dim=4, rng=1)
    a = map_function(group.sample(5), group.latents)
    report = verify(group.system, group=group, encoder=lambda x: a(g.inverse(x)), decoder=g, seeds=2, samples=400)
    # one encoder for every seed: one element, which may lie in a proper subgroup (then "too large" is the truth)
    assert all(s.verdict == "confirmed" for s in report.seeds)
    assert report.verdict == "confirmed" or report.verdict.startswith("too large: learning stayed within")
    assert report.controls_passed
    assert all(s.group.low > 0.999 for s in report.seeds)


@pytest.mark.parametrize("case", KINDS)
def test_an_encoder_outside_the_group_is_refuted(case):
    group = _group(case)
    g = random_decoder(2, rng=2)
    wrong = map_function(equivid.numeric.outside_map(group), group.latents)
    report = verify(group.system, group=group, encoder=lambda x: wrong(g.inverse(x)), decoder=g, seeds=1, samples=400)
    assert report.verdict == "refuted"


@pytest.mark.parametrize("maps, ansatz", [
    ({"id": ["z1", "z2"]}, "affine"),  # Aff(2): the outside control must be refutable on multiscale data
    ({"id": ["z1", "z2"]}, "linear"),  # GL(2)
    ({"grow": ["2*z1", "2*z2"]}, "linear"),
    ({"turn": ["-z2", "z1"]}, "affine"),
])
def test_controls_pass_for_large_correct_predictions_under_the_default_law(maps, ansatz):
    system = equivid.System.from_maps(["z1", "z2"], maps)
    group = equivid.solve(system, ansatz=ansatz)
    a = map_function(group.sample(3), group.latents)
    report = verify(system, group=group, encoder=a, decoder=lambda z: z, seeds=1, samples=1000)
    assert report.settings["states"] == "multiscale"
    assert [(c.kind, c.result.verdict) for c in report.controls] == [("inside", "confirmed"), ("outside", "refuted")]


def test_an_encoder_given_is_not_told_to_train_longer():
    group = _group("diagonal_scaling")
    bent = lambda z: np.c_[z[:, 0] + 0.3 * np.tanh(3 * z[:, 1]), z[:, 1]]  # noqa: E731  consistent? no
    report = verify(group.system, group=group, encoder=bent, decoder=lambda z: z, seeds=1, samples=600)
    text = str(report)
    assert report.seeds[0].consistency < 0.99
    assert "train longer" not in text and "samples/s" not in text and "encoder given is not mechanism-consistent" in text
    assert report.to_dict()["seeds"][0]["train_seconds"] is None


def test_a_collapsed_encoder_is_inconclusive():
    model = group_model(_group("diagonal_scaling"))
    z = np.random.default_rng(0).standard_normal((400, 2))
    noise = np.random.default_rng(1).standard_normal((400, 2))
    result = assess(model, z, noise, rng=0)  # learned latents carry no information about z
    assert result.verdict == "inconclusive"
    assert result.ceiling.high < 0.5


def test_smaller_groups_are_told_apart():
    model = group_model(_group("diagonal_scaling"))
    z = np.random.default_rng(0).standard_normal((1000, 2))
    result = assess(model, z, z * [3.0, -0.5], rng=0)
    (uniform, _, gap), (identity, _, _) = result.smaller
    assert uniform == "uniform scalings" and identity == "identity"
    assert gap.low > 0.1  # the group fits much better than its uniform-scalings subgroup
    inside = assess(model, z, z * 2.0, rng=0)
    assert inside.smaller[0][1].low > 0.999  # a uniform scaling: the smaller group fits too


def test_fitted_elements_spread_over_the_group():
    group = _group("laplace_walk")
    g = random_decoder(2, rng=0)
    elements = [map_function(group.sample(k), group.latents) for k in range(4)]
    fits = [assess(group_model(group), z, a(z), rng=0).fit for a in elements
            for z in [np.random.default_rng(3).standard_normal((400, 2))]]
    from equivid.numeric.verify import _spread

    spread, distinct = _spread(fits)
    assert distinct >= 2 and spread > 0.1
    assert g.n == 2


def test_torch_modules_are_accepted_as_encoders():
    torch = pytest.importorskip("torch")
    group = _group("rotation_quarter")
    g = random_decoder(2, rng=0)
    inverse = [(torch.tensor(np.linalg.inv(W), dtype=torch.float32), torch.tensor(b, dtype=torch.float32))
               for W, b in zip(g.weights, g.biases)]

    class Inverse(torch.nn.Module):  # g^{-1}, exactly, as a torch module
        def forward(self, x):
            h = x
            for k in range(len(inverse) - 1, -1, -1):
                if k < len(inverse) - 1:
                    h = torch.where(h > 0, h, h / g.slope)
                W_inv, b = inverse[k]
                h = (h - b) @ W_inv.T
            return h

    report = verify(group.system, group=group, encoder=Inverse(), decoder=g, seeds=1, samples=400)
    assert report.seeds[0].verdict == "confirmed"
    # the exact inverse learns the identity, which every subgroup holds: the whole group is not shown
    assert report.verdict.startswith("too large: learning stayed within")


def test_the_state_law_is_multiscale_around_a_common_fixed_point():
    from equivid.numeric import state_law

    for case, law in [("diagonal_scaling", "multiscale"), ("rotation_quarter", "multiscale"),
                      ("translations_two", "normal"), ("laplace_walk", "normal"), ("translation_family", "normal")]:
        assert state_law(equivid.load(EXAMPLES / f"{case}.yaml"))[0] == law, case
    system = equivid.load(EXAMPLES / "diagonal_scaling.yaml")
    name, draw = state_law(system, "multiscale")
    radii = np.linalg.norm(draw(np.random.default_rng(0), 4000), axis=1)
    assert name == "multiscale" and np.quantile(radii, 0.1) < 0.1 < 1 < np.quantile(radii, 0.99)
    assert 0.02 <= radii.min() and radii.max() <= 2  # bounded: held-out points lie where training was
    assert state_law(system, "normal")[0] == "normal"
    with pytest.raises(equivid.SpecError, match="--states"):
        state_law(system, "uniform")


def test_consistency_separates_commuting_maps_from_the_rest():
    from equivid.numeric import consistency_r2

    grow = equivid.load(EXAMPLES / "diagonal_scaling.yaml")
    kinked = lambda z: np.where(z > 0, z, 2 * z)  # noqa: E731 - commutes, not affine
    assert consistency_r2(grow, kinked, 500, rng=0) == pytest.approx(1.0)
    assert consistency_r2(grow, lambda z: z + 1, 500, rng=0) < 0.99  # a shift does not commute
    family = equivid.load(EXAMPLES / "translations_two.yaml")
    assert consistency_r2(family, lambda z: z @ [[0.0, 1.0], [1.0, 0.0]], 500, rng=0) < 0.9
    assert consistency_r2(equivid.load(EXAMPLES / "laplace_walk.yaml"), lambda z: z, 500, rng=0) is None


def test_consistency_of_flows_uses_their_time_dt_map():
    from equivid.numeric import consistency_r2

    drift = equivid.load(EXAMPLES / "drift_flow.yaml")  # the flow of (1, 0)
    assert consistency_r2(drift, lambda z: z + [0.0, 3.0], 400, rng=0) == pytest.approx(1.0)
    assert consistency_r2(drift, lambda z: 2 * z, 400, rng=0) < 0.99  # the drift's speed is not kept


def test_the_torch_flow_matches_the_simulated_flow():
    pytest.importorskip("torch")
    import torch

    from equivid.numeric import transitions
    from equivid.numeric.train import _torch_flow, _torch_map

    spin = equivid.System.from_maps(["z1", "z2"], flows={"spin": ["-z2 + z1*(1 - z1**2 - z2**2)", "z1"]})
    data = transitions(spin, 50, rng=0, dt=0.5)
    m = spin.mechanisms[0]
    flow = _torch_flow(_torch_map(m.components, spin.latents), 2, 0.5)
    z = torch.as_tensor(data.z, dtype=torch.float64)
    np.testing.assert_allclose(flow(z[:, 0], z[:, 1]).numpy(), data.z_next, atol=1e-4)


def test_verify_rejects_bad_arguments():
    system = equivid.load(EXAMPLES / "translations_two.yaml")
    with pytest.raises(equivid.SpecError):
        verify(system, seeds=0)
    with pytest.raises(equivid.SpecError, match="--mixing"):
        verify(system, mixing="relu")
    other = equivid.solve(equivid.System.from_maps(["a", "b"], {"m": ["a + 1", "b"]}))
    with pytest.raises(equivid.SpecError):
        verify(system, group=other)  # a group over other latents


# -- trained encoders (PyTorch): small problems, a few hundred steps --------------------------
@pytest.mark.slow  # 12-50 s of training; the fast suite trains to confirm a flow and to refute a wrong prediction
def test_trained_encoders_confirm_translations():
    pytest.importorskip("torch")
    report = verify(equivid.load(EXAMPLES / "translations_two.yaml"), seeds=2, samples=2000, steps=1000, rng=0)
    assert report.verdict == "confirmed", str(report)
    assert report.controls_passed
    assert all(s.smaller[0][2].low > 0 for s in report.seeds)  # not the identity
    assert report.distinct == 2


def test_trained_encoders_refute_a_wrong_prediction():
    pytest.importorskip("torch")
    system = equivid.load(EXAMPLES / "translations_two.yaml")
    wrong = _group("scaling_and_push")  # "fully identifiable": the translations say otherwise
    report = verify(system, group=wrong, seeds=1, samples=2000, steps=1000, rng=0)
    assert report.verdict == "refuted", str(report)
    assert report.controls_passed


def test_trained_encoders_confirm_a_flow():
    pytest.importorskip("torch")
    report = verify(equivid.load(EXAMPLES / "drift_flow.yaml"), seeds=1, samples=1000, steps=1000, rng=0)
    assert report.verdict == "confirmed", str(report)
    assert report.controls_passed and report.seeds[0].consistency > 0.99
    assert report.seeds[0].smaller[0][2].low > 0.3  # not a translation: the drift leaves B(0, 1) free


def test_class_assignments_are_enumerated_or_drawn():
    from equivid.numeric.train import MAX_ASSIGNMENTS, _assignments

    assert _assignments(2, 2, 0) == [(0, 0), (0, 1), (1, 0), (1, 1)]
    drawn = _assignments(6, 3, 0)  # 216 assignments: a reproducible sample
    assert len(drawn) == MAX_ASSIGNMENTS == len(set(drawn)) and drawn == _assignments(6, 3, 0)


@pytest.mark.parametrize("value, pieces", [("axis_translations", 2), ("permutations", 2), ("orthogonal", 2),
                                           ("affine", 1)])
def test_class_pieces_evaluate_the_class(value, pieces):
    torch = pytest.importorskip("torch")
    from equivid.numeric.train import _class_pieces

    system = equivid.System.from_spec("latents: [z1, z2]\nmechanisms: {m: [z1 + 1, z2]}\n"
                                      f"learner: {{knows: class, class: {value}}}\n")
    found, unknowns = _class_pieces(system)
    assert len(found) == pieces
    u = torch.randn(5, 2, dtype=torch.float64)
    theta = torch.full((unknowns,), 0.3, dtype=torch.float64)
    outputs = [piece(u, theta) for piece in found]
    if value == "orthogonal":  # a rotation by 0.3 and a rotation times a reflection: norms kept
        for out in outputs:
            np.testing.assert_allclose(out.norm(dim=1).numpy(), u.norm(dim=1).numpy())
        assert torch.det(torch.linalg.lstsq(u, outputs[1]).solution) < 0
    elif value == "axis_translations":
        np.testing.assert_allclose((outputs[1] - u).numpy(), [[0.0, 0.3]] * 5)
    elif value == "permutations":
        np.testing.assert_allclose(outputs[1].numpy(), u.flip(1).numpy())


@pytest.mark.slow
def test_trained_encoders_confirm_axis_translations():
    """The learner picks an axis per mechanism (the assignments are warmed up and raced)."""
    pytest.importorskip("torch")
    report = verify(equivid.load(EXAMPLES / "sparse_perturbations.yaml"), seeds=2, samples=1000, steps=1500, rng=0)
    assert report.verdict == "confirmed", str(report)
    assert report.controls_passed


def test_training_is_deterministic_and_leaves_torch_state_alone():
    torch = pytest.importorskip("torch")
    from equivid.numeric import transitions
    from equivid.numeric.train import train_encoder

    system = equivid.load(EXAMPLES / "class_diagonal.yaml")  # learned mechanisms from the class
    data = transitions(system, 300, rng=0)
    g = random_decoder(2, rng=0)
    state = torch.random.get_rng_state().clone()
    runs = [train_encoder(system, g(data.z), g(data.z_next), data.label, steps=30, seed=3) for _ in range(2)]
    assert torch.equal(state, torch.random.get_rng_state())
    assert runs[0].history_ == runs[1].history_
    assert runs[0].mechanisms_.shape == (1, 2)  # the class's unknowns (a, b), learned
    assert runs[0].history_[-1] < runs[0].history_[0]


def test_cuda_is_refused_clearly_without_a_gpu(capsys):
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    assert main(["verify", "translations_two", "--device", "cuda"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "cuda" in err


@pytest.mark.slow
@pytest.mark.parametrize("case, seeds", [("rotation_quarter", 3), ("laplace_walk", 5)])
def test_trained_encoders_confirm_the_larger_cases(case, seeds):
    # signed permutations have 8 components: seeds enough to land outside each proper subgroup
    pytest.importorskip("torch")
    report = verify(equivid.load(EXAMPLES / f"{case}.yaml"), seeds=seeds, samples=2000, steps=3000, rng=0)
    assert report.verdict == "confirmed", str(report)
    assert report.controls_passed and report.distinct >= 3


@pytest.mark.slow
def test_smooth_encoders_confirm_a_diagonal_scaling():
    """Smooth mixing and encoders, multiscale latents (the defaults of ``equivid verify``):
    a map that commutes with (2 z1, 3 z2) and is smooth at 0 is a diagonal scaling."""
    pytest.importorskip("torch")
    report = verify(equivid.load(EXAMPLES / "diagonal_scaling.yaml"), rng=0)  # the defaults
    assert report.settings["states"] == "multiscale" and report.settings["mixing"] == "smooth"
    assert report.verdict == "confirmed", str(report)
    # the elements differ (the verdict's subgroup tests require it); two may be within 0.1 of each other
    assert report.controls_passed and report.distinct >= 2
    assert all(s.consistency > 0.99 for s in report.seeds)


@pytest.mark.slow
def test_leaky_encoders_trained_on_a_diagonal_scaling_leave_the_affine_class():
    """The README's caveat, kept true: piecewise-linear encoders learn kinked maps that
    commute but are not affine, and the report explains the refutation by the class searched."""
    pytest.importorskip("torch")
    report = verify(equivid.load(EXAMPLES / "diagonal_scaling.yaml"), seeds=3, samples=2000, steps=3000, rng=0,
                    mixing="leaky", states="normal")
    assert report.verdict != "confirmed"
    assert any("searched" in note and "consistent" in note for note in report.notes)
    assert all(s.consistency > 0.99 for s in report.seeds)  # consistent, yet outside the affine class


# -- the command line -----------------------------------------------------------------------
@pytest.mark.slow  # 15 s of training under load; test_cli_data_end_to_end runs equivid verify in the fast suite
def test_cli_json_and_plot(tmp_path, capsys):
    pytest.importorskip("torch")
    pytest.importorskip("matplotlib")
    plot = tmp_path / "out.png"
    code = main(["verify", "translations_two", "--seeds", "1", "--samples", "600", "--steps", "200", "--format", "json",
                 "--plot", str(plot), "--quiet"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert {"verdict", "seeds", "controls", "spread", "settings", "seconds"} <= set(data)
    assert data["controls_passed"] is True
    assert {"r2_group", "r2_smaller", "r2_ceiling", "r2_consistency", "train_seconds"} <= set(data["seeds"][0])
    assert data["settings"]["mixing"] == "smooth" and data["settings"]["states"] == "normal"
    assert plot.stat().st_size > 1000
    # never overwrite silently
    assert main(["verify", "translations_two", "--plot", str(plot), "--quiet"]) == 2
    assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--seeds", "0"], ["--samples", "5"], ["--plot", "x.jpg"], ["--device", "tpu"],
                                  ["--hidden", "0"], ["--lr", "-1"], ["--mixing", "relu"], ["--states", "uniform"]])
def test_cli_bad_input_exits_2_with_one_line(argv, capsys):
    pytest.importorskip("torch")
    try:
        code = main(["verify", "translations_two", *argv, "--quiet"])
    except SystemExit as exc:  # argparse's own checks (choices) exit from the parser
        code = exc.code
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("equivid: error:") and "\n" not in err


def test_cli_finite_state_is_unsupported(capsys):
    pytest.importorskip("torch")
    assert main(["verify", "cycle_12", "--quiet"]) == 3
    assert "finite-state" in capsys.readouterr().err


def test_the_summary_aggregates_the_fields_metrics_over_seeds():
    from equivid.numeric.fitters import mcc

    group = _group("diagonal_scaling")
    a = map_function(group.sample(2), group.latents)
    report = verify(group.system, group=group, encoder=a, decoder=lambda z: z, seeds=3, samples=500)
    summary = report.to_dict()["summary"]
    expected = [mcc(s.z, s.y) for s in report.seeds]  # recomputed from the held-out points
    assert summary["mcc_pearson"]["mean"] == pytest.approx(np.mean(expected), abs=1e-5)
    assert summary["mcc_pearson"]["min"] <= summary["mcc_pearson"]["max"]
    assert set(summary) == {"mcc_pearson", "mcc_spearman", "r2_linear", "r2_affine", "r2_group"}
    assert "over 3 seed(s): MCC" in str(report)


@pytest.mark.parametrize("case", ["translations_two", "laplace_walk", "class_diagonal"])
def test_seeds_trained_together_train_as_if_alone(case):
    """The batched run (one model, grouped layers) gives each seed what training it alone gives:
    its own initial weights, batches, loss, gradient clipping and Adam state."""
    pytest.importorskip("torch")
    from equivid.numeric.train import train_encoder, train_encoders

    system = equivid.load(EXAMPLES / f"{case}.yaml")
    runs = []
    for seed in (3, 4, 5):
        data = transitions(system, 300, rng=seed)
        g = random_decoder(2, rng=seed)
        runs.append((g(data.z), g(data.z_next), data.label, data.params, seed))
    together = train_encoders(system, runs, steps=25, lr=3e-2)  # a large rate: clipping is active
    for run, joint in zip(runs, together):
        alone = train_encoder(system, *run[:4], seed=run[4], steps=25, lr=3e-2)
        np.testing.assert_allclose(joint.history_, alone.history_, rtol=2e-3, atol=1e-5)
        np.testing.assert_allclose(joint(run[0][:50]), alone(run[0][:50]), rtol=1e-2, atol=1e-3)
        assert joint.batched_ == 3 and alone.batched_ == 1
