"""Delete each verification step in turn and show that the tests notice.

For every mutant (one check removed from the checker, the dispatcher, the membership
guard or the jet prover) this copies the package to a temporary folder, applies the
mutation, runs the tests that feed wrong answers (``TESTS``)
against the copy and prints how many failed. A mutant that leaves them green is a
verification step no test pins; the script exits 1 if there is one.

    python benchmarks/verification_mutants.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: The tests that feed wrong answers to the verification steps.
TESTS = ["tests/test_check.py", "tests/test_jets.py", "tests/test_examine_pipeline.py", "tests/test_units.py",
         "tests/test_hostile_input.py"]

#: (name, file, exact text to find, replacement)
MUTANTS = [
    ("dispatcher: the checker is not run", "equivid/solve/__init__.py",
     "    if not report.ok:\n        raise VerificationError(", "    if False:\n        raise VerificationError("),
    ("checker: identity at the identity parameters", "equivid/solve/check.py",
     "        failures.append(f\"the general element {tuple(solution.general_element)} is not the identity at \"",
     "        pass\n        (f\"the general element {tuple(solution.general_element)} is not the identity at \""),
    ("checker: the general element commutes", "equivid/solve/check.py",
     "        failures.append(f\"the general element {tuple(solution.general_element)} does not commute with every mechanism\")",
     "        pass"),
    ("checker: Lie generators", "equivid/solve/check.py",
     "            failures.append(f\"the Lie generator {tuple(X)} fails the infinitesimal condition\")", "            pass"),
    ("checker: discrete representatives commute", "equivid/solve/check.py",
     "        if not commutes(a, system):\n            failures.append(f\"the component representative {tuple(a)} does not commute\")\n        elif",
     "        if False:\n            pass\n        elif"),
    ("checker: discrete representatives are invertible", "equivid/solve/check.py",
     "            failures.append(f\"the component representative {tuple(a)} is not invertible\")", "            pass"),
    ("checker: tangent fields in the Lie span", "equivid/solve/check.py",
     "            failures.append(f\"the family's tangent field {missing} is not in the span of the reported Lie algebra\")",
     "            pass"),
    ("checker: Lie dimension recount", "equivid/solve/check.py",
     "        if solution.dimension != expected:", "        if False:"),
    ("checker: closure of a finite answer", "equivid/solve/check.py",
     "        failures.extend(_closure_failures(solution, latents))", "        pass"),
    ("checker: matrix form", "equivid/solve/check.py",
     "        failures.extend(matrix_failures(solution.structure, affine_forms(system) or [], system.n))", "        pass"),
    ("checker: finite-state generators", "equivid/solve/check.py",
     "    except VerificationError as exc:\n        failures.append(str(exc))", "    except VerificationError:\n        pass"),
    ("checker: finite-state order", "equivid/solve/check.py",
     "        if order != solution.components:", "        if False:"),
    ("checker: class and noise pieces", "equivid/solve/check.py",
     "        failures.extend(piece_failures(piece, condition.holds, latents))", "        pass"),
    ("checker: class and noise discrete elements", "equivid/solve/check.py",
     "            failures.append(f\"the element {tuple(a)} fails the defining condition\")", "            pass"),
    ("checker: class and noise general element", "equivid/solve/check.py",
     "            failures.append(f\"the general element {tuple(general)} fails the defining condition at {point}\")",
     "            pass"),
    ("membership: a member outside a complete answer", "equivid/groups.py",
     "        if reported is False and self.complete:", "        if False:"),
    ("pipeline: the default cross-examination", "equivid/_api.py",
     "    if cross_examine is False or (cross_examine is None and not examined(group.solution.parts[0])):",
     "    if True:"),
    ("cross-examination: the amended answer is re-checked", "equivid/examine.py",
     "    if not checked.ok:\n        raise VerificationError(", "    if False:\n        raise VerificationError("),
    ("units: the generating element is proved", "equivid/solve/_units.py",
     "        if q.degree() == rank:", "        if True:"),
    ("proof sketch: the components recount", "equivid/proofs/_exact.py",
     "lambda: (recount is not None and recount.count == group.components) or \"the recount disagrees\"",
     "lambda: True"),
    ("checker: the float recount is equilibrated", "equivid/solve/check.py",
     "    balanced = _equilibrated(M)\n", "    balanced = M\n"),
    ("parser: non-real constants", "equivid/_parse.py",
     "        if not _real_constants(result):", "        if False:"),
    ("jets: the exact proof of each candidate", "equivid/solve/jets.py",
     "    undecided = False\n    for mechanism in system.mechanisms:\n        for r in group_residual(a, mechanism, system.latents):",
     "    return \"proved\"\n    undecided = False\n    for mechanism in system.mechanisms:\n        for r in group_residual(a, mechanism, system.latents):"),
]


def run(name: str, path: str, find: str | None, replace: str | None) -> int | None:
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(ROOT / "equivid", copy / "equivid")
        shutil.copytree(ROOT / "tests", copy / "tests")
        shutil.copy(ROOT / "setup.cfg", copy / "setup.cfg")
        target = copy / path
        text = target.read_text(encoding="utf-8")
        if find is None or find not in text:
            return None
        text = text.replace(find, replace or "", 1)
        target.write_text(text, encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(copy))
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--no-header", "-x",
             "-c", str(copy / "setup.cfg"), *TESTS],
            cwd=copy, env=env, capture_output=True, text=True,
        )
        return result.returncode


def main() -> int:
    unpinned = 0
    import equivid  # noqa: F401  (the mutants must not be imported from the working tree)

    baseline = run("none", "equivid/solve/check.py", "", "")
    if baseline != 0:
        print("the unmutated tests fail; fix them first")
        return 2
    for name, path, find, replace in MUTANTS:
        code = run(name, path, find, replace)
        status = "not applied (text not found)" if code is None else "caught (a test fails)" if code else "NOT CAUGHT"
        if code == 0 or code is None:
            unpinned += 1
        print(f"{name:55s} {status}")
    print(f"{len(MUTANTS) - unpinned} of {len(MUTANTS)} mutants caught")
    return 1 if unpinned else 0


if __name__ == "__main__":
    sys.exit(main())
