"""MkDocs hook: generated pages.

- ``configuration.md``, the configuration reference, from the pydantic schema
  (``scripts/gen_config_reference.py``) at every build, so it cannot drift from the code;
- ``solvers.md``, a placeholder, only while the real page is not in ``docs/``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]

SOLVERS_PLACEHOLDER = """\
# Solvers and performance

This page is being written: it will describe the `solver` section (linear solvers, PETSc
options, tolerances), parallel runs and timings. Until then see the `solver` keys in the
[configuration reference](configuration.md#solver) and [Benchmarks](benchmarks.md).
"""


def _render_reference() -> str:
    spec = importlib.util.spec_from_file_location(
        "gen_config_reference", ROOT / "scripts" / "gen_config_reference.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.render()


def on_files(files: Files, config) -> Files:
    """Add the generated pages to the site."""
    files.append(File.generated(config, "configuration.md", content=_render_reference()))
    if files.get_file_from_path("solvers.md") is None:
        files.append(File.generated(config, "solvers.md", content=SOLVERS_PLACEHOLDER))
    return files
