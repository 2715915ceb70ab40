"""``manifest.json``: what produced a run.

Versions, config hash, MPI size, timings, sizes, the container image and the random seeds.
"""

from __future__ import annotations

import hashlib
import os
import platform
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

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


def container() -> dict | None:
    """The container the run is in, if any: runtime, image and image digest.

    The digest is taken from ``FEMSI_IMAGE_DIGEST`` (the Slurm script of ``femsi sweep
    --slurm`` exports the sha256 of the Apptainer image; with Docker pass
    ``-e FEMSI_IMAGE_DIGEST=$(docker image inspect -f '{{.Id}}' femsi)``); without it, in
    Apptainer, it is the sha256 of the image file ``APPTAINER_CONTAINER`` names when that file
    can be read from inside (a Docker image cannot see its own id). ``image_digest_from`` says
    which. The runtime is recognised by ``APPTAINER_CONTAINER``/``SINGULARITY_CONTAINER``,
    ``/run/.containerenv`` (Podman) or ``/.dockerenv`` (Docker).
    """
    image = os.environ.get("APPTAINER_CONTAINER") or os.environ.get("SINGULARITY_CONTAINER")
    if image:
        runtime = "apptainer"
    elif Path("/run/.containerenv").exists():
        runtime = "podman"
    elif Path("/.dockerenv").exists():
        runtime = "docker"
    else:
        runtime = None
    digest = os.environ.get("FEMSI_IMAGE_DIGEST") or None
    source = "FEMSI_IMAGE_DIGEST" if digest else None
    if digest is None and runtime == "apptainer" and image:
        digest = file_digest(Path(image))
        source = "the image file" if digest else None
    image = image or os.environ.get("FEMSI_IMAGE") or None
    if runtime is None and digest is None and image is None:
        return None
    return {"runtime": runtime, "image": image, "image_digest": digest, "image_digest_from": source}


def file_digest(path: Path) -> str | None:
    """``sha256:<hex>`` of a file (a container image), or None if it cannot be read."""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            for block in iter(lambda: stream.read(1 << 22), b""):
                digest.update(block)
    except OSError:
        return None
    return f"sha256:{digest.hexdigest()}"


def seeds(resolved: dict | list, prefix: str = "") -> dict[str, object]:
    """Every ``seed`` (or ``*_seed``) value of a resolved config, by dotted key."""
    found: dict[str, object] = {}
    items: Iterable[tuple[object, object]] = (
        resolved.items() if isinstance(resolved, dict) else enumerate(resolved)
    )
    for key, value in items:
        path = f"{prefix}{key}"
        if isinstance(value, dict | list):
            found |= seeds(value, path + ".")
        elif str(key) == "seed" or str(key).endswith("_seed"):
            found[path] = value
    return found
