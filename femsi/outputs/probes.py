"""Point probes: concentration, displacement and Cauchy stress at reference coordinates."""

from __future__ import annotations

import femsi.compat  # noqa: F401

from mpi4py import MPI

import numpy as np
from dolfinx import fem, geometry

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
    """Locate probe points once; evaluate on the owning rank and share the values.

    Points on a curved boundary may lie just outside the faceted mesh; a point within
    ``snap`` of the mesh is moved to the nearest cell, one farther away is an input error.

    Args:
        mesh: The mesh.
        points: Probe name to reference coordinates (m).
        snap: Largest distance from the mesh accepted (m).
    """

    def __init__(self, mesh, points: dict[str, tuple[float, float, float]], snap: float):
        self.mesh = mesh
        self.names = list(points)
        comm = mesh.comm
        tree = geometry.bb_tree(mesh, mesh.topology.dim)
        n_owned = mesh.topology.index_map(mesh.topology.dim).size_local
        self._local: list[tuple[int, np.ndarray, int]] = []
        for index, name in enumerate(self.names):
            x = np.array(points[name], dtype=np.float64).reshape(1, 3)
            candidates = geometry.compute_collisions_points(tree, x)
            colliding = geometry.compute_colliding_cells(mesh, candidates, x)
            cells = [c for c in colliding.links(0) if c < n_owned]
            distance = 0.0 if cells else np.inf
            if not cells and n_owned:
                mid = geometry.create_midpoint_tree(mesh, mesh.topology.dim,
                                                    np.arange(n_owned, dtype=np.int32))
                nearest = geometry.compute_closest_entity(tree, mid, mesh, x)
                cell = int(nearest[0])
                if cell >= 0:
                    dist = geometry.squared_distance(mesh, mesh.topology.dim,
                                                     np.array([cell], np.int32), x)
                    distance = float(np.sqrt(dist[0]))
                    cells = [cell]
            best = comm.allreduce((distance, comm.rank), op=MPI.MINLOC)
            if best[0] > snap:
                raise InputError(
                    f"outputs.probes.{name}",
                    f"the point {points[name]} (m) is outside the body "
                    f"({best[0]:.3g} m from the mesh)",
                )
            if comm.rank == best[1]:
                self._local.append((index, x, int(cells[0])))

    def evaluate(self, c: fem.Function, u: fem.Function | None, stress, von_mises,
                 hydrostatic) -> dict[str, float]:
        """Probe values, identical on every rank."""
        values = np.zeros((len(self.names), 12))
        for index, x, cell in self._local:
            cells = np.array([cell], dtype=np.int32)
            row = [c.eval(x, cells)[0]]
            row += list(u.eval(x, cells)) if u is not None else [0.0, 0.0, 0.0]
            if stress is not None:
                s = stress.eval(x, cells)
                row += [s[_INDEX[k]] for k in COMPONENTS]
                row += [von_mises.eval(x, cells)[0], hydrostatic.eval(x, cells)[0]]
            else:
                row += [0.0] * 8
            values[index] = row
        values = self.mesh.comm.allreduce(values, op=MPI.SUM)
        out = {}
        for index, name in enumerate(self.names):
            for column, value in zip(probe_columns([name]), values[index], strict=True):
                out[column] = float(value)
        return out
