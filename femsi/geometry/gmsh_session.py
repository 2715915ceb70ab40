"""One Gmsh session: initialised quiet and single-threaded, always finalised."""

from __future__ import annotations

import contextlib

import gmsh


@contextlib.contextmanager
def gmsh_session(name: str):
    """An initialised, quiet, single-threaded Gmsh with one model named ``name``.

    ``General.NumThreads`` is 1: the machines running femsi share their cores with the MPI
    ranks, and OpenCASCADE fragments are not faster threaded.
    """
    gmsh.initialize(interruptible=False)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.model.add(name)
        yield
    finally:
        gmsh.finalize()
