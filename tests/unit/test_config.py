"""Config loading: units, overrides, validation messages, the resolved config."""

from __future__ import annotations

import pytest
import yaml

import femsi
from femsi.config.loader import load_config
from femsi.config.overrides import apply_overrides
from femsi.errors import InputError
from femsi.units import UnitError, to_si
from tests.conftest import study


def test_units_to_si():
    assert to_si("1 um", "length") == pytest.approx(1e-6)
    assert to_si("10 min", "time") == 600.0
    assert to_si("130 GPa", "pressure") == 130e9
    assert to_si("8.9 cm^3/mol", "molar_volume") == pytest.approx(8.9e-6)
    assert to_si(2.5, "length") == 2.5  # numbers are SI
    # YAML 1.1 reads 1e-6 (no dot) as the string "1e-6": still an SI number, not "no units".
    assert yaml.safe_load("r: 1e-6")["r"] == "1e-6"
    assert to_si("1e-6", "length") == 1e-6
    with pytest.raises(UnitError, match="length"):
        to_si("1 s", "length")
    with pytest.raises(UnitError, match="cannot read"):
        to_si("one metre", "length")


def test_overrides_replace_keys_list_items_and_sections():
    tree = {"a": {"b": 1}, "protocol": [{"lithiate": {"c_rate": 1}}]}
    out = apply_overrides(
        tree,
        [
            "a.b=2 um",
            "protocol.0.lithiate.c_rate=3",
            "c={far: [1 um, 0, 0]}",
            "protocol=[{rest: {duration: 1 s}}]",
        ],
    )
    assert out["a"]["b"] == "2 um"
    assert out["c"] == {"far": ["1 um", 0, 0]}
    assert out["protocol"] == [{"rest": {"duration": "1 s"}}]
    assert tree["a"]["b"] == 1  # the input is not modified
    with pytest.raises(femsi.InputError, match="protocol.3"):
        apply_overrides(tree, ["protocol.3.rest=1"])
    with pytest.raises(femsi.InputError, match="--set"):
        apply_overrides(tree, ["no_equals_sign"])


def test_resolved_config_is_si_and_hash_is_stable():
    config = femsi.load_config("configs/particle.yaml")
    resolved = config.resolved()
    assert resolved["geometry"]["radius"] == pytest.approx(1e-6)
    assert resolved["time"]["max_step"] == 60.0
    assert resolved["materials"]["particle"]["max_concentration"] == pytest.approx(3.11e5)
    assert config.hash() == femsi.load_config("configs/particle.yaml").hash()
    other = femsi.load_config("configs/particle.yaml", ["geometry.radius=500 nm"])
    assert other.study.geometry.radius == pytest.approx(5e-7)
    assert other.hash() != config.hash()


def test_every_switch_has_an_explicit_documented_default():
    config = femsi.load_config(study())
    physics = config.study.physics
    assert physics.stress_diffusion_coupling is False
    assert physics.constitutive == "elastic" and physics.plastic_regions == []
    assert physics.chemical_potential == "dilute" and physics.temperature == 298.15
    # coupling differentiates the stress: P1 displacements are rejected, naming the switch
    with pytest.raises(femsi.InputError, match="physics.stress_diffusion_coupling"):
        femsi.load_config(
            study(physics={"stress_diffusion_coupling": True, "displacement_degree": 1})
        )


@pytest.mark.parametrize(
    ("physics", "materials", "field"),
    [
        # a plastic region without a yield stress (li6ps5cl has none in the library)
        (
            {"constitutive": "elastoplastic", "plastic_regions": ["matrix"]},
            None,
            "materials.matrix.yield_stress",
        ),
        ({"constitutive": "elastoplastic"}, None, "physics.plastic_regions"),
        ({"plastic_regions": ["particle"]}, None, "physics.plastic_regions"),
        (
            {"constitutive": "elastoplastic", "plastic_regions": ["nowhere"]},
            None,
            "physics.plastic_regions",
        ),
        (
            {"constitutive": "viscoplastic", "plastic_regions": ["particle"]},
            None,
            "materials.particle.viscoplastic_rate",
        ),
    ],
)
def test_plasticity_switches_are_validated(physics, materials, field):
    tree = study(
        geometry={
            "type": "particle_in_matrix",
            "radius": "1 um",
            "matrix_size": "2 um",
            "mesh_size": "0.4 um",
        },
        materials={"particle": "amorphous_silicon", "matrix": "li6ps5cl"},
        physics={"mechanics": "small_strain", **physics},
    )
    with pytest.raises(femsi.InputError) as err:
        femsi.load_config(tree)
    assert err.value.field.startswith(field), err.value


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        (
            {"materials": {"particle": "amorphous_silicon", "coating": "carbon_coating"}},
            "materials.coating",
        ),
        (
            {
                "geometry": {
                    "type": "core_shell",
                    "radius": "1 um",
                    "coating_thickness": "50 nm",
                    "mesh_size": "0.1 um",
                },
                "materials": {"particle": "amorphous_silicon", "coating": "carbon_coating"},
            },
            "geometry.mesh_size",
        ),
        (
            {
                "geometry": {
                    "type": "hollow_sphere",
                    "radius": "1 um",
                    "inner_radius": "1.2 um",
                    "mesh_size": "0.1 um",
                }
            },
            "geometry",
        ),
        ({"protocol": [{"lithiate": {"c_rate": 1}}]}, "protocol.0.lithiate"),
        (
            {"protocol": [{"lithiate": {"c_rate": 1, "until_soc": 1.5}}]},
            "protocol.0.lithiate.until_soc",
        ),
        ({"protocol": []}, "protocol"),
        ({"geometry": {"type": "cylinder", "radius": "1 um"}}, "geometry"),
    ],
)
def test_invalid_studies(sections, field):
    with pytest.raises(femsi.InputError) as info:
        femsi.load_config(study(**sections))
    assert info.value.field.startswith(field), str(info.value)


FILM = {"type": "film", "thickness": "1 um", "width": "1 um", "mesh_size": "0.25 um"}
FILM_MATERIALS = {"film": "amorphous_silicon"}


@pytest.mark.parametrize(
    ("sections", "field", "message"),
    [
        # A plate condition on a body without a plate.
        ({"cell": {"plate": "stack_pressure"}}, "cell", "no die or plate"),
        # A preload without a plate to press with.
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "protocol": [{"preload": {"pressure": "10 MPa"}}],
            },
            "protocol.0.preload",
            "needs a plate",
        ),
        # A pressure of the wrong sign.
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {"plate": "stack_pressure"},
                "protocol": [{"preload": {"pressure": "-10 MPa"}}],
            },
            "protocol.0.preload.pressure",
            "greater than or equal to 0",
        ),
        # A stack layer naming no library material, a cathode table not from SOC 0 to 1,
        # a layer with two sources of moduli, and a load cell on a constant-pressure plate.
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {
                    "plate": "fixed_gap",
                    "stack": [{"name": "pellet", "thickness": "500 um", "material": "lpscl"}],
                },
            },
            "cell.stack.0.material",
            "unknown material",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {
                    "plate": "fixed_gap",
                    "stack": [
                        {
                            "name": "cathode",
                            "thickness": "50 um",
                            "youngs_modulus": "50 GPa",
                            "poissons_ratio": 0.3,
                            "swelling": {
                                "kind": "cathode",
                                "np_ratio": 1.1,
                                "thickness_strain": [[0, 0], [0.8, -0.03]],
                            },
                        }
                    ],
                },
            },
            "cell.stack.0.swelling.cathode",
            "ascend from 0 to 1",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {
                    "plate": "fixed_gap",
                    "stack": [
                        {
                            "name": "pellet",
                            "thickness": "500 um",
                            "material": "li6ps5cl",
                            "youngs_modulus": "20 GPa",
                        }
                    ],
                },
            },
            "cell.stack.0",
            "not both",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {"plate": "stack_pressure", "load_cell_stiffness": "1e12 Pa/m"},
            },
            "cell",
            "load_cell_stiffness",
        ),
        # A spring without its stiffness, and a stiffness without a spring.
        (
            {"geometry": FILM, "materials": FILM_MATERIALS, "cell": {"plate": "fixture_stiffness"}},
            "cell",
            "fixture_stiffness",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {"plate": "fixed_gap", "fixture_stiffness": "1e15 Pa/m"},
            },
            "cell",
            "fixture_stiffness",
        ),
        (
            {
                "geometry": FILM,
                "materials": FILM_MATERIALS,
                "cell": {"plate": "fixed_gap"},
                "physics": {"mechanics": "none"},
            },
            "cell.plate",
            "needs mechanics",
        ),
        (
            {"geometry": FILM, "materials": {"film": "amorphous_silicon", "substrate": "llzo"}},
            "materials.substrate",
            "no region",
        ),
    ],
)
def test_invalid_cells(sections, field, message):
    with pytest.raises(femsi.InputError) as info:
        femsi.load_config(study(**sections))
    assert info.value.field.startswith(field), str(info.value)
    assert message in str(info.value)


def test_probes_follow_the_geometry():
    """Named points and fractions are resolved at load: the README's quick-start override
    (radius 500 nm) keeps the shipped particle's surface probe on its surface."""
    small = load_config("configs/particle.yaml", ["geometry.radius=500 nm"])
    assert small.study.outputs.probes["centre"] == (0.0, 0.0, 0.0)
    assert small.study.outputs.probes["surface"] == pytest.approx((5e-7, 0.0, 0.0), rel=1e-12)
    front = load_config("configs/csi_particle_front.yaml", ["geometry.radius=1 um"])
    assert front.study.outputs.probes["r300"] == pytest.approx((6e-7, 0.0, 0.0))
    film = load_config(
        "configs/particle.yaml",
        [
            "geometry={type: film, thickness: 1 um, substrate_thickness: 0.5 um, width: 2 um, "
            "mesh_size: 0.25 um}",
            "materials={film: amorphous_silicon, substrate: llzo}",
            "outputs.probes={top: top, mid: {fraction: [0.5, 0.5, 0.5]}}",
        ],
    )
    assert film.study.outputs.probes["top"] == (1e-6, 1e-6, 1.5e-6)
    assert film.study.outputs.probes["mid"] == pytest.approx((1e-6, 1e-6, 0.75e-6))
    with pytest.raises(InputError, match=r"has no point named 'rim' \(it has: centre, surface\)"):
        load_config("configs/particle.yaml", ["outputs.probes={x: rim}"])
