"""Small-strain J2 plasticity with swelling eigenstrain: radial return and its consistent tangent.

Additive split ε = ε_e + ε_p + ε*, ε* the swelling eigenstrain (Ω Δc / 3 I in femsi),
isotropic linear elasticity σ = K tr(ε_e) I + 2 G dev(ε_e), von Mises yield function
f = q - σ_Y - H α with q = √(3/2) |s|, s = dev σ, associative flow ε̇_p = γ̇ √(3/2) n,
n = s/|s|, α̇ = γ̇ (the equivalent plastic strain).

Backward Euler (radial return; Simo & Hughes, Computational Inelasticity, 1998, box 3.2;
de Souza Neto, Perić & Owen, 2008, box 7.3): with the trial state
s_tr = 2 G dev(ε - ε* - ε_p,n), q_tr = √(3/2) |s_tr|, the increment Δγ comes from
``flow.plastic_increment`` and

    s = (1 - 3 G Δγ / q_tr) s_tr,  ε_p = ε_p,n + (3/2) Δγ s_tr / q_tr,  α = α_n + Δγ.

The algorithmic tangent dσ/dε (Simo & Taylor, CMAME 48 (1985) 101) is

    C = K 1⊗1 + 2 G θ I_dev + (6 G² Δγ / q_tr - 6 G² ρ) n⊗n,  θ = 1 - 3 G Δγ / q_tr,

with ρ = dΔγ/dq_tr from the flow rule (1/(3G + H) rate independent), which reduces to the
elastic tensor on elastic points and is exact for the viscoplastic rule too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from femsi.physics.plasticity.flow import FlowParameters, plastic_increment
from femsi.physics.plasticity.tensors import I2, I4_DEV, II, deviator, norm, outer, trace


@dataclass(frozen=True)
class SmallStrainState:
    """Result of one small-strain update at n points.

    Attributes:
        stress: Cauchy stress σ, (n, 3, 3).
        tangent: Algorithmic tangent dσ/dε, (n, 3, 3, 3, 3).
        plastic_strain: Trial plastic strain ε_p at the end of the step, (n, 3, 3).
        alpha: Trial equivalent plastic strain, (n,).
        dgamma: Increment of the equivalent plastic strain, (n,).
    """

    stress: np.ndarray
    tangent: np.ndarray
    plastic_strain: np.ndarray
    alpha: np.ndarray
    dgamma: np.ndarray


def small_strain_update(
    strain: np.ndarray,
    eigenstrain: np.ndarray,
    plastic_strain: np.ndarray,
    alpha: np.ndarray,
    bulk: np.ndarray,
    shear: np.ndarray,
    flow: FlowParameters,
    dt: float = 0.0,
) -> SmallStrainState:
    """Radial return from the committed history to the total strain ``strain``.

    Args:
        strain: Total strain ε, (n, 3, 3).
        eigenstrain: Swelling eigenstrain ε*: a scalar e* per point, (n,) (ε* = e* I), or a
            tensor, (n, 3, 3).
        plastic_strain: Committed plastic strain ε_p,n, (n, 3, 3).
        alpha: Committed equivalent plastic strain α_n, (n,).
        bulk: Bulk modulus K, (n,).
        shear: Shear modulus G, (n,).
        flow: Flow-rule parameters (yield stress at the current state of charge, ...).
        dt: Time step (viscoplastic rule only).

    Returns:
        Stress, tangent and the trial history.
    """
    eigenstrain = np.asarray(eigenstrain, dtype=float)
    if eigenstrain.ndim == 1:
        eigenstrain = eigenstrain[:, None, None] * I2
    elastic_trial = strain - eigenstrain - plastic_strain
    s_trial = 2.0 * shear[:, None, None] * deviator(elastic_trial)
    norm_s = norm(s_trial)
    q_trial = np.sqrt(1.5) * norm_s
    dgamma, rho = plastic_increment(q_trial, alpha, shear, flow, dt)
    safe_q = np.where(q_trial > 0.0, q_trial, 1.0)
    ratio = 3.0 * shear * dgamma / safe_q
    direction = s_trial / np.where(norm_s > 0.0, norm_s, 1.0)[:, None, None]
    pressure_part = bulk * trace(elastic_trial)
    stress = (1.0 - ratio)[:, None, None] * s_trial + pressure_part[:, None, None] * I2
    new_plastic = plastic_strain + (1.5 * dgamma / safe_q)[:, None, None] * s_trial
    g = shear[:, None, None, None, None]
    coefficient = (2.0 * shear * ratio - 6.0 * shear**2 * rho)[:, None, None, None, None]
    tangent = (
        bulk[:, None, None, None, None] * II
        + 2.0 * g * (1.0 - ratio)[:, None, None, None, None] * I4_DEV
        + coefficient * outer(direction, direction)
    )
    return SmallStrainState(stress, tangent, new_plastic, alpha + dgamma, dgamma)
