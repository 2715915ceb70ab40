"""Every ``femsi run`` the README and the docs show runs as written, cut short.

The commands are taken from the fenced ``bash`` blocks (with their ``mpirun -n K`` prefix) and
run with ``--set time.max_steps=2`` appended and the output folder moved to a scratch folder:
the geometry, mesh, material and protocol are the shown ones, only the number of time steps is
cut (the shipped example runs whole in CI). Runs on the tutorial pages are executed by the
documentation build itself (``tests/unit/test_docs.py``).
"""

from __future__ import annotations

import json
import re
import shlex

import pytest

from tests.conftest import ROOT, run_cli

FENCE = re.compile(r"^```(?:bash|console)[^\n]*\n(.*?)^```", re.M | re.S)


def shown_runs() -> list[tuple[int, tuple[str, ...]]]:
    """(MPI ranks, femsi arguments) of every distinct ``femsi run`` outside the tutorials."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    found: set[tuple[int, tuple[str, ...]]] = set()
    for path in files:
        for body in FENCE.findall(path.read_text()):
            for line in body.replace("\\\n", " ").splitlines():
                words = shlex.split(line.strip().removeprefix("$ "), comments=True)
                ranks = 1
                if words[:2] == [".venv/bin/mpirun", "-n"] or words[:2] == ["mpirun", "-n"]:
                    ranks, words = int(words[2]), words[3:]
                if words[:2] in (["femsi", "run"], [".venv/bin/femsi", "run"]):
                    found.add((ranks, tuple(words[1:])))
    return sorted(found)


RUNS = shown_runs()


def test_the_readme_runs_are_found():
    shown = {(ranks, " ".join(args)) for ranks, args in RUNS}
    assert (1, "run configs/particle.yaml -o results/particle") in shown
    assert (2, "run configs/particle.yaml -o results/p2") in shown


@pytest.mark.parametrize(("ranks", "args"), RUNS, ids=[f"{r}:{' '.join(a)}" for r, a in RUNS])
def test_shown_run_works(tmp_path, ranks, args):
    words = list(args)
    if "-o" in words:
        at = words.index("-o")
        words[at + 1] = str(tmp_path / "run")
    else:
        words += ["-o", str(tmp_path / "run")]
    result = run_cli(*words, "--set", "time.max_steps=2", "--no-progress", ranks=ranks)
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["status"] == "completed" and summary["end_reason"] == "time.max_steps"
    assert summary["steps"] == 2


def test_the_readme_python_example_runs(tmp_path, monkeypatch):
    """The README's Python block, as written, with the run cut to 2 steps in a scratch folder."""
    import femsi

    (block,) = re.findall(r"^```python\n(.*?)^```", (ROOT / "README.md").read_text(), re.M | re.S)
    run = femsi.run

    def short_run(config, output_dir=None, **kwargs):
        kwargs["overrides"] = [*kwargs.get("overrides", []), "time.max_steps=2"]
        return run(ROOT / config, tmp_path / "run", progress=False, **kwargs)

    monkeypatch.setattr(femsi, "run", short_run)
    namespace: dict[str, object] = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
    result, mesh = namespace["result"], namespace["mesh"]
    assert result.status == "completed" and len(result.timeseries) == 3  # step 0 and 2 steps
    assert abs(mesh.bounds[1] - 1.0) < 0.05  # the 1 µm particle, in µm
