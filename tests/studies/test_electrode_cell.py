"""Composite electrodes and RVEs in a cell: trends against stated expectations, convergence.

The oedometer (tests/verification/test_verification_oedometer.py) verifies the plate conditions
to solver tolerance on a homogeneous layer. Here the same plate holds heterogeneous bodies, where
no closed form exists; each test states what is expected and why.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import study
from tests.support.analytic import eshelby_pressure

E1, NU1, E2, NU2 = 80e9, 0.22, 20e9, 0.3
E_STAR = 0.01


@pytest.fixture(autouse=True)
def _no_mesh_cache(monkeypatch):
    monkeypatch.setenv("FEMSI_MESH_CACHE", "0")


def _uniform_swelling_materials() -> dict:
    # Ω c_max = 0.03 at SOC 1, stress free at SOC 0: e* = Ω c / 3 = 0.01 with diffusion off.
    return {
        "particle": {
            "base": "amorphous_silicon",
            "youngs_modulus": E1,
            "poissons_ratio": NU1,
            "partial_molar_volume": "3e-7 m^3/mol",
            "max_concentration": "1e5 mol/m^3",
            "initial_soc": 1.0,
            "stress_free_soc": 0.0,
        },
        "matrix": {"base": "li6ps5cl", "youngs_modulus": E2, "poissons_ratio": NU2},
    }


def _single_particle_rve(size_um: float, radius_um: float, mesh_um: float) -> dict:
    gap = (size_um / 2 - radius_um) * 0.99995  # the wall gap leaves the particle at the centre
    return study(
        geometry={
            "type": "rve",
            "size": f"{size_um} um",
            "radius": f"{radius_um} um",
            "particles": 1,
            "wall_gap": f"{gap} um",
            "mesh_size": f"{mesh_um} um",
            "interface_mesh_size": f"{mesh_um / 2} um",
        },
        materials=_uniform_swelling_materials(),
        physics={"mechanics": "small_strain", "displacement_degree": 2, "diffusion": False},
        cell={"plate": "fixed_gap"},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        outputs={"every": 0, "figures": False, "probes": {"centre": [f"{size_um / 2} um"] * 3}},
    )


def test_periodic_cube_lies_between_infinite_matrix_and_clamped_shell(run_study):
    """One centred particle in a cube with rollers on all six faces is a simple-cubic array of
    particles (its faces are symmetry planes). Expected: the particle's pressure exceeds the
    infinite-matrix Eshelby value (neighbours confine it) and stays below a clamped concentric
    shell at the inscribed radius b = L/2 (clamping at the nearest face distance everywhere is
    stiffer than rollers on the faces); the stack pressure on the held plate is positive."""
    size, radius = 2.0, 0.6
    final = run_study(_single_particle_rve(size, radius, 0.25)).rows[-1]
    p_particle = -final["probe.centre.hydrostatic_Pa"]
    p_infinite = eshelby_pressure(E_STAR, E1, NU1, E2, NU2)  # 253.165 MPa, Eshelby/Lamé
    p_clamped = eshelby_pressure(E_STAR, E1, NU1, E2, NU2, (size / 2) / radius, "fixed")
    assert p_infinite < p_particle < p_clamped, (p_infinite, p_particle, p_clamped)
    assert final["stack_pressure_Pa"] > 0
    # The array's overall lateral and vertical confinement are the same by symmetry.
    assert final["electrode_volume_change"] == pytest.approx(0.0, abs=1e-9)


def test_sparser_array_approaches_the_infinite_matrix(run_study):
    """Expected: as the cube grows around the same particle (fraction 11 % -> 1.4 %), the
    particle's pressure falls monotonically towards the infinite-matrix value."""
    pressures = [
        -run_study(_single_particle_rve(size, 0.6, 0.25 * size / 2)).rows[-1][
            "probe.centre.hydrostatic_Pa"
        ]
        for size in (2.0, 4.0)
    ]
    p_infinite = eshelby_pressure(E_STAR, E1, NU1, E2, NU2)
    assert pressures[0] > pressures[1] > p_infinite * 0.995
    assert pressures[1] == pytest.approx(p_infinite, rel=0.03)


#: A small packed electrode (about ten particles) that meshes and solves in seconds.
SMALL_ELECTRODE = {
    "type": "electrode",
    "width": "6 um",
    "electrode_thickness": "6 um",
    "separator_thickness": "1.5 um",
    "radius": "1.2 um",
    "volume_fraction": 0.3,
    "seed": 3,
    "mesh_size": "1.2 um",
    "particle_mesh_size": "0.8 um",
    "interface_mesh_size": "0.6 um",
}


def _small_electrode(cell: dict, protocol: list, **geometry) -> dict:
    return study(
        geometry=SMALL_ELECTRODE | geometry,
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "small_strain", "displacement_degree": 1},
        cell=cell,
        protocol=protocol,
        time={"initial_step": "20 s", "max_step": "20 s"},
        outputs={"every": 0, "figures": False},
    )


def test_fixed_gap_pressure_rises_on_lithiation_and_falls_on_delithiation(run_study):
    """Measured in alloy (Si) | argyrodite cells with load cells (Han et al., Joule 5 (2021)
    2450): at fixed thickness the
    stack pressure rises through lithiation and falls on delithiation."""
    result = run_study(
        _small_electrode(
            {"plate": "fixed_gap"},
            [
                {"preload": {"pressure": "10 MPa", "increments": 1}},
                {"lithiate": {"c_rate": 2, "duration": "60 s"}},
                {"delithiate": {"c_rate": 2, "duration": "60 s"}},
            ],
        )
    )
    assert result.status == "completed"
    rows = result.rows
    preload = [r for r in rows if r["protocol_kind"] == "preload"][-1]
    up = [r["stack_pressure_Pa"] for r in rows if r["protocol_kind"] == "lithiate"]
    down = [r["stack_pressure_Pa"] for r in rows if r["protocol_kind"] == "delithiate"]
    assert preload["stack_pressure_Pa"] == pytest.approx(10e6, rel=1e-6)
    assert np.all(np.diff([preload["stack_pressure_Pa"], *up]) > 0)
    assert np.all(np.diff([up[-1], *down]) < 0)
    plate = {r["plate_displacement_m"] for r in rows if r["protocol_kind"] != "initial"}
    assert max(plate) - min(plate) < 1e-15  # the gap is held
    # The separator and matrix carry the particles' swelling: the electrode layer thickens,
    # the separator is squeezed, and the sum stays fixed.
    assert rows[len(up) + 1]["electrode_thickness_m"] > preload["electrode_thickness_m"]


def test_potential_shift_is_linear_in_stack_pressure(run_study):
    """Expected: under a stack-pressure plate the particles are compressed, the stress-induced
    shift Ω σ_h / F of their equilibrium potential is negative, and (linear elasticity) it
    scales exactly with the pressure: 100 MPa gives ten times the shift of 10 MPa."""
    shifts = {}
    for pressure in (10, 100):
        rows = run_study(
            _small_electrode(
                {"plate": "stack_pressure"},
                [{"preload": {"pressure": f"{pressure} MPa", "increments": 1}}],
            )
        ).rows
        assert rows[-1]["stack_pressure_Pa"] == pytest.approx(pressure * 1e6, rel=1e-6)
        shifts[pressure] = rows[-1]["mean_potential_shift_V"]
    assert shifts[10] < 0
    assert shifts[100] == pytest.approx(10 * shifts[10], rel=1e-5)


def test_stack_pressure_converges_under_mesh_refinement(run_study):
    """The fixed-gap stack pressure of an RVE (4 particles) lithiated uniformly to SOC 0.5:
    successive refinements by 1.5 change it by less each time, and the finest two agree to 2 %.
    """
    pressures = []
    for h in (0.6, 0.4, 0.27):
        tree = study(
            geometry={
                "type": "rve",
                "size": "3 um",
                "radius": "0.7 um",
                "particles": 4,
                "seed": 2,
                "mesh_size": f"{h} um",
                "interface_mesh_size": f"{h / 2} um",
            },
            materials={
                "particle": {
                    "base": "amorphous_silicon",
                    "youngs_modulus": "60 GPa",
                    "initial_soc": 0.5,
                    "stress_free_soc": 0.0,
                },
                "matrix": "li6ps5cl",
            },
            physics={"mechanics": "small_strain", "displacement_degree": 2, "diffusion": False},
            cell={"plate": "fixed_gap"},
            protocol=[{"rest": {"duration": "1 s"}}],
            time={"initial_step": "1 s", "max_step": "1 s"},
            outputs={"every": 0, "figures": False},
        )
        pressures.append(run_study(tree).rows[-1]["stack_pressure_Pa"])
    changes = np.abs(np.diff(pressures))
    assert changes[1] < changes[0]
    assert changes[1] / pressures[-1] < 0.02
