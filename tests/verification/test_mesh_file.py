"""Studies on user meshes (``geometry.type: mesh_file``): the example meshes of ``meshes/``.

* ``meshes/ellipsoid_in_cube.msh`` (Gmsh 4.1, named physical groups, micrometres): an octant
  of an ellipsoidal particle (semi-axes 1.0, 0.7, 0.5) in a cube matrix of half edge 2.0.
* ``meshes/cylinder_particle.vtu`` (VTK XML through meshio, numeric tags only, micrometres):
  a silicon cylinder, radius 0.5, length 1; region 1 = particle; surfaces 11 = mantle,
  12 = bottom end (z = 0), 13 = top end (z = 1).

Known answer: Eshelby (1957). An ellipsoidal inclusion with a uniform eigenstrain ε* in an
infinite matrix has a uniform stress inside; with different inclusion and matrix moduli the
equivalent-inclusion method gives it as σ = C_M (S ε** - ε**) with
[(C_I - C_M) S + C_M] ε** = C_I ε* (Mura, Micromechanics of Defects in Solids, §22), S the
Eshelby tensor of the matrix for the ellipsoid. It is computed below from Mura's I-integrals.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import quad

import femsi
from tests.conftest import study

MESHES = Path(__file__).resolve().parents[2] / "meshes"
ELLIPSOID = MESHES / "ellipsoid_in_cube.msh"
CYLINDER = MESHES / "cylinder_particle.vtu"
SEMI_AXES = (1.0, 0.7, 0.5)  # um

ELLIPSOID_GEOMETRY = {
    "type": "mesh_file",
    "path": str(ELLIPSOID),
    "length_unit": "1 um",
    "active_surface": "particle_surface",
    "symmetry_surfaces": {"x": "symmetry_x", "y": "symmetry_y", "z": "symmetry_z"},
}
CYLINDER_GEOMETRY = {
    "type": "mesh_file",
    "path": str(CYLINDER),
    "length_unit": "1 um",
    "regions": {"particle": 1},
    "active_surface": 11,
    "fixed_surfaces": [12],
}
LITHIATE = {
    "physics": {"mechanics": "small_strain", "displacement_degree": 1},
    "protocol": [{"lithiate": {"c_rate": 1, "duration": "20 s"}}],
    "time": {"initial_step": "10 s", "max_step": "10 s"},
}

# Uniform swelling: ε* = Ω c_max (soc - soc_0) / 3 = 3e-7 * 1e5 * 1 / 3 = 0.01 (linear).
EIGENSTRAIN = 0.01
E_PARTICLE, NU_PARTICLE = 80e9, 0.22
E_MATRIX, NU_MATRIX = 22e9, 0.37  # li6ps5cl from the material library
SWELLING_PARTICLE = {
    "base": "amorphous_silicon",
    "youngs_modulus": "80 GPa",
    "poissons_ratio": NU_PARTICLE,
    "partial_molar_volume": "3e-7 m^3/mol",
    "max_concentration": "1e5 mol/m^3",
    "initial_soc": 1.0,
    "stress_free_soc": 0.0,
}
# Probes well inside the particle (um), away from the faceted interface.
INSIDE = {
    "p0": (0.0, 0.0, 0.0),
    "p1": (0.1, 0.1, 0.1),
    "p2": (0.5, 0.1, 0.1),
    "p3": (0.1, 0.4, 0.1),
    "p4": (0.1, 0.1, 0.3),
    "p5": (0.4, 0.3, 0.15),
    "p6": (0.7, 0.0, 0.0),
}


def _um(point) -> list[str]:
    return [f"{x} um" for x in point]


def _swelling(geometry: dict, fixed_outer: bool = False) -> dict:
    geometry = dict(geometry)
    if fixed_outer:
        geometry["fixed_surfaces"] = ["outer"]
    return study(
        geometry=geometry,
        materials={"particle": SWELLING_PARTICLE, "matrix": "li6ps5cl"},
        # P2: the stress (DG1) is then resolved inside the particle; P1 (DG0) scatters ±5 %.
        physics={"mechanics": "small_strain", "displacement_degree": 2, "diffusion": False},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        outputs={
            "every": 0,
            "figures": False,
            "probes": {name: _um(p) for name, p in INSIDE.items()},
        },
    )


def _isotropic(E: float, nu: float) -> np.ndarray:
    """Normal-normal block of the isotropic stiffness (3x3)."""
    lam = E * nu / ((1 + nu) * (1 - 2 * nu))
    mu = E / (2 * (1 + nu))
    return lam * np.ones((3, 3)) + 2 * mu * np.eye(3)


def eshelby_inclusion_stress(axes, e_in, nu_in, e_out, nu_out, eigenstrain) -> np.ndarray:
    """Principal stresses (along the semi-axes) inside an ellipsoidal inhomogeneity.

    Uniform dilatational eigenstrain, infinite matrix (Mura §11, §22): Eshelby tensor from
    I_i = 2π abc ∫ ds / ((a_i² + s) Δ), I_ij = 2π abc ∫ ds / ((a_i² + s)(a_j² + s) Δ),
    Δ = sqrt((a² + s)(b² + s)(c² + s)).
    """
    a = np.asarray(axes, dtype=float)
    abc = a.prod()

    def delta(s):
        return np.sqrt(np.prod(a**2 + s))

    i1 = [
        2 * np.pi * abc * quad(lambda s, i=i: 1 / ((a[i] ** 2 + s) * delta(s)), 0, np.inf)[0]
        for i in range(3)
    ]
    i2 = [
        [
            2
            * np.pi
            * abc
            * quad(
                lambda s, i=i, j=j: 1 / ((a[i] ** 2 + s) * (a[j] ** 2 + s) * delta(s)), 0, np.inf
            )[0]
            for j in range(3)
        ]
        for i in range(3)
    ]
    assert sum(i1) == pytest.approx(4 * np.pi, rel=1e-8)
    k = 8 * np.pi * (1 - nu_out)
    S = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            if i == j:
                S[i, j] = (3 * a[i] ** 2 * i2[i][i] + (1 - 2 * nu_out) * i1[i]) / k
            else:
                S[i, j] = (a[j] ** 2 * i2[i][j] - (1 - 2 * nu_out) * i1[i]) / k
    c_in, c_out = _isotropic(e_in, nu_in), _isotropic(e_out, nu_out)
    eps_star = np.full(3, eigenstrain)
    equivalent = np.linalg.solve((c_in - c_out) @ S + c_out, c_in @ eps_star)
    return c_out @ (S @ equivalent - equivalent)


def _tetra_volume(path: Path, tag: int) -> float:
    """Volume of the tetrahedra with physical tag ``tag`` in a mesh file (file units³)."""
    import meshio

    mesh = meshio.read(path)
    total = 0.0
    for block, tags in zip(mesh.cells, mesh.cell_data["gmsh:physical"], strict=True):
        if block.type == "tetra":
            x = mesh.points[block.data[np.asarray(tags) == tag]]
            edges = x[:, 1:] - x[:, :1]
            total += np.abs(np.linalg.det(edges)).sum() / 6
    return total


def _assert_same_rows(expected: dict, actual: dict) -> None:
    """Same stresses, lengths, volumes and SOC to 1e-6 of each quantity's largest value."""
    for unit in ("_Pa", "_m3", "_m", "soc"):
        keys = [k for k in expected if k.endswith(unit)]
        assert keys, unit
        scale = max(abs(expected[k]) for k in keys)
        for key in keys:
            assert abs(actual[key] - expected[key]) <= 1e-6 * scale, key


def test_eshelby_reference_reduces_to_the_sphere():
    # A sphere: p = -3 K_I ε* 4 μ_M / (3 K_I + 4 μ_M) (Lamé), in every direction.
    sigma = eshelby_inclusion_stress(
        (1, 1, 1), E_PARTICLE, NU_PARTICLE, E_MATRIX, NU_MATRIX, EIGENSTRAIN
    )
    k_in = E_PARTICLE / (3 * (1 - 2 * NU_PARTICLE))
    mu_out = E_MATRIX / (2 * (1 + NU_MATRIX))
    p = -3 * k_in * EIGENSTRAIN * 4 * mu_out / (3 * k_in + 4 * mu_out)
    assert sigma == pytest.approx([p, p, p], rel=1e-8)


# --------------------------------------------------------------------------- ellipsoid (.msh)


def test_ellipsoid_in_matrix_lithiation(run_study):
    tree = study(
        geometry=ELLIPSOID_GEOMETRY,
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        **LITHIATE,
    )
    result = run_study(tree)
    assert result.status == "completed", result.summary.get("message")
    final = result.rows[-1]
    assert final["time_s"] == pytest.approx(20.0)
    for region in ("particle", "matrix"):
        assert f"{region}.max_von_mises_Pa" in final
        assert f"{region}.volume_m3" in final
    assert final["soc"] > 0
    # 1C for 20 s: SOC = 20 / 3600 (galvanostatic mass balance).
    assert final["soc"] == pytest.approx(20 / 3600, rel=1e-3)
    # Lithium enters the particle only; its swelling is resisted by the matrix: compression.
    assert final["particle.mean_concentration_mol_m3"] > 0
    assert final["particle.min_hydrostatic_Pa"] < 0
    assert final["matrix.max_von_mises_Pa"] > 0


def test_ellipsoid_uniform_swelling_matches_eshelby(run_study):
    free = run_study(_swelling(ELLIPSOID_GEOMETRY), name="free")
    clamped = run_study(_swelling(ELLIPSOID_GEOMETRY, fixed_outer=True), name="clamped")
    assert free.status == clamped.status == "completed"
    f, c = free.rows[-1], clamped.rows[-1]
    assert {"particle.max_von_mises_Pa", "matrix.max_von_mises_Pa"} <= set(f)

    # Eshelby, infinite matrix: σ = (-373.7, -273.2, -186.0) MPa along the semi-axes.
    reference = eshelby_inclusion_stress(
        SEMI_AXES, E_PARTICLE, NU_PARTICLE, E_MATRIX, NU_MATRIX, EIGENSTRAIN
    )
    assert reference / 1e6 == pytest.approx([-373.71, -273.19, -186.03], abs=0.01)

    def probes(row, component):
        return np.array([row[f"probe.{name}.{component}_Pa"] for name in INSIDE])

    # Uniform inside: the stress at 7 interior points agrees to 2 % (measured 0.5 %), and
    # the shear stresses (zero along the semi-axes) are < 1 % of the largest stress.
    for row in (f, c):
        hydro = probes(row, "hydrostatic")
        assert np.ptp(hydro) < 0.02 * abs(hydro.mean())
        for component in ("sxx", "syy", "szz"):
            values = probes(row, component)
            assert np.ptp(values) < 0.03 * abs(reference[0]), component
        for component in ("sxy", "syz", "sxz"):
            assert np.max(np.abs(probes(row, component))) < 0.01 * abs(reference[0]), component

    # The matrix is finite (half edge 2 vs semi-axis 1): a traction-free cube is softer and a
    # clamped cube stiffer than the infinite matrix, so Eshelby's stress lies between the two
    # (free: -354, -265, -184 MPa; clamped: -404, -293, -201 MPa), and the free cube is
    # within 8 % of it in each direction.
    for i, component in enumerate(("sxx", "syy", "szz")):
        soft = probes(f, component).mean()
        stiff = probes(c, component).mean()
        assert stiff < reference[i] < soft < 0, component
        assert soft == pytest.approx(reference[i], rel=0.08), component
    hydro_ref = reference.mean()  # -277.6 MPa
    assert probes(c, "hydrostatic").mean() < hydro_ref < probes(f, "hydrostatic").mean()

    # Over every particle cell, (max - min) of the hydrostatic stress: the cells on the
    # faceted interface carry the jump of the matrix stress and spread it to ~34 % of the
    # mean on this coarse mesh (the probes above show the interior is uniform), so the bound
    # is a loose 45 %; compression everywhere in the particle.
    low, high = f["particle.min_hydrostatic_Pa"], f["particle.max_hydrostatic_Pa"]
    assert high < 0
    assert (high - low) < 0.45 * abs(0.5 * (high + low))
    # The particle swells: small-strain J = 1 + tr ε = 1 + 3 ε* + σ_h / K_particle, with σ_h
    # uniform inside; the faceted mesh volume is the reference (1.5 % under the ellipsoid).
    volume_0 = _tetra_volume(ELLIPSOID, tag=1) * 1e-18
    bulk = E_PARTICLE / (3 * (1 - 2 * NU_PARTICLE))
    expected = 1 + 3 * EIGENSTRAIN + probes(f, "hydrostatic").mean() / bulk  # 1.0244
    assert f["particle.volume_m3"] / volume_0 == pytest.approx(expected, rel=2e-3)


def test_ellipsoid_length_unit_equals_metre_coordinates(run_study, tmp_path):
    """The same mesh written in metres (length_unit 1 m) gives the same run."""
    import gmsh

    in_metres = tmp_path / "ellipsoid_in_cube_m.msh"
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.open(str(ELLIPSOID))
        gmsh.model.mesh.affineTransform([1e-6, 0, 0, 0, 0, 1e-6, 0, 0, 0, 0, 1e-6, 0])
        gmsh.option.setNumber("Mesh.MshFileVersion", 4.1)
        gmsh.write(str(in_metres))
    finally:
        gmsh.finalize()
    geometry = {**ELLIPSOID_GEOMETRY, "path": str(in_metres)}
    del geometry["length_unit"]
    micrometres = run_study(_swelling(ELLIPSOID_GEOMETRY), name="um").rows[-1]
    metres = run_study(_swelling(geometry), name="m").rows[-1]
    _assert_same_rows(micrometres, metres)


# --------------------------------------------------------------------------- cylinder (.vtu)


@pytest.fixture(scope="module")
def cylinder_run(tmp_path_factory):
    probes = {
        "axis": _um((0, 0, 0.5)),
        "surface": _um((0.5, 0, 0.5)),
        "top_centre": _um((0, 0, 1.0)),
    }
    tree = study(
        geometry=CYLINDER_GEOMETRY,
        materials={"particle": "amorphous_silicon"},
        outputs={"every": 0, "figures": False, "probes": probes},
        **LITHIATE,
    )
    out = tmp_path_factory.mktemp("cylinder") / "run"
    return femsi.run(femsi.load_config(tree), out, progress=False)


def test_cylinder_vtu_lithiates_through_the_mantle(cylinder_run):
    result = cylinder_run
    assert result.status == "completed", result.summary.get("message")
    final = result.rows[-1]
    assert final["time_s"] == pytest.approx(20.0)
    assert final["soc"] == pytest.approx(20 / 3600, rel=1e-3)
    # Active area: the mantle 2π r L = 3.14 um² (faceted: 0.2 % less); not the end faces.
    assert result.summary["active_surface_area_m2"] == pytest.approx(
        2 * np.pi * 0.5e-6 * 1e-6, rel=0.01
    )
    c_axis = final["probe.axis.c_mol_m3"]
    c_surface = final["probe.surface.c_mol_m3"]
    assert c_surface > c_axis
    assert c_surface - c_axis > 0.5 * final["particle.mean_concentration_mol_m3"]
    # No flux through the ends: the profile is radial, c(top centre) ≈ c(axis).
    assert abs(final["probe.top_centre.c_mol_m3"] - c_axis) < 0.1 * (c_surface - c_axis)
    # Fixed bottom end, swelling particle: stressed.
    assert final["particle.max_von_mises_Pa"] > 0
    assert final["particle.min_hydrostatic_Pa"] < 0


def test_cylinder_in_metres_gives_the_same_run(cylinder_run, run_study, tmp_path):
    """The .vtu rescaled to metres, read without length_unit: the same result."""
    import meshio

    mesh = meshio.read(CYLINDER)
    mesh.points = mesh.points * 1e-6
    in_metres = tmp_path / "cylinder_m.vtu"
    mesh.write(in_metres)
    geometry = {**CYLINDER_GEOMETRY, "path": str(in_metres)}
    del geometry["length_unit"]
    probes = {"axis": [0, 0, 0.5e-6], "surface": [0.5e-6, 0, 0.5e-6], "top_centre": [0, 0, 1e-6]}
    tree = study(
        geometry=geometry,
        materials={"particle": "amorphous_silicon"},
        outputs={"every": 0, "figures": False, "probes": probes},
        **LITHIATE,
    )
    metres = run_study(tree).rows[-1]
    _assert_same_rows(cylinder_run.rows[-1], metres)
    for key in ("probe.axis.c_mol_m3", "probe.surface.c_mol_m3"):
        assert metres[key] == pytest.approx(cylinder_run.rows[-1][key], rel=1e-6), key


# --------------------------------------------------------------------------- bad input


def test_missing_mesh_file_names_geometry_path(run_study, tmp_path):
    tree = study(
        geometry={**CYLINDER_GEOMETRY, "path": str(tmp_path / "nowhere.vtu")},
        materials={"particle": "amorphous_silicon"},
    )
    with pytest.raises(femsi.InputError) as err:
        run_study(tree)
    assert err.value.field == "geometry.path"
    assert "nowhere.vtu" in str(err.value)


def test_unknown_region_name_names_the_field(run_study):
    geometry = {**ELLIPSOID_GEOMETRY, "regions": {"particle": "silicon"}}
    tree = study(
        geometry=geometry, materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"}
    )
    with pytest.raises(femsi.InputError) as err:
        run_study(tree)
    assert err.value.field == "geometry.regions.particle"
    assert "silicon" in str(err.value) and "particle, matrix" in str(err.value)


def test_unknown_surface_name_names_the_field(run_study):
    geometry = {**ELLIPSOID_GEOMETRY, "active_surface": "surface"}
    tree = study(
        geometry=geometry, materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"}
    )
    with pytest.raises(femsi.InputError) as err:
        run_study(tree)
    assert err.value.field == "geometry.active_surface"


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [
        ("regions", {"particle": 7}, "geometry.regions.particle"),
        ("active_surface", 99, "geometry.active_surface"),
    ],
)
def test_unknown_numeric_tag_names_the_field(run_study, key, value, field):
    tree = study(
        geometry={**CYLINDER_GEOMETRY, key: value}, materials={"particle": "amorphous_silicon"}
    )
    with pytest.raises(femsi.InputError) as err:
        run_study(tree)
    assert err.value.field == field


def test_swelling_without_active_surface_runs(run_study):
    geometry = {k: v for k, v in ELLIPSOID_GEOMETRY.items() if k != "active_surface"}
    result = run_study(_swelling(geometry))
    assert result.status == "completed"
