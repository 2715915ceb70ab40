"""Phase-field fracture in studies: the ``phase_field`` section, swelling-driven cracking,
outputs, step cutting and input errors.

Reference (swelling-driven nucleation): a film between die walls (ε_xx = 0, plane strain
ε_zz = 0, free top σ_yy = 0) that shrinks on delithiation from a stress-free state carries
the equibiaxial tension σ = E e/(1 - ν), e = Ω c_max ΔSOC/3, and the elastic strain
(e, -2ν e/(1 - ν), e). Its energy densities are ψ = E e²/(1 - ν) (no split) and
ψ⁺ = λ/2 (tr ε_e)² + 2μ e² (spectral: the thickness strain is compressive). AT1 damage starts
when the driving energy reaches ψ_c = 3 G_c/(16 l) (the bar's σ_c = √(3 E G_c/(8 l)), i.e.
ψ = σ_c²/(2E), for this stress state); AT2's stress peaks at d = 1/4 at
σ = (9/16) √(E G_c/(6 l (1 - ν))) (the bar's analysis with ψ = (M/2) e², M = 2E/(1 - ν)).
Tanné et al., JMPS 110 (2018) 80 for the bar formulas.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

import femsi
from femsi.config.loader import load_config
from tests.conftest import study

E, NU, GC, L = 80e9, 0.22, 6.0, 25e-9  # a-Si with E held constant; G_c of Pharr 2013
OMEGA_CMAX = 8.9e-6 * 3.11e5  # the library's Ω c_max of a-Si
SOC0 = 0.5

FILM = {
    "type": "film",
    "thickness": "100 nm",
    "width": "200 nm",
    "mesh_size": "10 nm",
    "dimension": 2,
    "formulation": "plane_strain",
}
SILICON = {
    "base": "amorphous_silicon",
    "youngs_modulus": "80 GPa",
    "initial_soc": SOC0,
    "diffusivity": "1e-10 m^2/s",  # uniform concentration across 100 nm
}


def _film_study(model: str, split: str, until: float = 0.46, **phase_field) -> dict:
    return study(
        geometry=FILM,
        materials={"film": SILICON},
        physics={"mechanics": "small_strain", "displacement_degree": 1},
        phase_field={
            "model": model,
            "split": split,
            "length_scale": "25 nm",
            "regions": ["film"],
            **phase_field,
        },
        protocol=[{"delithiate": {"c_rate": 1, "until_soc": until}}],
        # 1.8 s at 1C: SOC steps of 0.0005 (0.35 % of the strain at onset)
        time={"initial_step": "1.8 s", "max_step": "1.8 s"},
        outputs={"every": 0, "figures": False, "fields": False},
        solver={"mechanics": {"linear_solver": "direct"}},
    )


def _misfit(soc: float) -> float:
    return OMEGA_CMAX * (SOC0 - soc) / 3


def _onset_misfit(split: str) -> float:
    """The misfit strain e at which the AT1 driving energy reaches 3 G_c/(16 l)."""
    critical = 3 * GC / (16 * L)
    if split == "none":
        return math.sqrt(critical * (1 - NU) / E)
    mu, lmbda = E / (2 * (1 + NU)), E * NU / ((1 + NU) * (1 - 2 * NU))
    trace = 2 * (1 - 2 * NU) / (1 - NU)  # tr ε_e / e
    return math.sqrt(critical / (lmbda / 2 * trace**2 + 2 * mu))


@pytest.mark.parametrize("split", ["none", "spectral"])
def test_delithiation_cracks_a_constrained_film_at_the_AT1_strength(run_study, split):
    """Damage is exactly zero until the misfit reaches e_c and nonzero right after: the SOC
    of onset is bracketed by two consecutive steps (no split: e_c = 0.02095, SOC 0.4773;
    spectral: e_c = 0.02210, SOC 0.4760); the film stress before onset is elastic."""
    result = run_study(_film_study("AT1", split))
    assert result.status == "completed", result.summary["message"]
    rows = result.rows
    first = next(i for i, r in enumerate(rows) if r["max_damage"] > 0)
    e_c = _onset_misfit(split)
    assert _misfit(rows[first - 1]["soc"]) <= e_c * (1 + 1e-6) < _misfit(rows[first]["soc"])
    sigma = rows[first - 1]["film.mean_inplane_stress_Pa"]
    # g(0) = 1 + k with k = 1e-6
    expected = (1 + 1e-6) * E * _misfit(rows[first - 1]["soc"]) / (1 - NU)
    assert sigma == pytest.approx(expected, rel=1e-6)
    assert all(r["max_damage"] == 0.0 for r in rows[:first])
    # the film softens after onset: the stress falls
    assert rows[-1]["film.mean_inplane_stress_Pa"] < 0.5 * sigma


def test_delithiation_AT2_film_stress_peaks_at_the_homogeneous_strength(run_study):
    """σ_peak = (9/16) √(E G_c/(6 l (1 - ν))) = 1.13933 GPa with d = 1/4; measured 1.13932 GPa
    (d = 0.2517) with SOC steps of 0.0005 (the discrete maximum of a smooth peak)."""
    result = run_study(_film_study("AT2", "none", until=0.455))
    rows = result.rows
    stresses = [r["film.mean_inplane_stress_Pa"] for r in rows]
    peak = int(np.argmax(stresses))
    reference = 9 / 16 * math.sqrt(E * GC / (6 * L * (1 - NU)))
    assert stresses[peak] == pytest.approx(reference, rel=1e-3)
    assert rows[peak]["max_damage"] == pytest.approx(0.25, abs=0.01)
    assert 0 < peak < len(rows) - 1


def test_phase_field_outputs_fields_and_summary(run_study, tmp_path):
    """Columns, ``damage`` in ``fields/fields.bp``, the summary block (onset, G_c), figures."""
    tree = _film_study("AT1", "none", until=0.47, onset_damage=0.1)
    tree["outputs"] = {"every": 10, "figures": True, "fields": True}
    result = run_study(tree, name="outputs")
    rows = result.rows
    for column in (
        "crack_area_m2",
        "dissipated_energy_J",
        "strain_energy_J",
        "max_damage",
        "film.max_damage",
        "staggered_iterations",
        "damage_iterations",
    ):
        assert column in rows[0]
    assert all(r["film.max_damage"] == r["max_damage"] for r in rows)
    out = result.output_dir
    from tests.support.vtx import read_vtx

    assert "damage" in read_vtx(out / "fields" / "fields.bp").arrays
    assert (out / "figures" / "crack.png").is_file()
    assert any(p.name.endswith("_damage.png") for p in (out / "figures").iterdir())
    block = result.summary["phase_field"]
    assert block["length_scale_m"] == {"film": pytest.approx(L)}
    assert block["largest_cell_m"] == {"film": pytest.approx(10e-9, rel=1e-9)}
    assert block["fracture_energy_J_m2"]["film"]["value"] == GC
    assert "pharr2013" in block["fracture_energy_J_m2"]["film"]["source"]
    onset = block["crack_onset"]
    first = next(r for r in rows if r["max_damage"] >= 0.1)
    assert onset == {
        "step": first["step"],
        "time_s": first["time_s"],
        "soc": first["soc"],
        "crack_area_m2": first["crack_area_m2"],
    }
    assert onset["soc"] < 0.4773
    assert result.summary["peaks"]["max_damage"]["value"] == pytest.approx(rows[-1]["max_damage"])
    # the crack columns are integrals over the film: crack area = ∫ γ, dissipated = G_c ∫ γ
    last = rows[-1]
    assert last["dissipated_energy_J"] == pytest.approx(GC * last["crack_area_m2"], rel=1e-12)
    # a uniform AT1 damage d: γ = 3/8 d/l, per metre of depth over the 200 nm × 100 nm film
    uniform = 3 / 8 * last["max_damage"] / L * 200e-9 * 100e-9
    assert last["crack_area_m2"] == pytest.approx(uniform, rel=1e-6)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["iterations"]["staggered"]["iterations"] >= len(rows)
    assert manifest["iterations"]["damage"]["solves"] > 0
    # femsi plot --field damage draws from the snapshots
    from femsi.outputs.replot import replot

    [picture] = replot(out, field="damage")
    assert picture.is_file()


def test_plotting_damage_of_a_run_without_phase_field_is_an_input_error(run_study):
    from femsi.outputs.replot import replot

    result = run_study(study(outputs={"every": 0, "figures": False}))
    with pytest.raises(femsi.InputError) as info:
        replot(result.output_dir, field="damage")
    assert info.value.field == "--field"


def test_a_staggered_solve_that_does_not_settle_is_cut_and_the_run_fails_cleanly(run_study):
    """max_iterations: 1 cannot converge once the damage moves: the step is cut down to the
    smallest step, the run fails with the steps before it kept."""
    tree = _film_study("AT1", "none", staggered={"max_iterations": 1, "tolerance": 1e-9})
    tree["time"]["min_step"] = "0.2 s"
    result = run_study(tree)
    assert result.status == "failed"
    assert "no convergence" in result.summary["message"]
    assert result.rows and result.rows[-1]["max_damage"] == 0.0
    assert result.summary["steps"] == len(result.rows) - 1


def test_an_initial_crack_is_fully_damaged_from_the_start(run_study):
    tree = _film_study("AT2", "spectral", until=0.499)
    tree["phase_field"]["initial_cracks"] = [
        {"start": ["100 nm", "100 nm"], "end": ["100 nm", "70 nm"]}
    ]
    result = run_study(tree)
    # its crack area is at least its length (30 nm per metre of depth); max_damage leaves
    # the flaw (held at 1) out: at SOC 0.499 the crack has not grown
    assert result.rows[0]["crack_area_m2"] > 30e-9
    assert 0 < result.rows[-1]["max_damage"] < 0.9


# --------------------------------------------------------------------------- input errors


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"physics": {"mechanics": "finite_strain"}}, "physics.mechanics", "small strain"),
        ({"phase_field": {"regions": ["matrix"]}}, "phase_field.regions", "no region"),
        ({"phase_field": {"regions": []}}, "phase_field.regions", "at least 1"),
        ({"phase_field": {"length_scale": "-1 nm"}}, "phase_field.length_scale", ""),
        ({"phase_field": {"length_scale": "1 s"}}, "phase_field.length_scale", "length"),
        (
            {"phase_field": {"length_scale": {"film": "25 nm", "substrate": "50 nm"}}},
            "phase_field.length_scale.substrate",
            "not a cracking region",
        ),
        ({"phase_field": {"length_scale": {}}}, "phase_field.length_scale", "no length"),
        ({"phase_field": {"model": "AT3"}}, "phase_field.model", ""),
        ({"phase_field": {"split": "miehe"}}, "phase_field.split", ""),
        ({"phase_field": {"staggered": {"tolerance": 0}}}, "phase_field.staggered.tolerance", ""),
        (
            {"materials": {"film": {"base": "lipon"}}},
            "materials.film.fracture_energy",
            "fracture_toughness",
        ),
        (
            {
                "physics": {
                    "mechanics": "small_strain",
                    "constitutive": "elastoplastic",
                    "plastic_regions": ["film"],
                }
            },
            "phase_field.regions",
            "plastic",
        ),
        (
            {"phase_field": {"initial_cracks": [{"start": [0, 0, "1 nm"], "end": [0, 0]}]}},
            "phase_field.initial_cracks.0.start",
            "x-y plane",
        ),
    ],
)
def test_phase_field_input_errors_name_the_field(change, field, message):
    tree = _film_study("AT1", "none")
    for section, value in change.items():
        if section == "phase_field":
            tree["phase_field"] = {**tree["phase_field"], **value}
        elif section == "materials":
            tree["materials"] = value
        else:
            tree[section] = value
    if "plastic_regions" in json.dumps(change):
        tree["materials"] = {"film": {**SILICON}}
    with pytest.raises(femsi.InputError) as info:
        load_config(tree)
    assert info.value.field == field, str(info.value)
    assert message in info.value.message


def test_irreversibility_defaults_per_model():
    assert load_config(_film_study("AT1", "none")).study.phase_field.irreversibility == "bounds"
    assert load_config(_film_study("AT2", "none")).study.phase_field.irreversibility == "history"
    tree = _film_study("AT1", "none", irreversibility="history")
    assert load_config(tree).study.phase_field.irreversibility == "history"


def test_a_length_scale_below_twice_the_cell_size_is_an_input_error(tmp_path):
    """Checked on the mesh (before any solve): 15 nm < 2 × 10 nm; no run folder is left."""
    tree = _film_study("AT1", "none")
    tree["phase_field"]["length_scale"] = "15 nm"
    with pytest.raises(femsi.InputError) as info:
        femsi.run(load_config(tree), tmp_path / "short", progress=False)
    assert info.value.field == "phase_field.length_scale"
    assert "twice the largest cell" in info.value.message
    assert not (tmp_path / "short").exists()


def _film_on_substrate(length_scale) -> dict:
    """The AT2 film of :func:`_film_study` on an inert, uncracking substrate that may crack."""
    tree = _film_study("AT2", "none", until=0.455)
    tree["geometry"] = {**FILM, "substrate_thickness": "50 nm"}
    tree["materials"] = {
        "film": SILICON,
        "substrate": {"base": "llzo", "fracture_energy": "100 J/m^2"},
    }
    tree["phase_field"] = {
        **tree["phase_field"],
        "regions": ["film", "substrate"],
        "length_scale": length_scale,
    }
    return tree


def test_a_length_scale_per_region_sets_each_region_strength(run_study):
    """A mapping of lengths: the film alone, ``{film: 25 nm}``, peaks at the closed-form AT2
    strength (9/16) √(E G_c/(6 l (1 - ν))) = 1.13933 GPa (Tanné et al. 2018). On a substrate
    that may crack too (the substrate changes the film's stress state: no closed form), the
    film with l = 25 nm and the substrate with 100 nm peaks where the film does with 25 nm
    everywhere (1.320 against 1.338 GPa), far from the film with 100 nm everywhere (1.056)."""
    tree = _film_study("AT2", "none", until=0.455)
    tree["phase_field"]["length_scale"] = {"film": "25 nm"}
    alone = [r["film.mean_inplane_stress_Pa"] for r in run_study(tree).rows]
    reference = 9 / 16 * math.sqrt(E * GC / (6 * L * (1 - NU)))
    assert max(alone) == pytest.approx(reference, rel=1e-3)
    peaks = {}
    for label, lengths in (
        ("per_region", {"film": "25 nm", "substrate": "100 nm"}),
        ("short", "25 nm"),
        ("long", "100 nm"),
    ):
        result = run_study(_film_on_substrate(lengths), name=label)
        peaks[label] = max(r["film.mean_inplane_stress_Pa"] for r in result.rows)
        if label == "per_region":
            block = result.summary["phase_field"]
            assert block["length_scale_m"] == {
                "film": pytest.approx(L), "substrate": pytest.approx(1e-7)
            }  # fmt: skip
    assert peaks["per_region"] == pytest.approx(peaks["short"], rel=0.02)
    assert peaks["long"] < 0.9 * peaks["short"]  # measured 0.79 (1.056 against 1.338 GPa)


def test_a_region_length_below_twice_its_cells_names_the_region(tmp_path):
    tree = _film_on_substrate({"film": "25 nm", "substrate": "15 nm"})
    with pytest.raises(femsi.InputError) as info:
        femsi.run(load_config(tree), tmp_path / "short", progress=False)
    assert info.value.field == "phase_field.length_scale.substrate"
    assert not (tmp_path / "short").exists()


# --------------------------------------------------------------------------- forms


def test_phase_field_forms_carry_explicit_degrees():
    from femsi.geometry import build_mesh
    from femsi.physics.model import CoupledModel

    config = load_config(_film_study("AT2", "spectral"))
    s = config.study
    model = CoupledModel(build_mesh(s.geometry), config.materials, s.physics, None, s.phase_field)
    pf = model.phase_field
    for form in (model.mechanics_form, pf.residual, pf.jacobian):
        for integral in form.integrals():
            assert integral.metadata().get("quadrature_degree") is not None, integral
    assert pf.degree == 2  # P1 damage: its mass term exactly; the history at these points


def test_phase_field_forms_compile_once_per_run(jit_calls, run_study):
    calls = jit_calls
    counts = []
    for until in (0.49, 0.46):  # 20 and 80 steps, the second with damage
        calls["n"] = 0
        result = run_study(_film_study("AT1", "spectral", until=until))
        assert result.status == "completed"
        counts.append(calls["n"])
    assert counts[0] == counts[1] > 0


# --------------------------------------------------------------------------- shipped studies


def _shipped(tmp_path, name: str, overrides: list[str]):
    config = load_config(f"configs/{name}.yaml", [*overrides, "outputs.every=0"])
    result = femsi.run(config, tmp_path / name, progress=False)
    assert result.status == "completed", result.summary["message"]
    return result


def test_film_crack_studies_on_llzo_and_lpscl(tmp_path):
    """configs/film_crack_{llzo,lpscl}.yaml to SOC 0.77, without figures. The channel crack
    starts from the flaw at the same SOC on both (the film's strength; full runs: 0.7889 and
    0.7900), its opening is larger on the compliant Li6PS5Cl, and only there does it run into
    the electrolyte (full runs at SOC 0.77: opening 7.4 / 19.3 nm, electrolyte damage
    0.05 / 0.98)."""
    results = {}
    for substrate in ("llzo", "lpscl"):
        results[substrate] = _shipped(
            tmp_path,
            f"film_crack_{substrate}",
            ["protocol.0.delithiate.until_soc=0.77", "outputs.figures=false"],
        )
    onsets = {k: r.summary["phase_field"]["crack_onset"]["soc"] for k, r in results.items()}
    assert all(0.785 < soc < 0.792 for soc in onsets.values()), onsets
    assert abs(onsets["llzo"] - onsets["lpscl"]) < 0.002

    def opening(row):
        return row["probe.right.ux_m"] - row["probe.left.ux_m"]

    last = {k: r.rows[-1] for k, r in results.items()}
    assert 5e-9 < opening(last["llzo"]) < 10e-9
    assert opening(last["lpscl"]) > 2 * opening(last["llzo"])
    assert last["lpscl"]["substrate.max_damage"] > 0.9
    assert last["llzo"]["substrate.max_damage"] < 0.2
    gc = results["lpscl"].summary["phase_field"]["fracture_energy_J_m2"]["substrate"]["value"]
    assert gc == pytest.approx((0.23e6) ** 2 * (1 - 0.37**2) / 22e9, rel=1e-12)


def test_particle_electrolyte_crack_study(tmp_path):
    """configs/particle_se_crack.yaml to SOC 0.05: the electrolyte cracks from the flaw at
    SOC ≈ 0.043 under 50 MPa (full run), after its largest tension peaked near the strength
    √(3 E G_c/(8 l)) = 0.49 GPa."""
    result = _shipped(
        tmp_path,
        "particle_se_crack",
        ["protocol.0.lithiate.until_soc=0.05", "outputs.figures=false"],
    )
    onset = result.summary["phase_field"]["crack_onset"]
    assert onset is not None and 0.035 < onset["soc"] < 0.05
    strength = math.sqrt(3 * 22e9 * 2.0754 / (8 * 70e-9))
    peak = result.summary["peaks"]["matrix.max_principal_Pa"]["value"]
    assert 0.8 * strength < peak < 1.3 * strength
    assert result.rows[-1]["matrix.max_damage"] == pytest.approx(1.0)
