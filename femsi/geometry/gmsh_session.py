"""One Gmsh session: initialised quiet and single-threaded, always finalised.

Gmsh's C++ initialisation resets SIGTERM and SIGINT to their default actions (measured with
gmsh 4.15, also with ``interruptible=False``): a run stopped after it would die without its
summary. The session puts the Python handlers back (:mod:`femsi.stop`).
"""

from __future__ import annotations

import contextlib
import signal
import threading

import gmsh

_KEPT = (signal.SIGTERM, signal.SIGINT)


@contextlib.contextmanager
def gmsh_session(name: str):
    """An initialised, quiet, single-threaded Gmsh with one model named ``name``.

    ``General.NumThreads`` is 1: the machines running femsi share their cores with the MPI
    ranks, and OpenCASCADE fragments are not faster threaded.
    """
    main = threading.current_thread() is threading.main_thread()
    handlers = {signum: signal.getsignal(signum) for signum in _KEPT} if main else {}
    gmsh.initialize(interruptible=False)
    for signum, handler in handlers.items():
        if handler is not None:
            signal.signal(signum, handler)
    try:
        gmsh.option.setNumber("General.Terminal", 0)
        gmsh.option.setNumber("General.NumThreads", 1)
        gmsh.model.add(name)
        yield
    finally:
        gmsh.finalize()
