"""The scalar plastic increment of J2 radial return, rate independent or viscoplastic.

Both return maps of femsi (small strain, ``small_strain.py``; finite strain in principal
logarithmic strains, ``finite_strain.py``) reduce to one scalar equation per point for the
increment Δγ of the equivalent plastic strain α, given the trial von Mises stress
q_tr = √(3/2) |s_tr| and the shear modulus G (the returned stress is q = q_tr - 3 G Δγ).
The flow stress is σ_f = σ_Y(SOC) + H α with linear isotropic hardening H.

Rate independent (Simo & Hughes, Computational Inelasticity, 1998, box 3.2; de Souza Neto,
Perić & Owen, Computational Methods for Plasticity, 2008, §7.3):

    q_tr - 3 G Δγ - σ_Y - H (α_n + Δγ) = 0  ⇒  Δγ = ⟨q_tr - σ_Y - H α_n⟩ / (3 G + H).

Viscoplastic power law (Bower, Guduru & Sethuraman, JMPS 59 (2011) 804, eq. 2.9, with
isotropic hardening in the flow stress):

    dα/dt = ε̇₀ ⟨q/σ_f - 1⟩^m,

integrated by backward Euler: Δγ = ε̇₀ Δt ⟨q/σ_f - 1⟩^m at the end of the step. With the
substitution z = (Δγ / (ε̇₀ Δt))^(1/m) ≥ 0 (the normalised overstress q/σ_f - 1) the equation

    r(z) = q_tr - 3 G A z^m - (σ_Y + H α_n + H A z^m)(1 + z) = 0,  A = ε̇₀ Δt,

is a concave, strictly decreasing polynomial in z for m ≥ 1 with r(0) > 0 on plastic points.
Newton's method started to the right of the root (r < 0) therefore converges monotonically
and quadratically; the start is the smaller of two upper bounds of the root,
(q_tr - σ_f,n)/σ_f,n and ((q_tr - σ_f,n)/((3G + H) A))^(1/m). As ε̇₀ Δt → ∞, z → 0 and the
rate-independent increment is recovered.

Each rule also returns ρ = dΔγ/dq_tr at fixed history, which the algorithmic tangents need:
ρ = 1/(3G + H) for the rate-independent rule and ρ = -A m z^(m-1) / r'(z) for the
viscoplastic one (zero on elastic points).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FlowParameters:
    """Per-point parameters of the flow rule (arrays of shape (n,)).

    Attributes:
        yield_stress: Initial yield stress σ_Y at the current state of charge, Pa
            (``inf`` for points that stay elastic).
        hardening: Linear isotropic hardening modulus H, Pa.
        rate: Reference plastic strain rate ε̇₀, 1/s (``inf``: rate independent).
        exponent: Rate exponent m ≥ 1 of the viscoplastic law (unused where rate is inf).
    """

    yield_stress: np.ndarray
    hardening: np.ndarray
    rate: np.ndarray
    exponent: np.ndarray

    @classmethod
    def uniform(
        cls,
        n: int,
        yield_stress: float,
        hardening: float = 0.0,
        rate: float = np.inf,
        exponent: float = 1.0,
    ) -> FlowParameters:
        """The same parameters at ``n`` points."""
        return cls(
            np.full(n, float(yield_stress)),
            np.full(n, float(hardening)),
            np.full(n, float(rate)),
            np.full(n, float(exponent)),
        )

    def take(self, index: np.ndarray) -> FlowParameters:
        """The parameters of a subset of points."""
        return FlowParameters(
            self.yield_stress[index], self.hardening[index], self.rate[index], self.exponent[index]
        )


def plastic_increment(
    q_trial: np.ndarray,
    alpha: np.ndarray,
    shear: np.ndarray,
    flow: FlowParameters,
    dt: float,
    *,
    tol: float = 1e-14,
    max_iterations: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Increment Δγ of the equivalent plastic strain and ρ = dΔγ/dq_tr at every point.

    Args:
        q_trial: Trial von Mises stress, shape (n,).
        alpha: Equivalent plastic strain at the start of the step, shape (n,).
        shear: Shear modulus G, shape (n,).
        flow: Flow parameters of the points.
        dt: Time step, s (only the viscoplastic rule uses it).
        tol: Relative tolerance of the viscoplastic Newton iteration on r(z) / q_tr.
        max_iterations: Iteration cap of the viscoplastic Newton iteration.

    Returns:
        (Δγ, ρ), each of shape (n,); both zero on elastic points.

    Raises:
        RuntimeError: The viscoplastic iteration did not converge (never seen for m ≥ 1).
    """
    three_g = 3.0 * shear
    h = flow.hardening
    sigma_f = flow.yield_stress + h * alpha
    overstress = q_trial - sigma_f
    plastic = overstress > 0.0
    dgamma = np.zeros_like(q_trial)
    rho = np.zeros_like(q_trial)
    rate_independent = plastic & np.isinf(flow.rate)
    ri = rate_independent
    dgamma[ri] = overstress[ri] / (three_g[ri] + h[ri])
    rho[ri] = 1.0 / (three_g[ri] + h[ri])
    viscous = plastic & np.isfinite(flow.rate)
    viscous[viscous] = flow.rate[viscous] * dt > 0.0  # no time, no viscous flow
    if np.any(viscous):
        v = viscous
        dgamma[v], rho[v] = _viscoplastic(
            q_trial[v],
            sigma_f[v],
            three_g[v],
            h[v],
            flow.rate[v] * dt,
            flow.exponent[v],
            tol,
            max_iterations,
        )
    return dgamma, rho


def _viscoplastic(q_tr, sigma_f, three_g, h, a, m, tol, max_iterations):
    """Backward-Euler power-law increment by Newton's method on z (module docstring)."""
    excess = q_tr - sigma_f
    z = np.minimum(excess / sigma_f, (excess / ((three_g + h) * a)) ** (1.0 / m))
    active = np.ones(z.shape, dtype=bool)
    for _ in range(max_iterations):
        zi, ai, mi = z[active], a[active], m[active]
        zm1 = zi ** (mi - 1.0)
        zm = zm1 * zi
        hi, sfi = h[active], sigma_f[active]
        r = q_tr[active] - three_g[active] * ai * zm - (sfi + hi * ai * zm) * (1.0 + zi)
        dr = -(three_g[active] + hi * (1.0 + zi)) * ai * mi * zm1 - sfi - hi * ai * zm
        z_new = np.maximum(zi - r / dr, 0.0)
        converged = np.abs(r) <= tol * q_tr[active]
        z[active] = np.where(converged, zi, z_new)
        index = np.flatnonzero(active)
        active[index[converged]] = False
        if not np.any(active):
            break
    else:
        raise RuntimeError("viscoplastic return mapping did not converge")
    zm1 = z ** (m - 1.0)
    dr = -(three_g + h * (1.0 + z)) * a * m * zm1 - sigma_f - h * a * zm1 * z
    return a * zm1 * z, -a * m * zm1 / dr
