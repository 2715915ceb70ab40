"""Elastic energies and Cauchy stresses with swelling.

Small strain (linear isotropic), with ε_e = ε - ε*:
    ψ = μ ε_e : ε_e + λ/2 (tr ε_e)²,  σ = 2μ ε_e + λ tr(ε_e) I.

Finite strain (compressible neo-Hookean), F = F_e F_s, F_s = J_s^(1/3) I, J_e = det F / J_s,
energy per unit reference volume (the J_s factor counts the swollen intermediate volume):
    ψ_R = J_s [μ/2 (tr(F_eᵀF_e) - 3 - 2 ln J_e) + λ/2 (ln J_e)²],
    σ = (1/J_e) [μ (b_e - I) + λ ln J_e I],  b_e = F_e F_eᵀ.
In 2D the tensors are 3×3 (:mod:`femsi.physics.kinematics`): plane strain has ε_zz = 0 and
reports σ_zz; axisymmetry has ε_θθ = u_r/r (F_θθ = 1 + u_r/r) and reports σ_θθ.
Both are written as strain energies so that the residual and its tangent come from
``ufl.derivative``; plasticity enters later through F_e (or ε_e) only.
"""

from __future__ import annotations

import ufl

from femsi.physics.kinematics import deformation_gradient, displacement_gradient, small_strain


def lame(E, nu):
    """Lamé parameters (μ, λ) from Young's modulus and Poisson's ratio."""
    mu = E / (2 * (1 + nu))
    lmbda = E * nu / ((1 + nu) * (1 - 2 * nu))
    return mu, lmbda


def small_strain_energy(u, eps_star, mu, lmbda, formulation: str = "3d"):
    """ψ of linear elasticity with eigenstrain ε* (``formulation``: see ``kinematics``)."""
    return small_strain_energy_density(displacement_gradient(u, formulation), eps_star, mu, lmbda)


def small_strain_energy_density(grad_u, eps_star, mu, lmbda):
    """ψ of linear elasticity with eigenstrain ε* for a 3×3 displacement gradient ∇u."""
    eps_e = ufl.sym(grad_u) - eps_star
    return mu * ufl.inner(eps_e, eps_e) + lmbda / 2 * ufl.tr(eps_e) ** 2


def small_strain_stress(u, eps_star, mu, lmbda, formulation: str = "3d", axis_limit=False):
    """σ of linear elasticity with eigenstrain ε* (3×3, with σ_zz or σ_θθ in 2D)."""
    eps_e = small_strain(u, formulation, axis_limit) - eps_star
    return 2 * mu * eps_e + lmbda * ufl.tr(eps_e) * ufl.Identity(3)


def neo_hookean_energy(u, js, mu, lmbda, formulation: str = "3d"):
    """ψ_R of the swelling compressible neo-Hookean solid per reference volume."""
    return neo_hookean_energy_density(displacement_gradient(u, formulation), js, mu, lmbda)


def neo_hookean_energy_density(grad_u, js, mu, lmbda):
    """ψ_R of the swelling neo-Hookean solid for a 3×3 displacement gradient ∇u (F = I + ∇u)."""
    F = ufl.Identity(3) + grad_u
    Fe = F * js ** (-1.0 / 3.0)
    ln_je = ufl.ln(ufl.det(F) / js)
    return js * (mu / 2 * (ufl.tr(Fe.T * Fe) - 3 - 2 * ln_je) + lmbda / 2 * ln_je**2)


def neo_hookean_stress(u, js, mu, lmbda, formulation: str = "3d", axis_limit=False):
    """Cauchy σ of the swelling compressible neo-Hookean solid (3×3)."""
    F = deformation_gradient(u, formulation, axis_limit)
    Fe = F * js ** (-1.0 / 3.0)
    je = ufl.det(F) / js
    be = Fe * Fe.T
    return (mu * (be - ufl.Identity(3)) + lmbda * ufl.ln(je) * ufl.Identity(3)) / je
