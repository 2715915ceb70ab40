"""The PETSc solvers of one study, built in one place from the model and ``solver.*``.

- diffusion: one Newton per surface condition (flux, held), or with Butler-Volmer kinetics
  a block Newton on (θ, φ) with MUMPS;
- mechanics: Newton with GAMG and the rigid-body near-nullspace (or MUMPS), the plate's
  slave dofs eliminated (:mod:`femsi.solvers.plate`), the J2 return map before each
  assembly; with phase-field fracture the staggered solve around it;
- two-way coupling: the projection of σ_h, and for ``coupling_scheme: monolithic`` one
  Newton on (θ, u, s[, φ]) per surface condition with MUMPS on the block matrix.

``step_solver`` returns the strategy that advances one time step: :class:`StaggeredFields`
(diffusion, then mechanics, then the projection) or :class:`MonolithicFields`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol

import femsi.compat  # noqa: F401
from femsi.errors import SolveError
from femsi.solvers.newton import NewtonSolver
from femsi.solvers.nullspace import rigid_body_modes
from femsi.solvers.options import (
    available_memory_mb,
    check_user_options,
    factor_memory_mb,
    fixed_operator_direct_options,
    petsc_options,
)
from femsi.solvers.plate import RigidPlate
from femsi.solvers.staggered import StaggeredSolver
from femsi.timing import Timer

_LOG = logging.getLogger("femsi")

if TYPE_CHECKING:
    from femsi.config.schema import Solver, Study, SubSolver
    from femsi.physics.model import CoupledModel


class MechanicsStats(Protocol):
    """The stats of a mechanics solve, as the driver and the exports read them.

    One Newton (:class:`~femsi.solvers.newton.SolveStats`) or, with the phase field, the
    staggered loop (:class:`~femsi.solvers.staggered.StaggeredStats`).
    """

    @property
    def converged(self) -> bool:
        """Whether the solve converged."""

    @property
    def newton_iterations(self) -> int:
        """Newton iterations of the displacement solves."""

    @property
    def linear_iterations(self) -> int:
        """Krylov iterations of the displacement solves."""


class NoSolve:
    """The stats of a field that is not solved (diffusion off)."""

    converged = True
    newton_iterations = 0


#: ``auto`` picks the factorisation only up to this many displacement DOFs: none until the
#: crossover is measured. On the shipped electrode (258,459 P2 DOFs, serial, 2 shared cores)
#: the direct path took 4.6 min to the end of the preload against 48 s for AMG
#: (docs/solvers.md), so ``auto`` is AMG and ``direct`` is asked for by name.
AUTO_DIRECT_MAX_DOFS = 0


def mechanics_strategy(model: CoupledModel, settings: SubSolver) -> str:
    """The mechanics strategy, ``direct`` (one kept factorisation) or ``iterative``.

    The one place that decides it: ``direct`` needs an operator that never changes
    (:attr:`CoupledModel.mechanics_has_fixed_operator`); ``auto`` picks it when the estimated
    factor (:func:`factor_memory_mb`) fits ``direct_memory_limit_mb`` (default half the
    available memory), else logs why and stays iterative. An explicit ``direct`` on a
    changing operator is refused; an explicit ``linear_solver: direct`` keeps the old
    refactor-every-solve LU (reported as ``iterative`` strategy: the option set decides).
    """
    from mpi4py import MPI

    from femsi.errors import InputError

    # A linear study whose moduli follow c (E(c)) reassembles its matrix every step; the
    # factor of an earlier step is then kept as the CG preconditioner and refactored when the
    # iterations grow (NewtonSolver's reuse rule), so it still solves to ksp_rtol.
    fixed = model.mechanics_is_linear
    if settings.strategy == "iterative" or "linear_solver" in settings.model_fields_set:
        return "iterative"
    if settings.strategy == "direct" and not fixed:
        raise InputError(
            "solver.mechanics.strategy",
            "direct needs a linear mechanics (small strain, elastic, no energy split); "
            "use auto or iterative",
        )
    if not fixed:
        return "iterative"
    dofs = model.Vu.dofmap.index_map.size_global * model.Vu.dofmap.index_map_bs
    estimate = factor_memory_mb(dofs)
    comm = model.mesh.comm
    limit = settings.direct_memory_limit_mb
    if limit is None:
        limit = 0.5 * comm.allreduce(available_memory_mb(), op=MPI.MIN)
    if settings.strategy == "auto" and estimate > limit:
        if comm.rank == 0:
            _LOG.warning(
                "mechanics: the MUMPS factor of %d DOFs would take about %.0f MB, over the "
                "%.0f MB limit: iterative (AMG) solver instead",
                dofs,
                estimate,
                limit,
            )
        return "iterative"
    if settings.strategy == "auto" and dofs > AUTO_DIRECT_MAX_DOFS:
        return "iterative"
    return "direct"


class SolverSet:
    """Every PETSc solver of a study.

    Args:
        model: The coupled model.
        study: The study (``solver``, ``physics`` and ``phase_field`` sections).
        timer: Where solve times go.
    """

    def __init__(self, model: CoupledModel, study: Study, timer: Timer) -> None:
        self.model, self.study, self.timer = model, study, timer
        settings, physics = study.solver, study.physics
        for name in ("diffusion", "mechanics", "damage"):
            check_user_options(
                getattr(settings, name).petsc_options, f"solver.{name}.petsc_options"
            )
        # The ideal-solution factor 1/(1 - x) makes diffusion nonlinear even with a constant D.
        diffusion_linear = physics.chemical_potential == "dilute" and all(
            m.diffusivity is None or m.diffusivity.is_constant for m in model.materials.values()
        )
        monolithic = model.coupled and physics.coupling_scheme == "monolithic"
        options = petsc_options(
            settings.diffusion, symmetric=True, linear=diffusion_linear, vector=False
        )
        if model.butler_volmer and not monolithic:
            options = petsc_options(settings.diffusion, symmetric=False, linear=False, vector=False)
            options |= {
                "ksp_type": "preonly",
                "pc_type": "lu",
                "pc_factor_mat_solver_type": "mumps",
                # The exponentials of the kinetics: the secant (l2) line search takes
                # near-full steps where backtracking (bt) crawls (9 against 20 iterations).
                "snes_linesearch_type": "l2",
            }
            options |= dict(settings.diffusion.petsc_options)
        self.diffusion = (
            {} if monolithic else {held: self._transport(held, options) for held in (False, True)}
        )
        self.plate: RigidPlate | None = None
        self.mechanics: NewtonSolver | None = None
        self.staggered: StaggeredSolver | None = None
        if model.has_mechanics:
            self._build_mechanics(settings)
        self.projection: NewtonSolver | None = None
        self.coupled: dict[bool, NewtonSolver] = {}
        if model.coupled:
            # The projected hydrostatic stress: solved with the others (monolithic) or after
            # each mechanics solve (staggered, and for the initial state in both schemes).
            projection_options = petsc_options(
                settings.diffusion, symmetric=True, linear=True, vector=False
            )
            projection_options |= {"ksp_type": "preonly", "pc_type": "lu"}
            self.projection = NewtonSolver(
                "stress_projection",
                model.projection_form,
                model.hydrostatic,
                model.projection_bcs,
                projection_options,
                jacobian=model.projection_jacobian,
            )
            if monolithic:
                self.coupled = self._coupled()

    def _build_mechanics(self, settings: Solver) -> None:
        model = self.model
        self.mechanics_strategy = mechanics_strategy(model, settings.mechanics)
        options = petsc_options(
            settings.mechanics,
            symmetric=not model.follower_pressure,
            linear=model.mechanics_is_linear,
            vector=True,
        )
        fixed_operator = self.mechanics_strategy == "direct" and model.mechanics_has_fixed_operator
        if self.mechanics_strategy == "direct":
            options = fixed_operator_direct_options(
                settings.mechanics, symmetric=not model.follower_pressure, fixed=fixed_operator
            )
        user = settings.mechanics.petsc_options
        if model.phase_field is not None and not model.mechanics_is_linear:
            # A split energy is only C¹ in the strain (the spectral split's kinks where a
            # principal strain changes sign): Newton with backtracking cycled between active
            # sets at crack nucleation (DIVERGED_MAX_IT in the staggered loop). The
            # critical-point line search minimises the energy along the Newton direction
            # (the residual is its gradient), which steps across the kinks.
            if "snes_linesearch_type" not in user:
                options["snes_linesearch_type"] = "cp"
        self.rigid_body_modes = rigid_body_modes(model.Vu, model.formulation)
        if model.has_plate:
            plate = model.model.plate
            assert plate is not None  # a study with a plate has a mesh with its surface
            self.plate = RigidPlate(
                model.Vu, model.model.facets_of(plate), axis=model.model.thickness_axis
            )
        self.mechanics = NewtonSolver(
            "mechanics",
            model.mechanics_form,
            model.u,
            model.mechanics_bcs,
            options,
            near_nullspace=self.rigid_body_modes.nullspace,
            plate=self.plate,
            jacobian=model.mechanics_jacobian,
            pre_assembly=model.plastic.pre_assembly if model.plasticity is not None else None,
            reuse_preconditioner=not fixed_operator,
        )
        if model.phase_field is not None:
            assert self.study.phase_field is not None  # the model's phase field comes from it
            staggered = self.study.phase_field.staggered
            self.staggered = StaggeredSolver(
                model.phase_field,
                self.mechanics.solve,
                settings.damage,
                tolerance=staggered.tolerance,
                max_iterations=staggered.max_iterations,
            )

    def _transport(self, held: bool, options: dict) -> NewtonSolver:
        """The diffusion solver; with Butler-Volmer a block Newton on (θ, φ)."""
        model = self.model
        name = f"diffusion_{'held' if held else 'flux'}"
        if not model.butler_volmer:
            return NewtonSolver(
                name,
                model.diffusion_form,
                model.theta,
                model.diffusion_bcs(held),
                options,
                jacobian=model.diffusion_jacobian,
            )
        forms, blocks, unknowns = model.transport_forms(held)
        return NewtonSolver(
            name, forms, unknowns, model.diffusion_bcs(False), options, jacobian=blocks, kind="mpi"
        )

    def _coupled(self) -> dict[bool, NewtonSolver]:
        """One Newton on (θ, u) per surface condition (flux, held), MUMPS on the block matrix.

        The Jacobian blocks are the exact derivatives of [F_c, F_u]. The linear solver is
        MUMPS on the one monolithic matrix (``kind="mpi"``); Newton tolerances are those of
        ``solver.mechanics``, whose ``petsc_options`` apply last (a field split, say).
        """
        model = self.model
        settings = self.study.solver.mechanics.model_copy(update={"linear_solver": "direct"})
        options = petsc_options(settings, symmetric=False, linear=False, vector=False)
        if model.butler_volmer:
            options["snes_linesearch_type"] = "l2"  # as for the uncoupled kinetics
            options |= dict(settings.petsc_options)
        solvers = {}
        for held in (False, True):
            forms, jacobian, unknowns = model.coupled_forms(held)
            # With Butler-Volmer a hold imposes φ, not the surface concentration.
            surface_held = held and not model.butler_volmer
            solvers[held] = NewtonSolver(
                f"coupled_{'held' if held else 'flux'}",
                forms,
                unknowns,
                model.diffusion_bcs(surface_held) + model.mechanics_bcs + model.projection_bcs,
                options,
                jacobian=jacobian,
                pre_assembly=model.refresh_plasticity if model.plasticity is not None else None,
                kind="mpi",
            )
        return solvers

    # ------------------------------------------------------------------ solves

    def solve_mechanics(self) -> MechanicsStats:
        """The displacement at this step's load; with phase field the staggered solve."""
        if self.staggered is not None:
            return self.staggered.solve()
        assert self.mechanics is not None  # solved only in a study with mechanics
        return self.mechanics.solve()

    def project_hydrostatic(self) -> None:
        """Update the projected σ_h of the coupling from the current u and c."""
        if self.projection is not None and not self.projection.solve().converged:
            raise SolveError("the projection of the hydrostatic stress failed")

    def close(self) -> None:
        """Release the solvers' PETSc objects and options."""
        for solver in [
            *self.diffusion.values(),
            *self.coupled.values(),
            self.mechanics,
            self.projection,
            self.staggered,
        ]:
            if solver is not None:
                solver.close()

    def iteration_totals(self) -> dict[str, dict[str, int]]:
        """Solves, Newton and Krylov iterations and preconditioner setups per solver."""
        totals = {}
        for name, solver in [
            ("diffusion_flux", self.diffusion.get(False)),
            ("diffusion_held", self.diffusion.get(True)),
            ("mechanics", self.mechanics),
            ("coupled_flux", self.coupled.get(False)),
            ("coupled_held", self.coupled.get(True)),
            ("damage", self.staggered.damage if self.staggered else None),
        ]:
            if solver is None:
                continue
            totals[name] = {
                "solves": solver.solves,
                "newton": solver.total_newton,
                "krylov": solver.total_linear,
                "preconditioner_setups": solver.setups,
            }
        if self.staggered is not None:
            totals["staggered"] = {"iterations": self.staggered.total_iterations}
        return totals
