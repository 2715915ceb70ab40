"""Run and sweep folders are data, not code (README, "What femsi guarantees").

A report embeds only regular files inside a run folder; ``rerun`` applies no PETSc option
that writes files unless trusted; malformed or truncated JSON is reported by name; run names
in ``sweep.json`` are names; PETSc option values are checked before anything is solved.
"""

from __future__ import annotations

import json

import pytest

from femsi.errors import InputError
from femsi.sweeps.catalogue import read_mapping
from femsi.sweeps.folder import read_sweep
from femsi.sweeps.report import _pictures
from tests.conftest import run_cli, study, write_study


def test_the_report_embeds_no_link_out_of_the_run(tmp_path):
    run = tmp_path / "runs" / "a"
    (run / "figures").mkdir(parents=True)
    (run / "figures" / "ok.png").write_bytes(b"\x89PNG")
    (run / "figures" / "passwd.png").symlink_to("/etc/passwd")
    (tmp_path / "secret.png").write_bytes(b"secret")
    (run / "figures" / "up.png").symlink_to(tmp_path / "secret.png")
    assert [p.name for p in _pictures(run)] == ["ok.png"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"status": "comp', "unreadable"),
        ("[1, 2]", "not a JSON object"),
        ("null", "not a JSON object"),
    ],
)
def test_malformed_or_truncated_json_is_reported_by_name(tmp_path, text, problem):
    path = tmp_path / "summary.json"
    path.write_text(text)
    data, message = read_mapping(path)
    assert data == {} and problem in message and "summary.json" in message


def test_a_missing_summary_is_no_problem(tmp_path):
    assert read_mapping(tmp_path / "summary.json") == ({}, None)


@pytest.mark.parametrize(
    "sweep",
    [
        [],
        {"runs": "x", "name": "s", "base": "b"},
        {"runs": [{"name": "../../etc"}], "name": "s", "base": "b"},
        {"runs": [{"name": ".hidden"}], "name": "s", "base": "b"},
        {"runs": [{"index": 0}], "name": "s", "base": "b"},
        {"runs": [], "base": "b"},
    ],
)
def test_a_malformed_sweep_json_is_an_input_error(tmp_path, sweep):
    (tmp_path / "sweep.json").write_text(json.dumps(sweep))
    with pytest.raises(InputError, match="sweep.json"):
        read_sweep(tmp_path)


def test_unknown_petsc_types_are_refused_before_solving(tmp_path):
    tree = study(solver={"mechanics": {"petsc_options": {"mg_levels_pc_type": "jacobbi"}}})
    out = run_cli("run", write_study(tmp_path, tree), "-o", tmp_path / "run")
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith(
        "femsi: error: solver.mechanics.petsc_options.mg_levels_pc_type: PETSc has no pc type"
    )
    assert not (tmp_path / "run").exists()


def test_rerun_applies_no_file_writing_petsc_option_unless_trusted(tmp_path):
    target = tmp_path / "written-by-petsc.txt"
    tree = study(
        protocol=[{"rest": {"duration": "10 s"}}],
        solver={"diffusion": {"petsc_options": {"snes_view": f"ascii:{target}"}}},
    )
    assert run_cli("run", write_study(tmp_path, tree), "-o", tmp_path / "run").returncode == 0
    target.unlink()
    refused = run_cli("rerun", tmp_path / "run", "-o", tmp_path / "again")
    assert refused.returncode == 2
    assert "solver.diffusion.petsc_options.snes_view" in refused.stderr
    assert "--trust" in refused.stderr and not target.exists()
    trusted = run_cli("rerun", tmp_path / "run", "-o", tmp_path / "again", "--trust")
    assert trusted.returncode == 0, trusted.stderr
    assert target.exists()


def test_no_name_or_path_can_start_a_line_of_the_slurm_script(tmp_path):
    from femsi.sweeps.slurm import render_script
    from femsi.sweeps.spec import SlurmSettings

    sweep = {
        "name": "s\necho pwned",
        "base": str(tmp_path / "base\nrm -rf ~.yaml"),
        "runs": [{"name": "a", "index": 0}],
    }
    settings = SlurmSettings(modules=["gcc\necho module"])
    script = render_script(tmp_path / "out\necho folder", sweep, settings, 1, [0])
    lines = script.splitlines()
    # comments and #SBATCH lines cannot be quoted: their newlines are replaced
    assert not [line for line in lines if line.startswith(("echo pwned", "rm -rf"))], script
    # shell words are quoted: a newline inside quotes starts no command
    assert "module load 'gcc\necho module'" in script
    assert f"cd '{tmp_path}/out\necho folder'" in script
