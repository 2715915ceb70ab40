"""Swelling elasticity laws: the small-strain limit and the finite-strain neo-Hookean solid.

A law is chosen once per study (``physics.mechanics``) and answers every question whose answer
depends on the kinematics, so no other module tests the setting:

- small strain: ε = sym ∇u, eigenstrain ε* = (e_v / 3) I with the volumetric eigenstrain
  e_v = Ω (c - c_ref) (+ 3 α ΔT with thermal strain), ψ = μ |ε - ε*|² + λ/2 tr(ε - ε*)²;
- finite strain: F = F_e F_s, F_s = J_s^(1/3) I with J_s = 1 + Ω (c - c_ref) (times
  (1 + α ΔT)³ with thermal strain), the compressible neo-Hookean energy per reference volume
  ψ_R = J_s [μ/2 (tr(F_eᵀF_e) - 3 - 2 ln J_e) + λ/2 (ln J_e)²] (Bower, Guduru & Sethuraman,
  J. Mech. Phys. Solids 59 (2011) 804, eqs. 2.4-2.10).

``eigen`` is the law's measure of the stress-free deformation handed to the J2 operator:
the isotropic eigenstrain e* (small strain) or J_s (finite strain).
"""

from __future__ import annotations

from dataclasses import dataclass

import ufl

from femsi.physics.elasticity import (
    neo_hookean_energy,
    neo_hookean_energy_density,
    neo_hookean_stress,
    small_strain_energy,
    small_strain_energy_density,
    small_strain_stress,
)
from femsi.physics.kinematics import as_3d, deformation_gradient, small_strain
from femsi.typing import UFLExpr, UFLValue


@dataclass(frozen=True)
class SmallStrainLaw:
    """Linear elasticity with an isotropic eigenstrain (the small-deformation limit).

    Attributes:
        formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
    """

    formulation: str
    name: str = "small_strain"
    #: Whether strains are linear in ∇u (interaction integrals and K need it).
    linear_kinematics: bool = True
    #: Newton starts from u extrapolated in time only where it saves iterations.
    predicts_displacement: bool = False
    #: Whether an outer pressure follows the deformed surface.
    follower_pressure: bool = False

    def eigen(self, volumetric: UFLValue) -> UFLValue:
        """e* = e_v / 3 for the volumetric eigenstrain e_v."""
        return volumetric / 3

    def energy(self, u: UFLExpr, eigen: UFLValue, mu: UFLValue, lmbda: UFLValue) -> UFLExpr:
        """ψ(u) per unit volume."""
        return small_strain_energy(u, eigen * ufl.Identity(3), mu, lmbda, self.formulation)

    def energy_density(
        self, grad_u: UFLExpr, eigen: UFLValue, mu: UFLValue, lmbda: UFLValue
    ) -> UFLExpr:
        """ψ for a 3×3 displacement gradient (domain integrals differentiate it)."""
        return small_strain_energy_density(grad_u, eigen * ufl.Identity(3), mu, lmbda)

    def stress(
        self,
        u: UFLExpr,
        eigen: UFLValue,
        mu: UFLValue,
        lmbda: UFLValue,
        axis_limit: bool = False,
    ) -> UFLExpr:
        """The Cauchy stress σ = 2μ ε_e + λ tr(ε_e) I."""
        return small_strain_stress(
            u, eigen * ufl.Identity(3), mu, lmbda, self.formulation, axis_limit=axis_limit
        )

    def elastic_strain(self, u: UFLExpr, eigen: UFLValue, axis_limit: bool = False) -> UFLExpr:
        """ε(u) - ε*, the strain the phase-field energy splits."""
        return small_strain(u, self.formulation, axis_limit=axis_limit) - eigen * ufl.Identity(3)

    def volume_ratio(self, u: UFLExpr, axis_limit: bool = False) -> UFLExpr:
        """dV/dV₀ = 1 + tr ε."""
        return 1 + ufl.tr(small_strain(u, self.formulation, axis_limit=axis_limit))

    def with_stretch(self, eigen: UFLValue, strain: UFLValue) -> UFLValue:
        """e* with an isotropic linear eigenstrain ``strain`` added."""
        return eigen + strain

    def elastic_hydrostatic(self, u: UFLExpr, eigen: UFLValue, bulk: UFLValue) -> UFLExpr:
        """σ_h of isochoric plastic flow: K (tr ε - 3 e*)."""
        return bulk * (ufl.tr(small_strain(u, self.formulation)) - 3 * eigen)

    def traction(self, u: UFLExpr, pressure: UFLValue, normal: UFLExpr) -> UFLExpr:
        """A dead outer pressure on the reference surface."""
        return pressure * as_3d(normal)

    def kirchhoff(self, stress: UFLExpr, u: UFLExpr, eigen: UFLValue) -> UFLExpr:
        """The J2 operator's stress as τ (σ at small strain)."""
        return stress

    def plastic_swelling_tangent(
        self,
        stress: UFLExpr,
        u: UFLExpr,
        eigen: UFLValue,
        bulk: UFLValue,
        d_eigen: UFLValue,
        d_tau: UFLExpr,
    ) -> UFLExpr:
        """∂S/∂(state) of the operator's stress S = σ: -3K I δe* + δτ."""
        return -3 * bulk * ufl.Identity(3) * d_eigen + d_tau


@dataclass(frozen=True)
class FiniteStrainLaw:
    """The compressible neo-Hookean solid with F = F_e F_s.

    Attributes:
        formulation: ``3d``, ``plane_strain`` or ``axisymmetric``.
    """

    formulation: str
    name: str = "finite_strain"
    linear_kinematics: bool = False
    predicts_displacement: bool = True
    follower_pressure: bool = True

    def eigen(self, volumetric: UFLValue) -> UFLValue:
        """J_s = 1 + e_v."""
        return 1 + volumetric

    def energy(self, u: UFLExpr, eigen: UFLValue, mu: UFLValue, lmbda: UFLValue) -> UFLExpr:
        """ψ_R(u) per unit reference volume."""
        return neo_hookean_energy(u, eigen, mu, lmbda, self.formulation)

    def energy_density(
        self, grad_u: UFLExpr, eigen: UFLValue, mu: UFLValue, lmbda: UFLValue
    ) -> UFLExpr:
        """ψ_R for a 3×3 displacement gradient."""
        return neo_hookean_energy_density(grad_u, eigen, mu, lmbda)

    def stress(
        self,
        u: UFLExpr,
        eigen: UFLValue,
        mu: UFLValue,
        lmbda: UFLValue,
        axis_limit: bool = False,
    ) -> UFLExpr:
        """The Cauchy stress σ = [μ (b_e - I) + λ ln J_e I] / J_e."""
        return neo_hookean_stress(u, eigen, mu, lmbda, self.formulation, axis_limit=axis_limit)

    def volume_ratio(self, u: UFLExpr, axis_limit: bool = False) -> UFLExpr:
        """dV/dV₀ = det F."""
        return ufl.det(deformation_gradient(u, self.formulation, axis_limit=axis_limit))

    def with_stretch(self, js: UFLValue, strain: UFLValue) -> UFLValue:
        """J_s of an isotropic stretch 1 + ``strain`` after the swelling: J_s (1 + strain)³."""
        return js * (1 + strain) ** 3

    def elastic_hydrostatic(self, u: UFLExpr, js: UFLValue, bulk: UFLValue) -> UFLExpr:
        """σ_h of isochoric plastic flow with Hencky elasticity: K ln(J_e) / J_e."""
        je = ufl.det(deformation_gradient(u, self.formulation)) / js
        return bulk * ufl.ln(je) / je

    def traction(self, u: UFLExpr, pressure: UFLValue, normal: UFLExpr) -> UFLExpr:
        """A follower pressure: the nominal traction p J F⁻ᵀ N."""
        F = deformation_gradient(u, self.formulation)
        return pressure * ufl.det(F) * ufl.inv(F).T * as_3d(normal)

    def kirchhoff(self, stress: UFLExpr, u: UFLExpr, js: UFLValue) -> UFLExpr:
        """τ = P Fᵀ / J_s of the operator's first Piola-Kirchhoff stress P."""
        return stress * deformation_gradient(u, self.formulation).T / js

    def plastic_swelling_tangent(
        self,
        stress: UFLExpr,
        u: UFLExpr,
        js: UFLValue,
        bulk: UFLValue,
        d_js: UFLValue,
        d_tau: UFLExpr,
    ) -> UFLExpr:
        """∂P/∂(state): (P/J_s - K F⁻ᵀ) δJ_s + δτ J_s F⁻ᵀ (P = J_s τ F⁻ᵀ)."""
        F = deformation_gradient(u, self.formulation)
        dstress = (stress / js - bulk * ufl.inv(F).T) * d_js
        return dstress + d_tau * (js * ufl.inv(F).T)


#: Either elasticity law (both answer the same questions, bar ``elastic_strain``).
type ElasticityLaw = SmallStrainLaw | FiniteStrainLaw


def law_for(mechanics: str, formulation: str) -> ElasticityLaw:
    """The law of ``physics.mechanics`` (``small_strain`` or ``finite_strain``)."""
    if mechanics == "small_strain":
        return SmallStrainLaw(formulation)
    return FiniteStrainLaw(formulation)
