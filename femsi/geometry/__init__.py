"""Geometry: Gmsh builders per geometry family, mesh import, and named regions and surfaces.

:mod:`femsi.geometry.families` declares the geometry families (one entry per ``geometry.type``);
:func:`build_mesh` meshes a geometry section with its family's builder. Importing this package
imports neither Gmsh nor DOLFINx (the config reads the families before anything is meshed): a
family's builder is imported when a mesh is built.
"""

from __future__ import annotations

from mpi4py import MPI

import femsi.compat  # noqa: F401
from femsi.geometry.families import family_of

__all__ = ["MeshModel", "build_mesh"]


def build_mesh(geometry, comm: MPI.Comm = MPI.COMM_WORLD, cracks=(), tagged=(), plastic_regions=()):
    """Build (Gmsh, on rank 0) or read the mesh of a geometry section and distribute it.

    Args:
        geometry: A validated ``geometry`` section.
        comm: Communicator to distribute the mesh over.
        cracks: Layouts of built-in cracks (``StudyConfig.crack_layouts``).
        tagged: (index, config entry) of ``tagged`` cracks of a mesh file.
        plastic_regions: Regions that flow (no tagged crack may lie in one).

    Returns:
        The :class:`~femsi.geometry.model.MeshModel` with named regions, surfaces, boundary
        roles and cracks.
    """
    build = family_of(geometry).build
    return build(geometry, comm, tuple(cracks), tuple(tagged), tuple(plastic_regions))


def __getattr__(name: str):
    """``femsi.geometry.MeshModel``, imported (with DOLFINx) when first asked for."""
    if name == "MeshModel":
        from femsi.geometry.model import MeshModel

        return MeshModel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
