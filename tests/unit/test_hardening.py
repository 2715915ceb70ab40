"""Bad input is refused at load with the field it is in (README, "What femsi guarantees").

Non-finite numbers anywhere a finite one is meant, YAML that is not UTF-8 or repeats a key,
and names that would leave the output root.
"""

from __future__ import annotations

import pytest

from femsi.config.loader import load_config, read_yaml
from femsi.errors import InputError

CONFIG = "configs/particle.yaml"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("geometry.radius=.inf", "geometry.radius"),
        ("geometry.radius=.nan", "geometry.radius"),
        ("geometry.mesh_size='inf um'", "geometry.mesh_size"),
        ("protocol.0.lithiate.c_rate=.inf", "protocol.0.lithiate.c_rate"),
        ("protocol.0.lithiate.until_soc=.nan", "protocol.0.lithiate.until_soc"),
        ("time.initial_step=.inf", "time.initial_step"),
        ("time.max_step=-.inf", "time.max_step"),
        ("physics.temperature=.inf", "physics.temperature"),
        ("outputs.probes.centre=[.nan, 0, 0]", "outputs.probes.centre.0"),
        ("outputs.probes.centre=[0, .inf]", "outputs.probes.centre.1"),
        (
            "materials.particle={base: amorphous_silicon, youngs_modulus: .nan}",
            "materials.particle.youngs_modulus",
        ),
        (
            "materials.particle={base: amorphous_silicon, diffusivity: {linear: [1e-16, .inf]}}",
            "materials.particle.diffusivity",
        ),
    ],
)
def test_non_finite_numbers_are_refused(override, field):
    with pytest.raises(InputError) as err:
        load_config(CONFIG, [override])
    assert err.value.field == field
    assert "finite" in err.value.message


def test_duplicate_keys_are_refused_with_their_lines(tmp_path):
    path = tmp_path / "dup.yaml"
    path.write_text("study: a\ngeometry: {}\nstudy: b\n")
    with pytest.raises(InputError, match=r"line 3.*duplicate key 'study' \(first at line 1\)"):
        read_yaml(path)
    with pytest.raises(InputError, match="duplicate key 'a'"):
        load_config(CONFIG, ["outputs.probes={a: [0, 0, 0], a: [1e-7, 0, 0]}"])


@pytest.mark.parametrize(
    "data",
    [
        "study: x\n".encode("utf-16"),
        b"study: caf\xe9\n",  # Latin-1
        b"study: \xc3\x28\n",  # an invalid UTF-8 sequence
    ],
)
def test_text_that_is_not_utf8_is_refused(tmp_path, data):
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError, match="not UTF-8"):
        read_yaml(path)


def test_a_byte_order_mark_is_fine(tmp_path):
    path = tmp_path / "bom.yaml"
    path.write_bytes("study: x\n".encode("utf-8-sig"))
    assert read_yaml(path) == {"study": "x"}


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b", "a b", "x\ny", "-rf"])
def test_study_names_are_names_not_paths(name):
    with pytest.raises(InputError) as err:
        load_config(CONFIG, [f"study={name!r}"] if "\n" not in name else ['study="x\\ny"'])
    assert err.value.field == "study"


@pytest.mark.parametrize("name", ["../x", "..", "a\necho pwned", "a;b", "$(x)"])
def test_sweep_names_are_names_not_paths(tmp_path, name):
    import yaml

    from femsi.sweeps.spec import load_sweep

    path = tmp_path / "sweep.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "base": "../../../../work/main/configs/particle.yaml",
                "name": name,
                "sweep": {"grid": {"protocol.0.lithiate.c_rate": [1, 2]}},
            }
        )
    )
    with pytest.raises(InputError) as err:
        load_sweep(path)
    assert err.value.field == "name" or err.value.field.startswith("name")


# --------------------------------------------------------------------------- --overwrite


def _quick(tmp_path, out, *extra):
    from tests.conftest import run_cli, study, write_study

    config = write_study(tmp_path, study(protocol=[{"rest": {"duration": "10 s"}}]))
    return run_cli("run", config, "-o", out, "--no-progress", *extra)


def test_overwrite_refuses_a_folder_femsi_did_not_make(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "config.yaml").write_text("my own notes\n")
    result = _quick(tmp_path, out, "--overwrite")
    assert result.returncode == 2 and "is not a femsi run folder" in result.stderr
    assert (out / "config.yaml").read_text() == "my own notes\n"


def test_overwrite_keeps_the_old_run_when_the_new_one_fails_its_checks(tmp_path):
    out = tmp_path / "run"
    assert _quick(tmp_path, out).returncode == 0
    before = (out / "summary.json").read_text()
    bad = _quick(tmp_path, out, "--overwrite", "--set", "outputs.probes={far: [1, 0, 0]}")
    assert bad.returncode == 2 and "outside the body" in bad.stderr
    assert (out / "summary.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_overwrite_replaces_a_previous_run_once_the_new_one_has_started(tmp_path):
    import json

    out = tmp_path / "run"
    assert _quick(tmp_path, out).returncode == 0
    again = _quick(tmp_path, out, "--overwrite", "--set", "study=second")
    assert again.returncode == 0, again.stderr
    assert json.loads((out / "summary.json").read_text())["study"] == "second"
    assert not out.is_symlink() and (out / ".femsi-run").is_file()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_overwrite_refuses_a_symlink(tmp_path):
    target = tmp_path / "elsewhere"
    assert _quick(tmp_path, target).returncode == 0
    link = tmp_path / "link"
    link.symlink_to(target)
    result = _quick(tmp_path, link, "--overwrite")
    assert result.returncode == 2 and (target / "summary.json").is_file()


# --------------------------------------------------------------------------- mesh guards


def test_one_element_through_the_radius_is_warned_about_with_the_numbers():
    config = load_config(CONFIG, ["geometry.mesh_size=1 um"])
    (warning,) = config.warnings
    assert warning.startswith("geometry.mesh_size: 1e-06 m leaves 1 elements")
    assert "2.5e-07 m or less" in warning
    assert load_config(CONFIG).warnings == ()


def test_a_mesh_too_fine_for_the_machine_needs_force():
    from femsi.config.mesh_guard import MAX_CELLS, check_size, estimated_cells

    config = load_config(CONFIG, ["geometry.mesh_size=2 nm", "geometry.surface_mesh_size=2 nm"])
    assert estimated_cells(config.study.geometry) > 100 * MAX_CELLS
    with pytest.raises(InputError, match="cells estimated") as err:
        check_size(config, force=False)
    assert err.value.field == "geometry.mesh_size"
    check_size(config, force=True)
    # the shipped 3D particle (about 16k cells) is far below the limit
    shipped = estimated_cells(load_config(CONFIG).study.geometry)
    assert 3e3 < shipped < 1e5


def test_packed_electrodes_and_rves_are_estimated_before_packing():
    """Matrix at mesh_size, particles at particle_mesh_size, their surface layer at the
    interface size. Gmsh made 62,209 cells for the shipped electrode (estimate 77k), 191,143
    with particle/interface sizes 0.3/0.25 um (242k), and 7,455 for a 3-particle RVE (6.2k).
    """
    from femsi.config.mesh_guard import check_size, estimated_cells

    shipped = load_config("configs/electrode.yaml")
    assert 62_209 / 1.5 < estimated_cells(shipped.study.geometry) < 62_209 * 1.5
    finer = load_config(
        "configs/electrode.yaml",
        ["geometry.particle_mesh_size=0.3 um", "geometry.interface_mesh_size=0.25 um"],
    )
    assert 191_143 / 1.5 < estimated_cells(finer.study.geometry) < 191_143 * 1.5
    huge = load_config("configs/electrode.yaml", ["geometry.interface_mesh_size=10 nm"])
    with pytest.raises(InputError, match="cells estimated"):
        check_size(huge, force=False)
    rve = {"type": "rve", "size": "4 um", "radius": "1 um", "particles": 3,
           "mesh_size": "0.8 um", "interface_mesh_size": "0.25 um"}  # fmt: skip
    from pydantic import TypeAdapter

    from femsi.config.schema.geometry import Geometry

    estimate = estimated_cells(TypeAdapter(Geometry).validate_python(rve))
    assert 7_455 / 1.5 < estimate < 7_455 * 1.5


def test_particles_too_coarse_in_an_electrode_are_warned_about():
    config = load_config("configs/electrode.yaml", ["geometry.particle_mesh_size=1 um"])
    (warning,) = config.warnings
    assert warning.startswith("geometry.particle_mesh_size: 1e-06 m leaves")
    assert load_config("configs/electrode.yaml").warnings == ()


def test_validate_and_run_refuse_a_huge_mesh_before_meshing(tmp_path):
    from tests.conftest import run_cli

    out = run_cli("validate", CONFIG, "--set", "geometry.mesh_size=2 nm")
    assert out.returncode == 2 and "--force" in out.stderr
    out = run_cli("run", CONFIG, "-o", tmp_path / "run", "--set", "geometry.mesh_size=2 nm")
    assert out.returncode == 2 and not (tmp_path / "run").exists()


@pytest.mark.parametrize(("nu", "refused"), [(0.4999, True), (0.49, True), (0.47, False)])
def test_p1_near_incompressibility_is_refused_or_warned(nu, refused):
    overrides = [
        f"materials.particle={{base: amorphous_silicon, poissons_ratio: {nu}}}",
        "physics.mechanics=small_strain",
        "physics.displacement_degree=1",
    ]
    if refused:
        with pytest.raises(InputError, match="displacement_degree: 2") as err:
            load_config(CONFIG, overrides)
        assert err.value.field == "materials.particle.poissons_ratio"
    else:
        assert "may lock" in load_config(CONFIG, overrides).warnings[0]
    # P2 does not lock: no complaint
    assert load_config(CONFIG, [*overrides[:2], "physics.displacement_degree=2"]).warnings == ()


def test_too_many_probes_are_refused():
    probes = "{" + ", ".join(f"p{i}: [0, 0, 0]" for i in range(1001)) + "}"
    with pytest.raises(InputError, match="at most 1000") as err:
        load_config(CONFIG, [f"outputs.probes={probes}"])
    assert err.value.field == "outputs.probes"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ("geometry.radius=1e300", "geometry.radius"),
        ("materials.particle={base: amorphous_silicon, youngs_modulus: -1e300}",
         "materials.particle.youngs_modulus"),
        ("materials.particle={base: [], youngs_modulus: 1e9}", "materials.particle.base"),
    ],
)  # fmt: skip
def test_numbers_beyond_any_physical_value_are_refused(override, field):
    """Their cubes overflowed a float (an OverflowError) before the range checks ran."""
    with pytest.raises(InputError) as err:
        load_config(CONFIG, [override])
    assert err.value.field == field


def test_a_mesh_size_that_underflows_is_refused_as_too_fine():
    from femsi.config.mesh_guard import check_size

    config = load_config(CONFIG, ["geometry.mesh_size=1e-300"])
    with pytest.raises(InputError, match="about inf cells"):
        check_size(config, force=False)
