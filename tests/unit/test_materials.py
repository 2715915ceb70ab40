"""The material library: every value has a literature source; SOC-dependent parameters."""

from __future__ import annotations

import numpy as np
import pytest

import femsi
from femsi.materials import library, resolve_material
from femsi.materials.properties import SocFunction, parse_soc_function

REQUIRED = (
    "crystalline_silicon",
    "amorphous_silicon",
    "li6ps5cl",
    "li3ps4",
    "llzo",
    "lipon",
    "carbon_coating",
    "copper",
)


def test_library_has_the_required_materials():
    assert set(REQUIRED) <= set(library())


@pytest.mark.parametrize("name", REQUIRED)
def test_every_parameter_cites_a_reference(name):
    raw = library()[name]
    for key in raw["parameters"]:
        source = raw["sources"][key]
        assert source["ref"] in raw["references"], (name, key)
        assert source.get("note"), (name, key)
    for citation in raw["references"].values():
        assert "doi" in citation.lower()
    material = resolve_material(name, f"materials.{name}")
    assert material.youngs_modulus.min() > 0


def test_literature_values_are_the_documented_ones():
    assert resolve_material("llzo", "m").youngs_modulus.value[0] == pytest.approx(149.8e9)
    assert resolve_material("li3ps4", "m").youngs_modulus.value[0] == pytest.approx(18.5e9)
    si = resolve_material("amorphous_silicon", "m")
    assert si.is_active and si.partial_molar_volume == pytest.approx(8.9e-6)
    # Ω c_max = 2.77: a 277 % volume increase at Li15Si4 (~280 % is quoted for Si -> Li15Si4
    # after Obrovac & Christensen, Electrochem. Solid-State Lett. 7 (2004) A93; ~400 % from the
    # crystallographic densities of Li22Si5, the Li4.4Si of Boukamp, Lesh & Huggins,
    # J. Electrochem. Soc. 128 (1981) 725)
    assert si.partial_molar_volume * si.max_concentration == pytest.approx(2.77, abs=0.01)


def test_overrides_and_soc_dependence():
    m = resolve_material(
        {
            "base": "amorphous_silicon",
            "youngs_modulus": {"linear": ["80 GPa", "40 GPa"]},
            "diffusivity": {
                "table": {
                    "soc": [0, 0.5, 1],
                    "value": ["1e-16 m^2/s", "1e-15 m^2/s", "1e-14 m^2/s"],
                }
            },
        },
        "m",
    )
    assert m.name == "amorphous_silicon*"
    assert m.youngs_modulus(0.25) == pytest.approx(70e9)
    assert m.diffusivity(0.75) == pytest.approx(5.5e-15)
    assert m.diffusivity(1.5) == pytest.approx(1e-14)  # constant beyond the table


def test_soc_function_ufl_matches_numpy():
    from mpi4py import MPI

    from dolfinx import fem, mesh

    import femsi.compat  # noqa: F401

    f = parse_soc_function({"table": {"soc": [0, 0.3, 1], "value": [1, 4, 2]}}, "dimensionless")
    domain = mesh.create_unit_interval(MPI.COMM_SELF, 20)
    V = fem.functionspace(domain, ("Lagrange", 1))
    soc = fem.Function(V)
    soc.interpolate(lambda x: 1.4 * x[0] - 0.2)  # covers both clamped ends
    g = fem.Function(V)
    g.interpolate(fem.Expression(f.ufl(soc), V.element.interpolation_points))
    assert np.allclose(g.x.array, f(soc.x.array))
    assert SocFunction.constant(3.0).is_constant


#: Linear thermal expansion coefficients (1/K) and the reference each must cite.
THERMAL_EXPANSION = {
    "crystalline_silicon": (2.57e-6, "okada1984"),
    "amorphous_silicon": (2.6e-6, "takimoto2002"),  # an estimate, equal to c-Si
    "llzo": (15.5e-6, "hubaud2015"),
    "copper": (16.5e-6, "crc_handbook"),
}
#: Materials searched for without a citable value: None, and the file says why.
NO_THERMAL_EXPANSION = ("li6ps5cl", "li3ps4", "lipon", "carbon_coating")


@pytest.mark.parametrize("name", sorted(THERMAL_EXPANSION))
def test_thermal_expansion_is_a_number_with_its_source(name):
    value, ref = THERMAL_EXPANSION[name]
    material = resolve_material(name, f"materials.{name}")
    assert isinstance(material.thermal_expansion, float)
    assert material.thermal_expansion == pytest.approx(value)
    assert "thermal_expansion" not in material.extra
    source = material.sources["thermal_expansion"]
    assert source.startswith(f"{ref}: ") and len(source) > len(ref) + 40
    assert "doi" in material.references[ref].lower()


def test_the_amorphous_silicon_value_is_marked_as_an_estimate():
    source = resolve_material("amorphous_silicon", "m").sources["thermal_expansion"]
    assert "ESTIMATE" in source and "Li_xSi" in source


@pytest.mark.parametrize("name", NO_THERMAL_EXPANSION)
def test_a_material_without_thermal_expansion_gives_none(name):
    material = resolve_material(name, f"materials.{name}")
    assert material.thermal_expansion is None
    assert "thermal_expansion" not in material.sources
    assert library()[name]["notes"]["thermal_expansion"].startswith("No value")


@pytest.mark.parametrize(
    "given", ["2.6e-6 1/K", "2.6e-6 /K", "2.6e-6 K^-1", "2.6 ppm/K", "2.6 um/m/K", 2.6e-6]
)
def test_thermal_expansion_units_convert_to_per_kelvin(given):
    material = resolve_material({"base": "li6ps5cl", "thermal_expansion": given}, "m")
    assert material.thermal_expansion == pytest.approx(2.6e-6)
    assert material.name == "li6ps5cl*"


@pytest.mark.parametrize(
    ("given", "problem"),
    [
        (2.6, "give a unit"),  # a bare number is SI: 2.6 1/K, meant as ppm/K
        ("2.6e-6 1/s", "1/K"),
        ("2.6e-6 1/degC", "cannot read"),
        ({"linear": ["2e-6 1/K", "3e-6 1/K"]}, "expected a number"),  # constant only
    ],
)
def test_a_bad_thermal_expansion_names_the_field(given, problem):
    with pytest.raises(femsi.InputError, match="materials.m.thermal_expansion") as err:
        resolve_material({"base": "copper", "thermal_expansion": given}, "materials.m")
    assert problem in str(err.value)


def test_the_resolved_config_records_thermal_expansion():
    from femsi.config.loader import _material_as_dict

    assert _material_as_dict(resolve_material("llzo", "m"))["thermal_expansion"] == 15.5e-6
    assert _material_as_dict(resolve_material("lipon", "m"))["thermal_expansion"] is None
