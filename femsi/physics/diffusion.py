"""Lithium transport in the active regions.

Fick diffusion with backward-Euler time stepping, weak form over the active regions Ω_a:
    ∫ (c - c_n)/Δt v dx + ∫ D(c) ∇c·∇v dx - ∫_Γa j v dA = 0,
with j the molar flux into the particle across the active surfaces Γa (galvanostatic), or
c = c_surface held on Γa (potentiostatic). The flux is written as a separate term so that a
stress-assisted flux, -D c Ω/(RT) ∇σ_h, is an addition to this form.
"""

from __future__ import annotations

import ufl


def diffusion_residual(c, c_n, v, dt, diffusivity, inward_flux, dx_active, surface_integral):
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
    """
    storage = (c - c_n) / dt * v * dx_active
    transport = diffusivity * ufl.inner(ufl.grad(c), ufl.grad(v)) * dx_active
    return storage + transport - surface_integral(inward_flux * v)
