"""``femsi rerun RUN_DIR``: run a run folder's resolved config again and compare the summaries.

``config.yaml`` holds every value the run used, in SI, including the material parameters
(so a later change of the material library does not change the rerun). It is loaded through
the normal loader: each resolved material becomes ``{base: <library name>, <every value>}``.
The comparison is the largest relative difference over the numeric leaves of
``summary.json``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from femsi.errors import InputError
from femsi.sweeps.catalogue import flatten

#: Differences below this (relative to the larger magnitude of the two) are noise.
FLOOR = 1e-300


def loadable(resolved: dict) -> dict:
    """A resolved config (``config.yaml``) turned into a study the loader accepts."""
    tree = copy.deepcopy(resolved)
    for region, material in (tree.get("materials") or {}).items():
        if not isinstance(material, dict) or "name" not in material:
            continue
        spec = {"base": str(material.pop("name")).rstrip("*")}
        material.pop("category", None)
        spec |= {k: v for k, v in material.items() if v is not None}
        tree["materials"][region] = spec
    return tree


def load_run_config(run_dir: Path):
    """The :class:`~femsi.config.StudyConfig` of a run folder's ``config.yaml``.

    Raises:
        InputError: No ``config.yaml``, or one the loader rejects.
    """
    from femsi.config import load_config

    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        raise InputError(str(run_dir), "not a femsi run folder (no config.yaml)")
    return load_config(loadable(yaml.safe_load(path.read_text())))


@dataclass
class Comparison:
    """How a rerun's summary compares with the original's."""

    original: Path
    rerun: Path
    max_relative_difference: float
    worst_key: str | None
    compared: int
    missing: list[str]
    rtol: float
    same_config: bool

    @property
    def matches(self) -> bool:
        """Whether every value agrees to ``rtol`` and none is missing."""
        return self.max_relative_difference <= self.rtol and not self.missing

    def text(self) -> str:
        """A human-readable verdict."""
        verdict = "reproduced" if self.matches else "NOT reproduced"
        lines = [
            f"femsi: rerun of {self.original} in {self.rerun}: {verdict} (rtol {self.rtol:g})",
            f"  resolved config identical: {'yes' if self.same_config else 'no'}",
            f"  summary values compared: {self.compared}; largest relative difference "
            f"{self.max_relative_difference:.3g}"
            + (f" ({self.worst_key})" if self.worst_key else ""),
        ]
        if self.missing:
            lines.append(f"  missing in one of them: {', '.join(self.missing[:10])}")
        return "\n".join(lines)


def compare_summaries(old: dict, new: dict) -> tuple[float, str | None, int, list[str]]:
    """Largest relative difference over the numeric leaves of two summaries.

    Returns:
        (max relative difference, its key, number of values compared, keys in only one).
    """
    a, b = flatten(old), flatten(new)
    worst, worst_key = 0.0, None
    for key in a.keys() & b.keys():
        scale = max(abs(a[key]), abs(b[key]), FLOOR)
        difference = abs(a[key] - b[key]) / scale
        if difference > worst:
            worst, worst_key = difference, key
    return worst, worst_key, len(a.keys() & b.keys()), sorted(a.keys() ^ b.keys())


#: Words of PETSc options that write files or print wherever their value says.
OUTPUT_OPTION_WORDS = ("view", "monitor", "log", "viewer", "draw", "history", "test")


def untrusted_options(config) -> list[str]:
    """The ``solver.*.petsc_options`` of a run folder that would write or print on their own.

    A run folder is data: its options may name any path (``snes_view: ascii:/etc/x``).
    """
    found = []
    for name in ("diffusion", "mechanics", "damage"):
        for key, value in getattr(config.study.solver, name).petsc_options.items():
            words = str(key).lower().split("_")
            if any(w.startswith(OUTPUT_OPTION_WORDS) for w in words) or ":" in str(value):
                found.append(f"solver.{name}.petsc_options.{key}")
    return found


def rerun(
    run_dir: Path, output: Path | None = None, rtol: float = 1e-6, trust: bool = False
) -> Comparison:
    """Run ``run_dir``'s resolved config into ``output`` and compare the summaries.

    Args:
        run_dir: A finished run folder.
        output: The new run folder (default ``<run_dir>-rerun``; must not exist or be empty).
        rtol: Relative tolerance of the comparison.
        trust: Apply PETSc options that write files or print (viewers, monitors) too.

    Returns:
        The comparison.

    Raises:
        InputError: ``run_dir`` is not a run folder with a summary, or ``output`` is taken.
    """
    from femsi.study import run

    run_dir = Path(run_dir)
    old_summary = run_dir / "summary.json"
    if not old_summary.is_file():
        raise InputError(str(run_dir), "has no summary.json to compare with")
    config = load_run_config(run_dir)
    risky = untrusted_options(config)
    if risky and not trust:
        raise InputError(
            risky[0],
            "a run folder's PETSc options that write files or print are not applied "
            f"({', '.join(risky)}); check them and pass --trust to apply them",
        )
    output = Path(output) if output else run_dir.with_name(run_dir.name + "-rerun")
    result = run(config, output, progress=False)
    original = yaml.safe_load((run_dir / "config.yaml").read_text())
    same = _without_marks(original) == _without_marks(config.resolved())
    new_summary = json.loads((result.output_dir / "summary.json").read_text())
    worst, key, n, missing = compare_summaries(json.loads(old_summary.read_text()), new_summary)
    return Comparison(run_dir, output, worst, key, n, missing, rtol, same)


def _without_marks(resolved: dict) -> str:
    """The resolved config with overridden-material marks (``name*``) dropped."""
    tree = copy.deepcopy(resolved)
    for material in (tree.get("materials") or {}).values():
        if isinstance(material, dict) and isinstance(material.get("name"), str):
            material["name"] = material["name"].rstrip("*")
    return json.dumps(tree, sort_keys=True)
