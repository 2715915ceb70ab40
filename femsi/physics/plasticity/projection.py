"""Quadrature-point tensors projected into a discontinuous Lagrange space, cell by cell.

The plastic stress lives at quadrature points; outputs (VTX fields, probes, region extremes,
surface integrals) need a Function of a discontinuous Lagrange space DG(k). On each affine cell
the L2 projection is the local weighted least-squares fit

    a = (Bᵀ W B)⁻¹ Bᵀ W s,   B_pi = φ_i(ξ_p),  W = diag(w_p),

with the same matrix for every cell (B and the weights live on the reference cell; the
constant Jacobian determinant cancels). When the rule has as many points as DG(k) has basis
functions (degree 2 on tetrahedra with DG1) the projection interpolates the point values.
It is one matrix product over all owned cells: no loop over cells or points.
"""

from __future__ import annotations

from typing import cast

import basix
import numpy as np
from dolfinx import fem

import femsi.compat  # noqa: F401


class QuadratureProjector:
    """Project (n_points, 3, 3) quadrature values of an operator into a DG(k) tensor Function.

    Args:
        op: A :class:`~femsi.physics.plasticity.operator.QuadratureConstitutive` (its points
            and the cells it covers).
        target: A DG(k) tensor Function with value shape (3, 3) on the same mesh.
    """

    def __init__(self, op, target: fem.Function):
        self.target = target
        self.cells = op._cells
        points = op.stress.function_space.element.interpolation_points
        # basix types the rule as ArrayLike; it is two arrays.
        rule_points, weights = cast(
            tuple[np.ndarray, np.ndarray], basix.make_quadrature(op.mesh.basix_cell(), op.degree)
        )
        if not np.allclose(rule_points, points):
            raise ValueError("the operator's points are not the default quadrature rule")
        scalar = target.function_space.ufl_element().sub_elements[0]
        basis = scalar.tabulate(0, points)[0]  # (n_points, n_dofs)
        normal = basis.T @ (weights[:, None] * basis)
        self._fit = np.linalg.solve(normal, basis.T * weights)  # (n_dofs, n_points)
        self.points_per_cell = points.shape[0]
        self._dofs = target.function_space.dofmap.list[self.cells]  # (n_cells, n_dofs)

    def project(self, values: np.ndarray) -> fem.Function:
        """Fill the target from point values of shape (n_cells * points_per_cell, 3, 3)."""
        per_cell = values.reshape(self.cells.size, self.points_per_cell, 9)
        coefficients = np.einsum("ip,cpk->cik", self._fit, per_cell)
        array = self.target.x.array.reshape(-1, 9)
        array[self._dofs.reshape(-1)] = coefficients.reshape(-1, 9)
        self.target.x.scatter_forward()
        return self.target
