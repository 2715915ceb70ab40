"""Plastic history outputs: equivalent plastic strain per region and the plastic work.

Columns (with ``physics.constitutive`` elastoplastic or viscoplastic):

- ``R.max_equivalent_plastic_strain`` for each plastic region R: the largest committed α at
  the quadrature points of R (MPI-global);
- ``plastic_work_J``: the plastic work done in the whole body since t = 0,

      W_p = Σ_steps Σ_points w_p |det J| J_s q(τ) Δα,

  the backward-Euler dissipation τ : d_p = q Δα per unit intermediate volume (σ : dε_p at small
  strain, J_s = 1), times J_s per unit reference volume, summed with the quadrature weights of
  the operator (times the symmetry factor of an octant model). For rate-independent flow
  q = σ_f at plastic points, so a film cycle gives the elastic-perfectly plastic film's
  2σ_Y(2e_max - 3σ_Y/M_f) per unit volume exactly (Nix, Metall. Trans. A 20 (1989) 2217 for the
  film's loop; tests/verification/test_plasticity_runner.py).
"""

from __future__ import annotations

from typing import cast

from mpi4py import MPI

import basix
import basix.ufl
import numpy as np
import ufl
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.parallel import global_max
from femsi.physics.plasticity.tensors import von_mises


class PlasticOutputs:
    """The plastic columns of a model with plasticity.

    Args:
        model: The coupled model (``model.plasticity`` set).
        volume_scale: Full body over the modelled part (8 for an octant).
    """

    def __init__(self, model, volume_scale: float):
        op = model.plasticity
        self.op = op
        self.model = model
        self.volume_scale = volume_scale
        self.columns = [f"{r}.max_equivalent_plastic_strain" for r in model.plastic_regions]
        self.columns.append("plastic_work_J")
        n_owned = op._cells.size
        self._points = {}
        for region in model.plastic_regions:
            cells = model.model.cells_of(region)
            cells = cells[cells < n_owned]
            self._points[region] = (
                cells[:, None] * op.points_per_cell + np.arange(op.points_per_cell)
            ).reshape(-1)
        # Reference volume per quadrature point: cell volume times w_p / Σ w (affine cells).
        dg0 = fem.functionspace(model.mesh, ("DG", 0))
        volume = fem.assemble_vector(fem.form(ufl.TestFunction(dg0) * op.dx))
        # basix types the rule as ArrayLike; it is two arrays.
        _, weights = cast(
            tuple[np.ndarray, np.ndarray], basix.make_quadrature(model.mesh.basix_cell(), op.degree)
        )
        cell_volume = volume.array[dg0.dofmap.list[op._cells, 0]]
        self._point_volume = (cell_volume[:, None] * weights / weights.sum()).reshape(-1)
        if model.formulation == "axisymmetric":
            # 2πr varies across a cell: each point's own weight w_p |J| 2π r_p, assembled
            # with a test function of the operator's scalar quadrature space.
            element = basix.ufl.quadrature_element(
                model.mesh.basix_cell(), value_shape=(), degree=op.degree
            )
            Q = fem.functionspace(model.mesh, element)
            points = fem.assemble_vector(fem.form(ufl.TestFunction(Q) * op.dx))
            self._point_volume = points.array[Q.dofmap.list[op._cells].reshape(-1)]
        self.work = 0.0

    def before_commit(self) -> None:
        """Add the plastic work of the step being committed (trial α minus committed α)."""
        op = self.op
        increment = op._trial_alpha - op._alpha
        if not np.any(increment):
            local = 0.0
        else:
            swelling = op._last_inputs[:, 9] if (op.finite and op._last_inputs is not None) else 1
            q = von_mises(op.kirchhoff)
            local = float(np.sum(self._point_volume * swelling * q * increment))
        comm = self.model.mesh.comm
        self.work += comm.allreduce(local, op=MPI.SUM) * self.volume_scale

    def evaluate(self) -> dict[str, float]:
        """The columns' values for the committed state."""
        comm = self.model.mesh.comm
        alpha = self.op.equivalent_plastic_strain
        row = {
            f"{region}.max_equivalent_plastic_strain": max(global_max(comm, alpha[points]), 0.0)
            for region, points in self._points.items()
        }
        row["plastic_work_J"] = self.work
        return row
