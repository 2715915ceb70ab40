"""Cauchy stress, its invariants and region statistics after each step.

The stress is interpolated into a discontinuous Lagrange tensor space of degree
displacement_degree - 1 (exact for small strain) through one Expression compiled once. In
plastic regions that expression reads the quadrature-point Cauchy stress of the plasticity
operator, L2-projected cell by cell into the same space. The
invariants are computed with NumPy on the interpolated values: von Mises
σ_vM = sqrt(3/2 s:s), hydrostatic σ_h = tr σ / 3, and the largest principal stress from the
closed-form eigenvalues of a symmetric 3x3 matrix.
"""

from __future__ import annotations

import numpy as np
from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.parallel import ScalarForm, global_max, global_min
from femsi.physics.model import CoupledModel


def max_principal(sigma: np.ndarray) -> np.ndarray:
    """Largest eigenvalue of each symmetric 3x3 matrix in ``sigma`` (shape (n, 9))."""
    s = sigma.reshape(-1, 3, 3)
    s = 0.5 * (s + np.transpose(s, (0, 2, 1)))
    mean = np.trace(s, axis1=1, axis2=2) / 3
    dev = s - mean[:, None, None] * np.eye(3)
    j2 = 0.5 * np.einsum("nij,nij->n", dev, dev)
    j3 = np.linalg.det(dev)
    safe = np.where(j2 > 0, j2, 1.0)
    arg = np.clip(0.5 * j3 * (3.0 / safe) ** 1.5, -1.0, 1.0)
    theta = np.arccos(arg) / 3
    return mean + 2 * np.sqrt(j2 / 3) * np.cos(theta) * (j2 > 0)


def von_mises(sigma: np.ndarray) -> np.ndarray:
    """σ_vM of each 3x3 stress in ``sigma`` (shape (n, 9))."""
    s = sigma.reshape(-1, 3, 3)
    dev = s - (np.trace(s, axis1=1, axis2=2) / 3)[:, None, None] * np.eye(3)
    return np.sqrt(1.5 * np.einsum("nij,nij->n", dev, dev))


class StressFields:
    """Stress and derived fields of a model, refreshed by :meth:`update`.

    Args:
        model: The coupled model (with mechanics).
    """

    def __init__(self, model: CoupledModel):
        self.model = model
        mesh = model.mesh
        k = model.stress_degree
        family = "DG"
        self.W = fem.functionspace(mesh, (family, k, (3, 3)))
        self.S = fem.functionspace(mesh, (family, k))
        self.stress = fem.Function(self.W, name="cauchy_stress")
        self.von_mises = fem.Function(self.S, name="von_mises")
        self.hydrostatic = fem.Function(self.S, name="hydrostatic_stress")
        self.max_principal = fem.Function(self.S, name="max_principal_stress")
        self.volume_ratio = fem.Function(self.S, name="volume_ratio_J")
        points = self.W.element.interpolation_points
        # The output expressions take the axis limit u_r/r → ∂u_r/∂r of an axisymmetric model.
        self._stress_expr = fem.Expression(model.output_stress, points)
        self._j_expr = fem.Expression(
            model.output_volume_ratio, self.S.element.interpolation_points
        )
        n_owned = mesh.topology.index_map(mesh.topology.dim).size_local
        self._region_dofs = {}
        for region in model.model.regions:
            cells = model.model.cells_of(region)
            cells = cells[cells < n_owned]
            self._region_dofs[region] = np.unique(self.S.dofmap.list[cells].ravel())
        m = model.measures
        q = m.mechanics_degree
        self._volume = {
            r: ScalarForm(model.volume_ratio * m.regions([r], q), mesh.comm)
            for r in model.model.regions
        }
        # The reference volume of a region does not change: assemble it once.
        self._reference_volume = {
            r: ScalarForm(1.0 * m.regions([r], q), mesh.comm)() for r in model.model.regions
        }
        self._amount = {
            r: ScalarForm(model.concentration * m.regions([r], m.diffusion_degree), mesh.comm)
            for r in model.model.regions
        }

    def update(self) -> None:
        """Evaluate stress, invariants and J for the current displacement and concentration.

        In plastic regions the stress is the operator's quadrature Cauchy stress, projected
        cell by cell into the same discontinuous space (``model.update_plastic_stress``).
        """
        self.model.update_plastic_stress()
        self.stress.interpolate(self._stress_expr)
        self.volume_ratio.interpolate(self._j_expr)
        sigma = self.stress.x.array.reshape(-1, 9)
        self.von_mises.x.array[:] = von_mises(sigma)
        self.hydrostatic.x.array[:] = (sigma[:, 0] + sigma[:, 4] + sigma[:, 8]) / 3
        self.max_principal.x.array[:] = max_principal(sigma)

    def region_statistics(self, volume_scale: float) -> dict[str, float]:
        """Per-region extremes, mean concentration and deformed volume (MPI-global).

        Args:
            volume_scale: Full body over modelled part (8 for an octant).
        """
        comm = self.model.mesh.comm
        stats = {}
        for region, dofs in self._region_dofs.items():
            reference = self._reference_volume[region]
            stats[f"{region}.max_von_mises_Pa"] = global_max(comm, self.von_mises.x.array[dofs])
            stats[f"{region}.max_principal_Pa"] = global_max(comm, self.max_principal.x.array[dofs])
            stats[f"{region}.min_hydrostatic_Pa"] = global_min(comm, self.hydrostatic.x.array[dofs])
            stats[f"{region}.max_hydrostatic_Pa"] = global_max(comm, self.hydrostatic.x.array[dofs])
            stats[f"{region}.mean_concentration_mol_m3"] = self._amount[region]() / reference
            stats[f"{region}.volume_m3"] = self._volume[region]() * volume_scale
        return stats
