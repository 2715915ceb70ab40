"""Sweeps: expansion, validation before anything runs, claims, resume, Slurm arrays, status."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import pytest
import yaml

from femsi.cli import main
from femsi.sweeps.claims import claim_path, holder, try_claim
from femsi.sweeps.naming import run_name, short_keys
from femsi.sweeps.spec import SweepBlock, expand
from tests.conftest import ROOT, run_cli, study, write_study


def write_sweep(folder, sweep: dict, base: dict | None = None, **extra):
    """A base study and a sweep file next to it; returns the sweep file's path."""
    write_study(folder, base or study(), "base.yaml")
    path = folder / "sweep.yaml"
    path.write_text(yaml.safe_dump({"base": "base.yaml", "sweep": sweep, **extra}))
    return path


# ----------------------------------------------------------------------------- expansion


def test_grid_zip_samples_combine_as_a_product():
    block = SweepBlock.model_validate(
        {
            "grid": {"a.x": [1, 2, 3], "a.y": ["p", "q"]},
            "zip": {"b.u": [1, 2], "b.v": [10, 20]},
            "samples": {"n": 4, "seed": 7, "ranges": {"c.r": ["1 um", "3 um"], "c.s": [0, 1]}},
        }
    )
    rows = expand(block)
    assert len(rows) == 3 * 2 * 2 * 4  # grid 6 × zip 2 × samples 4
    assert {(r["b.u"], r["b.v"]) for r in rows} == {(1, 10), (2, 20)}  # zipped, not crossed
    # Latin hypercube: each of the 4 strata of each range holds exactly one sample.
    first = rows[:4]
    radii = sorted(float(r["c.r"].split()[0]) for r in first)
    assert all(r["c.r"].endswith(" um") for r in first)
    assert [int((x - 1.0) / 0.5) for x in radii] == [0, 1, 2, 3]
    assert sorted(int(r["c.s"] * 4) for r in first) == [0, 1, 2, 3]
    assert expand(block) == rows  # the seed makes it reproducible


def test_random_samples_are_seeded():
    def points(seed):
        block = SweepBlock.model_validate(
            {"samples": {"method": "random", "n": 5, "seed": seed, "ranges": {"k": [0, 1]}}}
        )
        return [r["k"] for r in expand(block)]

    assert points(1) == points(1) != points(2)
    assert all(0 <= x <= 1 for x in points(3))


def test_run_names_are_readable_and_distinct():
    keys = ["geometry.radius", "protocol.0.lithiate.c_rate", "materials.particle"]
    labels = short_keys(keys)
    assert labels == {
        "geometry.radius": "radius",
        "protocol.0.lithiate.c_rate": "c_rate",
        "materials.particle": "particle",
    }
    params = {"geometry.radius": "0.5 µm", "protocol.0.lithiate.c_rate": 2, "materials.particle": 1}
    name = run_name(params, labels, ["a=1"])
    assert name.startswith("radius=0.5um_c_rate=2_particle=1-") and len(name) == 41
    assert run_name(params, labels, ["a=2"]) != name  # the hash tells the overrides apart
    clash = short_keys(["geometry.radius", "other.radius"])
    assert clash["geometry.radius"] != clash["other.radius"]


@pytest.mark.parametrize(
    ("sweep", "field", "problem"),
    [
        ({"grid": {"geometry.radus": ["1 um"]}}, "sweep.grid.geometry.radus", "unknown key"),
        ({"grid": {"geometry.radius": []}}, "sweep.grid.geometry.radius", "empty list"),
        ({"zip": {"time.max_step": ["10 s", "20 s"], "time.growth": [2]}}, "sweep.zip", "equal"),
        (
            {"samples": {"n": 0, "seed": 1, "ranges": {"geometry.radius": ["1 um", "2 um"]}}},
            "sweep.samples.n",
            "greater than or equal to 1",
        ),
        (
            {"samples": {"n": 2, "seed": 1, "ranges": {"geometry.radius": ["2 um", "1 um"]}}},
            "sweep.samples.ranges.geometry.radius",
            "empty range",
        ),
        (
            {"samples": {"n": 2, "seed": 1, "ranges": {"geometry.radius": ["1 um", "2 s"]}}},
            "sweep.samples.ranges.geometry.radius",
            "cannot read",
        ),
        ({"grid": {"geometry.radius": ["1 s"]}}, "sweep.grid.geometry.radius", "length"),
        ({}, "sweep", "nothing to sweep"),
    ],
)
def test_bad_sweeps_fail_before_anything_runs(tmp_path, capsys, sweep, field, problem):
    path = write_sweep(tmp_path, sweep)
    assert main(["sweep", str(path), "-o", str(tmp_path / "out")]) == 2  # in-process: faster
    stderr = capsys.readouterr().err
    assert stderr.startswith(f"femsi: error: {field}: "), stderr
    assert problem in stderr, stderr
    assert not (tmp_path / "out").exists()


def test_unwritable_output_folder(tmp_path):
    path = write_sweep(tmp_path, {"grid": {"geometry.radius": ["1 um"]}})
    (tmp_path / "file").write_text("not a folder")
    result = run_cli("sweep", path, "-o", tmp_path / "file" / "out")
    assert result.returncode == 2 and result.stderr.startswith("femsi: error: --output: cannot")


# ----------------------------------------------------------------------------- claims


def test_claims_are_exclusive_and_stale_ones_are_taken_over(tmp_path):
    first = try_claim(tmp_path, "run")
    assert first is not None
    assert try_claim(tmp_path, "run") is None  # held by a live process (this one)
    first.release()
    second = try_claim(tmp_path, "run")
    assert second is not None and second.token != first.token
    # A claim of a process that no longer exists on this host is stale at once.
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], text=True, capture_output=True
    ).stdout.strip()
    path = claim_path(tmp_path, "run")
    info = json.loads(path.read_text()) | {"pid": int(dead)}
    path.write_text(json.dumps(info))
    assert holder(path) is None
    third = try_claim(tmp_path, "run")
    assert third is not None
    # A claim from another host is stale when its heartbeat is old.
    path.write_text(json.dumps(info | {"host": "elsewhere"}))
    assert try_claim(tmp_path, "run") is None
    old = time.time() - 1000
    os.utime(path, (old, old))
    assert holder(path) is None and try_claim(tmp_path, "run") is not None


# ----------------------------------------------------------------------------- running


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    """A 2-run sweep (radius 1 and 1.2 um) run by a local pool of 2 workers."""
    folder = tmp_path_factory.mktemp("sweep")
    path = write_sweep(folder, {"grid": {"geometry.radius": ["1 um", "1.2 um"]}}, name="radii")
    result = run_cli("sweep", path, "-o", folder / "out", "--workers", "2", "--no-progress")
    assert result.returncode == 0, result.stderr + result.stdout
    return folder / "out"


def test_local_sweep_runs_every_run_once(sweep_dir):
    data = json.loads((sweep_dir / "sweep.json").read_text())
    assert [r["name"] for r in data["runs"]] == [
        "radius=1um-" + data["runs"][0]["name"].rsplit("-", 1)[1],
        "radius=1.2um-" + data["runs"][1]["name"].rsplit("-", 1)[1],
    ]
    for run in data["runs"]:
        out = sweep_dir / "runs" / run["name"]
        assert (out / "COMPLETE").exists()
        manifest = json.loads((out / "manifest.json").read_text())
        assert manifest["config_hash"] == run["config_hash"]
        assert json.loads((out / "COMPLETE").read_text())["config_hash"] == run["config_hash"]
        assert "seeds" in manifest and "container" in manifest
    assert run_cli("status", sweep_dir).stdout.splitlines()[0].endswith("2 runs: 2 complete")


def test_resume_skips_complete_and_retries_interrupted(sweep_dir, tmp_path):
    data = json.loads((sweep_dir / "sweep.json").read_text())
    keep, broken = (sweep_dir / "runs" / r["name"] for r in data["runs"])
    stamp = (keep / "summary.json").stat().st_mtime_ns
    # An interrupted attempt: a run folder without a summary and without a live claim.
    (broken / "COMPLETE").unlink()
    (broken / "summary.json").unlink()
    status = run_cli("status", sweep_dir)
    assert "1 interrupted" in status.stdout and broken.name in status.stdout
    again = run_cli("sweep", sweep_dir.parent / "sweep.yaml", "-o", sweep_dir, "--no-progress")
    assert again.returncode == 0, again.stderr
    assert "1 done, 1 already complete" in again.stdout
    assert (keep / "summary.json").stat().st_mtime_ns == stamp  # never touched
    assert (broken / "COMPLETE").exists()


def test_a_run_claimed_elsewhere_is_left_alone(sweep_dir):
    data = json.loads((sweep_dir / "sweep.json").read_text())
    name = data["runs"][1]["name"]
    (sweep_dir / "runs" / name / "COMPLETE").rename(sweep_dir / "COMPLETE.saved")
    claim = try_claim(sweep_dir, name)  # this live process holds it
    try:
        result = run_cli("sweep-task", sweep_dir, "1")
        assert result.returncode == 3 and "claimed by another worker" in result.stdout
        assert "running" in run_cli("status", sweep_dir).stdout
    finally:
        claim.release()
        (sweep_dir / "COMPLETE.saved").rename(sweep_dir / "runs" / name / "COMPLETE")


def test_a_changed_base_study_is_refused(sweep_dir, tmp_path):
    base = yaml.safe_load((sweep_dir.parent / "base.yaml").read_text())
    base["time"]["growth"] = 1.2
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(base))
    (tmp_path / "sweep.yaml").write_text((sweep_dir.parent / "sweep.yaml").read_text())
    result = run_cli("sweep", tmp_path / "sweep.yaml", "-o", sweep_dir)
    assert result.returncode == 2 and "different base study" in result.stderr


# ----------------------------------------------------------------------------- Slurm


def test_slurm_script_and_array_task(tmp_path):
    path = write_sweep(
        tmp_path,
        {"grid": {"geometry.radius": ["1 um", "1.2 um", "1.4 um"]}},
        name="slurmy",
        execution={
            "ranks": 2,
            "slurm": {
                "time": "00:30:00",
                "memory": "8G",
                "partition": "short",
                "account": "proj42",
                "modules": ["gcc/13"],
                "setup": ["source /opt/femsi/venv/bin/activate"],
                "max_parallel": 2,
            },
        },
    )
    out = tmp_path / "out"
    # A fake sbatch on PATH that records its arguments.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "sbatch"
    fake.write_text(
        f'#!/bin/sh\necho "$@" > {tmp_path}/sbatch-args\necho "Submitted batch job 7"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "femsi",
            "sweep",
            str(path),
            "-o",
            str(out),
            "--slurm",
            "--submit",
            "--account",
            "proj99",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "Submitted batch job 7" in done.stdout
    script = (out / "sweep.sbatch").read_text()
    assert (tmp_path / "sbatch-args").read_text().strip() == str(out.resolve() / "sweep.sbatch")
    for line in [
        "#SBATCH --array=0-2%2",
        "#SBATCH --ntasks=2",
        "#SBATCH --time=00:30:00",
        "#SBATCH --mem=8G",
        "#SBATCH --partition=short",
        "#SBATCH --account=proj99",  # the flag beats the sweep file
        f"#SBATCH --output={out.resolve()}/slurm/%A_%a.out",
        "module load gcc/13",
        "source /opt/femsi/venv/bin/activate",
        "FEMSI_CACHE_DIR",
        f"srun --ntasks=2 {sys.executable} -m femsi sweep-task {out.resolve()} "
        '"$SLURM_ARRAY_TASK_ID"',
    ]:
        assert line in script, line
    assert script.index("#SBATCH") < script.index("set -euo pipefail")
    # The array task: SLURM_ARRAY_TASK_ID=1 runs the second run and nothing else.
    task = subprocess.run(
        [sys.executable, "-m", "femsi", "sweep-task", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "SLURM_ARRAY_TASK_ID": "1", "SLURM_JOB_ID": "7"},
    )
    assert task.returncode == 0, task.stderr
    names = [r["name"] for r in json.loads((out / "sweep.json").read_text())["runs"]]
    assert sorted(p.name for p in (out / "runs").iterdir()) == [names[1]]
    assert (out / "runs" / names[1] / "COMPLETE").exists()
    assert not list((out / "claims").glob("*.claim"))  # released
    # Written again, the array lists only the runs left.
    again = run_cli("sweep", path, "-o", out, "--slurm")
    assert again.returncode == 0
    assert "#SBATCH --array=0,2%2" in (out / "sweep.sbatch").read_text()


def test_slurm_script_with_a_container(tmp_path):
    image = tmp_path / "femsi.sif"
    image.write_bytes(b"not really an image")
    path = write_sweep(
        tmp_path,
        {"grid": {"geometry.radius": ["1 um"]}},
        execution={"ranks": 2, "slurm": {"container": str(image)}},
    )
    assert run_cli("sweep", path, "-o", tmp_path / "out", "--slurm").returncode == 0
    script = (tmp_path / "out" / "sweep.sbatch").read_text()
    digest = __import__("hashlib").sha256(b"not really an image").hexdigest()
    assert f"export FEMSI_IMAGE_DIGEST=sha256:{digest}" in script
    assert f"apptainer exec --bind {tmp_path}" in script
    assert f"{image} mpirun -n 2 femsi sweep-task" in script


def test_slurm_script_warns_before_the_time_limit_and_execs_the_launcher(tmp_path):
    path = write_sweep(tmp_path, {"grid": {"geometry.radius": ["1 um"]}})
    assert run_cli("sweep", path, "-o", tmp_path / "out", "--slurm").returncode == 0
    script = (tmp_path / "out" / "sweep.sbatch").read_text()
    # SIGUSR1 300 s (the default stop_before_limit_s) before the limit, to the batch shell,
    # which is the launcher itself (exec), so srun / mpirun pass it on to the ranks.
    assert "#SBATCH --signal=B:USR1@300" in script
    assert script.rstrip().splitlines()[-1].startswith("exec srun --ntasks=1 ")


def test_a_sweep_past_max_array_size_is_split_into_array_parts(tmp_path):
    radii = [f"{1 + 0.1 * i:.1f} um" for i in range(10)]
    path = write_sweep(
        tmp_path, {"grid": {"geometry.radius": radii}}, execution={"slurm": {"max_array_size": 4}}
    )
    out = tmp_path / "out"
    done = run_cli("sweep", path, "-o", out, "--slurm")
    assert done.returncode == 0, done.stderr
    assert "3 array scripts" in done.stdout
    parts = [out / "sweep.sbatch", out / "sweep-2.sbatch", out / "sweep-3.sbatch"]
    texts = [p.read_text() for p in parts]
    # Runs 0-3, 4-7, 8-9 as array indices 0-3, 0-3, 0-1 offset by 0, 4, 8 (all below 4).
    assert "#SBATCH --array=0-3\n" in texts[0] and '"$SLURM_ARRAY_TASK_ID"' in texts[0]
    assert "#SBATCH --array=0-3\n" in texts[1] and '"$((SLURM_ARRAY_TASK_ID + 4))"' in texts[1]
    assert "#SBATCH --array=0-1\n" in texts[2] and '"$((SLURM_ARRAY_TASK_ID + 8))"' in texts[2]
    # The offset task id picks the right run: array task 1 of part 3 is run 9.
    task = subprocess.run(
        ["bash", "-c", 'SLURM_ARRAY_TASK_ID=1; echo "$((SLURM_ARRAY_TASK_ID + 8))"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert task.stdout.strip() == "9"


def test_array_parts_keep_every_run_once():
    from femsi.sweeps.slurm import array_parts

    parts = array_parts([0, 2, 1000, 1001, 2500], 1001)
    assert parts == [(0, [0, 2, 1000]), (1001, [0]), (2002, [498])]
    assert sorted(offset + i for offset, part in parts for i in part) == [0, 2, 1000, 1001, 2500]


def test_a_missing_container_image_is_refused_before_anything_is_written(tmp_path):
    path = write_sweep(
        tmp_path,
        {"grid": {"geometry.radius": ["1 um"]}},
        execution={"slurm": {"container": str(tmp_path / "nowhere.sif")}},
    )
    done = run_cli("sweep", path, "-o", tmp_path / "out", "--slurm")
    assert done.returncode == 2
    assert "execution.slurm.container" in done.stderr and "no container image" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()
    pulled = write_sweep(
        tmp_path,
        {"grid": {"geometry.radius": ["1 um"]}},
        execution={"slurm": {"container": "docker://ghcr.io/example/femsi:0.1"}},
    )
    assert run_cli("sweep", pulled, "-o", tmp_path / "ok", "--slurm").returncode == 0


def test_one_process_does_several_runs_in_turn(sweep_dir):
    result = run_cli("sweep-task", sweep_dir, "0", "1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("is already complete") == 2


def test_the_shipped_example_sweep_expands(tmp_path):
    result = run_cli("sweep", "configs/sweep.yaml", "-o", tmp_path / "ex", "--dry-run")
    assert result.returncode == 0, result.stderr
    assert "72 runs" in result.stdout
    names = [line.split()[-1] for line in result.stdout.splitlines() if line.startswith("  [")]
    assert len(set(names)) == 72
    assert "3 distinct meshes built" in result.stdout  # one per radius
    assert names[0].startswith("radius=0.5um_c_rate=0.5_particle=amorphous_silicon_mechanics=")
    assert "outer_boundary" not in names[0]  # one value for all runs: in the hash only
    # The folder's copy of the sweep file resumes the sweep by itself (base made absolute).
    again = run_cli("sweep", tmp_path / "ex" / "sweep.yaml", "-o", tmp_path / "ex", "--dry-run")
    assert again.returncode == 0, again.stderr
    assert [line.split()[-1] for line in again.stdout.splitlines() if "  [" in line] == names


def test_dry_run_builds_every_distinct_mesh_and_names_the_run_it_fails(tmp_path):
    """A probe inside the 1 um particle is outside the 0.4 um one: refused before any folder."""
    base = study(outputs={"every": 0, "figures": False, "probes": {"p": [0.6e-6, 0, 0]}})
    base["geometry"]["mesh_size"] = "0.1 um"
    path = write_sweep(tmp_path, {"grid": {"geometry.radius": ["1 um", "0.4 um"]}}, base=base)
    out = run_cli("sweep", path, "-o", tmp_path / "out", "--dry-run")
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith("femsi: error: outputs.probes.p: the point")
    assert "geometry.radius=0.4 um" in out.stderr
    assert not (tmp_path / "out").exists()
    unchecked = run_cli("sweep", path, "-o", tmp_path / "files", "--dry-run", "--no-mesh")
    assert unchecked.returncode == 0, unchecked.stderr


def test_a_sweep_refuses_a_run_whose_mesh_is_too_large(tmp_path):
    path = write_sweep(tmp_path, {"grid": {"geometry.mesh_size": ["0.2 um", "2 nm"]}})
    out = run_cli("sweep", path, "-o", tmp_path / "out", "--dry-run", "--no-mesh")
    assert out.returncode == 2, out.stderr
    assert out.stderr.startswith("femsi: error: sweep.grid.geometry.mesh_size: ")
    assert "cells estimated" in out.stderr and "femsi run --force" in out.stderr


def test_task_index_must_exist(sweep_dir):
    result = run_cli("sweep-task", sweep_dir, "5")
    assert result.returncode == 2 and "INDEX: the sweep has runs 0 to 1" in result.stderr


def test_sigterm_interrupts_a_run_which_a_resume_then_completes(tmp_path):
    base = study(
        protocol=[{"lithiate": {"c_rate": 0.1, "duration": "3000 s"}}],  # 300 steps
    )
    path = write_sweep(tmp_path, {"grid": {"geometry.radius": ["1 um"]}}, base=base)
    out = tmp_path / "out"
    assert run_cli("sweep", path, "-o", out, "--dry-run").returncode == 0
    name = json.loads((out / "sweep.json").read_text())["runs"][0]["name"]
    series = out / "runs" / name / "timeseries.csv"
    task = subprocess.Popen(
        [sys.executable, "-m", "femsi", "sweep-task", str(out), "0"],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 120
    while time.time() < deadline and task.poll() is None:
        if series.exists() and len(series.read_text().splitlines()) > 5:
            break
        time.sleep(0.05)
    assert task.poll() is None, task.communicate()[0]
    task.terminate()  # SIGTERM, as Slurm's time limit or the pool's shutdown
    assert task.wait(timeout=60) == 1
    summary = json.loads((out / "runs" / name / "summary.json").read_text())
    assert summary["status"] == "interrupted" and 0 < summary["steps"] < 300
    assert not (out / "runs" / name / "COMPLETE").exists()
    assert not list((out / "claims").glob("*.claim"))  # released
    assert "1 interrupted" in run_cli("status", out).stdout
    resumed = run_cli("sweep", path, "-o", out, "--no-progress")
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert json.loads((out / "runs" / name / "summary.json").read_text())["steps"] == 300
    assert (out / "runs" / name / "COMPLETE").exists()


def test_sigterm_to_the_sweep_parent_stops_its_workers(tmp_path):
    """The parent forwards the stop: its worker ends the run as interrupted (no orphan)."""
    base = study(protocol=[{"lithiate": {"c_rate": 0.1, "duration": "3000 s"}}])
    path = write_sweep(tmp_path, {"grid": {"geometry.radius": ["1 um"]}}, base=base)
    out = tmp_path / "out"
    parent = subprocess.Popen(
        [sys.executable, "-m", "femsi", "sweep", str(path), "-o", str(out), "--no-progress"],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.time() + 180
    series = None
    while time.time() < deadline and parent.poll() is None:
        found = list(out.glob("runs/*/timeseries.csv"))
        if found and len(found[0].read_text().splitlines()) > 5:
            series = found[0]
            break
        time.sleep(0.1)
    assert series is not None and parent.poll() is None, parent.communicate()[0]
    parent.terminate()
    parent.wait(timeout=90)
    assert parent.returncode != 0
    summary = json.loads((series.parent / "summary.json").read_text())
    assert summary["status"] == "interrupted" and "SIGTERM" in summary["message"]
    assert not list((out / "claims").glob("*.claim"))  # the worker released its claim


def test_sweep_set_overrides_the_base_study_of_every_run(tmp_path):
    path = write_sweep(tmp_path, {"grid": {"protocol.0.lithiate.c_rate": [1, 2]}})
    plain, changed = tmp_path / "plain", tmp_path / "changed"
    assert run_cli("sweep", path, "-o", plain, "--dry-run").returncode == 0
    out = run_cli("sweep", path, "-o", changed, "--dry-run", "--set", "geometry.radius=500 nm")
    assert out.returncode == 0, out.stderr
    runs = json.loads((changed / "sweep.json").read_text())["runs"]
    assert all(r["overrides"][0] == "geometry.radius=500 nm" for r in runs)
    before = json.loads((plain / "sweep.json").read_text())["runs"]
    assert [r["config_hash"] for r in runs] != [r["config_hash"] for r in before]
    swept = run_cli(
        "sweep", path, "-o", tmp_path / "x", "--dry-run", "--set", "protocol.0.lithiate.c_rate=3"
    )
    assert swept.returncode == 2 and "sweeps this key" in swept.stderr


@pytest.mark.parametrize(
    ("slurm", "flags", "field"),
    [
        ({"time": "abc"}, [], "execution.slurm.time"),
        ({"memory": "\nrm -rf ~"}, [], "execution.slurm.memory"),
        ({"partition": "a;b"}, [], "execution.slurm.partition"),
        ({}, ["--time", "1 hour"], "--time"),
        ({}, ["--memory", "lots"], "--memory"),
    ],
)
def test_slurm_settings_are_checked_before_anything_is_written(tmp_path, slurm, flags, field):
    """Slurm's time and memory formats and names; a command-line value is checked alike."""
    path = write_sweep(
        tmp_path, {"grid": {"geometry.radius": ["1 um"]}}, execution={"slurm": slurm}
    )
    out = run_cli("sweep", path, "-o", tmp_path / "out", "--slurm", *flags)
    assert out.returncode == 2 and out.stderr.startswith(f"femsi: error: {field}: "), out.stderr
    assert not (tmp_path / "out").exists()
    good = run_cli("sweep", path, "-o", tmp_path / "ok", "--slurm", "--time", "2-12:00")
    assert good.returncode == (0 if not slurm else 2)
