"""Energy release rate and stress intensity factors of a 2D crack by domain integrals.

Plane strain, small strain, isotropic linear elasticity with an isotropic eigenstrain
(swelling) ε* = β I (3×3, β = Ω c / 3 for lithiation). The in-plane problem is written with
3×3 tensors whose out-of-plane strain is zero, so that σ_zz = λ tr(ε_e) − 2μβ and the strain
energy ψ = ½ σ : ε_e include the out-of-plane part:

    ε_e = ε(u) − β I,   σ = λ tr(ε_e) I + 2μ ε_e,   ψ = ½ σ : ε_e.

Energy release rate (G-θ / equivalent domain integral; Destuynder & Djaoua 1981, Li, Shih &
Needleman 1985). With the Eshelby tensor Σ = ψ I − ∇uᵀ σ, whose divergence is
div Σ = −σ : ∇ε* (Nakamura & Parks 1989 for thermal strains), and a virtual crack-advance
field θ = q e (q = 1 at the tip, 0 outside a ring, e the crack direction):

    G = ∫ [σ : (∇u ∇θ) − ψ div θ] dA + ∫ θ · ∇β tr(σ) dA.

Without the last (eigenstrain-gradient) term G depends on the ring under swelling gradients.
q is the P1 interpolant of the plateau q(r) = clamp((r₂ − r)/(r₂ − r₁), 0, 1), r = |x − tip|.

Stress intensity factors (interaction integral; Yau, Wang & Corten 1980): with the Williams
auxiliary field of unit K_I (or K_II) at the tip, u_aux, σ_aux,

    M = ∫ [σ : (∇u_aux ∇θ) + σ_aux : (∇u ∇θ) − (σ_aux : ε_e) div θ] dA
        + ∫ θ · ∇β tr(σ_aux) dA,
    K_I = M_I E / (2 (1 − ν²)),   K_II = M_II E / (2 (1 − ν²)),

and G = (1 − ν²)(K_I² + K_II²)/E for a traction-free straight crack (plane strain).

All forms are compiled once: the tip, the direction, the ring radii and the auxiliary mode are
Constants, q a Function re-interpolated per ring. The quadrature degree is explicit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.parallel import ScalarForm


def lame(E: float, nu: float) -> tuple[float, float]:
    """Lamé constants (λ, μ) from Young's modulus and Poisson's ratio."""
    return E * nu / ((1 + nu) * (1 - 2 * nu)), E / (2 * (1 + nu))


def _as_3d(t2):
    """A 2×2 in-plane tensor as 3×3 with zero out-of-plane row and column."""
    return ufl.as_tensor(
        [[t2[0, 0], t2[0, 1], 0], [t2[1, 0], t2[1, 1], 0], [0, 0, 0]],
    )


def elastic_strain(u, beta=None):
    """3×3 plane-strain elastic strain ε(u) − β I."""
    eps = _as_3d(ufl.sym(ufl.grad(u)))
    return eps if beta is None else eps - beta * ufl.Identity(3)


def stress(u, E: float, nu: float, beta=None):
    """3×3 plane-strain stress λ tr(ε_e) I + 2μ ε_e (σ_zz included)."""
    lmbda, mu = lame(E, nu)
    ee = elastic_strain(u, beta)
    return lmbda * ufl.tr(ee) * ufl.Identity(3) + 2 * mu * ee


def in_plane(t3):
    """The in-plane 2×2 block of a 3×3 tensor."""
    return ufl.as_tensor([[t3[0, 0], t3[0, 1]], [t3[1, 0], t3[1, 1]]])


@dataclass(frozen=True)
class CrackResult:
    """Domain-integral results of one tip on several rings.

    Attributes:
        G: Energy release rate on each ring, J/m².
        K_I: Mode-I stress intensity factor on each ring, Pa√m.
        K_II: Mode-II stress intensity factor on each ring, Pa√m.
    """

    G: np.ndarray
    K_I: np.ndarray
    K_II: np.ndarray

    @property
    def G_mean(self) -> float:
        """Mean of G over the rings."""
        return float(np.mean(self.G))

    @property
    def G_spread(self) -> float:
        """(max − min)/|mean| of G over the rings."""
        return float(np.ptp(self.G) / abs(np.mean(self.G)))


class DomainIntegral:
    """G and K_I, K_II of a 2D crack tip by domain integrals on rings.

    Args:
        u: Displacement (vector Function on a 2D mesh).
        E: Young's modulus, Pa.
        nu: Poisson's ratio.
        degree: Quadrature degree of the integrals.
        beta: Isotropic eigenstrain β (scalar Function), or None.
        eigenstrain_term: Include ∫ θ·∇β tr σ dA (switch off only to show why it is needed).
    """

    def __init__(self, u, E: float, nu: float, degree: int, beta=None, eigenstrain_term=True):
        msh = u.function_space.mesh
        self.E, self.nu = E, nu
        self.tip = fem.Constant(msh, np.zeros(2))
        self.direction = fem.Constant(msh, np.array([1.0, 0.0]))
        self.r1 = fem.Constant(msh, 0.0)
        self.r2 = fem.Constant(msh, 1.0)
        self.mode = fem.Constant(msh, np.array([1.0, 0.0]))
        self.q = fem.Function(fem.functionspace(msh, ("Lagrange", 1)))
        x = ufl.SpatialCoordinate(msh)
        r = ufl.sqrt(ufl.dot(x - self.tip, x - self.tip))
        ramp = (self.r2 - r) / (self.r2 - self.r1)
        plateau = ufl.max_value(0.0, ufl.min_value(1.0, ramp))
        self._q_expr = fem.Expression(plateau, self.q.function_space.element.interpolation_points)

        dx = ufl.Measure("dx", domain=msh, metadata={"quadrature_degree": degree})
        theta = self.q * self.direction
        grad_theta = ufl.grad(theta)
        div_theta = ufl.div(theta)
        sigma3 = stress(u, E, nu, beta)
        ee3 = elastic_strain(u, beta)
        sigma = in_plane(sigma3)
        psi = 0.5 * ufl.inner(sigma3, ee3)
        g = ufl.inner(sigma, ufl.grad(u) * grad_theta) - psi * div_theta
        if beta is not None and eigenstrain_term:
            g += ufl.dot(theta, ufl.grad(beta)) * ufl.tr(sigma3)
        self._G = ScalarForm(g * dx, msh.comm)

        u_aux = self._williams(x, E, nu)
        sigma_aux3 = stress(u_aux, E, nu)
        sigma_aux = in_plane(sigma_aux3)
        m = (
            ufl.inner(sigma, ufl.grad(u_aux) * grad_theta)
            + ufl.inner(sigma_aux, ufl.grad(u) * grad_theta)
            - ufl.inner(sigma_aux3, ee3) * div_theta
        )
        if beta is not None and eigenstrain_term:
            m += ufl.dot(theta, ufl.grad(beta)) * ufl.tr(sigma_aux3)
        self._M = ScalarForm(m * dx, msh.comm)

    def _williams(self, x, E: float, nu: float):
        """Williams near-tip displacement of unit K (mode weights ``self.mode``), plane strain."""
        _, mu = lame(E, nu)
        kappa = 3 - 4 * nu
        e1 = self.direction
        e2 = ufl.as_vector([-e1[1], e1[0]])
        d = x - self.tip
        x1, x2 = ufl.dot(d, e1), ufl.dot(d, e2)
        r = ufl.sqrt(x1**2 + x2**2)
        phi = ufl.atan2(x2, x1)
        c, s = ufl.cos(phi / 2), ufl.sin(phi / 2)
        amp = ufl.sqrt(r / (2 * np.pi)) / (2 * mu)
        u1 = amp * (
            self.mode[0] * c * (kappa - 1 + 2 * s**2) + self.mode[1] * s * (kappa + 1 + 2 * c**2)
        )
        u2 = amp * (
            self.mode[0] * s * (kappa + 1 - 2 * c**2) - self.mode[1] * c * (kappa - 1 - 2 * s**2)
        )
        return u1 * e1 + u2 * e2

    def evaluate(self, tip, direction, rings) -> CrackResult:
        """G, K_I and K_II at one tip on each ring.

        Args:
            tip: Tip coordinates (x, y), m.
            direction: Unit crack direction at the tip.
            rings: (r1, r2) pairs: q = 1 inside r1, 0 outside r2, m. Each ring must contain no
                other tip and reach no loaded boundary.

        Returns:
            The results on each ring.
        """
        self.tip.value[:] = tip
        self.direction.value[:] = np.asarray(direction) / np.linalg.norm(direction)
        factor = self.E / (2 * (1 - self.nu**2))
        G, K_I, K_II = [], [], []
        for r1, r2 in rings:
            self.r1.value, self.r2.value = r1, r2
            self.q.interpolate(self._q_expr)
            G.append(self._G())
            self.mode.value[:] = (1.0, 0.0)
            K_I.append(factor * self._M())
            self.mode.value[:] = (0.0, 1.0)
            K_II.append(factor * self._M())
        return CrackResult(np.array(G), np.array(K_I), np.array(K_II))
