"""Closed-form references of the verification tests, computed here from the formulas."""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq


def tan_roots(n: int) -> np.ndarray:
    """The first n positive roots of tan(l) = l."""
    return np.array(
        [
            brentq(lambda x: np.tan(x) - x, k * np.pi + 1e-9, k * np.pi + np.pi / 2 - 1e-9)
            for k in range(1, n + 1)
        ]
    )


def galvanostatic_concentration(x, tau: float, terms: int = 200) -> np.ndarray:
    """c/C in a sphere under a constant inward flux J, C = J R/D.

    Cheng & Verbrugge, J. Power Sources 190 (2009) 453 (galvanostatic series, λ the roots of
    tan λ = λ).
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    out = 3 * tau + x**2 / 2 - 3 / 10
    for lam in tan_roots(terms):
        # sin(λx)/x tends to λ as x -> 0
        ratio = np.where(x > 1e-12, np.sin(lam * x) / np.where(x > 1e-12, x, 1.0), lam)
        out = out - 2 * ratio / (lam**2 * np.sin(lam)) * np.exp(-(lam**2) * tau)
    return out


def potentiostatic_concentration(x, tau: float, terms: int = 400) -> np.ndarray:
    """c/Δc in a sphere whose surface is held at Δc from t = 0.

    Crank, The Mathematics of Diffusion, 2nd ed. (1975), eq. 6.18.
    """
    x = np.atleast_1d(np.asarray(x, dtype=float))
    out = np.ones_like(x)
    for n in range(1, terms + 1):
        ratio = np.where(x > 1e-12, np.sin(n * np.pi * x) / np.where(x > 1e-12, x, 1.0), n * np.pi)
        out = out + 2 / np.pi * (-1) ** n / n * ratio * np.exp(-(n**2) * np.pi**2 * tau)
    return out


def sphere_stresses(profile, x: float, n: int = 4001) -> tuple[float, float]:
    """(σ_r, σ_θ) / (Ω E/(3(1-ν))) for a radial profile c(s) (Cheng & Verbrugge 2009)."""

    def integral(upper):
        if upper <= 0:
            return 0.0
        s = np.linspace(0.0, upper, n)
        return np.trapezoid(profile(s) * s**2, s) / upper**3

    i1 = integral(1.0)
    ix = integral(x) if x > 0 else profile(np.array([0.0]))[0] / 3
    sr = 2 * (i1 - ix)
    st = 2 * i1 + ix - profile(np.array([x]))[0]
    return sr, st


def eshelby_pressure(e_star, E1, nu1, E2, nu2, b_over_a=None, outer="infinite") -> float:
    """Interface pressure of a swelling sphere in a concentric shell.

    Infinite matrix: Eshelby, Proc. R. Soc. A 241 (1957) 376. Finite shell b/a, outer surface
    free or fixed: the core's uniform state matched to Lamé's hollow sphere u = A r + B/r²
    (Timoshenko & Goodier, Theory of Elasticity, 3rd ed., 1970).
    """
    K1 = E1 / (3 * (1 - 2 * nu1))
    K2 = E2 / (3 * (1 - 2 * nu2))
    G2 = E2 / (2 * (1 + nu2))
    if outer == "infinite":
        return e_star / (1 / (3 * K1) + 1 / (4 * G2))
    f = 1 / b_over_a**3
    if outer == "free":
        return e_star / (1 / (3 * K1) + (4 * G2 * f + 3 * K2) / (12 * K2 * G2 * (1 - f)))
    return e_star / (1 / (3 * K1) + (1 - f) / (3 * K2 * f + 4 * G2))


def rigid_cavity_pressure(E, nu, js) -> float:
    """p = J_s [μ (1 - J_s^(-2/3)) + λ ln J_s]: uniform swelling J_s in a rigid cavity.

    From femsi's compressible neo-Hookean law with F = F_e F_s (femsi.physics.elasticity;
    the split as in Bower, Guduru & Sethuraman, JMPS 59 (2011) 804): F = I, J_e = 1/J_s, and
    the J_s factor of the energy per reference volume.
    """
    mu = E / (2 * (1 + nu))
    lmbda = E * nu / ((1 + nu) * (1 - 2 * nu))
    return js * (mu * (1 - js ** (-2 / 3)) + lmbda * np.log(js))
