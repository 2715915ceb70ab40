"""The ``cracks:`` section: layouts, rings, symmetry, and every bad input as an error naming the
field (exit code 2 from the CLI, no traceback)."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import femsi
from femsi.cracks.config_layouts import crack_layouts
from femsi.cracks.rings import ring_radii
from tests.conftest import run_cli, study, write_study
from tests.unit.test_cli import assert_input_error

PLANE = {"dimension": 2, "formulation": "plane_strain"}
AXI = {"dimension": 2, "formulation": "axisymmetric"}
SPHERE = {"type": "sphere", "radius": "1 um", "mesh_size": "0.1 um", "symmetry": "full"} | PLANE
CORE_SHELL = SPHERE | {"type": "core_shell", "coating_thickness": "0.2 um", "mesh_size": "0.05 um"}
IN_MATRIX = SPHERE | {"type": "particle_in_matrix", "matrix_size": "2 um"}
FILM = {
    "type": "film",
    "thickness": "1 um",
    "substrate_thickness": "5 um",
    "width": "5 um",
    "mesh_size": "0.5 um",
} | PLANE
EDGE = {"name": "surface", "kind": "edge", "length": "0.2 um", "tip_size": "5 nm"}
SHELL_MATERIALS = {"particle": "amorphous_silicon", "coating": "carbon_coating"}
MATRIX_MATERIALS = {"particle": "amorphous_silicon", "matrix": "li6ps5cl"}
FILM_MATERIALS = {"film": "amorphous_silicon", "substrate": "llzo"}


def close(a, b, atol: float = 1e-21) -> bool:
    """Equal to 1e-9 relative; ``atol`` only for zeros (lengths in SI: 1e-21 m by default)."""
    return bool(np.allclose(np.asarray(a, float), np.asarray(b, float), rtol=1e-9, atol=atol))


def cracked(geometry=SPHERE, cracks=(EDGE,), **sections) -> dict:
    return study(geometry=geometry, cracks=list(cracks), **sections)


def test_loaded_config_keeps_its_layouts():
    """The loader lays the cracks out once and keeps them for the mesh builders."""
    config = femsi.load_config(cracked())
    assert config.crack_layouts == tuple(crack_layouts(config.study))
    assert femsi.load_config(study()).crack_layouts == ()


def test_layouts_of_each_kind():
    """Segments, tips, directions and mirror lines of the built-in kinds (SI)."""
    (edge,) = crack_layouts(femsi.load_config(cracked()).study)
    assert edge.region == "particle" and edge.mirror_axis is None
    assert close(edge.start, (1e-6, 0.0)) and close(edge.end, (0.8e-6, 0.0))
    (tip,) = edge.tips
    assert close(tip.direction, (-1.0, 0.0), atol=1e-12)
    assert edge.open_ends == (edge.start,)  # the mouth is split by the Crack plugin
    # default rings: half the clearance (the crack length) in 3 rings
    assert close(edge.clearance, 0.2e-6)
    assert close(edge.rings, ring_radii(0.1e-6, 3))
    assert close(edge.rings[-1][1], 0.1e-6)

    half = cracked(SPHERE | {"symmetry": "half"}, [EDGE | {"angle": "180 deg"}])
    (edge,) = crack_layouts(femsi.load_config(half).study)
    assert edge.mirror_axis == 1 and edge.symmetry_factor == 2.0
    assert close(edge.tips[0].point, (-0.8e-6, 0.0))

    centre = {"name": "c", "kind": "centre", "length": "0.4 um", "tip_size": "5 nm"}
    octant = cracked(SPHERE | {"symmetry": "octant"}, [centre])
    (c,) = crack_layouts(femsi.load_config(octant).study)
    assert len(c.tips) == 1 and c.start == (0.0, 0.0) and c.mirror_axis == 1
    (c,) = crack_layouts(femsi.load_config(cracked(SPHERE | AXI, [centre])).study)
    assert close(c.tips[0].point, (0.2e-6, 0.0))
    assert c.open_ends == ((0.0, 0.0),)  # a penny crack crosses the axis: split there

    coating = {"name": "c", "kind": "coating", "length": "0.1 um", "tip_size": "2 nm"}
    tree = cracked(CORE_SHELL, [coating], materials=SHELL_MATERIALS)
    (c,) = crack_layouts(femsi.load_config(tree).study)
    assert c.region == "coating" and close(c.tips[0].point, (1.1e-6, 0.0))
    assert close(c.clearance, 0.1e-6)

    se = {"name": "se", "kind": "electrolyte", "length": "0.3 um", "angle": "90 deg"}
    tree = cracked(IN_MATRIX, [se | {"tip_size": "5 nm"}], materials=MATRIX_MATERIALS)
    (c,) = crack_layouts(femsi.load_config(tree).study)
    assert c.region == "matrix" and c.open_ends == ()
    assert close(c.tips[0].point, (0.0, 1.3e-6))
    assert close(c.tips[0].direction, (0.0, 1.0), atol=1e-12)

    channel = {"name": "ch", "kind": "channel", "tip_size": "0.05 um"}
    tree = cracked(FILM, [channel], materials=FILM_MATERIALS)
    (c,) = crack_layouts(femsi.load_config(tree).study)
    assert close(c.thickness, 1e-6) and c.mirror_axis == 0 and c.rings == ()
    assert close(c.tips[0].point, (0.0, 5e-6))


@pytest.mark.parametrize(
    ("sections", "field", "words"),
    [
        (
            {
                "geometry": CORE_SHELL | {"dimension": 3, "formulation": None},
                "materials": SHELL_MATERIALS,
                "cracks": [EDGE | {"kind": "coating", "length": "0.1 um"}],
            },
            "cracks.0.kind",
            "2D sections",
        ),
        (
            {"geometry": CORE_SHELL, "materials": SHELL_MATERIALS},
            "cracks.0.kind",
            "sphere or hollow_sphere",
        ),
        ({"cracks": [EDGE | {"length": "1 um"}]}, "cracks.0.length", "reaches through"),
        (
            {"cracks": [EDGE | {"kind": "centre", "length": "2.2 um"}]},
            "cracks.0.length",
            "longer than the particle's diameter",
        ),
        (
            {
                "geometry": CORE_SHELL,
                "materials": SHELL_MATERIALS,
                "cracks": [EDGE | {"kind": "coating", "length": "0.2 um"}],
            },
            "cracks.0.length",
            "through the coating",
        ),
        (
            {
                "geometry": IN_MATRIX,
                "materials": MATRIX_MATERIALS,
                "cracks": [EDGE | {"kind": "electrolyte", "length": "1.5 um"}],
            },
            "cracks.0.length",
            "leaves the matrix",
        ),
        ({"cracks": [EDGE | {"tip_size": "20 nm"}]}, "cracks.0.tip_size", "too coarse"),
        (
            {"cracks": [{k: v for k, v in EDGE.items() if k != "tip_size"}]},
            "cracks.0.tip_size",
            "required",
        ),  # fmt: skip
        ({"cracks": [EDGE | {"ring_radius": "0.25 um"}]}, "cracks.0.ring_radius", "would leave"),
        (
            {
                "physics": {
                    "mechanics": "small_strain",
                    "constitutive": "elastoplastic",
                    "plastic_regions": ["particle"],
                }
            },
            "physics.plastic_regions",
            "flows",
        ),
        (
            {
                "geometry": CORE_SHELL,
                "materials": SHELL_MATERIALS,
                "physics": {
                    "mechanics": "small_strain",
                    "constitutive": "elastoplastic",
                    "plastic_regions": ["particle"],
                },
                "cracks": [
                    {"name": "c", "kind": "coating", "length": "0.1 um", "tip_size": "2 nm"}
                ],
            },  # fmt: skip
            "physics.plastic_regions",
            "elastic body",
        ),
        (
            {"geometry": SPHERE | {"symmetry": "half"}, "cracks": [EDGE | {"angle": "30 deg"}]},
            "cracks.0.angle",
            "mirror line",
        ),
        ({"geometry": SPHERE | {"symmetry": "octant"}}, "geometry.symmetry", "several"),
        (
            {"geometry": SPHERE | AXI, "cracks": [EDGE | {"angle": "10 deg"}]},
            "cracks.0.angle",
            "equatorial",
        ),  # fmt: skip
        (
            {"geometry": SPHERE | {"dimension": 3, "formulation": None, "symmetry": "half"}},
            "geometry.symmetry",
            "plane-strain",
        ),
        ({"cracks": [EDGE, EDGE]}, "cracks.1.name", "two cracks"),
        (
            {"cracks": [EDGE, EDGE | {"name": "other", "kind": "centre", "length": "1.7 um"}]},
            "cracks.1",
            "crosses or touches",
        ),
        ({"physics": {"mechanics": "none"}}, "cracks", "mechanics"),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {"lateral": "free"},
                "cracks": [{"name": "ch", "kind": "channel", "tip_size": "0.05 um"}],
            },
            "cell.lateral",
            "confined",
        ),
        (
            {
                "geometry": FILM | {"substrate_thickness": 0},
                "materials": {"film": "amorphous_silicon"},
                "cracks": [{"name": "ch", "kind": "channel", "tip_size": "0.05 um"}],
            },
            "geometry.substrate_thickness",
            "substrate",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cracks": [{"name": "ch", "kind": "channel", "tip_size": "0.2 um"}],
            },
            "cracks.0.tip_size",
            "too coarse",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cracks": [
                    {"name": "ch", "kind": "channel", "length": "0.5 um", "tip_size": "0.05 um"}
                ],
            },  # fmt: skip
            "cracks.0.length",
            "through the film",
        ),
        (
            {
                "geometry": {"type": "mesh_file", "path": "meshes/cracked_disc.msh"} | PLANE,
                "cracks": [{"name": "t", "kind": "tagged"}],
            },
            "cracks.0.curve",
            "names its curve",
        ),
        ({"cracks": [EDGE | {"kind": "slanted"}]}, "cracks.0.kind", ""),
        ({"cracks": [EDGE | {"angle": "3 um"}]}, "cracks.0.angle", "angle"),
        (
            {"geometry": {"type": "mesh_file", "path": "x.vtu"} | PLANE, "cracks": []},
            "geometry.path",
            ".msh",
        ),
    ],
)
def test_bad_cracks_are_input_errors_naming_the_field(sections, field, words):
    tree = cracked(**{k: v for k, v in sections.items() if k in ("geometry", "cracks")})
    for key, value in sections.items():
        if key not in ("geometry", "cracks"):
            tree[key] = copy.deepcopy(value) | (
                {"displacement_degree": 2} if key == "physics" else {}
            )
    with pytest.raises(femsi.InputError) as info:
        femsi.load_config(tree)
    assert info.value.field == field, str(info.value)
    assert words in info.value.message


def test_cli_reports_a_bad_crack_with_exit_code_2(tmp_path):
    path = write_study(tmp_path, cracked(cracks=[EDGE | {"length": "1.2 um"}]))
    assert_input_error(run_cli("validate", path), "femsi: error: cracks.0.length:")
    out = tmp_path / "out"
    assert_input_error(run_cli("run", path, "-o", out), "cracks.0.length")
    assert not out.exists()


def test_cli_reports_a_missing_tagged_curve_found_on_the_mesh(tmp_path):
    """The curve is looked up when the mesh is read: still exit code 2, nothing left behind."""
    tree = study(
        geometry={
            "type": "mesh_file",
            "path": str((tmp_path / "../../..").resolve() / "x"),  # replaced below
            "length_unit": "1 um",
            "active_surface": "particle_surface",
        }
        | PLANE,
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        cracks=[{"name": "t", "kind": "tagged", "curve": "no_such_curve"}],
    )
    from tests.conftest import ROOT

    tree["geometry"]["path"] = str(ROOT / "meshes" / "cracked_disc.msh")
    path = write_study(tmp_path, tree)
    out = tmp_path / "out"
    assert_input_error(run_cli("run", path, "-o", out), "cracks.0.curve", "no_such_curve")
    assert not out.exists()


def test_ring_radii():
    rings = ring_radii(1.0, 3)
    assert close(rings, [(0.25, 0.5), (0.375, 0.75), (0.5, 1.0)])
    assert all(math.isclose(r1, r2 / 2) for r1, r2 in rings)
