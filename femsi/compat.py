"""Import shims so femsi runs on every DOLFINx distribution.

The PyPI wheel ``dolfinx-solver-real`` ships a ``dolfinx_solver`` module that must be imported
before ``dolfinx`` and ``petsc4py`` (it loads MPI). Conda and container builds of DOLFINx have no
such module. Every femsi module that needs DOLFINx imports it through here first.
"""

import importlib.util

if importlib.util.find_spec("dolfinx_solver") is not None:
    import dolfinx_solver  # noqa: F401
