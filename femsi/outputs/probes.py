"""Point probes: concentration, displacement and Cauchy stress at reference coordinates."""

from __future__ import annotations

from mpi4py import MPI

import numpy as np
from dolfinx import fem, geometry

import femsi.compat  # noqa: F401
from femsi.errors import InputError

COMPONENTS = ("sxx", "syy", "szz", "sxy", "syz", "sxz")
_INDEX = {"sxx": 0, "syy": 4, "szz": 8, "sxy": 1, "syz": 5, "sxz": 2}


def probe_columns(names) -> list[str]:
    """Column names of the probes in ``timeseries.csv``."""
    columns = []
    for name in names:
        p = f"probe.{name}."
        columns += [p + "c_mol_m3", p + "ux_m", p + "uy_m", p + "uz_m"]
        columns += [p + f"{s}_Pa" for s in COMPONENTS]
        columns += [p + "von_mises_Pa", p + "hydrostatic_Pa"]
    return columns


class Probes:
    """Locate probe points once; evaluate on the owning ranks and share the values.

    The stress is discontinuous between cells; a probe on a shared vertex or facet reports the
    mean over every cell that contains it, so the value does not depend on the partition.
    Points on a curved boundary may lie just outside the faceted mesh; a point within
    ``snap`` of the mesh is moved to the nearest cell, one farther away is an input error.

    Args:
        mesh: The mesh.
        points: Probe name to reference coordinates (m).
        snap: Largest distance from the mesh accepted (m).
    """

    def __init__(self, mesh, points: dict[str, tuple[float, ...]], snap: float):
        self.mesh = mesh
        self.names = list(points)
        comm = mesh.comm
        tdim = mesh.topology.dim
        tree = geometry.bb_tree(mesh, tdim)
        n_owned = mesh.topology.index_map(tdim).size_local
        self._local: list[tuple[int, np.ndarray, list[int]]] = []
        for index, name in enumerate(self.names):
            # A 2D study's probe may be (x, y): the section plane is z = 0.
            x = np.zeros((1, 3))
            x[0, : len(points[name])] = points[name]
            candidates = geometry.compute_collisions_points(tree, x)
            colliding = geometry.compute_colliding_cells(mesh, candidates, x)
            cells = [int(c) for c in colliding.links(0) if c < n_owned]
            found = comm.allreduce(len(cells), op=MPI.SUM)
            if found == 0:
                cells = self._nearest(tree, x, n_owned, snap, name, points[name])
            if cells:
                self._local.append((index, x, cells))

    def _nearest(self, tree, x, n_owned, snap, name, point) -> list[int]:
        """The nearest owned cell on the rank closest to ``x``, if within ``snap``."""
        mesh, comm = self.mesh, self.mesh.comm
        tdim = mesh.topology.dim
        distance, cell = np.inf, -1
        if n_owned:
            mid = geometry.create_midpoint_tree(mesh, tdim, np.arange(n_owned, dtype=np.int32))
            cell = int(geometry.compute_closest_entity(tree, mid, mesh, x)[0])
            if cell >= 0:
                d2 = geometry.squared_distance(mesh, tdim, np.array([cell], np.int32), x)
                distance = float(np.sqrt(d2[0]))
        best, owner = comm.allreduce((distance, comm.rank), op=MPI.MINLOC)
        if best > snap:
            raise InputError(
                f"outputs.probes.{name}",
                f"the point {point} (m) is outside the body ({best:.3g} m from the mesh)",
            )
        return [cell] if comm.rank == owner else []

    def evaluate(self, c: fem.Function, u: fem.Function | None, stress) -> dict[str, float]:
        """Probe values, identical on every rank.

        The von Mises and hydrostatic stresses are those of the stress tensor at the probe,
        so they are consistent with its components, and von Mises is never negative (an
        interpolated von Mises field can undershoot between its nodes).
        """
        sums = np.zeros((len(self.names), 10))
        counts = np.zeros(len(self.names))
        for index, x, cells in self._local:
            for cell in cells:
                where = np.array([cell], dtype=np.int32)
                row = [c.eval(x, where)[0]]
                displacement = np.zeros(3)
                if u is not None:  # (u_x, u_y) of a 2D section, u_z = 0
                    value = u.eval(x, where)
                    displacement[: value.size] = value
                row += list(displacement)
                if stress is not None:
                    s = stress.eval(x, where)
                    row += [s[_INDEX[k]] for k in COMPONENTS]
                else:
                    row += [0.0] * 6
                sums[index] += row
                counts[index] += 1
        sums = self.mesh.comm.allreduce(sums, op=MPI.SUM)
        counts = self.mesh.comm.allreduce(counts, op=MPI.SUM)
        values = sums / np.maximum(counts, 1)[:, None]
        values = np.hstack([values, _invariants(values[:, 4:10])])
        out = {}
        for index, name in enumerate(self.names):
            for column, value in zip(probe_columns([name]), values[index], strict=True):
                out[column] = float(value)
        return out


def _invariants(components: np.ndarray) -> np.ndarray:
    """(von Mises, hydrostatic) of stresses given as (xx, yy, zz, xy, yz, xz) rows."""
    xx, yy, zz, xy, yz, xz = components.T
    mises = np.sqrt(
        0.5 * ((xx - yy) ** 2 + (yy - zz) ** 2 + (zz - xx) ** 2) + 3 * (xy**2 + yz**2 + xz**2)
    )
    return np.column_stack([mises, (xx + yy + zz) / 3])
