"""Material-point drivers for the plasticity tests: mixed strain/stress control by Newton.

A driver advances one point (or a batch of identical points) through a history of swelling
and prescribed strains, solving the stress-free components with the update's own tangent,
and commits the history after each converged step, as the FE operator does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from femsi.physics.plasticity import FlowParameters, finite_strain_update, small_strain_update
from femsi.physics.plasticity.tensors import bulk_shear


@dataclass
class Point:
    """One material point with its committed history."""

    E: float
    nu: float
    flow: FlowParameters
    finite: bool = False
    history: list = field(default_factory=list)
    plastic_work: float = 0.0
    previous: np.ndarray | None = None

    def __post_init__(self):
        self.K, self.G = (np.array([v]) for v in bulk_shear(self.E, self.nu))
        self.state = np.eye(3)[None] if self.finite else np.zeros((1, 3, 3))
        self.alpha = np.zeros(1)

    def update(self, strain_or_F, swelling, dt=0.0, tangent=True):
        """The trial update from the committed state (nothing committed)."""
        if self.finite:
            return finite_strain_update(
                strain_or_F[None], np.array([swelling]), self.state, self.alpha,
                self.K, self.G, self.flow, dt, tangent=tangent,
            )  # fmt: skip
        return small_strain_update(
            strain_or_F[None], np.array([swelling]), self.state, self.alpha,
            self.K, self.G, self.flow, dt,
        )  # fmt: skip

    def stress(self, result) -> np.ndarray:
        """Cauchy stress (small strain) or Kirchhoff stress per intermediate volume (finite)."""
        return (result.kirchhoff if self.finite else result.stress)[0]

    def commit(self, result, swelling):
        """Accept a converged update; accumulate the plastic work σ_f Δγ."""
        if self.finite:
            self.state = result.inverse_plastic_cauchy_green
        else:
            self.state = result.plastic_strain
        # On the yield surface q = σ_f, so σ : Δε_p = q Δγ (per intermediate volume at finite
        # strain; times J_s per reference volume).
        q = np.sqrt(1.5) * np.linalg.norm(_dev(self.stress(result)))
        self.plastic_work += float(q * result.dgamma[0])
        self.alpha = result.alpha


def _dev(a):
    return a - np.trace(a) / 3 * np.eye(3)


def _tangent(result, finite):
    return result.tangent[0]


def solve_mixed(point: Point, base, free, swelling, dt=0.0, tol=1e-11):
    """Find the free components so that the matching stress components vanish; commit.

    Args:
        point: The material point.
        base: Strain tensor (small) or F (finite) with the prescribed components set.
        free: List of groups of (i, i) diagonal indices that share one unknown (symmetry).
        swelling: e* (small) or J_s (finite).
        dt: Time step.
        tol: Relative tolerance on the free stress components.

    Returns:
        (strain or F, update result).
    """
    # Start from the last converged free components, as an FE Newton starts from u_n.
    x = np.array(base, dtype=float)
    if point.previous is not None:
        for group in free:
            for k in group:
                x[k, k] = point.previous[k, k]
    for _ in range(50):
        result = point.update(x, swelling, dt)
        s = result.first_piola[0] if point.finite else result.stress[0]
        r = np.array([s[g[0], g[0]] for g in free])
        scale = max(np.abs(s).max(), point.E * 1e-3)  # floor: states near zero stress
        if np.all(np.abs(r) <= tol * scale):
            break
        a = _tangent(result, point.finite)
        jac = np.array([[sum(a[gi[0], gi[0], k, k] for k in gj) for gj in free] for gi in free])
        dx = np.linalg.solve(jac, -r)
        for group, d in zip(free, dx, strict=True):
            for k in group:
                x[k, k] += d
    else:
        raise RuntimeError("mixed control did not converge")
    point.commit(result, swelling)
    point.previous = x
    return x, result


def film_step(point: Point, swelling, dt=0.0):
    """Equibiaxial film: in-plane strain zero (F_xx = F_yy = 1), σ_zz = 0."""
    base = np.eye(3) if point.finite else np.zeros((3, 3))
    return solve_mixed(point, base, [(2,)], swelling, dt)


def uniaxial_step(point: Point, axial, swelling=0.0, dt=0.0, lateral=None):
    """Uniaxial stress along x: ε_xx (or F_xx) prescribed, σ_yy = σ_zz = 0 by symmetry."""
    base = np.eye(3) if point.finite else np.zeros((3, 3))
    if lateral is not None:
        base[1, 1] = base[2, 2] = lateral
    base[0, 0] = axial
    return solve_mixed(point, base, [(1, 2)], swelling, dt)
