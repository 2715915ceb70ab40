"""Quadrature-point stresses and tangents of the plastic models for DOLFINx forms.

The return maps of ``small_strain.py`` and ``finite_strain.py`` are NumPy functions of
pointwise data, so the FE problem sees them through quadrature spaces (basix quadrature
elements of the mechanics degree q):

    residual  R(u; v)     = ∫ S : ∇v dX,          S = σ (small strain) or P (finite strain),
    Jacobian  J(u; du, v) = ∫ (A : ∇du) : ∇v dX,  A = dσ/dε or dP/dF,

where S and A are quadrature Functions filled by :meth:`QuadratureConstitutive.refresh`
before every assembly (``NewtonSolver(pre_assembly=op.refresh)``). One compiled
``dolfinx.fem.Expression`` evaluates ∇u, the swelling (J_s, or the scalar eigenstrain e*),
the state of charge and the elastic moduli at the quadrature points; it is built once.
The integrals use the measure of :attr:`QuadratureConstitutive.dx`, whose quadrature degree
and rule are those of the quadrature elements (FFCx rejects a mismatch).

History (C_p⁻¹ or ε_p, and α) lives in NumPy arrays over the points of the cells this rank
owns; every update starts from the committed history, so Newton iterates and rejected steps
never accumulate plastic strain: :meth:`commit` accepts the trial history of a converged step,
:meth:`restore` discards it. Ghost cells are never integrated, so no communication is needed
and the history stays with its cell in parallel.

This is femsi's own operator rather than dolfinx-external-operator 0.11: that package declares
a dependency on the ``fenics-dolfinx`` distribution, which pip cannot resolve next to the
``dolfinx-solver-real`` wheel femsi uses (it works only when installed with ``--no-deps``),
and the parts femsi needs beyond it (history, commit/restore, SOC-dependent yield stress,
stress and tangent from one evaluation) are most of this module anyway.
"""

from __future__ import annotations

from collections.abc import Sequence

import basix.ufl
import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.physics.kinematics import displacement_gradient
from femsi.physics.measures import WeightedMeasure, formulation_weight
from femsi.physics.plasticity.finite_strain import FiniteStrainState, finite_strain_update
from femsi.physics.plasticity.flow import FlowParameters
from femsi.physics.plasticity.material import PlasticMaterial
from femsi.physics.plasticity.small_strain import SmallStrainState, small_strain_update
from femsi.physics.plasticity.tensors import bulk_shear, von_mises

KINEMATICS = ("small_strain", "finite_strain")


class QuadratureConstitutive:
    """Elastoplastic stress and tangent at the quadrature points of a displacement field.

    Args:
        u: The displacement (vector P1 or P2 on a 3D mesh).
        kinematics: ``small_strain`` or ``finite_strain``.
        swelling: UFL scalar: the eigenstrain e* (ε* = e* I) at small strain, the swelling
            ratio J_s at finite strain.
        soc: UFL scalar state of charge (yield stress argument).
        youngs_modulus: UFL scalar E (may depend on the state of charge).
        poissons_ratio: UFL scalar ν.
        plastic: (cells, material) pairs: the local cells where each material flows. Points
            of other cells stay elastic (Hencky at finite strain, linear at small strain).
        quadrature_degree: Degree of the quadrature elements and of :attr:`dx`.
        dt: Initial time step (only viscoplastic materials use it); see :meth:`update`.
        formulation: ``3d``, or a 2D section's ``plane_strain`` or ``axisymmetric``: the
            return maps see the 3×3 ∇u of :func:`femsi.physics.kinematics.displacement_gradient`
            (zero out-of-plane row, or u_r/r in the hoop entry), and :attr:`dx` carries 2πr
            for axisymmetry.
    """

    def __init__(
        self,
        u: fem.Function,
        *,
        kinematics: str,
        swelling,
        soc,
        youngs_modulus,
        poissons_ratio,
        plastic: Sequence[tuple[np.ndarray, PlasticMaterial]],
        quadrature_degree: int,
        dt: float = 0.0,
        formulation: str = "3d",
    ):
        if kinematics not in KINEMATICS:
            raise ValueError(f"kinematics must be one of {KINEMATICS}, got {kinematics!r}")
        self.u = u
        self.formulation = formulation
        self.kinematics = kinematics
        self.finite = kinematics == "finite_strain"
        self.degree = quadrature_degree
        mesh = u.function_space.mesh
        self.mesh = mesh
        cell = mesh.basix_cell()
        tensor_element = basix.ufl.quadrature_element(cell, value_shape=(3, 3), degree=self.degree)
        tangent_element = basix.ufl.quadrature_element(
            cell, value_shape=(3, 3, 3, 3), degree=self.degree
        )
        self.stress = fem.Function(fem.functionspace(mesh, tensor_element), name="stress_qp")
        self.tangent = fem.Function(fem.functionspace(mesh, tangent_element), name="tangent_qp")
        self.dx: ufl.Measure | WeightedMeasure = ufl.Measure(
            "dx",
            domain=mesh,
            metadata={"quadrature_degree": self.degree, "quadrature_rule": "default"},
        )
        weight = formulation_weight(mesh, formulation)  # 2πr on an axisymmetric section
        if weight is not None:
            self.dx = WeightedMeasure(self.dx, weight)
        grad_u = self._grad(u)
        inputs = ufl.as_vector(
            [grad_u[i, j] for i in range(3) for j in range(3)]
            + [swelling, soc, youngs_modulus, poissons_ratio]
        )
        points = self.stress.function_space.element.interpolation_points
        self._expression = fem.Expression(inputs, points)
        self.points_per_cell = points.shape[0]
        tdim = mesh.topology.dim
        self._cells = np.arange(mesh.topology.index_map(tdim).size_local, dtype=np.int32)
        dofmap = self.stress.function_space.dofmap
        self._dofs = dofmap.list[self._cells].reshape(-1)
        n = self._dofs.size
        self.n_points = n
        self._material_points = []
        for cells, material in plastic:
            owned = np.asarray(cells, dtype=np.int64)
            owned = owned[owned < self._cells.size]
            index = (
                owned[:, None] * self.points_per_cell + np.arange(self.points_per_cell)
            ).reshape(-1)
            self._material_points.append((index, material))
        identity = np.tile(np.eye(3), (n, 1, 1))
        self._state = identity if self.finite else np.zeros((n, 3, 3))
        self._alpha = np.zeros(n)
        self._trial_state = self._state.copy()
        self._trial_alpha = self._alpha.copy()
        self.dt = float(dt)
        self._last_inputs: np.ndarray | None = None
        #: Cauchy and Kirchhoff stress (equal at small strain) of the last evaluation.
        self.cauchy = np.zeros((n, 3, 3))
        self.kirchhoff = np.zeros((n, 3, 3))
        self.dgamma = np.zeros(n)
        self.evaluations = 0
        self._cauchy_dg0: fem.Function | None = None
        self._alpha_dg0 = fem.Function(
            fem.functionspace(mesh, ("DG", 0)), name="equivalent_plastic_strain"
        )

    # ------------------------------------------------------------------ forms

    def residual(self, v, dx: ufl.Measure | WeightedMeasure | None = None) -> ufl.Form:
        """∫ S : ∇v dX with the quadrature stress S (σ or P).

        Args:
            v: Test function.
            dx: Optional restriction of :attr:`dx`, e.g. ``op.dx(tags, subdomain_data=ct)``
                to integrate some regions only (its degree must stay that of :attr:`dx`).
        """
        return ufl.inner(self.stress, self._grad(v)) * (dx or self.dx)

    def jacobian(self, du, v, dx: ufl.Measure | WeightedMeasure | None = None) -> ufl.Form:
        """∫ (A : ∇du) : ∇v dX with the quadrature tangent A (``dx`` as in :meth:`residual`)."""
        i, j, k, m = ufl.indices(4)
        a_du = ufl.as_tensor(self.tangent[i, j, k, m] * self._grad(du)[k, m], (i, j))
        return ufl.inner(a_du, self._grad(v)) * (dx or self.dx)

    def _grad(self, w):
        """The 3×3 gradient of a displacement-like field w (3D, or a 2D section's)."""
        return displacement_gradient(w, self.formulation)

    # ------------------------------------------------------------------ updates

    def update(self, dt: float | None = None) -> None:
        """Evaluate at the current u and concentration (a new step may set ``dt``)."""
        if dt is not None:
            self.dt = float(dt)
        self._last_inputs = None
        self.refresh()

    def refresh(self) -> None:
        """Return-map every point from the committed history; fill stress and tangent.

        Skips the work when the inputs at the points have not changed since the last call
        (SNES assembles the Jacobian at the iterate of the last residual).
        """
        values = self._expression.eval(self.mesh, self._cells).reshape(self.n_points, 13)
        if self._last_inputs is not None and np.array_equal(values, self._last_inputs):
            return
        self.evaluations += 1
        if not self._admissible(values):
            # A Newton or line-search iterate outside the physical range (J_s <= 0, det F <= 0,
            # NaN): a NaN residual makes SNES shrink the step or fail cleanly, where an
            # exception inside its callback would leave PETSc in an error state.
            self._last_inputs = None
            self.stress.x.array[:] = np.nan
            self.tangent.x.array[:] = np.nan
            return
        self._last_inputs = values
        grad_u = values[:, :9].reshape(-1, 3, 3)
        swelling, soc = values[:, 9], values[:, 10]
        bulk, shear = bulk_shear(values[:, 11], values[:, 12])
        flow = self._flow_parameters(soc)
        result: FiniteStrainState | SmallStrainState
        if self.finite:
            result = finite_strain_update(
                np.eye(3) + grad_u, swelling, self._state, self._alpha, bulk, shear, flow, self.dt
            )
            stress = result.first_piola
            self.cauchy, self.kirchhoff = result.cauchy, result.kirchhoff
            self._trial_state = result.inverse_plastic_cauchy_green
        else:
            strain = 0.5 * (grad_u + grad_u.transpose(0, 2, 1))
            result = small_strain_update(
                strain, swelling, self._state, self._alpha, bulk, shear, flow, self.dt
            )
            stress = self.cauchy = self.kirchhoff = result.stress
            self._trial_state = result.plastic_strain
        self._trial_alpha = result.alpha
        self.dgamma = result.dgamma
        self.stress.x.array.reshape(-1, 9)[self._dofs] = stress.reshape(-1, 9)
        assert result.tangent is not None  # the updates compute it by default
        self.tangent.x.array.reshape(-1, 81)[self._dofs] = result.tangent.reshape(-1, 81)

    def _admissible(self, values: np.ndarray) -> bool:
        """Whether the inputs at every point are finite with det F > 0 (and J_s > 0)."""
        if not np.all(np.isfinite(values)):
            return False
        if not self.finite:
            return True
        det_f = np.linalg.det(np.eye(3) + values[:, :9].reshape(-1, 3, 3))
        return bool(np.all(det_f > 0) and np.all(values[:, 9] > 0))

    @property
    def owned_cells(self) -> np.ndarray:
        """The rank's owned cells, in the order of the quadrature points."""
        return self._cells

    def hardening_moduli(self) -> np.ndarray:
        """The hardening modulus H at every quadrature point (0 outside plastic regions)."""
        moduli = np.zeros(self.n_points)
        for index, material in self._material_points:
            moduli[index] = material.hardening_modulus
        return moduli

    def last_shear_moduli(self) -> np.ndarray | None:
        """G = E / (2 (1 + ν)) at every point of the last evaluation, or None if stale."""
        if self._last_inputs is None:
            return None
        return self._last_inputs[:, 11] / (2 * (1 + self._last_inputs[:, 12]))

    def commit(self) -> None:
        """Accept the trial history of the last evaluation (a converged step)."""
        self._state = self._trial_state.copy()
        self._alpha = self._trial_alpha.copy()
        self._last_inputs = None

    def restore(self) -> None:
        """Discard the trial history (a rejected step); the next update starts again."""
        self._trial_state = self._state.copy()
        self._trial_alpha = self._alpha.copy()
        self._last_inputs = None

    def _flow_parameters(self, soc: np.ndarray) -> FlowParameters:
        flow = FlowParameters.uniform(self.n_points, np.inf)
        for index, material in self._material_points:
            part = material.flow_parameters(soc[index])
            flow.yield_stress[index] = part.yield_stress
            flow.hardening[index] = part.hardening
            flow.rate[index] = part.rate
            flow.exponent[index] = part.exponent
        return flow

    # ------------------------------------------------------------------ outputs

    @property
    def equivalent_plastic_strain(self) -> np.ndarray:
        """Committed α at the local points, (n_points,)."""
        return self._alpha

    @property
    def plastic_state(self) -> np.ndarray:
        """Committed C_p⁻¹ (finite strain) or ε_p (small strain) at the local points."""
        return self._state

    def von_mises(self) -> np.ndarray:
        """Von Mises stress of the last evaluation's Cauchy stress at the local points."""
        return von_mises(self.cauchy)

    def cauchy_dg0(self) -> fem.Function:
        """Cell average of the last evaluation's Cauchy stress as a DG0 tensor Function."""
        if self._cauchy_dg0 is None:
            space = fem.functionspace(self.mesh, ("DG", 0, (3, 3)))
            self._cauchy_dg0 = fem.Function(space, name="cauchy_stress")
        f = self._cauchy_dg0
        dofs = f.function_space.dofmap.list[self._cells, 0]
        means = self.cauchy.reshape(-1, self.points_per_cell, 9).mean(axis=1)
        f.x.array.reshape(-1, 9)[dofs] = means
        f.x.scatter_forward()
        return f

    def equivalent_plastic_strain_dg0(self) -> fem.Function:
        """Cell average of the committed α as a DG0 Function (for VTX/XDMF output)."""
        dofs = self._alpha_dg0.function_space.dofmap.list[self._cells, 0]
        means = self._alpha.reshape(-1, self.points_per_cell).mean(axis=1)
        self._alpha_dg0.x.array[dofs] = means
        self._alpha_dg0.x.scatter_forward()
        return self._alpha_dg0
