"""Cracks in studies (``cracks:``): G of each kind against closed forms and independent numbers.

References (each test states its own):
- Beuth, Int. J. Solids Struct. 29 (1992) 1657: steady-state channelling of a through crack
  in a film on a matched substrate, G_ss = (σ/2h) ∫₀ʰ δ dz = 1.976 σ² h (1 − ν²)/E.
- Griffith/Irwin (Tada, Paris & Irwin, The Stress Analysis of Cracks Handbook, 3rd ed., 2000):
  a crack of length 2a in a plate under remote biaxial tension σ has K_I = σ √(πa); a penny
  crack of radius a under remote tension σ has K_I = 2σ √(a/π) (Sneddon, Proc. R. Soc. A 187
  (1946) 229). Both hold for a crack in the uniformly stressed core of a core-in-shell (Lamé,
  Eshelby) as a/R → 0.
- Plane strain G = (1 − ν²) K_I² / E; Griffith G = −dΠ/dA.
- Nakamura & Parks (1989): with the eigenstrain-gradient term G is path independent under
  swelling gradients.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

from mpi4py import MPI

import numpy as np
import pytest

import femsi
from femsi.parallel import ScalarForm
from femsi.physics.kinematics import displacement_gradient
from tests.conftest import study
from tests.support.analytic import eshelby_pressure
from tests.verification import test_verification_shell as shell
from tests.verification.test_verification_2d import cylinder_in_shell

A = shell.A  # 1 µm: the particle radius of the shell studies
E1, NU1, E2, NU2 = shell.E1, shell.NU1, shell.E2, shell.NU2
PLANE = {"dimension": 2, "formulation": "plane_strain"}
AXI = {"dimension": 2, "formulation": "axisymmetric"}


def _final(run_study, tree) -> dict:
    result = run_study(tree)
    assert result.status == "completed", result.summary["message"]
    return result.rows[-1]


# ------------------------------------------------------------------ channel crack (Beuth)


def channel_study(tip_fraction: float) -> dict:
    """A 1 µm a-Si film on a matched substrate (E = 80 GPa, ν = 0.22), 80 h wide and deep.

    Uniform shrinkage (diffusion off, initial SOC 0, stress free at SOC 0.001) puts the
    laterally confined film in uniform tension σ = −E e*/(1 − ν), e* = Ω (c − c_ref)/3.
    """
    h = 1e-6
    return study(
        geometry={
            "type": "film",
            "thickness": h,
            "substrate_thickness": 80 * h,
            "width": 80 * h,
            "mesh_size": h,
        }
        | PLANE,
        materials={
            "film": {
                "base": "amorphous_silicon",
                "youngs_modulus": "80 GPa",
                "initial_soc": 0.0,
                "stress_free_soc": 0.001,
            },
            "substrate": {"base": "llzo", "youngs_modulus": "80 GPa", "poissons_ratio": 0.22},
        },
        physics={"mechanics": "small_strain", "displacement_degree": 2, "diffusion": False},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
        cracks=[{"name": "channel", "kind": "channel", "tip_size": tip_fraction * h}],
    )


def test_channel_crack_matches_beuth_and_converges(run_study):
    """G_ss = 1.976 σ² h (1 − ν²)/E (Beuth 1992, matched substrate) within 1 %, converging."""
    h, E, nu = 1e-6, 80e9, 0.22
    material = femsi.load_config(channel_study(0.05)).materials["film"]
    e_star = material.partial_molar_volume * (0.0 - material.stress_free_concentration) / 3
    sigma = -E * e_star / (1 - nu)  # 94.6 MPa
    reference = 1.976 * sigma**2 * h * (1 - nu**2) / E
    errors = []
    for fraction in (1 / 20, 1 / 40, 1 / 80):
        row = _final(run_study, channel_study(fraction))
        errors.append(abs(row["crack.channel.G_J_m2"] / reference - 1))
        assert row["crack.channel.opening_m"] > 0
    # measured: 1.0 %, 0.62 %, 0.37 % (the opening near the tip ~ √r converges slowly)
    assert errors[0] > errors[1] > errors[2]
    assert errors[-1] < 0.01, errors


# ------------------------------------------------------------------ uniform core: closed forms


def core_study(formulation: dict, a_over_R: float, symmetry: str = "octant") -> dict:
    """A shrinking core (e* = −0.01) in a free shell b/a = 2: uniform tension in the core.

    The core holds a centre crack of length 2a (a penny crack of radius a in axisymmetry).
    """
    tree = shell.shell_study("free", 2.0, 0.1, 2, symmetry=symmetry, **formulation)
    tree["materials"]["particle"] |= {"initial_soc": 0.0, "stress_free_soc": 1.0}
    tree["outputs"]["probes"] = {}
    a = a_over_R * A
    tree["cracks"] = [{"name": "core", "kind": "centre", "length": 2 * a, "tip_size": 0.02 * a}]
    return tree


def test_centre_crack_in_a_shrinking_core_matches_griffith(run_study):
    """Plane strain: K_I → σ √(πa) as a/R → 0, σ = 117.451 MPa (the Lamé core tension).

    The finite core adds ~(a/R)²: K/K_ref = 1 + c (a/R)², extrapolated from a/R = 0.05, 0.1.
    """
    _, p, _ = cylinder_in_shell(-0.01, 2.0, "free")
    sigma = -p
    assert sigma / 1e6 == pytest.approx(117.451, abs=1e-3)
    ratios = []
    for a_over_R in (0.05, 0.1):
        row = _final(run_study, core_study(PLANE, a_over_R))
        K_ref = sigma * math.sqrt(math.pi * a_over_R * A)
        K = row["crack.core.K_I_Pa_sqrt_m"]
        ratios.append(K / K_ref)
        assert row["crack.core.G_J_m2"] == pytest.approx((1 - NU1**2) * K**2 / E1, rel=2e-3)
        assert row["crack.core.G_spread"] < 0.01
        assert row["crack.core.K_II_Pa_sqrt_m"] == 0.0  # on the mirror line
    extrapolated = ratios[0] - (ratios[1] - ratios[0]) / 3
    # measured: 1.0028 (a/R = 0.05), 1.0106 (0.1), extrapolated 1.0002
    assert abs(ratios[0] - 1) < 0.01
    assert abs(extrapolated - 1) < 0.003, ratios


def test_penny_crack_in_a_shrinking_sphere_core_matches_tada(run_study):
    """Axisymmetric: a penny crack in the Eshelby core, K_I = 2σ √(a/π), σ = 212.766 MPa.

    The ring-front G is per unit length of the front (the library divides by 2π r_tip).
    """
    sigma = -eshelby_pressure(-0.01, E1, NU1, E2, NU2, 2.0, "free")
    assert sigma / 1e6 == pytest.approx(212.766, abs=1e-3)
    for a_over_R in (0.05, 0.1):
        row = _final(run_study, core_study(AXI, a_over_R))
        K_ref = 2 * sigma * math.sqrt(a_over_R * A / math.pi)
        G_ref = (1 - NU1**2) * K_ref**2 / E1
        # measured: K +0.03 % / +0.11 %, G −0.33 % / −0.15 %
        assert row["crack.core.K_I_Pa_sqrt_m"] == pytest.approx(K_ref, rel=0.01)
        assert row["crack.core.G_J_m2"] == pytest.approx(G_ref, rel=0.01)
        assert row["crack.core.G_spread"] < 0.01


# ------------------------------------------------------------------ concentration gradient


def edge_study(tip_size: str, mechanics: str = "small_strain") -> dict:
    """An a-Si particle section (plane strain, half disc) delithiated at 2C from SOC 0.5.

    The surface shrinks first: hoop tension opens a 0.2 µm edge crack on the mirror line,
    under a steep concentration gradient (D = 1e-16 m²/s, R = 1 µm).
    """
    return study(
        geometry={
            "type": "sphere",
            "radius": "1 um",
            "symmetry": "half",
            "mesh_size": "0.1 um",
        }
        | PLANE,
        materials={"particle": {"base": "amorphous_silicon", "initial_soc": 0.5}},
        physics={"mechanics": mechanics, "displacement_degree": 2},
        protocol=[{"delithiate": {"c_rate": 2, "duration": "60 s"}}],
        time={"initial_step": "20 s", "max_step": "20 s"},
        cracks=[{"name": "edge", "kind": "edge", "length": "0.2 um", "tip_size": tip_size}],
    )


def test_edge_crack_under_a_gradient_is_path_independent_and_converges(run_study):
    """Ring spread < 1 % with the concentration-gradient term; G converges with the tip size."""
    finals = []
    for tip in ("10 nm", "5 nm", "2.5 nm"):
        result = run_study(edge_study(tip))
        rows = result.rows
        assert rows[0]["crack.edge.G_J_m2"] < 1e-9  # the initial state is stress free
        for row in rows[1:]:
            assert row["crack.edge.opening_m"] > 0  # delithiation opens the crack
            assert row["crack.edge.G_spread"] < 0.01  # measured ~2e-5
        finals.append(rows[-1]["crack.edge.G_J_m2"])
        summary = result.summary["cracks"]["edge"]
        assert summary["G_max_J_m2"] == max(r["crack.edge.G_J_m2"] for r in rows)
        assert summary["Gc_J_m2"] == 6.0  # a-Si, Pharr et al. 2013
    changes = [abs(finals[1] - finals[0]), abs(finals[2] - finals[1])]
    assert changes[1] < changes[0]
    assert changes[1] / finals[2] < 0.005, finals


def test_edge_crack_at_finite_strain_is_path_independent(run_study):
    """The neo-Hookean G (explicit ∂ψ/∂c term by ufl.diff) on three rings, K not defined."""
    rows = run_study(edge_study("5 nm", "finite_strain")).rows
    for row in rows[1:]:
        assert row["crack.edge.G_J_m2"] > 0
        assert row["crack.edge.G_spread"] < 0.01  # measured ~2e-5
        assert math.isnan(row["crack.edge.K_I_Pa_sqrt_m"])


# ------------------------------------------------------------------ SE and coating cracks


def shell_crack_study(kind: str, length: float, tip: float, e_star: float) -> dict:
    """A uniformly swelling (e* > 0) or shrinking core, half section, with a crack.

    ``electrolyte``: a radial crack from the particle into the Li6PS5Cl-like matrix (b/a = 2);
    ``coating``: a radial crack from the outer surface into a 0.3 µm coating. Lengths in µm.
    """
    tree = shell.shell_study("free", 2.0, 0.1, 2, symmetry="half", surface_mesh_size=0.02 * A)
    tree["geometry"] |= PLANE
    if kind == "coating":
        tree["geometry"] = {k: v for k, v in tree["geometry"].items() if k != "matrix_shape"}
        tree["geometry"] |= {
            "type": "core_shell",
            "coating_thickness": 0.3 * A,
            "mesh_size": 0.05 * A,
        }
        del tree["geometry"]["matrix_size"]
        tree["materials"]["coating"] = tree["materials"].pop("matrix")
    if e_star < 0:  # shrinking: stress free at SOC 1, starting from SOC 0
        tree["materials"]["particle"] |= {"initial_soc": 0.0, "stress_free_soc": 1.0}
    tree["outputs"]["probes"] = {}
    tree["cracks"] = [{"name": kind, "kind": kind, "length": length * A, "tip_size": tip * A}]
    return tree


def _energy_and_row(tree: dict, out: Path) -> tuple[float, dict]:
    """Π = ∫ψ dV of the whole body (per metre) and the first row, from the runner's model."""
    from femsi.study import _Run

    config = femsi.load_config(tree)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    run = _Run(config, out, MPI.COMM_WORLD)
    try:
        run.build()
        run.driver.initial_state()
        model = run.model
        psi = model.strain_energy_density(
            displacement_gradient(model.u, model.formulation), model.concentration
        )
        energy = ScalarForm(psi * model.measures.dx(4), MPI.COMM_WORLD)()
        return energy * model.model.volume_scale, run.recorder.series.rows[0]
    finally:
        run.close()


@pytest.mark.parametrize(
    ("kind", "length", "tip"), [("electrolyte", 0.2, 0.005), ("coating", 0.15, 0.004)]
)
def test_shell_cracks_open_in_hoop_tension_and_match_minus_dPi_dA(tmp_path, kind, length, tip):
    """A swelling core puts the matrix (coating) in hoop tension: the radial crack opens.

    G of the domain integral equals −dΠ/dA (central difference over lengths L(1 ± 2 %); Π the
    elastic energy of the whole body per metre, the crack on the mirror line of a half model).
    """
    d = 0.02 * length
    energies = [
        _energy_and_row(shell_crack_study(kind, L, tip, 0.01), tmp_path / f"L{i}")[0]
        for i, L in enumerate((length - d, length + d))
    ]
    G_fd = -(energies[1] - energies[0]) / (2 * d * A)
    _, row = _energy_and_row(shell_crack_study(kind, length, tip, 0.01), tmp_path / "L")
    G = row[f"crack.{kind}.G_J_m2"]
    assert G > 0 and row[f"crack.{kind}.K_I_Pa_sqrt_m"] > 0 and row[f"crack.{kind}.opening_m"] > 0
    # measured: G / G_fd = 1.0006 (electrolyte), 1.0008 (coating)
    assert G == pytest.approx(G_fd, rel=0.01)
    assert row[f"crack.{kind}.G_spread"] < 0.01


@pytest.mark.parametrize(
    ("kind", "length", "tip"), [("electrolyte", 0.2, 0.005), ("coating", 0.15, 0.004)]
)
def test_shell_cracks_converge_and_close_in_hoop_compression(run_study, kind, length, tip):
    """G converges as the tip element halves; a shrinking core closes the crack (G = 0)."""
    values = [
        _final(run_study, shell_crack_study(kind, length, t, 0.01))[f"crack.{kind}.G_J_m2"]
        for t in (2 * tip, tip, tip / 2)
    ]
    changes = [abs(values[1] - values[0]), abs(values[2] - values[1])]
    # measured (electrolyte): 0.3064, 0.3070, 0.3072 J/m²
    assert changes[1] < changes[0] and changes[1] / values[2] < 0.005, values
    closed = _final(run_study, shell_crack_study(kind, length, tip, -0.01))
    assert closed[f"crack.{kind}.opening_m"] < 0
    assert closed[f"crack.{kind}.K_I_Pa_sqrt_m"] < 0
    assert closed[f"crack.{kind}.G_J_m2"] == 0.0
    assert math.isnan(closed[f"crack.{kind}.G_spread"])


# ------------------------------------------------------------------ a crack of a user's mesh


def test_tagged_crack_equals_the_builtin_edge_crack(run_study):
    """meshes/cracked_disc.msh (its crack curve split by femsi) and the built-in edge crack.

    The same 0.2 µm radial crack at 30° in a 1 µm disc, delithiated at 2C: G within 1 %
    (two independent meshes; measured 0.2 %).
    """
    common = {
        "materials": {"particle": {"base": "amorphous_silicon", "initial_soc": 0.5}},
        "physics": {"mechanics": "small_strain", "displacement_degree": 2},
        "protocol": [{"delithiate": {"c_rate": 2, "duration": "60 s"}}],
        "time": {"initial_step": "20 s", "max_step": "20 s"},
    }
    tagged = study(
        geometry={
            "type": "mesh_file",
            "path": "meshes/cracked_disc.msh",
            "length_unit": "1 um",
            "active_surface": "particle_surface",
        }
        | PLANE,
        cracks=[{"name": "crack", "kind": "tagged", "curve": "crack"}],
        **common,
    )
    builtin = study(
        geometry={"type": "sphere", "radius": "1 um", "symmetry": "full", "mesh_size": "0.1 um"}
        | PLANE,
        cracks=[
            {
                "name": "crack",
                "kind": "edge",
                "length": "0.2 um",
                "angle": "30 deg",
                "tip_size": "5 nm",
            }
        ],
        **common,
    )
    from_mesh, built = _final(run_study, tagged), _final(run_study, builtin)
    G = built["crack.crack.G_J_m2"]
    assert G > 1.0
    assert from_mesh["crack.crack.G_J_m2"] == pytest.approx(G, rel=0.01)
    assert from_mesh["crack.crack.K_I_Pa_sqrt_m"] == pytest.approx(
        built["crack.crack.K_I_Pa_sqrt_m"], rel=0.01
    )
    # a radial crack in a radially symmetric field: mode I (K_II below 0.1 % of K_I)
    assert (
        abs(from_mesh["crack.crack.K_II_Pa_sqrt_m"]) < 1e-3 * from_mesh["crack.crack.K_I_Pa_sqrt_m"]
    )


def test_outputs_columns_summary_and_figure(run_study):
    """Every crack column, the summary's crack block and figures/crack_G.png are written."""
    tree = edge_study("5 nm")
    tree["outputs"] = {"every": 0, "figures": True}
    result = run_study(tree)
    header = (result.output_dir / "timeseries.csv").read_text().splitlines()[0].split(",")
    for key in ("G_J_m2", "G_spread", "K_I_Pa_sqrt_m", "K_II_Pa_sqrt_m", "opening_m"):
        assert f"crack.edge.{key}" in header
    block = result.summary["cracks"]["edge"]
    for key in ("G_max_J_m2", "Gc_J_m2", "ratio", "time_s", "soc"):
        assert key in block
    assert block["ratio"] == pytest.approx(block["G_max_J_m2"] / 6.0, rel=1e-12)
    assert block["time_s"] == 60.0
    peak = result.summary["peaks"]["crack.edge.G_J_m2"]
    assert peak["value"] == block["G_max_J_m2"]
    assert (result.output_dir / "figures" / "crack_G.png").stat().st_size > 10_000
    assert np.isfinite(result.rows[-1]["crack.edge.K_I_Pa_sqrt_m"])


def test_a_2d_mesh_file_without_cracks_keeps_its_crack_curve_closed(run_study):
    """Without ``cracks:`` the curve of meshes/cracked_disc.msh is an ordinary interior curve.

    A free plane-strain disc swelling uniformly (e* = Ω c/3) has no in-plane stress and
    σ_zz = −E e* (the free cylinder of test_verification_2d), crack curve or not.
    """
    tree = study(
        geometry={
            "type": "mesh_file",
            "path": "meshes/cracked_disc.msh",
            "length_unit": "1 um",
            "active_surface": "particle_surface",
        }
        | PLANE,
        materials={"particle": {"base": "amorphous_silicon", "initial_soc": 0.1}},
        physics={"mechanics": "small_strain", "displacement_degree": 2, "diffusion": False},
        protocol=[{"rest": {"duration": "1 s"}}],
        time={"initial_step": "1 s", "max_step": "1 s"},
    )
    tree["materials"]["particle"]["stress_free_soc"] = 0.0
    tree["outputs"]["probes"] = {"by_the_tip": ["0.65 um", "0.4 um"]}
    final = _final(run_study, tree)
    assert not any(key.startswith("crack.") for key in final)
    material = femsi.load_config(tree).materials["particle"]
    e_star = material.partial_molar_volume * material.initial_concentration / 3  # 0.092
    E = float(material.youngs_modulus(0.1))
    assert final["probe.by_the_tip.szz_Pa"] == pytest.approx(-E * e_star, rel=1e-6)
    for key in ("sxx", "syy", "sxy"):
        assert abs(final[f"probe.by_the_tip.{key}_Pa"]) < 1e-6 * E * e_star
