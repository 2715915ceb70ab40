"""The command line: exit codes, clear errors without tracebacks, the output contract."""

from __future__ import annotations

import csv
import json

import pytest
import yaml

from tests.conftest import run_cli, study, write_study
from tests.unit.test_materials import REQUIRED


def assert_input_error(result, *fragments):
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("femsi: error: ")
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


def test_validate_shipped_example():
    result = run_cli("validate", "configs/particle.yaml")
    assert result.returncode == 0, result.stderr
    assert "valid study 'si-particle-1C'" in result.stdout


def test_materials_lists_the_library_with_sources():
    listing = run_cli("materials")
    assert listing.returncode == 0
    for name in REQUIRED:
        assert name in listing.stdout
    detail = run_cli("materials", "llzo")
    assert "149.8 GPa" in detail.stdout and "doi" in detail.stdout.lower()


def test_malformed_yaml(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("study: x\ngeometry: {type: sphere, radius: 1 um\n")
    assert_input_error(run_cli("validate", path), "malformed YAML", "line")


@pytest.mark.parametrize(
    ("override", "field", "problem"),
    [
        ("geometry.radus=1 um", "geometry.radus", "unknown key"),
        ("geometry.radius=1 s", "geometry.radius", "length"),
        ("geometry.radius=-1 um", "geometry.radius", "greater than 0"),
        ("geometry.mesh_size=2 um", "geometry.mesh_size", "larger than the smallest feature"),
        (
            "materials.particle={base: amorphous_silicon, poissons_ratio: 0.5}",
            "materials.particle.poissons_ratio",
            "(-1, 0.5)",
        ),
        ("materials.particle=unobtainium", "materials.particle", "unknown material"),
        (
            "materials.particle={base: amorphous_silicon, youngs_modulus: 80 m}",
            "materials.particle.youngs_modulus",
            "pressure",
        ),
        ("protocol.0.lithiate.c_rate=-1", "protocol.0.lithiate.c_rate", "greater than 0"),
        ("protocol.5.rest.duration=1 s", "protocol.5", "no list item"),
        ("time.max_step=0.1 s", "time", "max_step"),
        ("physics.mechanics=plastic", "physics.mechanics", "small_strain"),
    ],
)
def test_bad_input_names_the_field(tmp_path, override, field, problem):
    result = run_cli("validate", "configs/particle.yaml", "--set", override)
    assert_input_error(result, field, problem)


def test_probe_outside_the_body_is_an_input_error(tmp_path):
    tree = study(outputs={"every": 0, "figures": False, "probes": {"far": ["3 um", 0, 0]}})
    out = tmp_path / "out"
    result = run_cli("run", write_study(tmp_path, tree), "-o", out, "--no-progress")
    assert_input_error(result, "outputs.probes.far", "outside the body")
    assert not out.exists()  # a folder this run created is removed on bad input


def test_existing_output_folder_is_never_overwritten_silently(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me")
    result = run_cli("run", write_study(tmp_path, study()), "-o", out, "--no-progress")
    assert_input_error(result, "--output", "not empty")
    result = run_cli(
        "run", write_study(tmp_path, study()), "-o", out, "--no-progress", "--overwrite"
    )
    assert_input_error(result, "not a femsi run folder")
    assert (out / "precious.txt").read_text() == "keep me"


def test_run_writes_the_output_contract(tmp_path):
    tree = study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "2 um",
            "mesh_size": "0.3 um",
            "symmetry": "octant",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "finite_strain", "displacement_degree": 1},
        protocol=[{"lithiate": {"c_rate": 2, "duration": "30 s"}}, {"rest": {"duration": "10 s"}}],
        outputs={
            "every": 1,
            "figures": True,
            "probes": {"centre": [0, 0, 0], "surface": ["1 um", 0, 0]},
        },
    )
    out = tmp_path / "run"
    result = run_cli(
        "run",
        write_study(tmp_path, tree),
        "-o",
        out,
        "--no-progress",
        "--set",
        "protocol.0.lithiate.c_rate=4",
    )
    assert result.returncode == 0, result.stderr
    for name in (
        "config.yaml",
        "summary.json",
        "timeseries.csv",
        "log.txt",
        "manifest.json",
        "materials.yaml",
        "fields/fields.bp",
        "fields/snapshots/index.json",
        "figures/soc.png",
        "figures/stress_vs_time.png",
        "figures/probes.png",
        "figures/step0_lithiate_hydrostatic_stress.png",
    ):
        assert (out / name).exists(), name
    resolved = yaml.safe_load((out / "config.yaml").read_text())
    assert resolved["geometry"]["radius"] == pytest.approx(1e-6)  # SI
    assert resolved["protocol"][0]["lithiate"]["c_rate"] == 4  # the override was applied
    assert resolved["materials"]["matrix"]["youngs_modulus"] == pytest.approx(22e9)
    rows = list(csv.DictReader((out / "timeseries.csv").open()))
    assert [int(r["step"]) for r in rows] == list(range(len(rows)))
    columns = rows[0].keys()
    for region in ("particle", "matrix"):
        for stat in (
            "max_von_mises_Pa",
            "max_principal_Pa",
            "min_hydrostatic_Pa",
            "max_hydrostatic_Pa",
            "mean_concentration_mol_m3",
            "volume_m3",
        ):
            assert f"{region}.{stat}" in columns
    for probe in ("centre", "surface"):
        for q in (
            "c_mol_m3",
            "ux_m",
            "uy_m",
            "uz_m",
            "sxx_Pa",
            "syy_Pa",
            "szz_Pa",
            "sxy_Pa",
            "syz_Pa",
            "sxz_Pa",
            "von_mises_Pa",
            "hydrostatic_Pa",
        ):
            assert f"probe.{probe}.{q}" in columns
    assert float(rows[-1]["time_s"]) == pytest.approx(40.0)
    # 4C for 30 s: SOC = 4 * 30 / 3600 exactly (galvanostatic mass balance).
    assert float(rows[-1]["soc"]) == pytest.approx(4 * 30 / 3600, rel=1e-6)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "completed"
    assert summary["peaks"]["particle.max_von_mises_Pa"]["value"] > 0
    assert summary["peaks"]["particle.max_von_mises_Pa"]["region"] == "particle"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["mpi_size"] == 1
    assert manifest["versions"]["dolfinx"].startswith("0.11")
    assert manifest["dofs"]["displacement"] > 0
    assert manifest["iterations"]["mechanics"]["newton"] >= len(rows) - 1
    assert set(manifest["wall_time_s"]) >= {"mesh", "setup", "solve_mechanics", "total"}


def test_failed_solve_keeps_partial_results_and_exits_1(tmp_path):
    # Stress free at SOC 0.5 with Ω c_max = 33: J_s = 1 + 33 (SOC - 0.5) reaches zero once the
    # surface is delithiated below SOC 0.47, a state no time step can reach.
    tree = study(
        materials={
            "particle": {
                "base": "amorphous_silicon",
                "initial_soc": 0.5,
                "stress_free_soc": 0.5,
                "partial_molar_volume": 1.07e-4,
            }
        },
        physics={"mechanics": "finite_strain", "displacement_degree": 1},
        protocol=[{"delithiate": {"c_rate": 0.5, "until_soc": 0.0}}],
        time={"initial_step": "10 s", "max_step": "10 s", "min_step": "2 s"},
    )
    out = tmp_path / "out"
    result = run_cli("run", write_study(tmp_path, tree), "-o", out, "--no-progress")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "no convergence" in result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "failed"
    rows = list(csv.DictReader((out / "timeseries.csv").open()))
    assert len(rows) >= 2 and summary["steps"] == len(rows) - 1


def test_version():
    from tests.conftest import run_cli

    out = run_cli("--version")
    assert out.returncode == 0 and out.stdout.startswith("femsi 0.")


def test_validate_builds_the_mesh_and_checks_the_probes():
    """A probe outside the body is refused by validate, as by the run (before: 'valid study');
    --no-mesh checks the file alone."""
    from tests.conftest import run_cli

    outside = ["--set", "outputs.probes.far=[3 um, 0, 0]"]
    refused = run_cli("validate", "configs/particle.yaml", *outside)
    assert refused.returncode == 2 and "outputs.probes.far" in refused.stderr
    assert "outside the body" in refused.stderr
    quick = run_cli("validate", "configs/particle.yaml", "--no-mesh", *outside)
    assert quick.returncode == 0 and "valid study" in quick.stdout


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["nonsense"], "femsi: error: argument command: invalid choice: 'nonsense'"),
        (["run"], "femsi: error: run: the following arguments are required: config"),
        (
            ["critical-size", "configs/particle_crack.yaml", "--radius", "-1um", "--c-rate", "1"],
            "femsi: error: critical-size: argument --radius: expected at least one argument",
        ),
        (["sweep", "configs/sweep.yaml", "--workers", "two"], "femsi: error: sweep: argument"),
    ],
)
def test_command_line_mistakes_are_one_femsi_error_line(args, problem):
    out = run_cli(*args)
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.splitlines()[-1].startswith(problem), out.stderr


def test_plot_of_a_file_is_not_a_run_folder(tmp_path):
    path = tmp_path / "afile"
    path.write_text("x")
    out = run_cli("plot", path)
    assert out.returncode == 2 and out.stderr.startswith("femsi: error: RUN_DIR: ")
