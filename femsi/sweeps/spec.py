"""The sweep file: a base study and the config keys to vary, expanded to named runs.

A sweep file::

    base: particle.yaml              # the base study, relative to this file
    name: size-x-rate                # optional (default: the file's stem)
    sweep:
      grid:                          # Cartesian product of these lists
        geometry.radius: [0.5 um, 1 um]
        protocol.0.lithiate.c_rate: [1, 2]
      zip:                           # lists of equal length, taken pairwise
        geometry.mesh_size: [0.1 um, 0.2 um]
        outputs.every: [5, 10]
      samples:                       # n points in a box, Latin hypercube or random
        method: latin_hypercube
        n: 8
        seed: 1
        ranges: {geometry.outer_pressure: [0 MPa, 50 MPa]}
    execution: {workers: 2, ranks: 1, slurm: {time: "01:00:00", memory: 4G}}

The runs are the Cartesian product of the grid, the zip group (one factor: its rows) and the
sample group (one factor: its points); a group that is absent contributes one empty factor.
Every run is loaded through :func:`femsi.config.load_config` with its overrides before anything
runs, so a key the base study does not have, or a value it rejects, is an
:class:`~femsi.errors.InputError` naming the key.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from femsi.errors import InputError
from femsi.sweeps.naming import run_name, short_keys


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Samples(_Section):
    """Random points in a box of parameter ranges."""

    method: Literal["latin_hypercube", "random"] = "latin_hypercube"
    n: int = Field(ge=1, description="number of points")
    seed: int = Field(description="random seed (required: the points must be reproducible)")
    ranges: dict[str, tuple[float | str, float | str]]


class SweepBlock(_Section):
    """The varied keys: ``grid``, ``zip`` and ``samples``."""

    grid: dict[str, list] = Field(default_factory=dict)
    zip: dict[str, list] = Field(default_factory=dict)
    samples: Samples | None = None


#: Slurm's ``--time`` formats, ``--mem`` sizes, and partition/account/QOS names.
SLURM_TIME = r"(\d+-\d{1,2}(:\d{1,2}){0,2}|\d+(:\d{1,2}){0,2})"
SLURM_MEMORY = r"\d+[KMGT]?"
SLURM_NAME = r"[A-Za-z0-9_.,+-]+"


class SlurmSettings(_Section):
    """``#SBATCH`` settings and the job's environment."""

    time: str = "01:00:00"
    memory: str | None = "4G"
    partition: str | None = None
    account: str | None = None
    qos: str | None = None

    @field_validator("time")
    @classmethod
    def _slurm_time(cls, value: str) -> str:
        if not re.fullmatch(SLURM_TIME, value) and value.upper() not in ("UNLIMITED", "INFINITE"):
            raise ValueError(
                f"{value!r} is not a Slurm time limit (MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM or "
                "D-HH:MM:SS)"
            )
        return value

    @field_validator("memory")
    @classmethod
    def _slurm_memory(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(SLURM_MEMORY, value):
            raise ValueError(f"{value!r} is not a Slurm memory size (a number, then K, M, G or T)")
        return value

    @field_validator("partition", "account", "qos")
    @classmethod
    def _slurm_name(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(SLURM_NAME, value):
            raise ValueError(f"{value!r} is not a Slurm name (letters, digits and _ . , + -)")
        return value

    cpus_per_task: int = Field(default=1, ge=1)
    max_parallel: int | None = Field(default=None, ge=1, description="array throttle %N")
    modules: list[str] = Field(default_factory=list, description="`module load` names")
    setup: list[str] = Field(default_factory=list, description="shell lines before the run")
    container: str | None = Field(default=None, description="Apptainer image (.sif)")
    launcher: Literal["srun", "mpirun"] | None = None
    options: list[str] = Field(default_factory=list, description="extra #SBATCH options")
    stop_before_limit_s: int = Field(
        default=300,
        ge=0,
        le=65535,
        description="seconds before the time limit at which Slurm sends SIGUSR1 "
        "(#SBATCH --signal=B:USR1@N): each run stops at its next time step with its results "
        "written and is reported as stopped by the time limit; 0: no warning",
    )
    max_array_size: int | None = Field(
        default=None,
        ge=2,
        description="the cluster's MaxArraySize (array indices must stay below it); default: "
        "read with `scontrol show config`, else Slurm's default 1001. Larger sweeps are "
        "written as several array scripts",
    )


class Execution(_Section):
    """How runs are executed."""

    workers: int = Field(default=1, ge=1)
    ranks: int = Field(default=1, ge=1)
    runs_per_process: int = Field(default=1, ge=1, description="local runs per worker process")
    slurm: SlurmSettings = Field(default_factory=SlurmSettings)


#: A sweep's name: never a path, never a shell word.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.+-]*$"


class SweepFile(_Section):
    """The whole sweep file."""

    base: str
    # A name, never a path: it names results/<name> and the Slurm job.
    name: Annotated[str, Field(pattern=NAME_PATTERN)] | None = None
    description: str = ""
    sweep: SweepBlock
    execution: Execution = Field(default_factory=Execution)


@dataclass
class Run:
    """One expanded run.

    Attributes:
        index: Position in the sweep (the Slurm array index).
        name: Folder name under ``runs/``.
        parameters: Swept key to value as written in the sweep file (or sampled).
        overrides: ``key=value`` assignments for :func:`femsi.config.load_config`.
        parameters_si: Swept key to its SI number in the resolved config (None if not numeric).
        config_hash: Hash of the resolved config of this run.
    """

    index: int
    name: str
    parameters: dict[str, object]
    overrides: list[str]
    parameters_si: dict[str, float | None] = field(default_factory=dict)
    config_hash: str = ""


@dataclass
class Sweep:
    """A validated, expanded sweep."""

    name: str
    source: Path
    base: Path
    definition: dict
    spec: SweepFile
    runs: list[Run]
    base_config_hash: str

    @property
    def keys(self) -> list[str]:
        """The swept keys, in sweep-file order."""
        return list(self.runs[0].parameters) if self.runs else []

    def as_json(self) -> dict:
        """The content of ``sweep.json``."""
        return {
            "name": self.name,
            "sweep_file": str(self.source),
            "base": str(self.base),
            "base_config_hash": self.base_config_hash,
            "keys": self.keys,
            "definition": self.definition,
            "execution": self.spec.execution.model_dump(),
            "runs": [
                {
                    "index": r.index,
                    "name": r.name,
                    "parameters": r.parameters,
                    "parameters_si": r.parameters_si,
                    "overrides": r.overrides,
                    "config_hash": r.config_hash,
                }
                for r in self.runs
            ],
        }


def load_sweep(path: str | Path, overrides: list[str] | None = None) -> Sweep:
    """Read, expand and validate a sweep file (every run's config is loaded once).

    Args:
        path: The sweep YAML file.
        overrides: ``dotted.path=value`` assignments (``femsi sweep --set``) applied to the
            base study of every run, before the swept values.

    Returns:
        The expanded sweep.

    Raises:
        InputError: A malformed file, an empty list or range, ``n: 0``, a key the base study
            does not have, or a value the base study rejects (naming the key).
    """
    from femsi.config import load_config
    from femsi.config.loader import read_yaml
    from femsi.config.mesh_guard import check_size

    path = Path(path).resolve()
    tree = read_yaml(path)
    try:
        spec = SweepFile.model_validate(tree)
    except ValidationError as err:
        raise _input_error(err) from None
    base = (path.parent / spec.base).resolve()
    if not base.is_file():
        raise InputError("base", f"no such study file {base}")
    fixed = list(overrides or [])
    base_config = load_config(base, fixed)
    rows = expand(spec.sweep)
    keys = list(rows[0])
    for assignment in fixed:
        key = assignment.partition("=")[0].strip()
        if key in keys:
            raise InputError(f"--set {key}", "the sweep file sweeps this key: change it there")
    varying = [k for k in keys if len({json.dumps(row[k]) for row in rows}) > 1] or keys
    labels = short_keys(varying)
    names: dict[str, int]
    runs, names = [], {}
    for index, parameters in enumerate(rows):
        overrides = fixed + [f"{key}={json.dumps(value)}" for key, value in parameters.items()]
        shown = {key: parameters[key] for key in varying}
        # without --set, the names (and their hashes) are what they were
        name = run_name(shown, labels, overrides)
        try:
            config = load_config(base, overrides)
            check_size(config, force=False, remedy="run that study alone with femsi run --force")
        except InputError as err:
            raise blame_swept_key(err, parameters, spec.sweep) from None
        resolved = config.resolved()
        if name in names:
            raise InputError("sweep", f"runs {names[name]} and {index} are identical ({name})")
        names[name] = index
        runs.append(
            Run(
                index=index,
                name=name,
                parameters=parameters,
                overrides=overrides,
                parameters_si={key: _si_at(resolved, key) for key in keys},
                config_hash=config.hash(),
            )
        )
    name = spec.name or path.stem
    if not re.fullmatch(NAME_PATTERN, name):
        raise InputError(
            "name",
            f"{name!r} is not a sweep name (letters, digits and _ . + -, starting with a letter "
            "or digit): it names the sweep folder and the Slurm job",
        )
    return Sweep(
        name=name,
        source=path,
        base=base,
        definition=tree,
        spec=spec,
        runs=runs,
        base_config_hash=base_config.hash(),
    )


def expand(block: SweepBlock) -> list[dict[str, object]]:
    """The parameter rows of a sweep: grid × zip × samples (see the module docstring).

    Raises:
        InputError: Nothing to sweep, an empty list, unequal zip lists, a key in two groups,
            or a bad range.
    """
    seen: dict[str, str] = {}
    for group, keys in (
        ("grid", block.grid),
        ("zip", block.zip),
        ("samples.ranges", block.samples.ranges if block.samples else {}),
    ):
        for key in keys:
            if key in seen:
                raise InputError(f"sweep.{group}.{key}", f"already swept in sweep.{seen[key]}")
            seen[key] = group
    if not seen:
        raise InputError("sweep", "nothing to sweep: give grid, zip or samples")
    for key, values in block.grid.items():
        if not values:
            raise InputError(f"sweep.grid.{key}", "empty list")
    grid_rows = [
        dict(zip(block.grid, combination, strict=True))
        for combination in itertools.product(*block.grid.values())
    ]
    zip_rows: list[dict[str, object]] = [{}]
    if block.zip:
        lengths = {key: len(values) for key, values in block.zip.items()}
        for key, n in lengths.items():
            if n == 0:
                raise InputError(f"sweep.zip.{key}", "empty list")
        if len(set(lengths.values())) > 1:
            detail = ", ".join(f"{k}: {n}" for k, n in lengths.items())
            raise InputError("sweep.zip", f"the lists must have equal lengths ({detail})")
        zip_rows = [
            dict(zip(block.zip, values, strict=True))
            for values in zip(*block.zip.values(), strict=True)
        ]
    sample_rows = sample(block.samples) if block.samples else [{}]
    return [{**g, **z, **s} for g, z, s in itertools.product(grid_rows, zip_rows, sample_rows)]


def sample(samples: Samples) -> list[dict[str, object]]:
    """Points of a ``samples`` group, each value a number or ``"<number> <unit>"``.

    Ranges with units are sampled in the unit of the lower bound, and the value is written
    with 6 significant digits, so the recorded value is exactly the one that ran.

    Raises:
        InputError: No ranges, an empty or reversed range, or mismatched units.
    """
    if not samples.ranges:
        raise InputError("sweep.samples.ranges", "give at least one key: [low, high]")
    bounds = [_range(key, lo, hi) for key, (lo, hi) in samples.ranges.items()]
    d = len(bounds)
    if samples.method == "latin_hypercube":
        from scipy.stats import qmc

        unit_points = qmc.LatinHypercube(d=d, seed=samples.seed).random(samples.n)
    else:
        unit_points = np.random.default_rng(samples.seed).random((samples.n, d))
    rows: list[dict[str, object]] = []
    for point in unit_points:
        row: dict[str, object] = {}
        for (key, lo, hi, unit), u in zip(bounds, point, strict=True):
            value = float(f"{lo + u * (hi - lo):.6g}")
            row[key] = f"{value:g} {unit}" if unit else value
        rows.append(row)
    return rows


def _range(key: str, lo: float | str, hi: float | str) -> tuple[str, float, float, str]:
    from femsi.units import registry

    where = f"sweep.samples.ranges.{key}"
    if isinstance(lo, str) or isinstance(hi, str):
        ureg = registry()
        try:
            q_lo, q_hi = ureg.Quantity(str(lo)), ureg.Quantity(str(hi))
            unit = q_lo.units
            lo_value, hi_value = float(q_lo.magnitude), float(q_hi.to(unit).magnitude)
        except Exception as err:  # pint raises several unrelated types
            raise InputError(where, f"cannot read the range [{lo}, {hi}] ({err})") from None
        match = re.match(r"\s*[-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?\s*(.*)$", str(lo))
        unit_text = match.group(1).strip() if match and match.group(1) else f"{unit:~}"
    else:
        lo_value, hi_value, unit_text = float(lo), float(hi), ""
    if not hi_value > lo_value:
        raise InputError(where, f"empty range [{lo}, {hi}]: the upper bound must be larger")
    return key, lo_value, hi_value, unit_text


def _si_at(resolved: dict, key: str) -> float | None:
    node: object = resolved
    for part in key.split("."):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return float(node)


def blame_swept_key(err: InputError, parameters: dict, block: SweepBlock) -> InputError:
    """An error of one run's config, told as the swept key that caused it."""
    group = {key: "grid" for key in block.grid} | {key: "zip" for key in block.zip}
    if block.samples:
        group |= {key: "samples.ranges" for key in block.samples.ranges}
    culprit = next(
        (k for k in parameters if err.field == k or err.field.startswith(k + ".")), None
    ) or next((k for k in parameters if k.startswith(err.field + ".")), None)
    values = ", ".join(f"{k}={v}" for k, v in parameters.items())
    if culprit is None:
        return InputError(err.field, f"{err.message} (in the run with {values})")
    if err.field != culprit:
        return InputError(f"sweep.{group[culprit]}.{culprit}", f"{err.field}: {err.message}")
    where = f"sweep.{group[culprit]}.{culprit}"
    return InputError(where, f"{err.message} (value {parameters[culprit]!r})")


def _input_error(err: ValidationError) -> InputError:
    item = err.errors()[0]
    where = ".".join(str(p) for p in item["loc"]) or "sweep file"
    message = item["msg"].removeprefix("Value error, ")
    if item["type"] == "extra_forbidden":
        message = "unknown key in the sweep file"
    elif item["type"] == "missing":
        message = "required but missing"
    return InputError(where, message)
