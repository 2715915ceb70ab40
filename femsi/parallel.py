"""MPI helpers: scalar reductions and rank-0 output.

Every scalar femsi reports is reduced here, so no caller handles rank-local numbers.
"""

from __future__ import annotations

from collections.abc import Callable

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


def on_rank0[T](comm: MPI.Comm, work: Callable[[], T], field: str, what: str) -> T:
    """``work()`` on rank 0 only, its result broadcast; its failure raised on every rank.

    Gmsh and file readers run on rank 0 alone. An error there must reach the other ranks,
    which otherwise wait forever in the next collective call: any exception (and the
    ``SystemExit`` some readers raise) becomes an :class:`~femsi.errors.InputError` at
    ``field`` raised on every rank.

    Args:
        comm: The communicator.
        work: What rank 0 does (returns something picklable).
        field: The config field to blame.
        what: The work's name for the message ("meshing").
    """
    from femsi.errors import InputError

    result, error = None, None
    if comm.rank == 0:
        try:
            result = work()
        except InputError as err:
            error = err
        except (Exception, SystemExit) as err:
            error = InputError(field, f"{what} failed: {type(err).__name__}: {err}")
    result, error = comm.bcast((result, error), root=0)
    if error is not None:
        raise error
    return result
