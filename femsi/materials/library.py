"""The shipped material library and the resolution of a region's material.

Each material is one YAML file in ``femsi/materials/data`` (format in ``data/FORMAT.md``) with
its parameters, the literature source of each value and the full references. A study names a
library material per region, or a library material with overrides::

    materials:
      particle: {base: amorphous_silicon, youngs_modulus: 80 GPa}
      matrix: li6ps5cl
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from femsi.errors import InputError
from femsi.materials.properties import SocFunction, parse_soc_function
from femsi.units import UnitError, to_si
from femsi.yaml_input import read_yaml_file

DATA_DIR = Path(__file__).parent / "data"

#: Every parameter a material may carry, with its physical dimension.
PARAMETERS: dict[str, str] = {
    "youngs_modulus": "pressure",
    "poissons_ratio": "dimensionless",
    "partial_molar_volume": "molar_volume",
    "max_concentration": "concentration",
    "diffusivity": "diffusivity",
    "initial_soc": "dimensionless",
    "stress_free_soc": "dimensionless",
    "density": "density",
    "yield_stress": "pressure",
    "hardening_modulus": "pressure",
    "viscoplastic_rate": "rate",
    "viscoplastic_exponent": "dimensionless",
    "fracture_energy": "energy_per_area",
    "fracture_toughness": "toughness",
    "hardness": "pressure",
    "open_circuit_potential": "voltage",
    "exchange_current_density": "current_density",
    "transfer_coefficient": "dimensionless",
    "thermal_expansion": "thermal_expansion",
}
#: Parameters that may be given as a function of the state of charge.
SOC_DEPENDENT = {"youngs_modulus", "diffusivity", "yield_stress", "open_circuit_potential"}
CATEGORIES = ("active", "electrolyte", "coating", "current_collector", "substrate")
#: Largest |α| accepted, 1/K: solids lie near 1e-7..1e-4, so a larger number is a unit slip
#: (``thermal_expansion: 2.6`` meant as ppm/K).
MAX_THERMAL_EXPANSION = 1e-3


@dataclass(frozen=True)
class Material:
    """A resolved material: SI values, ready for the physics.

    Attributes:
        name: Library name (with ``*`` appended when the user overrode values).
        category: ``active`` stores lithium and swells; the others are inert.
        youngs_modulus: E(SOC) in Pa.
        poissons_ratio: ν, in (-1, 0.5).
        partial_molar_volume: Ω in m³/mol (0 for inert materials).
        max_concentration: c_max in mol/m³ of reference volume (0 for inert materials).
        diffusivity: D(SOC) in m²/s (``None`` for inert materials).
        initial_soc: State of charge at t = 0.
        stress_free_soc: State of charge at which the material is stress free.
        thermal_expansion: Linear thermal expansion coefficient α in 1/K (a constant: the
            library has no SOC-dependent data), ``None`` when the library has no value. The
            reference temperature of a thermal strain α (T - T_ref) belongs to the study.
        extra: Other parameters (yield stress, fracture energy, ...), SI.
        sources: Parameter name to "reference key: note".
        references: Reference key to full citation.
    """

    name: str
    category: str
    youngs_modulus: SocFunction
    poissons_ratio: float
    partial_molar_volume: float = 0.0
    max_concentration: float = 0.0
    diffusivity: SocFunction | None = None
    initial_soc: float = 0.0
    stress_free_soc: float = 0.0
    thermal_expansion: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)

    @property
    def is_active(self) -> bool:
        """Whether lithium diffuses in and swells this material."""
        return self.category == "active"

    @property
    def initial_concentration(self) -> float:
        """C at t = 0, mol/m³."""
        return self.initial_soc * self.max_concentration

    @property
    def stress_free_concentration(self) -> float:
        """C at which the swelling eigenstrain vanishes, mol/m³."""
        return self.stress_free_soc * self.max_concentration


@functools.cache
def library() -> dict[str, dict]:
    """All shipped materials as raw dictionaries, keyed by name."""
    materials: dict[str, dict] = {}
    for path in sorted(DATA_DIR.glob("*.yaml")):
        raw = read_yaml_file(path)
        assert isinstance(raw, dict), path  # the shipped files are mappings
        materials[raw["name"]] = raw
    return materials


def resolve_material(spec: object, field_path: str) -> Material:
    """Build the material of one region from its config entry.

    Args:
        spec: A library name, or a dict with ``base`` (a library name) and parameter overrides.
        field_path: Config path of the entry, for error messages (``materials.particle``).

    Raises:
        InputError: Unknown material or parameter, bad unit, or a value out of range.
    """
    if isinstance(spec, str):
        base_name, overrides = spec, {}
    elif isinstance(spec, dict):
        if "base" not in spec:
            raise InputError(field_path, "a material with overrides needs 'base: <library name>'")
        base_name = spec["base"]
        overrides = {k: v for k, v in spec.items() if k != "base"}
    else:
        raise InputError(field_path, "expected a library name or {base: NAME, parameter: value}")
    raw = library().get(base_name) if isinstance(base_name, str) else None
    if raw is None:
        known = ", ".join(sorted(library()))
        where = f"{field_path}.base" if isinstance(spec, dict) else field_path
        raise InputError(where, f"unknown material {base_name!r}; the library has: {known}")
    for key in overrides:
        if key not in PARAMETERS:
            raise InputError(
                f"{field_path}.{key}",
                f"unknown material parameter; known: {', '.join(PARAMETERS)}",
            )
    merged = {**raw.get("parameters", {}), **overrides}
    values: dict[str, object] = {}
    for key, value in merged.items():
        where = f"{field_path}.{key}"
        try:
            if key in SOC_DEPENDENT:
                values[key] = parse_soc_function(value, PARAMETERS[key])
            else:
                values[key] = to_si(value, PARAMETERS[key])
        except UnitError as err:
            raise InputError(where, str(err)) from None
    material = _build(base_name, raw, values, overridden=bool(overrides))
    _check(material, field_path)
    return material


def _build(base_name: str, raw: dict, values: dict, overridden: bool) -> Material:
    category = raw.get("category", "electrolyte")
    sources = {
        key: f"{entry.get('ref', '')}: {entry.get('note', '')}".strip(": ")
        for key, entry in (raw.get("sources") or {}).items()
    }
    named = {
        "youngs_modulus",
        "poissons_ratio",
        "partial_molar_volume",
        "max_concentration",
        "diffusivity",
        "initial_soc",
        "stress_free_soc",
        "thermal_expansion",
    }
    initial_soc = float(values.get("initial_soc", 0.0))
    return Material(
        name=base_name + ("*" if overridden else ""),
        category=category,
        youngs_modulus=values.get("youngs_modulus", SocFunction.constant(0.0)),
        poissons_ratio=float(values.get("poissons_ratio", -2.0)),
        partial_molar_volume=float(values.get("partial_molar_volume", 0.0)),
        max_concentration=float(values.get("max_concentration", 0.0)),
        diffusivity=values.get("diffusivity"),
        initial_soc=initial_soc,
        stress_free_soc=float(values.get("stress_free_soc", initial_soc)),
        thermal_expansion=(
            float(values["thermal_expansion"]) if "thermal_expansion" in values else None
        ),
        extra={k: v for k, v in values.items() if k not in named},
        sources=sources,
        references=dict(raw.get("references") or {}),
    )


def _check(m: Material, field_path: str) -> None:
    if m.category not in CATEGORIES:
        raise InputError(field_path, f"category {m.category!r} is not one of {CATEGORIES}")
    if m.youngs_modulus.min() <= 0:
        raise InputError(f"{field_path}.youngs_modulus", "must be positive")
    if not -1.0 < m.poissons_ratio < 0.5:
        raise InputError(
            f"{field_path}.poissons_ratio",
            f"must lie in (-1, 0.5) for a compressible solid, got {m.poissons_ratio:g}",
        )
    for key in ("initial_soc", "stress_free_soc"):
        value = getattr(m, key)
        if not 0.0 <= value <= 1.0:
            raise InputError(f"{field_path}.{key}", f"must lie in [0, 1], got {value:g}")
    alpha = m.thermal_expansion
    if alpha is not None and not abs(alpha) < MAX_THERMAL_EXPANSION:
        raise InputError(
            f"{field_path}.thermal_expansion",
            f"{alpha:g} 1/K is not a linear thermal expansion coefficient of a solid "
            f"(|alpha| < {MAX_THERMAL_EXPANSION:g} 1/K); give a unit, e.g. '2.6 ppm/K' or "
            "'2.6e-6 1/K'",
        )
    if m.is_active:
        for key in ("partial_molar_volume", "max_concentration"):
            if getattr(m, key) <= 0:
                raise InputError(f"{field_path}.{key}", "an active material needs a positive value")
        if m.diffusivity is None or m.diffusivity.min() <= 0:
            raise InputError(f"{field_path}.diffusivity", "an active material needs D > 0")
    elif not m.youngs_modulus.is_constant:
        raise InputError(
            f"{field_path}.youngs_modulus", "only active materials may depend on state of charge"
        )
