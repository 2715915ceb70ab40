"""A rigid, flat pressure plate: one unknown displacement shared by a whole surface.

The plate's normal displacement ``w`` is a single unknown: every displacement dof normal to
the plate surface (the slaves) equals it. femsi eliminates the slaves by the transformation
``u = T x``, where ``x`` is the solver's vector in the layout of ``u``: one slave, the
*master*, carries ``w``; the other slaves are spectators (identity rows, zero residual). With
``J`` the Jacobian of the unconstrained problem and ``Φ`` the indicator of the slave dofs, the
reduced system is

    F̂ = T^T F,    Ĵ = T^T J T    (plus identity on the spectators),

so the master's equation is the plate's force balance ``Φ^T F = 0``: the body's force on the
plate (the sum of the slaves' residuals) equals the plate load. ``Ĵ`` is applied matrix-free:
``P`` is ``J`` assembled with the slaves held like Dirichlet dofs (identity rows and
columns; what GAMG preconditions), and the master's column, row and diagonal are the vectors
``g = J Φ``, ``h = J^T Φ`` and the number ``s = Φ^T J Φ``, assembled as actions of the
Jacobian form on Φ:

    Ĵ x = P x̃ + w g̃,    (Ĵ x)_master = h̃ · x̃ + s w,

where ``~`` zeroes the slave entries. ``Ĵ`` differs from ``P`` in one row and one column, so
Krylov solves preconditioned with GAMG on ``P`` need about one more iteration than with the
plate held fixed. A *locked* plate (fixed gap) is a Dirichlet condition on the master:
``F̂_master = w - w_held``.

References: master–slave elimination of linear multi-point constraints, e.g. Felippa,
Introduction to Finite Element Methods, ch. 9 (Master-Slave Method).
"""

from __future__ import annotations

from mpi4py import MPI
from petsc4py import PETSc

import dolfinx.fem.petsc
import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401


class RigidPlate:
    """The slave dofs of a plate surface and the reduced residual and Jacobian.

    Args:
        V: The (vector) displacement space.
        facets: Local facets of the plate surface.
        axis: The plate's normal axis.
    """

    def __init__(self, V: fem.FunctionSpace, facets: np.ndarray, axis: int = 2):
        mesh = V.mesh
        self.comm = mesh.comm
        fdim = mesh.topology.dim - 1
        # Dofs of component ``axis`` on the surface, as indices into the blocked (unrolled)
        # local array of a Function on V: owned first, then ghosts.
        self.slaves = np.unique(fem.locate_dofs_topological(V.sub(axis), fdim, facets))
        index_map, bs = V.dofmap.index_map, V.dofmap.index_map_bs
        n_owned = index_map.size_local * bs
        self.owned = self.slaves[self.slaves < n_owned]
        first = index_map.local_range[0] * bs
        candidate = int(self.owned.min()) + first if self.owned.size else np.iinfo(np.int64).max
        self.master_global = self.comm.allreduce(candidate, op=MPI.MIN)
        if self.master_global == np.iinfo(np.int64).max:
            raise ValueError("the plate surface has no displacement dofs")
        self.is_owner = first <= self.master_global < first + n_owned
        self.master = self.master_global - first if self.is_owner else -1
        self.indicator = fem.Function(V, name="plate_indicator")
        self.indicator.x.array[self.slaves] = 1.0
        self.axis = axis
        self.locked = False
        self.held = 0.0

    # ------------------------------------------------------------------ the map x -> u

    def displacement(self, x: PETSc.Vec) -> float:
        """The plate displacement carried by the master entry of ``x``."""
        local = x.array_r[self.master] if self.is_owner else 0.0
        return self.comm.allreduce(float(local), op=MPI.SUM)

    def expand(self, x: PETSc.Vec, out: PETSc.Vec) -> None:
        """``out = T x``: copy ``x`` and give every slave the master's value."""
        x.copy(out)
        out.array[self.owned] = self.displacement(x)

    def position(self, u: fem.Function) -> float:
        """The plate displacement in ``u`` (the master's value)."""
        local = u.x.array[self.master] if self.is_owner else 0.0
        return self.comm.allreduce(float(local), op=MPI.SUM)

    def set_function(self, u: fem.Function, w: float) -> None:
        """Give the slaves of ``u`` (owned and ghost) the plate displacement ``w``."""
        u.x.array[self.slaves] = w

    # ------------------------------------------------------------------ reduced forms

    def reduce_residual(self, x: PETSc.Vec, b: PETSc.Vec) -> None:
        """``b = T^T b`` in place (spectators zero); a locked master gets ``w - w_held``."""
        force = self.comm.allreduce(float(b.array_r[self.owned].sum()), op=MPI.SUM)
        b.array[self.owned] = 0.0
        if self.is_owner:
            b.array[self.master] = x.array_r[self.master] - self.held if self.locked else force

    def install(
        self,
        problem: dolfinx.fem.petsc.NonlinearProblem,
        bcs: list,
        jacobian: ufl.Form,
        pre_assembly=None,
    ) -> None:
        """Make ``problem``'s SNES solve the reduced system.

        The matrix of ``problem`` becomes the preconditioning matrix ``P``, assembled with the
        slaves held like Dirichlet dofs; the SNES operator is a matrix-free ``Ĵ``.

        Args:
            problem: The unconstrained problem (residual, Jacobian, unknown).
            bcs: Its Dirichlet conditions (none of them on a slave dof).
            jacobian: The UFL Jacobian, for the border vectors ``g = J Φ``, ``h = J^T Φ``.
            pre_assembly: Optional callable run once the expanded iterate is in the unknown
                and before assembly (see :class:`femsi.solvers.newton.NewtonSolver`).
        """
        snes, P, V = problem.solver, problem.A, self.indicator.function_space
        self._P = P
        self._full = problem.x.duplicate()  # ghosted, as assembly expects
        self._g = problem.b.duplicate()
        self._h = problem.b.duplicate()
        self._s = 0.0
        self._work = P.createVecRight()
        self._g_form = fem.form(ufl.action(jacobian, self.indicator))
        self._h_form = fem.form(ufl.action(ufl.adjoint(jacobian), self.indicator))
        self._bcs = bcs
        slave_bc = fem.dirichletbc(fem.Constant(V.mesh, 0.0), self.slaves, V.sub(self.axis))
        residual_ctx = {"u": problem.u, "residual": problem.F, "jacobian": problem.J}

        def expand(x):
            self.expand(x, self._full)
            if pre_assembly is not None:
                self._full.ghostUpdate(addv=PETSc.InsertMode.INSERT, mode=PETSc.ScatterMode.FORWARD)
                dolfinx.fem.petsc.assign(self._full, problem.u)
                pre_assembly()

        def residual(snes_, x, b):
            expand(x)
            dolfinx.fem.petsc.assemble_residual(snes_, self._full, b, bcs=bcs, **residual_ctx)
            self.reduce_residual(x, b)

        def assemble(snes_, x, A, P_mat):
            expand(x)
            dolfinx.fem.petsc.assemble_jacobian(
                snes_,
                self._full,
                P_mat,
                None,
                u=problem.u,
                jacobian=problem.J,
                preconditioner=None,
                bcs=[*bcs, slave_bc],
            )
            self._border()
            # A free plate's master diagonal in P is Ĵ's (not the 1 of a held dof): a
            # preconditioner on the operator's scale, so the border adds no outlying
            # eigenvalues. A locked plate's master is a held dof in Ĵ too.
            if self.is_owner and not self.locked:
                P_mat.setValueLocal(self.master, self.master, self._s)
            P_mat.assemble()
            A.assemble()

        # getSizes is typed looser than the sizes createPython takes (the same pair).
        shell = PETSc.Mat().createPython(P.getSizes(), comm=P.comm)  # type: ignore[arg-type]
        shell.setPythonContext(_ReducedOperator(self))
        shell.setUp()
        self._shell = shell
        snes.setFunction(residual, problem.b)
        snes.setJacobian(assemble, shell, P)

    def _border(self) -> None:
        """The master's column ``g = J Φ``, row ``h = J^T Φ`` and diagonal ``s = Φ^T J Φ``.

        Assembled as vectors (the action of the Jacobian form on Φ), so ``P`` itself is never
        modified after assembly; entries on Dirichlet dofs and slaves are zeroed.
        """
        for vec, form in ((self._g, self._g_form), (self._h, self._h_form)):
            with vec.localForm() as local:
                local.set(0.0)
            # The stubs see only assemble_vector's first overload and type the modes int.
            dolfinx.fem.petsc.assemble_vector(vec, form)  # type: ignore[arg-type]
            vec.ghostUpdate(
                addv=PETSc.InsertMode.ADD,  # type: ignore[arg-type]
                mode=PETSc.ScatterMode.REVERSE,  # type: ignore[arg-type]
            )
            dolfinx.fem.petsc.set_bc(vec, self._bcs, alpha=0.0)
        self._s = self.comm.allreduce(float(self._g.array_r[self.owned].sum()), op=MPI.SUM)
        for vec in (self._g, self._h):
            vec.array[self.owned] = 0.0

    def destroy(self) -> None:
        """Free the PETSc objects this plate made."""
        for name in ("_shell", "_full", "_g", "_h", "_work"):
            obj = getattr(self, name, None)
            if obj is not None:
                obj.destroy()


class _ReducedOperator:
    """``Ĵ x`` for the master–slave reduced Jacobian (a PETSc Python matrix context)."""

    def __init__(self, plate: RigidPlate):
        self.plate = plate

    def mult(self, _mat, x: PETSc.Vec, y: PETSc.Vec) -> None:
        plate = self.plate
        w = plate.displacement(x)
        x_free = plate._work
        x.copy(x_free)
        x_free.array[plate.owned] = 0.0
        plate._P.mult(x_free, y)
        if not plate.locked:
            y.axpy(w, plate._g)
        y.array[plate.owned] = x.array_r[plate.owned]
        master = w if plate.locked else plate._h.dot(x_free) + plate._s * w
        if plate.is_owner:
            y.array[plate.master] = master
