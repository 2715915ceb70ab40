"""Tension–compression splits of the elastic strain energy, ψ = ψ⁺ + ψ⁻ (UFL).

Only ψ⁺ is degraded, ψ_d = g(d) ψ⁺ + ψ⁻, so that compression does not crack. The argument is
the 3×3 elastic strain ε_e = ε(u) - ε*, the swelling eigenstrain removed (so lithiation or
delithiation under constraint is what loads the crack), in 3D or a 2D section
(:mod:`femsi.physics.kinematics`: plane strain with ε_zz = 0, axisymmetry with ε_θθ = u_r/r).
With λ, μ the Lamé constants and K = λ + 2μ/3, ⟨x⟩± = (x ± |x|)/2:

- ``none``: ψ⁺ = ψ = λ/2 (tr ε)² + μ ε : ε (isotropic degradation, Bourdin et al. 2000);
- ``volumetric_deviatoric`` (Amor, Marigo & Maurini, JMPS 57 (2009) 1209):
  ψ⁺ = K/2 ⟨tr ε⟩₊² + μ dev ε : dev ε;
- ``spectral`` (Miehe, Welschinger & Hofacker, IJNME 83 (2010) 1273):
  ψ⁺ = λ/2 ⟨tr ε⟩₊² + μ Σ_a ⟨ε_a⟩₊², ε_a the principal strains.

ψ⁻ = ψ - ψ⁺ in every case. The stresses are the derivatives of these energies (UFL).

Principal strains. In a 2D section the 3×3 strain is block diagonal (the out-of-plane strain
ε_zz or ε_θθ is a principal strain), and the in-plane pair is m ± r with m = (ε_xx + ε_yy)/2,
r = √(((ε_xx - ε_yy)/2)² + ε_xy² + δ²). In 3D, with q = tr ε/3, p = √(J₂/3 + δ²) and
ρ = det((ε - q I)/p)/2 ∈ [-1, 1], the largest and smallest principal strains are

    ε₁ = q + 2p c(ρ),   ε₃ = q - 2p c(-ρ),   ε₂ = 3q - ε₁ - ε₃,

c(ρ) the largest root of 4c³ - 3c = ρ (c = cos(arccos(ρ)/3), the trigonometric solution of
the characteristic cubic). c is analytic at ρ = 1, where two principal strains are equal, but
arccos is not: there c is evaluated by its series c = 1 - s/9 - 4s²/243 - 28s³/6561 -
80s⁴/59049, s = 1 - ρ < 10⁻³ (truncation error below 10⁻¹⁸). The spectral energy then uses
only eigenvalues that are simple where they are used:

    Σ ⟨ε_a⟩₊² = ε : ε             if ε₃ ≥ 0,
              = ⟨ε₁⟩₊²          if ε₂ ≤ 0 (ε₁ > ε₂ unless both are ≤ 0),
              = ε : ε - ε₃²      otherwise (ε₂ > 0 ≥ ε₃),

so its derivatives (stress and tangent) are exact and continuous through equal principal
strains (uniaxial and equibiaxial states); the only kinks are the model's own, where a
principal strain changes sign (C¹ there). The small δ (1e-12, a strain) keeps r and p away
from zero at an isotropic strain (the undeformed state), where their derivatives would divide
by zero; it moves the principal strains by about δ.
"""

from __future__ import annotations

import ufl

#: The energy splits femsi knows.
SPLITS = ("none", "volumetric_deviatoric", "spectral")
_DELTA = 1e-12


def positive(x):
    """⟨x⟩₊ = (x + |x|)/2 (UFL)."""
    return (x + abs(x)) / 2


def _largest_root(rho):
    """c(ρ): the largest root of 4c³ - 3c = ρ for ρ in [-1, 1] (UFL; module docstring)."""
    s = 1 - rho
    series = 1 - s * (1 / 9 + s * (4 / 243 + s * (28 / 6561 + s * 80 / 59049)))
    # Kept inside (-1, 1): the unused branch must stay finite where arccos' is infinite.
    inside = ufl.max_value(ufl.min_value(rho, 1 - 1e-14), -1 + 1e-14)
    trigonometric = ufl.cos(ufl.acos(inside) / 3)
    return ufl.conditional(ufl.lt(s, 1e-3), series, trigonometric)


def principal_strains(eps, formulation: str = "3d"):
    """The three principal values of a symmetric 3×3 strain (UFL; see the module docstring).

    Args:
        eps: A symmetric 3×3 UFL tensor.
        formulation: ``3d`` (largest, middle, smallest); ``plane_strain`` or
            ``axisymmetric``: a block-diagonal tensor whose third row and column hold only
            the out-of-plane principal strain (in-plane larger, smaller, out-of-plane).
    """
    if formulation != "3d":
        m = (eps[0, 0] + eps[1, 1]) / 2
        shear = (eps[0, 1] + eps[1, 0]) / 2
        r = ufl.sqrt(((eps[0, 0] - eps[1, 1]) / 2) ** 2 + shear**2 + _DELTA**2)
        return m + r, m - r, eps[2, 2]
    q = ufl.tr(eps) / 3
    s = eps - q * ufl.Identity(3)
    p = ufl.sqrt(ufl.inner(s, s) / 6 + _DELTA**2)
    rho = ufl.det(s / p) / 2
    largest = q + 2 * p * _largest_root(rho)
    smallest = q - 2 * p * _largest_root(-rho)
    return largest, 3 * q - largest - smallest, smallest


def _positive_squares(eps, formulation: str):
    """Σ_a ⟨ε_a⟩₊² (UFL), through simple eigenvalues only in 3D (module docstring)."""
    e1, e2, e3 = principal_strains(eps, formulation)
    if formulation != "3d":
        return positive(e1) ** 2 + positive(e2) ** 2 + positive(e3) ** 2
    all_squares = ufl.inner(eps, eps)
    return ufl.conditional(
        ufl.ge(e3, 0),
        all_squares,
        ufl.conditional(ufl.le(e2, 0), positive(e1) ** 2, all_squares - e3**2),
    )


def split_energy(eps, mu, lmbda, kind: str, formulation: str = "3d"):
    """(ψ⁺, ψ⁻) of the elastic strain ``eps`` for the split ``kind`` (UFL).

    Args:
        eps: Symmetric 3×3 elastic strain ε_e.
        mu: Shear modulus μ.
        lmbda: Lamé's λ.
        kind: ``none``, ``volumetric_deviatoric`` or ``spectral``.
        formulation: ``3d``, ``plane_strain`` or ``axisymmetric`` (see
            :func:`principal_strains`).
    """
    if kind not in SPLITS:
        raise ValueError(f"energy split must be one of {SPLITS}, got {kind!r}")
    tr = ufl.tr(eps)
    psi = lmbda / 2 * tr**2 + mu * ufl.inner(eps, eps)
    if kind == "none":
        return psi, 0 * psi
    if kind == "volumetric_deviatoric":
        bulk = lmbda + 2 * mu / 3
        dev = ufl.dev(eps)
        psi_plus = bulk / 2 * positive(tr) ** 2 + mu * ufl.inner(dev, dev)
    else:
        psi_plus = lmbda / 2 * positive(tr) ** 2 + mu * _positive_squares(eps, formulation)
    return psi_plus, psi - psi_plus
