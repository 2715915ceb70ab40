"""Alternate minimisation (the staggered scheme) of phase-field fracture on one load step.

Each iteration k solves the displacement at fixed damage, updates the driving force (the
history H = max(H_n, ψ⁺(u))), then solves the damage at fixed displacement:

    u_k = argmin Π(·, d_{k-1}),   d_k = argmin Π(u_k, ·) over l_b ≤ d ≤ 1,

until the damage stops changing, ‖d_k - d_{k-1}‖_∞ ≤ ``tolerance`` (Bourdin, Francfort &
Marigo, J. Elasticity 91 (2008) 5, §2.2: the energy decreases at every half step, so the
iteration converges to a critical point). The damage increment is a dimensionless,
mesh-independent measure, so one tolerance serves every study. A step whose displacement or
damage solve fails, or which has not converged after ``max_iterations``, is reported as not
converged: the runner restores the state and cuts the step like any other failure.

The damage solve is linear for AT2 with a history (``ksponly``) and a bound-constrained
quadratic problem otherwise (PETSc's reduced-space active-set Newton, ``vinewtonrsls``, with
the bounds ``PhaseField.lower`` and ``PhaseField.upper``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from mpi4py import MPI

import numpy as np

import femsi.compat  # noqa: F401
from femsi.config.schema import SubSolver
from femsi.physics.phase_field.damage import PhaseField
from femsi.solvers.newton import NewtonSolver, SolveStats
from femsi.solvers.options import petsc_options

logger = logging.getLogger(__name__)

#: A step that converges within this many staggered iterations counts as easy (the time step
#: may grow after it).
EASY_ITERATIONS = 5


@dataclass
class StaggeredStats:
    """What one staggered solve did.

    Attributes:
        converged: Whether the damage increment fell below the tolerance.
        iterations: Staggered (alternate-minimisation) iterations.
        newton_iterations: Newton iterations of the displacement solves, summed.
        linear_iterations: Krylov iterations of the displacement solves, summed.
        damage_iterations: Newton (active-set) iterations of the damage solves, summed.
        damage_change: The last ‖d_k - d_{k-1}‖_∞.
        reason: Why it stopped.
    """

    converged: bool
    iterations: int
    newton_iterations: int
    linear_iterations: int
    damage_iterations: int
    damage_change: float
    reason: str

    @property
    def easy(self) -> bool:
        """Whether the step was easy enough for the time step to grow."""
        return self.converged and self.iterations <= EASY_ITERATIONS


class StaggeredSolver:
    """Alternate minimisation of displacement and damage.

    Args:
        phase_field: The damage field and its forms.
        solve_mechanics: Solves the displacement at the current damage, returning its stats
            (``NewtonSolver.solve`` of the mechanics).
        damage_settings: Linear-solver settings of the damage problem.
        tolerance: Largest damage change of a converged iteration.
        max_iterations: Iterations before the step counts as failed.
    """

    def __init__(
        self,
        phase_field: PhaseField,
        solve_mechanics: Callable[[], SolveStats],
        damage_settings: SubSolver,
        tolerance: float = 1e-3,
        max_iterations: int = 300,
    ):
        self.phase_field = pf = phase_field
        self.solve_mechanics = solve_mechanics
        self.tolerance = tolerance
        self.max_iterations = max_iterations
        options = petsc_options(damage_settings, symmetric=True, linear=pf.linear, vector=False)
        user = damage_settings.petsc_options
        if damage_settings.linear_solver == "iterative":
            # GAMG's Chebyshev smoothers failed on the damage matrix (CG reported an indefinite
            # preconditioner as a crack grew: the eigenvalue estimate); SOR smoothing did not.
            smoother = {"mg_levels_ksp_type": "richardson", "mg_levels_pc_type": "sor"}
            options |= {k: v for k, v in smoother.items() if k not in user}
        if pf.bounded:
            # A quadratic energy: full Newton steps on the active set (no line search); the
            # user's petsc_options still win.
            vi = {"snes_type": "vinewtonrsls", "snes_linesearch_type": "basic"}
            options |= {k: v for k, v in vi.items() if k not in user}
        self.damage = NewtonSolver(
            "damage", pf.residual, pf.d, pf.bcs, options, jacobian=pf.jacobian
        )
        if pf.bounded:
            self.damage.snes.setVariableBounds(pf.lower.x.petsc_vec, pf.upper.x.petsc_vec)
        self._previous = np.zeros_like(pf.d.x.array)
        self.total_iterations = 0

    def solve(self) -> StaggeredStats:
        """Iterate from the current u and d; never raises on divergence (see the stats)."""
        stats = self._iterate()
        if not stats.converged:
            logger.info(
                "staggered solve failed (%s) after %d iterations, last damage change %.3g",
                stats.reason,
                stats.iterations,
                stats.damage_change,
            )
        return stats

    def _iterate(self) -> StaggeredStats:
        pf = self.phase_field
        comm = pf.mesh.comm
        newton = linear = damage = 0
        change = np.inf
        for k in range(1, self.max_iterations + 1):
            self.total_iterations += 1
            mech = self.solve_mechanics()
            newton += mech.newton_iterations
            linear += mech.linear_iterations
            if not mech.converged:
                return StaggeredStats(False, k, newton, linear, damage, change, "mechanics")
            pf.update_driving_force()
            self._previous[:] = pf.d.x.array
            result = self.damage.solve()
            damage += result.newton_iterations
            if not result.converged:
                return StaggeredStats(False, k, newton, linear, damage, change, "damage")
            local = float(np.max(np.abs(pf.d.x.array - self._previous), initial=0.0))
            change = comm.allreduce(local, op=MPI.MAX)
            if change <= self.tolerance:
                return StaggeredStats(True, k, newton, linear, damage, change, "converged")
        return StaggeredStats(
            False, self.max_iterations, newton, linear, damage, change, "max_iterations"
        )

    def close(self) -> None:
        """Release the damage solver's PETSc options."""
        self.damage.close()
