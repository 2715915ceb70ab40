"""MPI helpers: scalar reductions and rank-0 output.

Every scalar femsi reports is reduced here, so no caller handles rank-local numbers.
"""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from dolfinx import fem
from dolfinx import mesh as dmesh
from numpy.typing import ArrayLike

import femsi.compat  # noqa: F401
from femsi.typing import UFLForm


class ScalarForm:
    """A scalar UFL form compiled once and evaluated globally on every call.

    Args:
        form: A UFL form of rank 0 (its measures carry an explicit quadrature degree).
        comm: The communicator of the mesh.
    """

    def __init__(self, form: UFLForm, comm: MPI.Comm) -> None:
        self._form = fem.form(form)
        self._comm = comm

    def __call__(self) -> float:
        """Assemble the form and sum over all ranks."""
        return float(self._comm.allreduce(fem.assemble_scalar(self._form), op=MPI.SUM))


def global_max(comm: MPI.Comm, values: np.ndarray) -> float:
    """Largest entry over all ranks (``-inf`` where no rank holds any)."""
    local = float(np.max(values)) if values.size else -np.inf
    return float(comm.allreduce(local, op=MPI.MAX))


def global_min(comm: MPI.Comm, values: np.ndarray) -> float:
    """Smallest entry over all ranks (``inf`` where no rank holds any)."""
    local = float(np.min(values)) if values.size else np.inf
    return float(comm.allreduce(local, op=MPI.MIN))


def global_extent(mesh: dmesh.Mesh, origin: ArrayLike | None = None) -> float:
    """The largest coordinate distance max |x_i - origin_i| of the mesh's nodes, all ranks.

    Args:
        mesh: A DOLFINx mesh.
        origin: The point distances are measured from (default the coordinate origin).
    """
    x = mesh.geometry.x
    if origin is not None:
        x = x - np.asarray(origin)
    local = float(np.max(np.abs(x))) if x.size else 0.0
    return float(mesh.comm.allreduce(local, op=MPI.MAX))


def global_span(mesh: dmesh.Mesh) -> float:
    """The largest edge of the mesh's bounding box over all ranks, m."""
    x = mesh.geometry.x
    low = x.min(axis=0) if x.size else np.full(3, np.inf)
    high = x.max(axis=0) if x.size else np.full(3, -np.inf)
    mesh.comm.Allreduce(MPI.IN_PLACE, low, op=MPI.MIN)
    mesh.comm.Allreduce(MPI.IN_PLACE, high, op=MPI.MAX)
    return float(np.max(high - low))
