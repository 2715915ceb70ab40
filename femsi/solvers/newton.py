"""Newton solves with convergence checks, iteration counts and AMG reuse.

``NewtonSolver`` wraps DOLFINx's SNES-based ``NonlinearProblem``. The algebraic multigrid
setup is the largest single cost of a mechanics step and the operator changes little between
Newton iterations and time steps, so the preconditioner is kept (``snes_lag_preconditioner``,
persistent across solves) and rebuilt only when the Krylov iterations per solve grow past
twice those of the last rebuild, or after a failed solve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.typing import UFLForm

if TYPE_CHECKING:
    from femsi.solvers.plate import RigidPlate

#: An SNES callback as the getters return it: (callback, args, kwargs).
type _Callback = tuple[Callable[..., None], tuple[Any, ...] | None, dict[str, Any] | None]


@dataclass
class SolveStats:
    """What one solve did.

    Attributes:
        converged: Whether SNES reported convergence.
        reason: SNES converged reason (negative: diverged).
        newton_iterations: Newton iterations.
        linear_iterations: Krylov iterations summed over Newton iterations.
        rebuilt_preconditioner: Whether the preconditioner was set up afresh.
    """

    converged: bool
    reason: int
    newton_iterations: int
    linear_iterations: int
    rebuilt_preconditioner: bool


class NewtonSolver:
    """One nonlinear problem with its PETSc solver.

    Each instance owns a unique options prefix, so studies run one after another in one
    process (a notebook, the test suite) never inherit each other's PETSc options;
    :meth:`close` removes them.

    Args:
        name: Options prefix (``femsi_mechanics_``) and log name.
        residual: UFL residual form.
        unknown: The unknown function.
        bcs: Dirichlet conditions.
        options: PETSc options (see :func:`femsi.solvers.options.petsc_options`).
        near_nullspace: Optional near-nullspace for GAMG.
        reuse_preconditioner: Keep the preconditioner across solves while it works.
        jacobian: UFL Jacobian (default: the derivative of the residual).
        plate: A rigid plate whose slave dofs the solve eliminates (see
            :mod:`femsi.solvers.plate`).
        pre_assembly: Optional callable run after each Newton iterate is copied into
            ``unknown`` and before the residual or Jacobian is assembled (quadrature-point
            constitutive updates, e.g. plasticity, refresh their stress and tangent there).
        kind: PETSc matrix kind of a block problem (``residual`` and ``unknown`` lists,
            ``jacobian`` a list of lists): ``"mpi"`` assembles one monolithic matrix with
            the blocks' rows and columns (for MUMPS or a field split); None for one field.
    """

    def __init__(
        self,
        name: str,
        residual: UFLForm | list[UFLForm],
        unknown: fem.Function | list[fem.Function],
        bcs: list[fem.DirichletBC],
        options: dict[str, Any],
        near_nullspace: PETSc.NullSpace | None = None,
        reuse_preconditioner: bool = True,
        jacobian: UFLForm | list[list[UFLForm | None]] | None = None,
        plate: RigidPlate | None = None,
        pre_assembly: Callable[[], None] | None = None,
        kind: str | None = None,
    ) -> None:
        self.name = name
        self.plate = plate
        self.unknown = unknown
        self._iterative = options.get("ksp_type") != "preonly"
        # A factor wrapped in CG (the direct strategy) is exact for its own matrix and a
        # preconditioner for a later one: it may be reused like AMG.
        # A stale LU factor as a preconditioner of ``preonly`` is not a solve: reuse is for AMG.
        self._reuse = reuse_preconditioner and self._iterative
        if self._reuse:
            options = {**options, "snes_lag_preconditioner_persists": True}
        NewtonSolver._instances += 1
        self.prefix = f"femsi{NewtonSolver._instances}_{name}_"
        self._keys = [self.prefix + key for key in options]
        # DOLFINx types J without the None blocks its block assembly takes.
        self.problem = dolfinx.fem.petsc.NonlinearProblem(
            residual,
            unknown,
            bcs=bcs,
            J=jacobian,  # type: ignore[arg-type]
            petsc_options_prefix=self.prefix,
            kind=kind,
        )
        self._unknowns = list(unknown) if isinstance(unknown, list | tuple) else [unknown]
        # The options stay in the database under the solver's unique prefix: multigrid level
        # options are read at preconditioner setup, after NonlinearProblem would delete them.
        self._options = PETSc.Options()
        # A solver that never runs in a study (the held-surface diffusion solver, say) leaves
        # its options unread; that is expected, not a spelling mistake.
        self._options.setValue("options_left", 0)
        for key, value in options.items():
            self._options.setValue(self.prefix + key, value)
        if plate is not None:  # a single-field problem (the mechanics)
            plate_jacobian = cast(UFLForm, jacobian or ufl.derivative(residual, unknown))
            plate.install(self.problem, bcs, plate_jacobian, pre_assembly)
        elif pre_assembly is not None:
            _call_before_assembly(self.snes, unknown, pre_assembly)
        self.snes.setFromOptions()
        if near_nullspace is not None:
            self.problem.A.setNearNullSpace(near_nullspace)
        if self._iterative:
            # petsc4py's stubs type the Option members int, setOption an Option.
            self.problem.A.setOption(PETSc.Mat.Option.USE_INODES, False)  # type: ignore[arg-type]
        self._baseline: float | None = None
        self._rebuild_next = True
        self.total_newton = 0
        self.total_linear = 0
        self.solves = 0
        self.setups = 0

    _instances = 0

    def close(self) -> None:
        """Remove this solver's options from the PETSc database."""
        for key in self._keys:
            if self._options.hasName(key):
                self._options.delValue(key)
        self._keys = []
        if self.plate is not None:
            self.plate.destroy()

    @property
    def snes(self) -> PETSc.SNES:
        """The PETSc SNES."""
        return self.problem.solver

    def solve(self) -> SolveStats:
        """Solve from the current value of the unknown; never raises on divergence."""
        rebuilt = self._rebuild_next or not self._reuse
        if self._reuse and rebuilt:
            # Lag -2: rebuild once, then PETSc itself sets the lag to -1 (never), which
            # persists across solves until the next request.
            key = self.prefix + "snes_lag_preconditioner"
            self._options.setValue(key, -2)
            self.snes.setFromOptions()
            self._options.delValue(key)
        state = self.problem.A.stateGet()
        try:
            self.problem.solve()
            # An int at run time; petsc4py's stubs say the ConvergedReason class.
            reason: int = self.snes.getConvergedReason()  # type: ignore[assignment]
            if self.plate is not None:
                u = cast(fem.Function, self.unknown)  # a plate's problem has one field
                self.plate.set_function(u, self.plate.displacement(self.problem.x))
        except PETSc.Error:
            reason = -100
        newton = self.snes.getIterationNumber()
        linear = self.snes.getLinearSolveIterations()
        finite = all(bool(np.all(np.isfinite(f.x.array))) for f in self._unknowns)
        converged = reason > 0 and finite
        self.total_newton += newton
        self.total_linear += linear
        self.solves += 1
        if linear == 0 and converged:
            # Converged without a linear solve (the residual was already zero): no
            # preconditioner was built, so the rebuild request stands and no baseline is set.
            return SolveStats(converged, reason, newton, linear, False)
        if self._iterative and not self._reuse:
            # A factorisation kept across solves (snes_lag_jacobian): a setup is counted only
            # when the preconditioner's matrix was assembled again.
            rebuilt = self.problem.A.stateGet() != state
        self.setups += int(rebuilt)
        self._update_reuse(converged, rebuilt, newton, linear)
        return SolveStats(converged, reason, newton, linear, rebuilt)

    def _update_reuse(self, converged: bool, rebuilt: bool, newton: int, linear: int) -> None:
        if not self._iterative:
            self._rebuild_next = False
            return
        per_solve = linear / max(newton, 1)
        if not converged:
            self._rebuild_next = True
            return
        if rebuilt or self._baseline is None:
            self._baseline = max(per_solve, 1.0)
            self._rebuild_next = False
        else:
            self._rebuild_next = per_solve > 2.0 * self._baseline + 5


def _call_before_assembly(
    snes: PETSc.SNES, unknown: fem.Function | list[fem.Function], pre_assembly: Callable[[], None]
) -> None:
    """Wrap the residual and Jacobian callbacks DOLFINx gave SNES so ``pre_assembly`` runs first.

    DOLFINx's callbacks copy the iterate ``x`` into ``unknown`` and then assemble; the wrappers
    do the copy themselves, call ``pre_assembly`` and hand over to the original callback.
    """
    # petsc4py's stubs type the getters as returning the bare callbacks; they return the
    # vectors or matrices and (callback, args, kwargs).
    b, (residual, r_args, r_kwargs) = cast(tuple[PETSc.Vec, _Callback], snes.getFunction())
    A, P, (jacobian, j_args, j_kwargs) = cast(
        tuple[PETSc.Mat, PETSc.Mat, _Callback], snes.getJacobian()
    )

    def copy_iterate(x: PETSc.Vec) -> None:
        # The stubs type the mode members int and see only assign's first overload.
        x.ghostUpdate(
            addv=PETSc.InsertMode.INSERT,  # type: ignore[arg-type]
            mode=PETSc.ScatterMode.FORWARD,  # type: ignore[arg-type]
        )
        dolfinx.fem.petsc.assign(x, unknown)  # type: ignore[arg-type]
        pre_assembly()

    def wrapped_residual(
        snes_: PETSc.SNES, x: PETSc.Vec, b_: PETSc.Vec, *args: Any, **kwargs: Any
    ) -> None:
        copy_iterate(x)
        residual(snes_, x, b_, *args, **kwargs)

    def wrapped_jacobian(
        snes_: PETSc.SNES,
        x: PETSc.Vec,
        A_: PETSc.Mat,
        P_: PETSc.Mat,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        copy_iterate(x)
        jacobian(snes_, x, A_, P_, *args, **kwargs)

    snes.setFunction(wrapped_residual, b, args=r_args, kargs=r_kwargs)
    snes.setJacobian(wrapped_jacobian, A, P, args=j_args, kargs=j_kwargs)
