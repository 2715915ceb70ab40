"""A disk cache of Gmsh meshes, so a packed electrode is built once and then read.

A mesh is keyed by a hash of everything that determines it: the resolved SI geometry section,
the builder's version and the versions of femsi, Gmsh, NumPy and SciPy (the packing uses their
random numbers and k-d trees). On a miss rank 0 builds the mesh and writes ``<key>.msh`` and
``<key>.json`` (regions, surfaces, roles, info); on a hit no Gmsh model is built. In both cases
every rank then reads the ``.msh`` with ``dolfinx.io.gmsh.read_from_msh``, so a hit gives the
same mesh as the miss that wrote it.

Both files are written to a temporary name in the cache folder and renamed into place
(``os.replace``, atomic on one file system), the ``.json`` last: a reader that finds the
``.json`` finds a complete ``.msh``. Two processes building the same mesh at once both build
it and the last rename wins; the files are identical, and neither reader sees a partial file.

Settings (environment variables):

- ``FEMSI_CACHE_DIR``: the cache folder (default ``~/.cache/femsi/meshes``).
- ``FEMSI_MESH_CACHE=0``: no cache; meshes go straight from Gmsh to DOLFINx.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from mpi4py import MPI

import gmsh
import numpy as np
import scipy
from dolfinx.io import gmsh as gmshio

import femsi
from femsi.geometry.gmsh_session import gmsh_session
from femsi.geometry.model import ghosted_partitioner

#: Version of the cache's file layout (part of the key).
FORMAT = 1


def enabled() -> bool:
    """Whether the mesh cache is on (``FEMSI_MESH_CACHE`` is not ``0``/``false``/``no``)."""
    return os.environ.get("FEMSI_MESH_CACHE", "1").strip().lower() not in {"0", "false", "no"}


def cache_dir() -> Path:
    """The cache folder: ``FEMSI_CACHE_DIR`` or ``~/.cache/femsi/meshes``."""
    folder = os.environ.get("FEMSI_CACHE_DIR")
    return Path(folder).expanduser() if folder else Path.home() / ".cache" / "femsi" / "meshes"


def mesh_key(parameters: dict, builder_version: int) -> str:
    """The cache key of a mesh: a hash of its parameters and of the software that builds it.

    Args:
        parameters: The resolved geometry parameters (JSON-serialisable, SI).
        builder_version: Version of the builder (bumped when its output changes).
    """
    text = json.dumps(
        {
            "parameters": parameters,
            "builder": builder_version,
            "format": FORMAT,
            "femsi": femsi.__version__,
            "gmsh": gmsh.__version__,
            "numpy": np.__version__,
            "scipy": scipy.__version__,
        },
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def paths(key: str) -> tuple[Path, Path]:
    """The ``.msh`` and ``.json`` files of a key."""
    folder = cache_dir()
    return folder / f"{key}.msh", folder / f"{key}.json"


def lookup(key: str, comm: MPI.Comm) -> dict | None:
    """The stored metadata of a cached mesh (rank 0 looks, all ranks get it), or None."""
    meta = None
    if comm.rank == 0:
        msh, meta_path = paths(key)
        if meta_path.is_file() and msh.is_file():
            try:
                meta = json.loads(meta_path.read_text())
            except (OSError, ValueError):
                meta = None  # unreadable: rebuild and overwrite
    return comm.bcast(meta, root=0)


def store(key: str, meta: dict) -> Path:
    """Write the current Gmsh mesh and its metadata under ``key`` (rank 0, Gmsh initialised).

    Returns:
        Path of the ``.msh`` file.
    """
    msh, meta_path = paths(key)
    msh.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".msh", dir=msh.parent)
    os.close(fd)
    try:
        gmsh.option.setNumber("Mesh.Binary", 1)
        gmsh.write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files; a cache is for everyone who may read
        os.replace(tmp, msh)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    fd, tmp = tempfile.mkstemp(prefix=f".{key}.", suffix=".json", dir=msh.parent)
    try:
        with os.fdopen(fd, "w") as stream:
            json.dump(meta, stream, indent=1, sort_keys=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, meta_path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return msh


def read(key: str, comm: MPI.Comm):
    """Read a cached mesh on all ranks (``dolfinx.io.gmsh.MeshData``, ghosted partition).

    This is ``dolfinx.io.gmsh.read_from_msh`` with Gmsh kept quiet: rank 0 merges the file
    into a Gmsh model and ``model_to_mesh`` distributes it.
    """
    msh, _ = paths(key)
    if comm.rank == 0:
        with gmsh_session("cached"):
            gmsh.merge(str(msh))
            return gmshio.model_to_mesh(
                gmsh.model, comm, 0, gdim=3, partitioner=ghosted_partitioner()
            )
    return gmshio.model_to_mesh(gmsh.model, comm, 0, gdim=3, partitioner=ghosted_partitioner())
