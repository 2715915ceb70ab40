"""Lithium transport in the active regions.

Fick diffusion with backward-Euler time stepping, weak form over the active regions Ω_a:
    ∫ (c - c_n)/Δt v dx + ∫ D(c) ∇c·∇v dx - ∫_Γa j v dA = 0,
with j the molar flux into the particle across the active surfaces Γa (galvanostatic), or
c = c_surface held on Γa (potentiostatic).

Two-way stress-diffusion coupling (``physics.stress_diffusion_coupling``): the chemical
potential of lithium in the host is (Larché & Cahn; Prussin 1961; Zhang, Shyy & Sastry,
J. Electrochem. Soc. 154 (2007) A910; Bower, Guduru & Sethuraman, JMPS 59 (2011) 804)

    μ = μ0 + RT ln x - Ω σ_h           (``chemical_potential: dilute``, the default), or
    μ = μ0 + RT ln(x/(1 - x)) - Ω σ_h  (``ideal_solution``), x = c/c_max,

and the flux J = -(D c/RT) ∇μ, i.e.

    J = -D ∇c + D c Ω/(RT) ∇σ_h          (dilute: Fick when σ_h = 0), or
    J = -D/(1 - x) ∇c + D c Ω/(RT) ∇σ_h  (ideal solution: the thermodynamic factor).

Lithium flows toward tension. In the weak form the stress term is -∫ J_σ · ∇v dx with
J_σ = D c Ω/(RT) ∇σ_h (:func:`stress_flux`). Everything is written on the reference
(unlithiated) configuration, c per unit reference volume. σ_h is the Cauchy hydrostatic stress
as a UFL expression of (u, c), and ∇σ_h its elementwise gradient: with P2 displacements the
stress is P1 inside each cell, so ∇σ_h is piecewise constant (the gradient of the stress of a
P1 displacement would miss the ∇∇u part, hence coupling needs ``displacement_degree: 2``).
"""

from __future__ import annotations

import ufl

#: Molar gas constant R, J/(mol K) (CODATA 2018, exact).
GAS_CONSTANT = 8.314462618
#: Faraday constant F, C/mol (CODATA 2018, exact; the same value as femsi.solvers.protocol).
FARADAY = 96485.33212


def diffusion_residual(
    c, c_n, v, dt, diffusivity, inward_flux, dx_active, surface_integral, dx_storage=None
):
    """The residual of one backward-Euler step.

    Args:
        c: Concentration at the new time (unknown).
        c_n: Concentration at the previous time.
        v: Test function.
        dt: Time step (a Constant).
        diffusivity: D as a UFL expression (may depend on c).
        inward_flux: Molar flux into the active regions, mol/m²/s (a Constant).
        dx_active: Cell measure over the active regions.
        surface_integral: Callable integrating a continuous integrand over the active surfaces.
        dx_storage: Measure of the storage term (a lumped, vertex-rule measure), default
            ``dx_active``.
    """
    storage = (c - c_n) / dt * v * (dx_storage or dx_active)
    transport = diffusivity * ufl.inner(ufl.grad(c), ufl.grad(v)) * dx_active
    return storage + transport - surface_integral(inward_flux * v)


def stress_flux(c, diffusivity, omega, hydrostatic_stress, rt):
    """J_σ = D c Ω/(RT) ∇σ_h: the stress-driven part of the lithium flux (toward tension).

    Args:
        c: Concentration (mol/m³, UFL).
        diffusivity: D (UFL).
        omega: Partial molar volume Ω (UFL, zero outside active regions).
        hydrostatic_stress: Cauchy σ_h as a UFL expression of the unknowns.
        rt: R T (UFL or float), J/mol.
    """
    return diffusivity * c * omega / rt * ufl.grad(hydrostatic_stress)
