"""A bounded fuzz run: mutated bundled specs through the Python API end in a result or an
EquividError, never another exception or a hang (the long run: benchmarks/fuzz.py)."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("equivid_fuzz", ROOT / "benchmarks" / "fuzz.py")
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


def test_mutations_change_the_spec():
    rng = random.Random(3)
    import yaml

    spec = yaml.safe_load(fuzz.SPECS[0].read_text(encoding="utf-8"))
    assert any(fuzz.mutate(spec, rng) != spec for _ in range(10))


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_a_mutated_spec_ends_in_a_result_or_an_equivid_error(seed):
    (text,) = fuzz.mutants(1, seed) or ["latents: [z1]\nmechanisms: {m: [z1]}\n"]
    kind, detail = fuzz.outcome(text, budget=5.0)
    assert kind not in ("crash", "hang"), f"{kind}: {detail}\n{text}"
