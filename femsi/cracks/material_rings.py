"""Rings that stay inside one material: the materials of the cells, the rings about a tip.

The domain integral is path independent only inside one homogeneous material (an interface
inside a ring adds an integral that is not computed): :func:`cell_material_ids` numbers the
cells by material (regions of equal material share a number), which
:meth:`~femsi.cracks.domain_integral.DomainIntegral.for_model` checks each ring against, and
:func:`rings_for` picks rings about a tip that reach no other material.
"""

from __future__ import annotations

import math

from mpi4py import MPI

import numpy as np


def cell_material_ids(model) -> np.ndarray:
    """An integer per owned cell of a CoupledModel: equal for regions of equal material."""
    mesh = model.mesh
    n = mesh.topology.index_map(mesh.topology.dim).size_local
    ids = np.full(n, -1, dtype=np.int64)
    distinct: list = []
    tags = model.model.cell_tags
    for region, tag in model.model.regions.items():
        material = model.materials.get(region)
        index = next((i for i, m in enumerate(distinct) if _same(m, material)), None)
        if index is None:
            distinct.append(material)
            index = len(distinct) - 1
        cells = tags.indices[tags.values == tag]
        ids[cells[cells < n]] = index
    return ids


def _same(a, b) -> bool:
    """Whether two materials are equal (values that cannot be compared count as different)."""
    if a is b:
        return True
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


def rings_for(tip, tip_size: float, max_radius: float, n: int = 4, model=None):
    """Rings (r1, r2) about a tip, the largest reaching ``max_radius`` (or less with a model).

    Outer radii r2 = R i/n (i = 1 … n), inner radii r1 = r2/2. With a model, R is also
    limited to the distance from the tip to the nearest cell of another material and, in
    axisymmetry, to the tip's radius (θ must vanish on the axis).

    Args:
        tip: Tip coordinates, m.
        tip_size: Element size at the tip, m.
        max_radius: Largest outer radius wanted, m (keep it clear of loaded boundaries and
            other tips).
        n: Number of rings.
        model: A CoupledModel, or None.

    Returns:
        (r1, r2) pairs, m.

    Raises:
        ValueError: The smallest ring would be narrower than two tip elements; the tip lies
            on a material interface.
    """
    tip3 = np.zeros(3)
    tip3[: len(tip)] = tip
    radius = float(max_radius)
    if model is not None:
        radius = min(radius, _distance_to_other_material(model, tip3))
        if model.formulation == "axisymmetric":
            radius = min(radius, tip3[0])
    if radius / (2 * n) < 2 * tip_size:
        raise ValueError(
            f"rings up to {radius:g} m are too small for {n} rings at a tip element size of "
            f"{tip_size:g} m (need ≥ {4 * n * tip_size:g} m: refine the tip or use fewer rings)"
        )
    return [(radius * i / (2 * n), radius * i / n) for i in range(1, n + 1)]


def _distance_to_other_material(model, tip: np.ndarray) -> float:
    """Distance from the tip to the nearest node of a cell of another material than the tip's."""
    mesh = model.mesh
    comm = mesh.comm
    ids = cell_material_ids(model)
    nodes = mesh.geometry.dofmaps[0][: len(ids)]
    d = np.linalg.norm(mesh.geometry.x[nodes] - tip, axis=2).min(axis=1)
    nearest = comm.allreduce(float(d.min()) if d.size else math.inf, op=MPI.MIN)
    scale = comm.allreduce(float(np.abs(mesh.geometry.x).max()), op=MPI.MAX)
    at_tip = set(np.unique(ids[d <= nearest + 1e-9 * scale]).tolist())
    at_tip = set().union(*comm.allgather(at_tip))
    if len(at_tip) > 1:
        raise ValueError(
            f"the tip {tuple(tip)} lies on an interface of {len(at_tip)} materials: domain "
            "integrals need the tip inside one material"
        )
    (own,) = at_tip
    other = d[ids != own]
    return comm.allreduce(float(other.min()) if other.size else math.inf, op=MPI.MIN)
