"""``manifest.json``: what produced a run (versions, config hash, MPI size, timings, sizes)."""

from __future__ import annotations

import platform
from importlib import metadata

from petsc4py import PETSc

import dolfinx
import gmsh

import femsi.compat  # noqa: F401


def versions() -> dict[str, str]:
    """Versions of femsi and the libraries that shape its results."""

    def dist(name: str) -> str:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "femsi": dist("femsi"),
        "dolfinx": dolfinx.__version__,
        "petsc": ".".join(str(v) for v in PETSc.Sys.getVersion()),
        "gmsh": gmsh.__version__,
        "basix": dist("fenics-basix"),
        "ffcx": dist("fenics-ffcx"),
        "ufl": dist("fenics-ufl"),
        "meshio": dist("meshio"),
        "pyvista": dist("pyvista"),
        "numpy": dist("numpy"),
        "python": platform.python_version(),
    }
