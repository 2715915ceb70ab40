"""The fracture energy of a material: given, or from its fracture toughness.

Phase-field fracture needs the critical energy release rate G_c (J/m²). A material gives it as
``fracture_energy``; ceramics and glasses are usually measured as a fracture toughness K_IC
(Pa √m), converted here (and only here) by Irwin's plane-strain relation

    G_c = K_IC² (1 - ν²) / E

(Irwin, J. Appl. Mech. 24 (1957) 361; Anderson, Fracture Mechanics, 4th ed., 2017, §2.6).
An explicit ``fracture_energy`` wins over a toughness. E is taken at the material's initial
state of charge (inert materials have one E).
"""

from __future__ import annotations

from femsi.materials.library import Material


def energy_from_toughness(toughness: float, youngs_modulus: float, poissons_ratio: float) -> float:
    """G_c = K_IC² (1 - ν²)/E (plane strain), J/m²."""
    return toughness**2 * (1.0 - poissons_ratio**2) / youngs_modulus


def fracture_energy(material: Material) -> float | None:
    """G_c of a material in J/m², or None when it has neither energy nor toughness."""
    energy = material.extra.get("fracture_energy")
    if energy is not None:
        return float(energy)
    toughness = material.extra.get("fracture_toughness")
    if toughness is None:
        return None
    youngs_modulus = float(material.youngs_modulus(material.initial_soc))
    return energy_from_toughness(float(toughness), youngs_modulus, material.poissons_ratio)


def fracture_energy_source(material: Material) -> str:
    """Where a material's G_c comes from, for the run's reports."""
    if material.extra.get("fracture_energy") is not None:
        return material.sources.get("fracture_energy", "given (materials override)")
    source = material.sources.get("fracture_toughness", "given (materials override)")
    return f"K_IC^2 (1 - nu^2)/E from the fracture toughness ({source})"
