"""Cracks in 3D studies: G along crack fronts of tagged mesh surfaces and built-in cracks.

References (each test states its own):
- Penny crack of radius a in an infinite body under remote tension σ normal to it:
  K_I = 2σ√(a/π) along the whole front (Sneddon, Proc. R. Soc. A 187 (1946) 229; Tada, Paris
  & Irwin, The Stress Analysis of Cracks Handbook, 3rd ed. (2000)), G = (1 − ν²) K_I²/E.
  Stresses parallel to the crack plane do not change K_I, so a uniform hydrostatic tension σ works:
  a body that shrinks uniformly (eigenstrain e* < 0) inside a clamped boundary carries
  σ = −3K e* (K = E/(3(1 − 2ν)); Hooke's law with ε = 0, the small-strain rigid cavity).
- The same study as an axisymmetric section: a penny crack on the axis of a body of
  revolution is the 2D ring-front crack of femsi's verified axisymmetric domain integral
  (tests/verification/test_cracks.py: K within 0.1 % of Tada).
- Nakamura & Parks (1989): with the concentration-gradient term G is path independent; the
  virtual crack advance θ must move no boundary (else G gains the energy of the material it
  adds or removes): where the front meets a free surface θ is made tangent to it.
"""

from __future__ import annotations

import csv
import importlib.util
import math

from mpi4py import MPI

import gmsh
import numpy as np
import pytest

import femsi
from femsi.cracks.config_layouts import crack_layouts
from femsi.cracks.front_outputs import plot_front
from femsi.cracks.integral_fields import Front
from femsi.cracks.surfaces import analyse_surfaces, open_surfaces
from femsi.geometry import build_mesh
from femsi.geometry.gmsh_session import gmsh_session
from tests.conftest import ROOT, run_cli, study, write_study
from tests.unit.test_cli import assert_input_error

E, NU = 80e9, 0.22
E_STAR = -0.01  # Ω c_max = 0.03, stress free at SOC 1, held at SOC 0: e* = −Ω c_max/3
SIGMA = -3 * E / (3 * (1 - 2 * NU)) * E_STAR  # 1.4286 GPa of hydrostatic tension
SHRINKING = {
    "base": "amorphous_silicon",
    "youngs_modulus": "80 GPa",
    "poissons_ratio": NU,
    "partial_molar_volume": "3e-7 m^3/mol",
    "max_concentration": "1e5 mol/m^3",
    "initial_soc": 0.0,
    "stress_free_soc": 1.0,
}
ELASTIC_STEP = {
    "physics": {"mechanics": "small_strain", "displacement_degree": 2, "diffusion": False},
    "protocol": [{"rest": {"duration": "1 s"}}],
    "time": {"initial_step": "1 s", "max_step": "1 s"},
}
BOX = {
    "type": "mesh_file",
    "path": str(ROOT / "meshes" / "penny_in_box.msh"),
    "length_unit": "1 um",
    "symmetry_surfaces": {"x": "symmetry_x", "y": "symmetry_y"},
    "fixed_surfaces": ["outer"],
}
PENNY = {"name": "penny", "kind": "tagged", "surface": "crack"}


def _make_meshes():
    spec = importlib.util.spec_from_file_location("make_meshes", ROOT / "meshes" / "make_meshes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _profile(result, name: str) -> list[dict]:
    """The rows of the last step in cracks/NAME_front.csv."""
    with (result.output_dir / "cracks" / f"{name}_front.csv").open() as stream:
        rows = list(csv.DictReader(stream))
    last = rows[-1]["step"]
    return [{k: float(v) for k, v in r.items()} for r in rows if r["step"] == last]


def box_study(path: str | None = None) -> dict:
    """meshes/penny_in_box.msh (µm): a quarter penny crack, a = 0.4, in a clamped box 4 × 4 × 4."""
    geometry = BOX | ({"path": path} if path else {})
    return study(
        geometry=geometry, materials={"particle": SHRINKING}, cracks=[PENNY], **ELASTIC_STEP
    )


# ------------------------------------------------------------------ a tagged crack surface


def test_tagged_penny_crack_in_a_clamped_box_matches_tada(run_study, tmp_path):
    """K from G at every station within 3 % of 2σ√(a/π) (Tada), converging with the front size.

    σ = −3K e* = 1.4286 GPa (E = 80 GPa, ν = 0.22, e* = −0.01), a = 0.4 µm. The crack is
    embedded in the mesh (split by femsi with its mouths on the symmetry planes x = 0, y = 0
    open) and the box is clamped 4a from the front: a finite-body effect of ~1 % remains.
    """
    a = 0.4e-6
    K_ref = 2 * SIGMA * math.sqrt(a / math.pi)
    fine = tmp_path / "penny_fine.msh"
    _make_meshes().penny_in_box(fine, tip_size=0.01)
    mean_errors = []
    for path in (None, str(fine)):
        result = run_study(box_study(path))
        final = result.rows[-1]
        stations = _profile(result, "penny")
        assert len(stations) == 9  # the default, spread along the quarter front
        K = np.sqrt(np.array([s["G_J_m2"] for s in stations]) * E / (1 - NU**2))
        errors = K / K_ref - 1
        # measured: tip 0.02 µm (a/20) −1.6 … −1.1 %, tip 0.01 µm −1.0 … −0.8 %
        assert np.all(np.abs(errors) < 0.03), errors
        assert max(s["G_spread"] for s in stations) < 0.01  # measured ≤ 0.02 %, 0.2 %
        radius = [math.hypot(s["x_m"], s["y_m"]) for s in stations]
        assert radius == pytest.approx([a] * 9, rel=1e-9)  # the stations are front nodes
        assert stations[-1]["s_m"] == pytest.approx(math.pi / 2 * a, rel=1e-3)
        assert not any(s["free_end"] for s in stations)  # both ends on mirror planes
        assert final["crack.penny.G_J_m2"] == max(s["G_J_m2"] for s in stations)
        assert math.isnan(final["crack.penny.K_I_Pa_sqrt_m"])
        mean_K = math.sqrt(final["crack.penny.G_front_mean_J_m2"] * E / (1 - NU**2))
        mean_errors.append(abs(mean_K / K_ref - 1))
    assert mean_errors[1] < mean_errors[0], mean_errors
    block = result.summary["cracks"]["penny"]
    assert block["kind"] == "tagged" and block["symmetry_factor"] == 1.0
    assert block["fronts"] == 1 and block["stations"] == 9
    assert block["front_length_m"] == pytest.approx(math.pi / 2 * a, rel=1e-3)
    assert block["G_max_J_m2"] == final["crack.penny.G_J_m2"]


# ------------------------------------------------------------------ built-in cracks


def sphere_study(dimension: int, tip: str, symmetry: str = "octant", mesh: str = "0.2 um"):
    """A clamped, uniformly shrinking sphere (R = 1 µm) with a penny crack of radius 0.3 µm."""
    geometry = {
        "type": "sphere",
        "radius": "1 um",
        "mesh_size": mesh,
        "symmetry": symmetry,
        "outer_boundary": "fixed",
    }
    if dimension == 2:
        geometry |= {"dimension": 2, "formulation": "axisymmetric"}
    return study(
        geometry=geometry,
        materials={"particle": SHRINKING},
        cracks=[{"name": "penny", "kind": "centre", "length": "0.6 um", "tip_size": tip}],
        **ELASTIC_STEP,
    )


def test_builtin_penny_crack_matches_the_axisymmetric_section(run_study):
    """The 3D octant (the crack on the mirror z = 0) against the 2D axisymmetric section.

    Same study, a = 0.3 R in a clamped shrinking sphere: the 2D section (tip R/400) gives
    G = 8.777 J/m²; the 3D front's G is uniform and within 2 %, closer with a finer front.
    """
    G_2d = run_study(sphere_study(2, "0.0025 um")).rows[-1]["crack.penny.G_J_m2"]
    assert G_2d == pytest.approx(8.777, rel=2e-3)  # measured 8.7765 (8.7629 at tip R/200)
    errors = []
    for tip in ("0.015 um", "0.0075 um"):
        result = run_study(sphere_study(3, tip))
        final = result.rows[-1]
        stations = [s["G_J_m2"] for s in _profile(result, "penny")]
        # measured: mean −1.2 %, −0.5 %; max −0.5 %, −0.4 %; stations −2.4 … −0.5 %,
        # −0.8 … −0.4 % (the ends on the mirrors x = 0 and y = 0 converge last)
        assert final["crack.penny.G_J_m2"] == pytest.approx(G_2d, rel=0.02)
        assert final["crack.penny.G_front_mean_J_m2"] == pytest.approx(G_2d, rel=0.02)
        assert all(abs(G / G_2d - 1) < 0.03 for G in stations)
        assert final["crack.penny.G_spread"] < 0.01
        errors.append(abs(final["crack.penny.G_front_mean_J_m2"] / G_2d - 1))
        assert result.summary["cracks"]["penny"]["symmetry_factor"] == 2.0
    assert errors[1] < errors[0], errors


def test_embedded_penny_crack_has_a_closed_uniform_front(run_study):
    """symmetry: full: the penny is split by the Crack plugin, its front a closed loop.

    G is the same at every station of the loop (the problem is axisymmetric) and equals the
    octant model's (the crack a free part of its mirror z = 0) on equally fine fronts (tip
    R/50, two rings), both within 2.5 % of the axisymmetric section's 8.777 J/m² (previous
    test).
    """
    models = {}
    for symmetry in ("full", "octant"):
        tree = sphere_study(3, "0.02 um", symmetry=symmetry, mesh="0.5 um")
        tree["cracks"][0]["rings"] = 2
        models[symmetry] = result = run_study(tree)
    stations = _profile(models["full"], "penny")
    G = np.array([s["G_J_m2"] for s in stations])
    assert len(G) == 9 and not any(s["free_end"] for s in stations)
    angles = np.unwrap([math.atan2(s["y_m"], s["x_m"]) for s in stations])
    assert np.all(np.diff(angles) > 0) and angles[-1] - angles[0] > 1.7 * math.pi
    assert np.ptp(G) / G.mean() < 0.005  # measured 8.635 … 8.644 J/m²
    octant = models["octant"].rows[-1]["crack.penny.G_front_mean_J_m2"]
    # measured: full 8.639, octant 8.634 J/m² (−1.6 % from the section)
    assert G.mean() == pytest.approx(octant, rel=0.005)
    assert G.mean() == pytest.approx(8.777, rel=0.025)
    assert models["full"].summary["cracks"]["penny"]["symmetry_factor"] == 1.0
    assert result.summary["cracks"]["penny"]["symmetry_factor"] == 2.0


def _surface_crack(symmetry: str, angle: str = "0 deg"):
    tree = study(
        geometry={"type": "sphere", "radius": "1 um", "mesh_size": "0.2 um", "symmetry": symmetry},
        materials={"particle": {"base": "amorphous_silicon", "initial_soc": 0.5}},
        physics={"mechanics": "small_strain", "displacement_degree": 2},
        protocol=[{"delithiate": {"c_rate": 2, "duration": "40 s"}}],
        time={"initial_step": "20 s", "max_step": "20 s"},
        cracks=[
            {
                "name": "surface",
                "kind": "edge",
                "length": "0.3 um",
                "tip_size": "0.01 um",
                "angle": angle,
            }
        ],
    )
    return tree


@pytest.mark.parametrize(("symmetry", "angle"), [("full", "30 deg"), ("octant", "0 deg")])
def test_surface_crack_front_is_found_and_ordered(symmetry, angle):
    """A semicircular surface crack (radius L about the surface point R e) in a sphere.

    Its front is one open polyline along the circle |x − R e| = L in z = 0, from the end with
    the largest x to the other; an end on the sphere's surface is free, one on a mirror is not;
    the advance directions point away from the crack's centre, in its plane.
    """
    config = femsi.load_config(_surface_crack(symmetry, angle))
    layouts = crack_layouts(config.study)
    model = build_mesh(config.study.geometry, MPI.COMM_WORLD, layouts)
    (crack,) = model.cracks
    (front,) = crack.fronts
    R, L = 1e-6, 0.3e-6
    phi = math.radians(float(angle.split()[0]))
    centre = R * np.array([math.cos(phi), math.sin(phi), 0.0])
    p = front.points
    assert not front.closed and np.all(np.abs(p[:, 2]) < 1e-15)
    assert np.linalg.norm(p - centre, axis=1) == pytest.approx(np.full(len(p), L), rel=1e-9)
    assert p[0, 0] >= p[-1, 0]  # starts at the end with the larger x
    around = np.unwrap(np.arctan2(p[:, 1] - centre[1], p[:, 0] - centre[0]))
    steps = np.diff(around)
    assert np.all(steps > 0) or np.all(steps < 0)  # in order along the circle
    radial = (p - centre) / L
    assert np.einsum("ij,ij->i", front.normals, radial) == pytest.approx(np.ones(len(p)), abs=2e-3)
    assert np.abs(front.binormals[:, 2]) == pytest.approx(np.ones(len(p)), abs=1e-12)
    on_surface = np.abs(np.linalg.norm(p[[0, -1]], axis=1) - R) < 1e-9 * R
    if symmetry == "full":
        assert front.free_ends == (True, True) and np.all(on_surface)
        assert not crack.mirror
    else:  # the surface end, then the deepest point (R − L, 0, 0) on the mirror y = 0
        assert front.free_ends == (True, False) and on_surface[0]
        assert p[-1] == pytest.approx([R - L, 0.0, 0.0], abs=1e-15)
        assert crack.mirror and crack.symmetry_factor == 2.0


def test_surface_crack_opens_under_delithiation_path_independently(run_study, tmp_path):
    """The shrinking surface opens the surface crack; G is path independent at every station.

    With θ kept tangent to the free surface the ring spread is below 1 % at every station
    (measured 5e-5 at the largest G, ≤ 0.7 % at the deep stations where G is hundreds of times
    smaller; 13 % next to the surface without it). The free end's station is written but not
    in G_J_m2.
    """
    result = run_study(_surface_crack("octant"))
    final = result.rows[-1]
    stations = _profile(result, "surface")
    assert stations[0]["free_end"] == 1 and not any(s["free_end"] for s in stations[1:])
    for s in stations:
        assert s["opening_m"] > 0 and s["G_J_m2"] > 0
        assert s["G_spread"] < 0.01
    inner = [s["G_J_m2"] for s in stations[1:]]
    assert final["crack.surface.G_J_m2"] == max(inner)
    # the hoop tension is largest at the surface: G falls from the surface to the deepest point
    assert inner[0] > 10 * inner[-1]
    assert result.summary["cracks"]["surface"]["Gc_J_m2"] == 6.0  # a-Si (Pharr et al. 2013)
    figure = plot_front(result.output_dir / "cracks" / "surface_front.csv", "surface", tmp_path)
    assert figure.name == "crack_surface_front.png" and figure.stat().st_size > 10_000


def test_through_crack_has_two_straight_fronts_ending_on_free_faces():
    """A crack through a plate's thickness: the rectangle |x| < a, 0 < y < t in z = 0 of the box
    [−1, 1] × [0, t] × [−1, 1]. Its edges on the faces y = 0 and y = t are mouths (split), its
    edges x = ±a inside the body are two straight fronts, each ending on both (free) faces,
    advancing along ±x.
    """
    a, t = 0.3, 0.2
    with gmsh_session("through_crack"):
        occ = gmsh.model.occ
        box = occ.addBox(-1, 0, -1, 2, t, 2)
        crack = occ.addRectangle(-a, 0, 0, 2 * a, t)
        occ.fragment([(3, box)], [(2, crack)])
        occ.synchronize()
        gmsh.model.addPhysicalGroup(3, [1], 1, name="particle")
        inside = [
            tag
            for _, tag in gmsh.model.getEntities(2)
            if np.allclose(occ.getCenterOfMass(2, tag), (0, t / 2, 0), atol=1e-9)
        ]
        group = gmsh.model.addPhysicalGroup(2, inside, 2, name="crack")
        gmsh.option.setNumber("Mesh.MeshSizeMax", 0.05)
        gmsh.model.mesh.generate(3)
        (surface,), node_tags = analyse_surfaces([(group, "cracks.0.surface")], set())
        n_before = len(gmsh.model.mesh.getNodes()[0])
        n_crack = len(gmsh.model.mesh.getNodesForPhysicalGroup(2, group)[0])
        open_surfaces([(group, surface)], node_tags)
        n_after = len(gmsh.model.mesh.getNodes()[0])
    assert not surface.mirror and len(surface.fronts) == 2
    for front, side in zip(surface.fronts, (1.0, -1.0), strict=True):  # x = +a first
        assert front.free_ends == (True, True) and not front.closed
        assert front.points[:, 0] == pytest.approx(np.full(len(front.points), side * a))
        assert np.all(
            np.diff(front.points[:, 1]) * np.sign(front.points[-1, 1] - front.points[0, 1]) > 0
        )
        assert front.normals == pytest.approx(np.tile([side, 0.0, 0.0], (len(front.points), 1)))
    # the crack's depth is a (its mid-line from the fronts); the box's faces x = ±1 are 1 − a
    # away, its faces y = 0, t are the ends' own patches
    assert surface.depth == pytest.approx(a) and surface.clearance == pytest.approx(a)
    # the mouths on y = 0 and y = t are split, the fronts are not: every crack node but the
    # front's is duplicated
    assert len(surface.open_edges) > 0
    assert n_after - n_before == n_crack - sum(len(f.points) for f in surface.fronts)


# ------------------------------------------------------------------ the closed front's hats


def test_closed_front_hats_are_a_periodic_partition_of_unity():
    phi = np.linspace(0.0, 2 * math.pi, 48, endpoint=False)
    normals = np.stack([np.cos(phi), np.sin(phi), 0 * phi], axis=1)
    front = Front.build(normals, normals, np.arange(0, 48, 6), closed=True)
    assert front.count == 8
    total = front.arc[-1]
    assert total == pytest.approx(2 * math.pi, rel=2e-3)
    assert sum(front.hat_length(k) for k in range(front.count)) == pytest.approx(total)
    s = np.linspace(0.0, total, 2001)
    hats = np.array([front.hat(k, s) for k in range(front.count)])
    assert np.allclose(hats.sum(axis=0), 1.0)
    assert front.hat(0, np.array([total - 1e-9]))[0] == pytest.approx(1.0)  # wraps around


# ------------------------------------------------------------------ bad input

SPHERE_3D = {"type": "sphere", "radius": "1 um", "mesh_size": "0.2 um", "symmetry": "octant"}
CENTRE = {"name": "c", "kind": "centre", "length": "0.6 um", "tip_size": "0.015 um"}
EDGE = {"name": "e", "kind": "edge", "length": "0.3 um", "tip_size": "0.01 um"}


@pytest.mark.parametrize(
    ("geometry", "cracks", "field", "words"),
    [
        (BOX, [{"name": "t", "kind": "tagged"}], "cracks.0.surface", "names its surface"),
        (BOX, [PENNY | {"curve": "crack"}], "cracks.0.curve", "is a surface"),
        (
            BOX | {"dimension": 2, "formulation": "plane_strain"},
            [PENNY],
            "cracks.0.surface",
            "is a curve",
        ),
        (
            SPHERE_3D | {"dimension": 2, "formulation": "axisymmetric"},
            [CENTRE | {"stations": 5}],
            "cracks.0.stations",
            "3D",
        ),
        (SPHERE_3D, [CENTRE | {"angle": "30 deg"}], "cracks.0.angle", "no angle"),
        (SPHERE_3D, [EDGE | {"angle": "45 deg"}], "cracks.0.angle", "would copy"),
        (
            SPHERE_3D | {"symmetry": "full"},
            [CENTRE, EDGE | {"length": "0.8 um"}],
            "cracks.1",
            "crosses or touches",
        ),
        (SPHERE_3D, [CENTRE | {"tip_size": "0.03 um"}], "cracks.0.tip_size", "too coarse"),
    ],
)
def test_bad_3d_cracks_are_input_errors_naming_the_field(geometry, cracks, field, words):
    tree = study(
        geometry=geometry, materials={"particle": SHRINKING}, cracks=cracks, **ELASTIC_STEP
    )
    with pytest.raises(femsi.InputError) as info:
        femsi.load_config(tree)
    assert info.value.field == field, str(info.value)
    assert words in info.value.message


ELLIPSOID = {
    "type": "mesh_file",
    "path": str(ROOT / "meshes" / "ellipsoid_in_cube.msh"),
    "length_unit": "1 um",
    "symmetry_surfaces": {"x": "symmetry_x", "y": "symmetry_y", "z": "symmetry_z"},
}
MATRIX = {"base": "li6ps5cl", "youngs_modulus": "20 GPa", "poissons_ratio": 0.3}


@pytest.mark.parametrize(
    ("geometry", "crack", "words"),
    [
        (BOX, PENNY | {"surface": "no_such_surface"}, "no surface group 'no_such_surface'"),
        (ELLIPSOID, PENNY | {"surface": "particle_surface"}, "touches a material interface"),
        (ELLIPSOID, PENNY | {"surface": "outer"}, "no front inside the body"),
        (BOX | {"fixed_surfaces": ["outer", "crack"]}, PENNY, "fixed or symmetry surface"),
    ],
)
def test_bad_crack_surfaces_found_on_the_mesh_exit_with_code_2(tmp_path, geometry, crack, words):
    """Checked when the mesh is read, still before anything is solved: no output folder."""
    materials = {"particle": SHRINKING}
    if geometry is ELLIPSOID:
        materials["matrix"] = MATRIX
    tree = study(geometry=geometry, materials=materials, cracks=[crack], **ELASTIC_STEP)
    path = write_study(tmp_path, tree)
    out = tmp_path / "out"
    assert_input_error(run_cli("run", path, "-o", out), "cracks.0.surface", words)
    assert not out.exists()
