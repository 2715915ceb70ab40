"""femsi: finite-element studies of lithiation-induced stress in silicon anodes.

The Python API mirrors the command line:

    import femsi
    config = femsi.load_config("configs/particle.yaml", ["geometry.radius=500 nm"])
    result = femsi.run(config, "results/particle")
    result.summary["peaks"]["particle.max_von_mises_Pa"]
"""

from importlib import metadata

import femsi.compat  # noqa: F401  (loads MPI before anyone imports dolfinx or petsc4py)
from femsi.config import StudyConfig, load_config
from femsi.errors import InputError, SolveError

try:
    __version__ = metadata.version("femsi")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"


def run(config, output_dir=None, **kwargs):
    """Run a study (see :func:`femsi.study.run`)."""
    from femsi.study import run as _run

    return _run(config, output_dir, **kwargs)


__all__ = ["InputError", "SolveError", "StudyConfig", "__version__", "load_config", "run"]
