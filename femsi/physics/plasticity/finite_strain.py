"""Finite-strain J2 plasticity with swelling: exponential-map return in logarithmic strains.

Kinematics F = F_e F_p F_s, F_s = J_s^(1/3) I (isotropic swelling, J_s = 1 + Ω Δc), det F_p = 1.
The plastic history is C_p⁻¹ = F_p⁻¹ F_p⁻ᵀ (a reference-configuration tensor, so no previous F
is needed) and the equivalent plastic strain α. The elastic left Cauchy-Green tensor is

    b_e = F_e F_eᵀ = J_s^(-2/3) F C_p⁻¹ Fᵀ.

Elasticity is Hencky's: with ε_e = ½ ln b_e (logarithmic elastic strain), the Kirchhoff stress
τ = K tr(ε_e) I + 2 G dev(ε_e) per unit intermediate (swollen, unstressed) volume. Plastic flow
is J2 in τ with an exponential-map backward-Euler update (Weber & Anand, CMAME 79 (1990) 173;
Eterovic & Bathe, IJNME 30 (1990) 1099; Simo, CMAME 99 (1992) 61; de Souza Neto et al. 2008,
§14.5): the trial state b_e,tr = J_s^(-2/3) F C_p,n⁻¹ Fᵀ, eigen-decomposed as Σ λ_a² n_a ⊗ n_a,
gives principal trial strains ε_a = ln λ_a and a radial return in principal space that is the
small-strain one (``flow.plastic_increment``) applied to the principal deviator:

    dev ε_e = (1 - 3 G Δγ / q_tr) dev ε_tr,  tr ε_e = tr ε_tr,  b_e = Σ exp(2 ε_e,a) n_a ⊗ n_a,
    C_p⁻¹ = J_s^(2/3) F⁻¹ b_e F⁻ᵀ,  α = α_n + Δγ.

Stress for the residual: femsi counts energy per reference volume, ψ_R = J_s ψ(F_e) (see
``femsi/physics/elasticity.py``), so the first Piola-Kirchhoff stress is

    P = J_s τ F⁻ᵀ = J σ F⁻ᵀ,  σ = τ / J_e,  J_e = det F / J_s,

and the weak form is ∫ P : ∇v dX. Without plasticity this is the hyperelastic stress of the
Hencky energy ψ = K/2 (tr ε_e)² + G |dev ε_e|². It equals femsi's neo-Hookean law to first
order in the elastic strain (same K and G), so the two agree in the small-elastic-strain
limit at any swelling, but differ at large elastic strains (|ε_e| ≳ 1 %: the relative
difference is of the order of the elastic strain).

Tangent (closed form, no special cases): τ is an isotropic function of b_e,tr whose principal
values τ_a depend on the principal values x_a = λ_a² through the principal-space algorithmic
tangent D_ab = ∂τ_a/∂ε_b = K + 2 G θ (δ_ab - 1/3) + (6 G² Δγ/q_tr - 6 G² ρ) n_a n_b of the
small-strain return (θ = 1 - 3 G Δγ/q_tr, n the unit principal deviator). Its derivative is
(Daleckiĭ-Kreĭn; Miehe, CMAME 134 (1996) 223; de Souza Neto et al. 2008, appendix A)

    ∂τ/∂b_e,tr = Σ_ab D_ab/(2 x_b) n_a⊗n_a⊗n_b⊗n_b + Σ_(a≠b) W_ab n_a⊗n_b⊗n_a⊗n_b,
    W_ab = (τ_a - τ_b)/(x_a - x_b) = G θ (ln x_a - ln x_b)/(x_a - x_b),

because the radial return scales all principal deviators by the same θ. The divided
difference of ln is evaluated as log1p(d)/(d x_b), d = x_a/x_b - 1, which is accurate for
any d and tends to 1/x_b as d → 0, so repeated eigenvalues (uniform swelling, plane and
axisymmetric states) need no tolerance or perturbation, and the sum is independent of the
eigenvector basis chosen inside a repeated eigenspace. The chain rule through
b_e,tr = J_s^(-2/3) F C_p⁻¹ Fᵀ and P = J_s τ F⁻ᵀ gives dP/dF; tests check it against central
differences of the update.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from femsi.physics.plasticity.flow import FlowParameters, plastic_increment
from femsi.physics.plasticity.tensors import spectral


@dataclass(frozen=True)
class FiniteStrainState:
    """Result of one finite-strain update at n points.

    Attributes:
        first_piola: P = J_s τ F⁻ᵀ per reference volume, (n, 3, 3).
        tangent: dP/dF, (n, 3, 3, 3, 3) (``None`` when not requested).
        kirchhoff: Kirchhoff stress τ per intermediate volume, (n, 3, 3).
        cauchy: Cauchy stress σ = τ / J_e, (n, 3, 3).
        inverse_plastic_cauchy_green: Trial history C_p⁻¹, (n, 3, 3).
        alpha: Trial equivalent plastic strain, (n,).
        dgamma: Increment of the equivalent plastic strain, (n,).
    """

    first_piola: np.ndarray
    tangent: np.ndarray | None
    kirchhoff: np.ndarray
    cauchy: np.ndarray
    inverse_plastic_cauchy_green: np.ndarray
    alpha: np.ndarray
    dgamma: np.ndarray


def finite_strain_update(
    F: np.ndarray,
    js: np.ndarray,
    cp_inv: np.ndarray,
    alpha: np.ndarray,
    bulk: np.ndarray,
    shear: np.ndarray,
    flow: FlowParameters,
    dt: float = 0.0,
    *,
    tangent: bool = True,
) -> FiniteStrainState:
    """Exponential-map return from the committed history to the deformation gradient F.

    Args:
        F: Deformation gradient, (n, 3, 3).
        js: Swelling volume ratio J_s, (n,).
        cp_inv: Committed C_p⁻¹, (n, 3, 3) (identity initially).
        alpha: Committed equivalent plastic strain, (n,).
        bulk: Bulk modulus K, (n,).
        shear: Shear modulus G, (n,).
        flow: Flow-rule parameters.
        dt: Time step (viscoplastic rule only).
        tangent: Whether to compute dP/dF.

    Returns:
        Stresses, tangent and the trial history.
    """
    js = np.asarray(js, dtype=float)
    ret = _principal_return(F, js, cp_inv, alpha, bulk, shear, flow, dt)
    tau = spectral(ret.tau, ret.vectors)
    be = spectral(np.exp(2.0 * ret.elastic_strain), ret.vectors)
    f_inv = np.linalg.inv(F)
    f_inv_t = f_inv.transpose(0, 2, 1)
    tau_f_inv_t = tau @ f_inv_t
    je = np.linalg.det(F) / js
    new_cp_inv = js[:, None, None] ** (2.0 / 3.0) * f_inv @ be @ f_inv_t
    new_cp_inv = 0.5 * (new_cp_inv + new_cp_inv.transpose(0, 2, 1))
    dpdf = None
    if tangent:
        dtau_dbe = _kirchhoff_derivative(ret, bulk, shear)
        dpdf = _chain_rule(dtau_dbe, F @ cp_inv, f_inv, tau_f_inv_t, js)
    return FiniteStrainState(
        js[:, None, None] * tau_f_inv_t,
        dpdf,
        tau,
        tau / je[:, None, None],
        new_cp_inv,
        alpha + ret.dgamma,
        ret.dgamma,
    )


@dataclass(frozen=True)
class _PrincipalReturn:
    squares: np.ndarray  # x_a, eigenvalues of b_e,tr, (n, 3)
    vectors: np.ndarray  # eigenvectors (columns), (n, 3, 3)
    elastic_strain: np.ndarray  # returned principal log strains, (n, 3)
    tau: np.ndarray  # principal Kirchhoff stresses, (n, 3)
    direction: np.ndarray  # unit principal deviator of the trial strain, (n, 3)
    theta: np.ndarray  # 1 - 3 G Δγ / q_tr, (n,)
    rho: np.ndarray  # dΔγ/dq_tr, (n,)
    dgamma: np.ndarray  # (n,)


def _principal_return(F, js, cp_inv, alpha, bulk, shear, flow, dt) -> _PrincipalReturn:
    """Trial b_e, its spectral decomposition and the radial return of the principal strains."""
    be_trial = js[:, None, None] ** (-2.0 / 3.0) * F @ cp_inv @ F.transpose(0, 2, 1)
    be_trial = 0.5 * (be_trial + be_trial.transpose(0, 2, 1))
    squares, vectors = np.linalg.eigh(be_trial)
    strain = 0.5 * np.log(squares)
    volumetric = strain.sum(axis=1)
    dev = strain - volumetric[:, None] / 3.0
    dev_norm = np.sqrt(np.einsum("na,na->n", dev, dev))
    q_trial = np.sqrt(1.5) * 2.0 * shear * dev_norm
    dgamma, rho = plastic_increment(q_trial, alpha, shear, flow, dt)
    theta = 1.0 - 3.0 * shear * dgamma / np.where(q_trial > 0.0, q_trial, 1.0)
    dev = theta[:, None] * dev
    direction = dev / np.where(dev_norm > 0.0, theta * dev_norm, 1.0)[:, None]
    tau = (bulk * volumetric)[:, None] + 2.0 * shear[:, None] * dev
    elastic_strain = volumetric[:, None] / 3.0 + dev
    return _PrincipalReturn(squares, vectors, elastic_strain, tau, direction, theta, rho, dgamma)


def _kirchhoff_derivative(ret: _PrincipalReturn, bulk, shear) -> np.ndarray:
    """∂τ/∂b_e,tr, (n, 3, 3, 3, 3) (module docstring)."""
    g = shear[:, None, None]
    theta = ret.theta[:, None, None]
    x = ret.squares
    coupling = 2.0 * shear * (1.0 - ret.theta) - 6.0 * shear**2 * ret.rho
    d = (
        bulk[:, None, None]
        + 2.0 * g * theta * (np.eye(3) - 1.0 / 3.0)
        + coupling[:, None, None] * ret.direction[:, :, None] * ret.direction[:, None, :]
    )
    c = d / (2.0 * x[:, None, :])
    ratio = x[:, :, None] / x[:, None, :] - 1.0
    safe = np.where(ratio == 0.0, 1.0, ratio)
    log_quotient = np.where(ratio == 0.0, 1.0, np.log1p(safe) / safe)
    w = g * theta * log_quotient / x[:, None, :] * (1.0 - np.eye(3))
    n = x.shape[0]
    # Batched matrix products over flattened index pairs (ab), (ij), (kl): far faster than
    # a five-index einsum.
    pairs = np.einsum("nia,njb->nabij", ret.vectors, ret.vectors).reshape(n, 9, 9)
    diagonal = pairs[:, [0, 4, 8], :]
    spectral_part = diagonal.transpose(0, 2, 1) @ c @ diagonal
    spin_part = pairs.transpose(0, 2, 1) @ (w.reshape(n, 9, 1) * pairs)
    return (spectral_part + spin_part).reshape(n, 3, 3, 3, 3)


def _chain_rule(dtau_dbe, f_cp_inv, f_inv, tau_f_inv_t, js) -> np.ndarray:
    """DP/dF from ∂τ/∂b_e,tr through b_e,tr = J_s^(-2/3) F C_p⁻¹ Fᵀ and P = J_s τ F⁻ᵀ."""
    n = js.shape[0]
    t = dtau_dbe.reshape(n, 27, 3)  # (ij k), l
    t_swapped = dtau_dbe.transpose(0, 1, 2, 4, 3).reshape(n, 27, 3)  # (ij l), k
    # dτ_ij/dF_mn = J_s^(-2/3) (T_ijml A_ln + T_ijkm A_kn), A = F C_p⁻¹
    dtau_df = (t @ f_cp_inv + t_swapped @ f_cp_inv).reshape(n, 3, 3, 9)
    dtau_df *= js[:, None, None, None] ** (-2.0 / 3.0)
    # dP_ij/dF_mn = J_s (dτ_ip/dF_mn F⁻¹_jp - (τ F⁻ᵀ)_in F⁻¹_jm)
    first = f_inv[:, None, :, :] @ dtau_df  # (n, i, j, mn)
    second = (tau_f_inv_t[:, :, None, None, :] * f_inv[:, None, :, :, None]).reshape(n, 3, 3, 9)
    return (js[:, None, None, None] * (first - second)).reshape(n, 3, 3, 3, 3)
