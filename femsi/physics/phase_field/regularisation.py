"""Ambrosio–Tortorelli regularisations of a crack: AT1 and AT2.

A crack is a damage field d ∈ [0, 1] (0 sound, 1 broken) smeared over a length l. The
dissipated energy of a crack set is approximated by the Ambrosio–Tortorelli functional

    D(d) = ∫ G_c γ(d, ∇d) dV,   γ = (w(d)/l + l |∇d|²) / c_w,   c_w = 4 ∫₀¹ √w(s) ds,

with the local dissipation w(d) = d² (AT2, c_w = 2) or w(d) = d (AT1, c_w = 8/3). The
normalisation c_w makes the optimal one-dimensional profile of a fully formed crack
(d = exp(-|x|/l) for AT2, d = (1 - |x|/(2l))² on |x| < 2l for AT1) dissipate exactly G_c per
unit crack area, so ∫ γ dV is the crack area (Tanné, Li, Bourdin, Marigo & Maurini, JMPS 110
(2018) 80). The stiffness degrades with g(d) = (1 - d)² + k, k a small residual stiffness that
keeps the broken material's stiffness matrix regular.

Homogeneous uniaxial bar (Young's modulus E, no energy split, from the same paper):

- AT2 damages at once (d = E ε² / (E ε² + G_c/l)); its stress peaks at
  σ_c = (9/16) √(E G_c / (3 l)) with d = 1/4;
- AT1 stays elastic (d = 0) until σ_c = √(3 E G_c / (8 l)), the stress at which the elastic
  energy density reaches ψ_c = 3 G_c / (16 l); it needs the bound d ≥ 0 (its w'(0) = 1 > 0
  would otherwise drive d negative).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ufl

#: The regularisations femsi knows.
MODELS = ("AT1", "AT2")


@dataclass(frozen=True)
class Regularisation:
    """One Ambrosio–Tortorelli model.

    Attributes:
        name: ``AT1`` or ``AT2``.
    """

    name: str

    def __post_init__(self):
        if self.name not in MODELS:
            raise ValueError(f"phase-field model must be one of {MODELS}, got {self.name!r}")

    def w(self, d):
        """The local dissipation: d (AT1) or d² (AT2)."""
        return d if self.name == "AT1" else d**2

    @property
    def c_w(self) -> float:
        """Normalisation 4 ∫₀¹ √w(s) ds: 8/3 (AT1) or 2 (AT2)."""
        return 8.0 / 3.0 if self.name == "AT1" else 2.0

    @property
    def needs_bounds(self) -> bool:
        """Whether d ≥ 0 must be imposed as a bound (AT1: an elastic phase)."""
        return self.name == "AT1"

    def crack_density(self, d, grad_d, length):
        """γ(d, ∇d) = (w(d)/l + l |∇d|²)/c_w: crack area per unit volume (UFL)."""
        return (self.w(d) / length + length * ufl.inner(grad_d, grad_d)) / self.c_w

    def critical_energy_density(self, fracture_energy: float, length: float) -> float:
        """ψ_c: the elastic energy density at which damage starts (AT1; 0 for AT2)."""
        return 3.0 * fracture_energy / (16.0 * length) if self.name == "AT1" else 0.0

    def bar_strength(self, youngs_modulus: float, fracture_energy: float, length: float) -> float:
        """Peak stress of a homogeneous uniaxial bar, no energy split (module docstring)."""
        E, Gc = youngs_modulus, fracture_energy
        if self.name == "AT1":
            return math.sqrt(3.0 * E * Gc / (8.0 * length))
        return 9.0 / 16.0 * math.sqrt(E * Gc / (3.0 * length))


def degradation(d, residual_stiffness: float):
    """g(d) = (1 - d)² + k (UFL)."""
    return (1 - d) ** 2 + residual_stiffness
