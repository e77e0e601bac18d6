"""The architecture is checked by tools, not by hope.

* The import-linter contracts of pyproject.toml (layers; kernels standalone) hold, and they fail
  when a kernel imports the jaxqring API (a planted violation is caught).
* Every package folder is declared in pyproject.toml (a wheel would silently miss it otherwise).
* No library function imports ``jaxqring`` inside its body, no module imports a ``_private`` name
  from another module, nothing dispatches with ``getattr(jq, name)``.
* Every public name of the 0.1 top-level namespace still imports.

import-linter builds its graph from the files of the ``jaxqring`` package folder, but
``kernels/`` is installed as ``jaxqring.kernels`` through a package-dir mapping, so the check
runs on a staged copy laid out as a wheel installs it (``jaxqring/kernels/...``).
"""

from __future__ import annotations

import ast
import os
import pathlib
import shutil
import subprocess
import sys
import tomllib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LIBRARY = ROOT / "jaxqring"
KERNELS = ROOT / "kernels"

# The public namespace of jaxqring 0.1 (before the subpackages): every name must keep working.
NAMES_0_1 = """
AGGREGATORS AggregationState Channel CommCost CommStats Dataset DephasingStudy EPRModel FixedPoint
GHZAllReduceResult HeisenbergStudy KitaevSumResult MPS NoiseModel PureQFIReport RingLedger
RingResult Shards TrainConfig TrainResult TrainState accuracy amplitude_damping bit_flip
communication_cost compose cross_entropy density_matrix dephasing dephasing_failure_study
dephasing_qfi_bound depolarizing dicke exact_majority fixed_point from_quimb ghz ghz_allreduce
ghz_count_vote ghz_majority_shots ghz_majority_table ghz_majority_vote ghz_optimal_size ghz_qfi
ghz_qfi_profile ghz_visibility heisenberg_study init_mlp kernels kitaev_failure_probability
kitaev_sum load_digits load_digits_shards log_abs_parity_expectation majority_vote
make_aggregator max_nodes_for_failure mean_aggregation mlp_apply num_params parity_cfi
parity_expectation pauli_epr product_plus pure_qfi_report qfi_dense qfi_mixed qfi_pure
random_mps readout_error ring_allreduce ring_ledger sample sample_parity shard_dataset
shots_for_failure superdense_breakeven_fidelity superdense_capacity superdense_information
superdense_sign symbol_error_rates to_quimb train w_state werner
""".split()


def _stage(tmp_path: pathlib.Path) -> pathlib.Path:
    """Copy the package as a wheel lays it out: jaxqring/ with kernels/ inside."""
    stage = tmp_path / "stage"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "data")
    shutil.copytree(LIBRARY, stage / "jaxqring", ignore=ignore)
    shutil.copytree(KERNELS, stage / "jaxqring" / "kernels", ignore=ignore)
    return stage


def _lint_imports(stage: pathlib.Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    if exe is None:
        pytest.fail("lint-imports (import-linter, in the test extra) is not installed")
    env = dict(os.environ, PYTHONPATH=str(stage))
    # --no-cache: the staged tree is new every time.
    return subprocess.run(
        [exe, "--config", str(PYPROJECT), "--no-cache"],
        cwd=stage, env=env, capture_output=True, text=True, timeout=300,
    )


def test_import_contracts_hold(tmp_path):
    run = _lint_imports(_stage(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_import_contracts_catch_a_kernel_importing_jaxqring(tmp_path):
    stage = _stage(tmp_path)
    common = stage / "jaxqring" / "kernels" / "common.py"
    common.write_text(common.read_text() + "\nfrom jaxqring._checks import check_int  # planted violation\n")
    run = _lint_imports(stage)
    assert run.returncode != 0
    assert "BROKEN" in run.stdout and "jaxqring.kernels.common" in run.stdout


def test_every_package_folder_is_declared_in_pyproject():
    declared = set(tomllib.loads(PYPROJECT.read_text())["tool"]["setuptools"]["packages"])
    found = set()
    for base, prefix in ((LIBRARY, "jaxqring"), (KERNELS, "jaxqring.kernels")):
        for init in base.rglob("__init__.py"):
            rel = init.parent.relative_to(base).parts
            found.add(".".join((prefix, *rel)))
    assert found <= declared, f"package folders missing from pyproject.toml: {sorted(found - declared)}"


MODULE_NAMES = {p.stem for base in (LIBRARY, KERNELS) for p in base.rglob("*.py")}


def _modules():
    for base in (LIBRARY, KERNELS):
        for path in sorted(base.rglob("*.py")):
            yield path, ast.parse(path.read_text(), filename=str(path))


def test_no_import_of_jaxqring_inside_functions_and_no_private_names_across_modules():
    problems = []
    for path, tree in _modules():
        rel = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import) and any(a.name.split(".")[0] == "jaxqring" for a in inner.names):
                        problems.append(f"{rel}:{inner.lineno}: imports jaxqring inside {node.name}()")
                    if isinstance(inner, ast.ImportFrom) and (inner.level > 0 or (inner.module or "").startswith("jaxqring")):
                        problems.append(f"{rel}:{inner.lineno}: imports the package inside {node.name}()")
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__") and alias.name not in MODULE_NAMES:
                        problems.append(f"{rel}:{node.lineno}: imports the private name {alias.name}")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
                    and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in ("jq", "jaxqring")):
                problems.append(f"{rel}:{node.lineno}: dispatches with getattr on the package")
            if path.is_relative_to(KERNELS) and isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] == "jaxqring" for n in names):
                    problems.append(f"{rel}:{node.lineno}: a kernel imports jaxqring")
    assert not problems, "\n".join(problems)


def test_every_public_name_of_0_1_still_imports():
    import jaxqring as jq

    missing = [n for n in NAMES_0_1 if not hasattr(jq, n)]
    assert not missing
    assert len(NAMES_0_1) == 85
    assert set(NAMES_0_1) <= set(jq.__all__)


def test_every_public_namespace_has_a_sorted_explicit_all():
    import importlib

    import jaxqring as jq

    for name in ["jaxqring"] + [f"jaxqring.{m}" for m in jq.__all__ if isinstance(getattr(jq, m), type(jq))]:
        mod = importlib.import_module(name)
        exported = list(mod.__all__)
        assert exported == sorted(exported), name
        assert len(set(exported)) == len(exported), name
        for n in exported:
            assert hasattr(mod, n), f"{name}.{n}"
