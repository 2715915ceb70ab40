"""Prove that a change to femsi changed no result: run shortened studies on two sides, compare.

Usage::

    python scripts/compare_runs.py --ref 5d34564 --new main
    python scripts/compare_runs.py --ref /work/wt-base --new /work/main --configs particle
    python scripts/compare_runs.py --ref main --new main --ranks-new 2 --rtol 1e-5 \
        --set time.growth=1 --ignore krylov_mechanics
    python scripts/compare_runs.py --ref /work/wt-base --new /work/wt-base --no-cache-new
    python scripts/compare_runs.py --list

Each side (``--ref``, ``--new``) is a git commit or branch of this repository, checked out into
a temporary ``git worktree`` under ``DIR/worktrees`` (removed afterwards), or the path of an
existing checkout. Every shipped study in ``configs/`` (files with a top-level ``study:`` key;
sweep files are skipped) is run once per side, one run at a time, with the overrides of
:data:`OVERRIDES` that shorten it to seconds while keeping each of its physics features on, by
``python -m femsi run`` with ``PYTHONPATH`` set to the side's checkout (``mpirun -n N`` with
``--ranks``/``--ranks-ref``/``--ranks-new``; serial against MPI: ``--ranks-new 2``).

Cache: results are kept in ``DIR/runs/<fingerprint>/<config>-n<ranks>-<key>/`` and reused
whenever the same code, config, overrides, rank count and library versions (DOLFINx, PETSc,
Gmsh, NumPy, MPI, Python, ... of ``--python``'s environment) come up again. The
fingerprint is the side's commit; a checkout with uncommitted changes under ``femsi/`` or
``configs/`` (untracked files included) gets ``<commit>+dirty-<hash of those changes>``. DIR is
``--out``, else ``$FEMSI_COMPARE_CACHE``, else ``compare-cache`` next to the main checkout
(``/work/compare-cache`` for a repository at ``/work/main``). ``--no-cache-ref``/
``--no-cache-new`` rerun that side into ``DIR/fresh/`` (overwritten each time; the cache is
left alone): comparing a
side with a fresh rerun of itself checks that runs are deterministic. Each run gets its own
empty Gmsh mesh cache (``FEMSI_CACHE_DIR``), so no side reads a mesh that another side built,
and one thread per BLAS/OpenMP library.

Pinned memory layout: the last bits of some results (particle_crack, film_cycle) depend on
where arrays lie in memory, which address-space and string-hash randomisation change from one
process to the next. Each run therefore gets ``PYTHONHASHSEED=0`` and runs under ``setarch
<machine> -R`` (no address-space randomisation); ``--no-pin`` turns this off. That makes most
reruns of the same code bit-identical, not all: of four pinned reruns of 5d34564, one was
bit-identical in all ten configs, one differed in particle_crack (by the 4.1e-10 below), two in
film_cycle (1.6e-12) and particle_surface_crack_3d (3.0e-12); an unpinned rerun differed in
particle_crack and film_cycle. The other seven configs never differed. Another checkout path
or another version of the code lays memory out differently anyway: the floor of the relative
test below absorbs that.

What is compared, per config:

- ``timeseries.csv``: the same set of columns and the same number of rows are required
  (differences are reported, and the common columns of the common rows are still compared);
  every column, every row. Numbers are compared by relative difference (below), NaN equals
  NaN, an empty cell only an empty cell, text (``protocol_kind``) must be equal.
- every other ``*.csv`` of the run folder (``cracks/<name>_front.csv``) the same way.
- ``summary.json``: every leaf, recursively. Numbers by relative difference, everything else
  (status, end reasons, names) must be equal; a leaf on one side only is a difference.
- ``manifest.json``: only ``mesh`` (cells, vertices) and ``dofs``, which must be equal.

Ignored, because they legitimately differ between two runs of the same code: any summary leaf
or CSV column whose dotted path has one of the words of :data:`IGNORED_WORDS` (wall times,
timings, versions, hashes, dates, paths and file names, cache states, hosts), geometry facts
in seconds (``geometry.packing_s``, ``geometry.meshing_s``, ``geometry.reading_s``: wall times
of packing and meshing), the rest of ``manifest.json`` (versions, wall times, the config's
path, the container), ``log.txt``, and the run folder's field and figure files (switched off).
``--ignore PATTERN`` (fnmatch on the dotted path or its end, repeatable) drops further columns
or summary paths, e.g. ``--ignore krylov_mechanics`` when comparing serial with MPI runs.

Relative difference: ``|a - b| / max(|a|, |b|, floor)``, 0 when ``a == b`` or both are NaN.
``floor`` is ``--floor`` times the scale of the quantity (never below 1e-300): the largest
magnitude, in either run, of any column of the same quantity: the same unit suffix
(``..._Pa``, ``..._m``, ``..._mol_m3``, ... share a scale), or for a column without one the
same last word (``film.max_damage``, ``substrate.max_damage`` and ``max_damage``; ``soc``;
``..._plastic_strain``); ``--floor-scope column`` uses the column alone. A summary leaf takes
the floor of the column it repeats (``final.X``, ``peaks.X.value``, ``peaks.X.time_s``), else
of its quantity, else 1e-300 (a plain relative test).

The default ``--floor 1`` makes the test normwise: a difference is measured against the
largest value of its quantity in the run, so ``--rtol 1e-9`` reads "agrees to 1e-9 of the
size of that quantity". A pointwise test (``--floor 1e-12``) fails on values far below their
quantity's scale, which are Newton-tolerance and round-off residue and change in their
leading digits whenever round-off does: the in-plane stresses of ~1 Pa and the largest
principal stress of ~600 Pa in particle_crack's initial state, whose out-of-plane stress is
-19 GPa, or a 1e-25 m displacement of a particle centre held by symmetry. Measured on the
baseline (5d34564), two runs of the same code with randomised memory layout (``--no-pin``)
differ by 2 % of such a value, but by at most 4.1e-10 of the quantity's scale (particle_crack;
film_cycle 8e-13, the other eight configs not at all). ``--floor 1e-12`` gives the pointwise
test; ``max rel diff`` 0 means every compared value is bit-identical, whatever the floor.

A ratio column (:data:`RATIOS`: ``crack.NAME.G_spread``, the relative spread of G over the
J-integral rings) is compared times the magnitude of its divisor (G in the same row, a NaN
spread of an unloaded crack counting as 0), on the divisor's scale: an absolute spread in
J/m^2. At the stress-free start G is ~1e-7 J/m^2 of round-off and its relative spread a ratio
of two noises (8e-5 apart between two unpinned runs of the same code; NaN on 2 ranks, where
that G came out negative). The summary's ``final.X`` and ``peaks.X.*`` of a ratio are not
compared (their rows are; the peak of a ratio is that start). Nor is the place of a peak
(``peaks.X.step``, ``.time_s``, ``.soc``) when the two peak values agree within rtol: the time
series holds every row, and a different place of an equal peak is a tie (a plateau such as
the SOC of a rest, or a column of round-off such as a displacement held by symmetry).

Phase field is the most sensitive to round-off: between 5d34564 and 69c3be2 (a refactor of
the physics into parts) its Newton, Krylov and staggered iteration counts differ by one or two
per step and its values by up to 5e-9 (film_crack_lpscl), all other configs by at most 3e-10;
``--ignore 'newton_*' --ignore 'krylov_*' --ignore '*_iterations'`` compares the values alone.

Serial against MPI (``--ranks-new 2``): Krylov iteration counts depend on the partition
(``--ignore krylov_mechanics``), results agree to about the solver tolerances (1e-6 with
phase field, whose staggered loop stops at a damage change of 1e-3), and adaptive time
stepping may take other steps when a Newton count differs by one (then the rows no longer
pair up): ``--set time.growth=1`` keeps every config at its initial step size for such runs,
and ``--ignore newton_mechanics`` drops the counts themselves.

The exit code is 1 when anything exceeds ``--rtol`` (default 1e-9) or differs otherwise (rows,
columns, texts, leaves, exit codes), 0 when all configs agree, 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import fnmatch
import hashlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

#: Bump when a change to this script changes what a cached run contains (part of the key).
CACHE_VERSION = 1

#: Added to every config: no figures, no field files (they are not compared).
COMMON = ["outputs.figures=false", "outputs.fields=false"]

#: Per shipped study, the ``--set`` overrides that make it a short run with every physics
#: feature of the study still switched on. Steps and wall times (one core, shared machine, FFCx
#: cache warm; a first run compiles its forms for ~5 s more) in the comments. ~90 s in all.
OVERRIDES: dict[str, list[str]] = {
    # c-Si front: finite strain, P2, J2 plasticity (eq. plastic strain reaches ~0.45),
    # exponential D(SOC), mass lumping. SOC 0.5 -> 0.1, mesh 60 -> 100 nm, first step 5 -> 20 s.
    # 11 steps, ~4.5 s.
    "csi_particle_front": [
        "protocol.0.lithiate.until_soc=0.1",
        "geometry.mesh_size=100nm",
        "time.initial_step=20s",
    ],
    # Packed electrode (258k DOFs as shipped): 3 particles of 1 um (vf 0.2) in a 4 x 4 x 4 um
    # layer under a 1.5 um separator, coarser mesh (~10k DOFs); keeps matrix, separator,
    # particles, fixed-gap plate, die walls, preload (2 increments), lithiation and
    # delithiation (30 s each). 6 steps, ~4 s.
    "electrode": [
        "geometry.width=4um",
        "geometry.electrode_thickness=4um",
        "geometry.separator_thickness=1.5um",
        "geometry.radius=1um",
        "geometry.volume_fraction=0.2",
        "geometry.mesh_size=1um",
        "geometry.particle_mesh_size=0.6um",
        "geometry.interface_mesh_size=0.5um",
        "protocol=[{preload: {pressure: 50 MPa, increments: 2}},"
        " {lithiate: {c_rate: 1, duration: 30 s}}, {delithiate: {c_rate: 1, duration: 30 s}}]",
        "time.initial_step=15s",
    ],
    # a-Si film on LLZO, AT1 phase field in film and substrate, spectral split, initial flaw:
    # SOC 0.74 -> 0.785, steps 4 -> 8 s; mechanics atol 1e-6 -> 1e-10. The channel crack
    # still nucleates (step 5) and grows. Stopped before step 8, where round-off decides to
    # which side the damage runs (the left/right asymmetry of the probes grows 1e-9 -> 1e-2):
    # past it two runs differ by ~10 % whenever their round-off does. With atol 1e-6, round-off
    # changes show as ~1e-5 differences (Newton stops early); 1e-10 brings that to ~1e-9.
    # Mesh kept: it is at the phase field's limit (l / 2). 7 steps, ~4 s.
    "film_crack_llzo": [
        "protocol.0.delithiate.until_soc=0.785",
        "time.initial_step=8s",
        "time.max_step=8s",
        "solver.mechanics.atol=1e-10",
        "solver.mechanics.max_iterations=100",
    ],
    # The same film on Li6PS5Cl, the same overrides: the crack nucleates (step 5) and starts
    # into the electrolyte (substrate damage > 0 from step 7). 7 steps, ~4 s.
    "film_crack_lpscl": [
        "protocol.0.delithiate.until_soc=0.785",
        "time.initial_step=8s",
        "time.max_step=8s",
        "solver.mechanics.atol=1e-10",
        "solver.mechanics.max_iterations=100",
    ],
    # a-Si film cycle, finite strain, J2 with SOC-dependent yield stress: lithiate to 0.2
    # (was 0.8) and back to 0.1, first step 20 -> 60 s, max SOC change 0.01 -> 0.02; still
    # compressive flow, elastic unloading and tensile flow. 22 steps, ~3.5 s.
    "film_cycle": [
        "protocol.0.lithiate.until_soc=0.2",
        "protocol.1.delithiate.until_soc=0.1",
        "time.initial_step=60s",
        "time.max_soc_change=0.02",
    ],
    # 3D octant particle, finite strain: lithiate to 0.1 (was 0.9), rest 60 s (10 min),
    # delithiate to 0.05 (0.1); first step 1 -> 10 s; mesh 0.12/0.06 -> 0.25/0.15 um.
    # 20 steps, ~4.5 s.
    "particle": [
        "protocol.0.lithiate.until_soc=0.1",
        "protocol.1.rest.duration=60s",
        "protocol.2.delithiate.until_soc=0.05",
        "time.initial_step=10s",
        "geometry.mesh_size=0.25um",
        "geometry.surface_mesh_size=0.15um",
    ],
    # Axisymmetric particle: the protocol of "particle", mesh kept (2D, cheap); the
    # delithiation ends at the surface concentration limit. 57 steps, ~3.5 s.
    "particle_axisymmetric": [
        "protocol.0.lithiate.until_soc=0.1",
        "protocol.1.rest.duration=60s",
        "protocol.2.delithiate.until_soc=0.05",
        "time.initial_step=10s",
    ],
    # Plane-strain particle with an edge crack (J-integral G, rings, K_I/K_II): delithiate to
    # 0.7 (was 0.4), mesh 50/20 -> 80/30 nm (tip mesh kept). 12 steps, ~2.5 s.
    "particle_crack": [
        "protocol.0.delithiate.until_soc=0.7",
        "geometry.mesh_size=80nm",
        "geometry.surface_mesh_size=30nm",
    ],
    # Particle in Li6PS5Cl under 50 MPa outer pressure, AT1 phase field in the matrix with an
    # initial flaw: lithiate to 0.05 (was 0.15), steps 5 -> 10 s; the crack still nucleates
    # (step 16) and runs through. Mechanics atol 1e-6 -> 1e-10 (see film_crack_llzo: 2e-6
    # -> 2e-10 between 5d34564 and 69c3be2). Mesh kept (phase-field limit). 18 steps, ~20 s.
    "particle_se_crack": [
        "protocol.0.lithiate.until_soc=0.05",
        "time.initial_step=10s",
        "time.max_step=10s",
        "solver.mechanics.atol=1e-10",
        "solver.mechanics.max_iterations=100",
    ],
    # 3D octant sphere with a semicircular surface crack (G along the front, front CSV):
    # delithiate to 0.75 (was 0.4), mesh 60 -> 100 nm (tip mesh kept: the rings need it).
    # 8 steps, 19-27 s.
    "particle_surface_crack_3d": [
        "protocol.0.delithiate.until_soc=0.75",
        "geometry.mesh_size=100nm",
    ],
}

#: Words (of a dotted path split at ``.``, ``_`` and ``-``) that mark a leaf or column that
#: legitimately differs between two runs of the same code.
IGNORED_WORDS = frozenset(
    (
        "wall walltime timing timings elapsed cpu version versions hash date datetime timestamp"
        " started finished host hostname user pid path paths file dir directory folder cache"
        " source container"
    ).split()
)
#: Paths ignored besides those: geometry facts in seconds are packing/meshing wall times.
IGNORED_PATTERNS = ("geometry.*_s",)
#: Unit suffixes of femsi's column names, longest first (for the floor of the relative test).
UNITS = tuple(
    sorted(
        ("Pa_sqrt_m", "mol_m2_s", "mol_m3", "mAh_g", "J_m2", "mAh", "mol", "Pa", "m3", "m2")
        + ("m", "J", "s", "V", "K", "N", "W"),
        key=len,
        reverse=True,
    )
)
TINY = 1e-300
#: Ratio columns and the quantity they divide by: ``crack.NAME.G_spread`` is (max - min)/|mean|
#: of G over the J-integral rings (``G_J_m2`` in the same row), NaN for an unloaded crack.
RATIOS = {"G_spread": "G_J_m2"}
MANIFEST_KEYS = ("mesh", "dofs")
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
#: Whether an interpreter has femsi's stack (mpi4py must come first: it loads libmpi).
PROBE = "from mpi4py import MPI; import dolfinx"
#: The versions of the stack that shape femsi's results (part of the cache key).
VERSIONS = PROBE + (
    "; import json, platform, basix, ffcx, gmsh, numpy, ufl; from petsc4py import PETSc"
    "; print(json.dumps({'dolfinx': dolfinx.__version__, 'basix': basix.__version__,"
    " 'ffcx': ffcx.__version__, 'ufl': ufl.__version__, 'gmsh': gmsh.__version__,"
    " 'numpy': numpy.__version__, 'petsc': PETSc.Sys.getVersion(),"
    " 'mpi': MPI.Get_library_version().splitlines()[0], 'python': platform.python_version()}))"
)
SCRIPT_REPO = Path(__file__).resolve().parent.parent


class CompareError(Exception):
    """A problem with the arguments or the checkouts: nothing to compare."""


# --------------------------------------------------------------------------- git, sides


def git(*args: str, cwd: Path = SCRIPT_REPO, check: bool = True) -> str:
    """Run git in ``cwd`` and return its stripped standard output.

    Raises:
        CompareError: git failed and ``check`` is set.
    """
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise CompareError(f"git {' '.join(args)} (in {cwd}): {proc.stderr.strip()}")
    return proc.stdout.strip() if proc.returncode == 0 else ""


def default_out() -> Path:
    """``$FEMSI_COMPARE_CACHE``, else ``compare-cache`` beside the repository's main checkout."""
    if os.environ.get("FEMSI_COMPARE_CACHE"):
        return Path(os.environ["FEMSI_COMPARE_CACHE"])
    common = git("rev-parse", "--path-format=absolute", "--git-common-dir", check=False)
    main = Path(common).parent if common else SCRIPT_REPO
    return main.parent / "compare-cache"


def is_study(text: str) -> bool:
    """Whether a YAML file is a study (a top-level ``study:`` key), not a sweep."""
    return re.search(r"^study\s*:", text, re.MULTILINE) is not None


@dataclass
class Side:
    """One side of the comparison: a commit to check out, or an existing checkout.

    Attributes:
        label: ``ref`` or ``new``.
        spec: What was given on the command line.
        fingerprint: Commit, or ``<commit>+dirty-<hash>``: the cache's name for this code.
        commit: The commit to check out (None: ``path`` is used as it is).
        path: The checkout the runs use (a temporary worktree once :meth:`checkout` made it).
        ranks: MPI ranks per run.
        cache: Whether cached runs may be used (and new runs cached).
    """

    label: str
    spec: str
    fingerprint: str
    commit: str | None
    path: Path | None
    ranks: int
    cache: bool
    worktree: Path | None = None
    checked: bool = False

    @classmethod
    def resolve(cls, label: str, spec: str, ranks: int, cache: bool) -> Side:
        """A side from a checkout path or a git revision of this repository.

        Raises:
            CompareError: Neither a femsi checkout nor a revision.
        """
        path = Path(spec).expanduser()
        if (path / "femsi" / "__init__.py").is_file():
            path = path.resolve()
            return cls(label, spec, checkout_fingerprint(path), None, path, ranks, cache)
        commit = git("rev-parse", "--verify", "--quiet", f"{spec}^{{commit}}", check=False)
        if not commit:
            raise CompareError(f"{label}: {spec!r} is neither a femsi checkout nor a revision")
        return cls(label, spec, commit, commit, None, ranks, cache)

    def config_text(self, name: str) -> str | None:
        """The text of ``configs/<name>.yaml`` on this side, or None if it has none."""
        if self.path is not None:
            file = self.path / "configs" / f"{name}.yaml"
            return file.read_text() if file.is_file() else None
        proc = subprocess.run(
            ["git", "show", f"{self.commit}:configs/{name}.yaml"],
            cwd=SCRIPT_REPO,
            capture_output=True,
            text=True,
        )
        return proc.stdout if proc.returncode == 0 else None

    def config_names(self) -> list[str]:
        """Names of the YAML files in ``configs/`` on this side."""
        if self.path is not None:
            return sorted(p.stem for p in (self.path / "configs").glob("*.yaml"))
        listing = git("ls-tree", "--name-only", f"{self.commit}:configs", check=False)
        return sorted(n[:-5] for n in listing.splitlines() if n.endswith(".yaml"))

    def checkout(self, out: Path) -> Path:
        """The checkout to run in; a commit is checked out into a temporary worktree first."""
        if self.path is not None:
            return self.path
        where = out / "worktrees" / f"{self.label}-{self.commit[:12]}"
        if where.exists():  # left by an interrupted comparison
            git("worktree", "remove", "--force", str(where), check=False)
            shutil.rmtree(where, ignore_errors=True)
        where.parent.mkdir(parents=True, exist_ok=True)
        git("worktree", "add", "--force", "--detach", str(where), self.commit)
        self.path = self.worktree = where
        return where

    def cleanup(self) -> None:
        """Remove the temporary worktree, if one was made."""
        if self.worktree is not None:
            git("worktree", "remove", "--force", str(self.worktree), check=False)
            shutil.rmtree(self.worktree, ignore_errors=True)
            self.path = self.worktree = None

    def describe(self) -> str:
        """One line: what this side is."""
        short = self.fingerprint[:12] + ("+dirty" if "+dirty" in self.fingerprint else "")
        ranks = f", {self.ranks} ranks" if self.ranks > 1 else ""
        cache = "" if self.cache else ", fresh run (cache not used)"
        return f"{self.label}: {self.spec} ({short}{ranks}{cache})"


def checkout_fingerprint(path: Path) -> str:
    """The commit of a checkout, with a hash of uncommitted changes to femsi/ and configs/.

    Not a git checkout: a hash of the contents of those two folders.
    """
    commit = git("rev-parse", "HEAD", cwd=path, check=False)
    digest = hashlib.sha256()
    if not commit:
        files = sorted((path / "femsi").rglob("*.py")) + sorted(path.glob("configs/*.yaml"))
        for file in files:
            digest.update(str(file.relative_to(path)).encode() + b"\0" + file.read_bytes())
        return "files-" + digest.hexdigest()[:16]
    diff = subprocess.run(
        ["git", "diff", "HEAD", "--binary", "--", "femsi", "configs"],
        cwd=path,
        capture_output=True,
    ).stdout
    untracked = git(
        "ls-files", "--others", "--exclude-standard", "--", "femsi", "configs", cwd=path
    ).splitlines()
    if not diff and not untracked:
        return commit
    digest.update(diff)
    for name in sorted(untracked):
        file = path / name
        if file.is_file():
            digest.update(name.encode() + b"\0" + file.read_bytes())
    return f"{commit}+dirty-{digest.hexdigest()[:12]}"


# --------------------------------------------------------------------------- running


@dataclass
class Run:
    """A run of one config on one side (cached or just made).

    Attributes:
        folder: The femsi run folder (``summary.json``, ``timeseries.csv``, ...).
        seconds: Wall time of the run when it was made.
        returncode: femsi's exit code (0 completed, 1 failed solve with partial results).
        cached: Whether it came from the cache.
        error: Why there is no usable result (None if there is one).
    """

    folder: Path
    seconds: float
    returncode: int | None
    cached: bool
    error: str | None = None


def overrides_of(name: str, extra: list[str]) -> list[str]:
    """The ``--set`` assignments of a config: common ones, its table entry, then ``extra``."""
    return COMMON + OVERRIDES[name] + extra


def run_key(side: Side, name: str, text: str, opts: argparse.Namespace) -> str:
    """The cache key of a run: config text, overrides, ranks, library versions, this script."""
    key = {
        "config_sha256": hashlib.sha256(text.encode()).hexdigest(),
        "overrides": overrides_of(name, opts.extra),
        "ranks": side.ranks,
        "environment": opts.versions,
        "version": CACHE_VERSION,
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:12]


def run_environment(checkout: Path, mesh_cache: Path, pin: bool) -> dict[str, str]:
    """The environment of a femsi run: that checkout's femsi, its own mesh cache, 1 thread.

    With ``pin``, also a fixed ``PYTHONHASHSEED`` (see :func:`pin_prefix`).
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = str(checkout)
    env["FEMSI_CACHE_DIR"] = str(mesh_cache)
    env["FEMSI_MESH_CACHE"] = "1"
    for variable in THREAD_VARIABLES:
        env[variable] = "1"
    if pin:
        env["PYTHONHASHSEED"] = "0"
    else:
        env.pop("PYTHONHASHSEED", None)
    return env


def pin_prefix(pin: bool) -> list[str]:
    """``setarch <machine> -R``: no address-space randomisation, when pinning and available.

    The last bits of some of femsi's results depend on where its arrays lie in memory
    (presumably SIMD loops that round differently with the alignment), which address-space
    randomisation and Python's string-hash randomisation change from one process to the next.
    Pinned, reruns of the same code are mostly, not always, bit-identical (see the module
    docstring); other code lays memory out differently anyway, which the floor of the relative
    test absorbs.
    """
    setarch = shutil.which("setarch") if pin else None
    return [setarch, platform.machine(), "-R"] if setarch else []


def check_interpreter(side: Side, checkout: Path, python: str) -> None:
    """Check that ``python`` has DOLFINx and imports femsi from ``checkout``.

    Raises:
        CompareError: It does not.
    """
    if side.checked:
        return
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [python, "-c", f"{PROBE}; import femsi; print(femsi.__file__)"],
            cwd=checkout,
            env=run_environment(checkout, Path(tmp), False),
            capture_output=True,
            text=True,
        )
    if proc.returncode != 0:
        raise CompareError(
            f"{python} cannot import dolfinx and femsi ({proc.stderr.strip()[-300:]}); "
            "give the femsi environment's interpreter with --python"
        )
    imported = Path(proc.stdout.strip()).resolve()
    if not imported.is_relative_to(checkout.resolve()):
        raise CompareError(f"{side.label}: femsi is imported from {imported}, not {checkout}")
    side.checked = True


def execute(command: list[str], cwd: Path, env: dict, log: Path, timeout: float) -> int:
    """Run a command in its own process group, output to ``log``; stop the group on timeout.

    Returns:
        The exit code, or -1 after a timeout.
    """
    with log.open("w") as stream:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(proc)
            return -1
        except BaseException:
            stop(proc)
            raise


def stop(proc: subprocess.Popen) -> None:
    """End a run's process group: SIGTERM, and SIGKILL if it is still there after 30 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


def get_run(side: Side, name: str, out: Path, opts: argparse.Namespace) -> Run:
    """The run of config ``name`` on ``side``: from the cache, or made now (and cached)."""
    text = side.config_text(name)
    if text is None:
        return Run(Path(), 0.0, None, False, f"{side.label} has no configs/{name}.yaml")
    if not is_study(text):
        return Run(Path(), 0.0, None, False, f"configs/{name}.yaml is not a study")
    key = run_key(side, name, text, opts)
    if side.cache:
        entry = out / "runs" / side.fingerprint / f"{name}-n{side.ranks}-{key}"
    else:
        entry = out / "fresh" / side.fingerprint / f"{side.label}-{name}-n{side.ranks}-{key}"
    folder, meta_file = entry / "run", entry / "meta.json"
    if side.cache and meta_file.is_file() and (folder / "summary.json").is_file():
        meta = json.loads(meta_file.read_text())
        if meta.get("returncode") in (0, 1):
            return Run(folder, meta["seconds"], meta["returncode"], True)
    checkout = side.checkout(out)
    check_interpreter(side, checkout, opts.python)
    shutil.rmtree(entry, ignore_errors=True)
    entry.mkdir(parents=True)
    command = [opts.python, "-m", "femsi", "run", f"configs/{name}.yaml", "-o", str(folder)]
    command += ["--overwrite", "--no-progress"]
    for assignment in overrides_of(name, opts.extra):
        command += ["--set", assignment]
    if side.ranks > 1:
        command = [opts.mpirun, "-n", str(side.ranks), *command]
    command = pin_prefix(opts.pin) + command
    print(f"  running {name} on {side.label} ({side.ranks} rank(s)) ...", end="", flush=True)
    mesh_cache = Path(tempfile.mkdtemp(prefix="femsi-compare-meshes-"))
    try:
        start = time.perf_counter()
        env = run_environment(checkout, mesh_cache, opts.pin)
        code = execute(command, checkout, env, entry / "output.txt", opts.timeout)
        seconds = time.perf_counter() - start
    finally:
        shutil.rmtree(mesh_cache, ignore_errors=True)
    print(f" {seconds:.1f} s, exit code {code}", flush=True)
    meta = {
        "config": name,
        "side": side.spec,
        "fingerprint": side.fingerprint,
        "ranks": side.ranks,
        "environment": opts.versions,
        "pinned": opts.pin,
        "command": command,
        "returncode": code,
        "seconds": seconds,
        "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    meta_file.write_text(json.dumps(meta, indent=2) + "\n")
    if code not in (0, 1) or not (folder / "summary.json").is_file():
        tail = (entry / "output.txt").read_text().strip().splitlines()[-3:]
        return Run(folder, seconds, code, False, f"{side.label} run failed: {' '.join(tail)}")
    return Run(folder, seconds, code, False)


# --------------------------------------------------------------------------- comparing


def ignored(path: str, patterns: list[str]) -> bool:
    """Whether a dotted summary path or column name is left out of the comparison.

    A pattern of ``--ignore`` matches the whole path or its end (``krylov_mechanics`` also
    drops ``final.krylov_mechanics``; ``krylov_mechanics*`` also ``peaks.krylov_mechanics.*``).
    """
    words = set(re.split(r"[._\-]", path.lower()))
    if words & IGNORED_WORDS:
        return True
    if any(fnmatch.fnmatch(path, p) for p in IGNORED_PATTERNS):
        return True
    return any(fnmatch.fnmatch(path, p) or fnmatch.fnmatch(path, f"*.{p}") for p in patterns)


def unit_of(name: str) -> str | None:
    """The unit suffix of a column name (``probe.surface.ux_m`` -> ``m``), or None."""
    base = re.sub(r"\.(min|max)$", "", name)
    return next((u for u in UNITS if base.endswith("_" + u)), None)


def quantity_of(name: str) -> str:
    """What a column measures, for its scale: its unit, else the last word of its name.

    ``probe.surface.ux_m`` -> ``m``; ``substrate.max_damage`` -> ``~damage``; ``soc`` -> ``~soc``.
    """
    unit = unit_of(name)
    if unit is not None:
        return unit
    base = re.sub(r"\.(min|max)$", "", name)
    return "~" + re.split(r"[._:/]", base)[-1]


def is_number(value: object) -> bool:
    """Whether a value is compared numerically (bools are compared as values)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def relative_difference(a: float, b: float, floor: float) -> float:
    """``|a - b| / max(|a|, |b|, floor)``; NaN equals NaN, infinities must match exactly."""
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if not (math.isfinite(a) and math.isfinite(b)):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b), floor)


def cell(text: str) -> float | str:
    """A CSV cell as a number when it is one, else as text."""
    try:
        return float(text)
    except ValueError:
        return text


@dataclass
class Scales:
    """Magnitudes of the quantities of a run, for the absolute floor of the relative test."""

    factor: float
    by_column: dict[str, float] = field(default_factory=dict)
    by_quantity: dict[str, float] = field(default_factory=dict)
    per_column: bool = False

    def add(self, column: str, value: float) -> None:
        """Record a value of a column (both runs)."""
        if not math.isfinite(value):
            return
        magnitude = abs(value)
        self.by_column[column] = max(self.by_column.get(column, 0.0), magnitude)
        quantity = quantity_of(column)
        self.by_quantity[quantity] = max(self.by_quantity.get(quantity, 0.0), magnitude)

    def floor(self, column: str) -> float:
        """The floor of a column: ``factor`` times the largest magnitude of its quantity."""
        scale = self.by_column.get(column, 0.0)
        if not self.per_column:
            scale = max(scale, self.by_quantity.get(quantity_of(column), 0.0))
        return max(self.factor * scale, TINY)

    def floor_of_path(self, path: tuple[str, ...]) -> float:
        """The floor of a summary leaf: that of the column or quantity it names, else TINY."""
        for key in reversed(path):
            if key.isdigit() or key in ("value", "min", "max"):
                continue
            name = re.sub(r"\.(min|max)$", "", key)
            if name in self.by_column or quantity_of(name) in self.by_quantity:
                return self.floor(name)
        return TINY


@dataclass
class Result:
    """The comparison of one config."""

    name: str
    rows: str = "-"
    columns: str = "-"
    max_rel: float = 0.0
    worst: str = "-"
    problems: list[str] = field(default_factory=list)
    exceeding: list[tuple[float, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    places: dict[str, float] = field(default_factory=dict)

    def note(self, rel: float, where: str, detail: str, rtol: float) -> None:
        """Record one compared value."""
        if rel > 0:
            self.places[where] = max(self.places.get(where, 0.0), rel)
        if rel > self.max_rel:
            self.max_rel, self.worst = rel, where
        if rel > rtol:
            self.exceeding.append((rel, f"{where}: {detail}"))

    def verdict(self, rtol: float) -> str:
        """``OK``, or what went wrong."""
        if self.errors:
            return "ERROR"
        found = ["MISMATCH"] if self.problems else []
        found += ["DIFF"] if self.max_rel > rtol else []
        return "+".join(found) or "OK"


def read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV file."""
    with path.open(newline="") as stream:
        reader = csv.reader(stream)
        header = next(reader, [])
        return header, list(reader)


def compare_csv(
    a: Path, b: Path, label: str, result: Result, opts: argparse.Namespace, scales: Scales
) -> None:
    """Compare two CSV files column by column, row by row (``scales`` is filled here)."""
    head_a, rows_a = read_csv(a)
    head_b, rows_b = read_csv(b)
    prefix = "" if label == "timeseries.csv" else f"{label}:"
    only_a = [c for c in head_a if c not in head_b and not ignored(c, opts.ignore)]
    only_b = [c for c in head_b if c not in head_a and not ignored(c, opts.ignore)]
    if only_a:
        result.problems.append(f"{label}: columns only in ref: {', '.join(only_a)}")
    if only_b:
        result.problems.append(f"{label}: columns only in new: {', '.join(only_b)}")
    if len(rows_a) != len(rows_b):
        result.problems.append(
            f"{label}: {len(rows_a)} rows in ref, {len(rows_b)} in new "
            f"(the first {min(len(rows_a), len(rows_b))} compared)"
        )
    columns = [c for c in head_a if c in head_b and not ignored(c, opts.ignore)]
    if label == "timeseries.csv":
        result.rows = (
            str(len(rows_a)) if len(rows_a) == len(rows_b) else f"{len(rows_a)}/{len(rows_b)}"
        )
        same = len(head_a) == len(head_b) and not only_a and not only_b
        result.columns = str(len(head_a)) if same else f"{len(head_a)}/{len(head_b)}"
    index_a = {c: i for i, c in enumerate(head_a)}
    index_b = {c: i for i, c in enumerate(head_b)}
    pairs = list(zip(rows_a, rows_b, strict=False))
    values = {}
    for column in columns:
        ia, ib = index_a[column], index_b[column]
        column_values = [
            (cell(ra[ia]) if ia < len(ra) else "", cell(rb[ib]) if ib < len(rb) else "")
            for ra, rb in pairs
        ]
        values[column] = column_values
        for x, y in column_values:
            for v in (x, y):
                if isinstance(v, float):
                    scales.add(prefix + column, v)
    for column in columns:
        floor = scales.floor(prefix + column)
        texts, pairs, what = 0, values[column], ""
        partner = ratio_partner(column)
        if partner in values:  # compared as ratio x |divisor|, on the divisor's scale
            floor = scales.floor(prefix + partner)
            pairs = [
                (times_divisor(x, gx), times_divisor(y, gy))
                for (x, y), (gx, gy) in zip(pairs, values[partner], strict=True)
            ]
            what = f" (x |{partner}|)"
        for row, (x, y) in enumerate(pairs):
            if isinstance(x, float) and isinstance(y, float):
                rel = relative_difference(x, y, floor)
                result.note(rel, prefix + column, f"row {row}{what}: {x!r} vs {y!r}", opts.rtol)
            elif x != y:
                texts += 1
                if texts == 1:
                    result.problems.append(
                        f"{label}: {column} row {row}: {x!r} vs {y!r} (not numbers)"
                    )
        if texts > 1:
            result.problems.append(f"{label}: {column}: {texts} differing non-numeric cells")


def ratio_partner(column: str) -> str | None:
    """The divisor column of a ratio column (see :data:`RATIOS`), or None."""
    key = next((k for k in RATIOS if column == k or column.endswith("." + k)), None)
    return None if key is None else column[: -len(key)] + RATIOS[key]


def times_divisor(ratio: float | str, divisor: float | str) -> float | str:
    """A ratio times the magnitude of its divisor; an undefined (NaN) ratio counts as 0."""
    if not (isinstance(ratio, float) and isinstance(divisor, float)):
        return ratio
    return (0.0 if math.isnan(ratio) else ratio) * abs(divisor)


def leaves(tree: object, path: tuple[str, ...] = ()) -> dict[tuple[str, ...], object]:
    """Every leaf of a JSON tree by its path (list items by index)."""
    if isinstance(tree, dict):
        found = {}
        for key, value in tree.items():
            found.update(leaves(value, (*path, str(key))))
        return found
    if isinstance(tree, list):
        found = {}
        for i, value in enumerate(tree):
            found.update(leaves(value, (*path, str(i))))
        return found
    return {path: tree}


def compare_json(
    a: dict, b: dict, label: str, result: Result, opts: argparse.Namespace, scales: Scales
) -> None:
    """Compare every leaf of two JSON trees (numbers by relative difference)."""
    leaves_a, leaves_b = leaves(a), leaves(b)
    missing = {"ref": [], "new": []}
    for path in sorted(set(leaves_a) | set(leaves_b)):
        dotted = ".".join(path)
        if ignored(dotted, opts.ignore):
            continue
        if path not in leaves_b or path not in leaves_a:
            missing["new" if path not in leaves_b else "ref"].append(dotted)
            continue
        x, y = leaves_a[path], leaves_b[path]
        if repeats_ratio(path) or is_location_of_equal_peak(path, leaves_a, leaves_b, opts, scales):
            continue
        where = f"{label}:{dotted}"
        if is_number(x) and is_number(y):
            rel = relative_difference(float(x), float(y), scales.floor_of_path(path))
            result.note(rel, where, f"{x!r} vs {y!r}", opts.rtol)
        elif x != y or type(x) is not type(y):
            result.problems.append(f"{where}: {x!r} vs {y!r}")
    for side, paths in missing.items():
        if paths:
            shown = ", ".join(paths[:8]) + (f" and {len(paths) - 8} more" if len(paths) > 8 else "")
            result.problems.append(f"{label}: missing in {side}: {shown}")


def repeats_ratio(path: tuple[str, ...]) -> bool:
    """Whether a summary leaf is ``final.X`` or ``peaks.X.*`` of a ratio column X.

    Its rows are compared in the time series (times the divisor); its peak is taken over rows
    where it may be round-off divided by round-off (an unloaded crack at the start).
    """
    return len(path) > 1 and path[0] in ("final", "peaks") and ratio_partner(path[1]) is not None


def is_location_of_equal_peak(
    path: tuple[str, ...], leaves_a: dict, leaves_b: dict, opts: argparse.Namespace, scales: Scales
) -> bool:
    """Whether a leaf is the step, time or SOC of a peak whose two values agree within rtol.

    The time series holds every row, so where an equal peak lies is no extra result; a
    different place is a tie (a plateau, or a column of round-off such as a displacement held
    by symmetry).
    """
    if len(path) != 3 or path[0] != "peaks" or path[2] not in ("step", "time_s", "soc"):
        return False
    value = ("peaks", path[1], "value")
    x, y = leaves_a.get(value), leaves_b.get(value)
    if not (is_number(x) and is_number(y)):
        return False
    return relative_difference(float(x), float(y), scales.floor_of_path(value)) <= opts.rtol


def compare(name: str, ref: Run, new: Run, opts: argparse.Namespace) -> Result:
    """Compare the results of two runs of one config."""
    result = Result(name)
    for run in (ref, new):
        if run.error:
            result.errors.append(run.error)
    if result.errors:
        return result
    if ref.returncode != new.returncode:
        result.problems.append(f"exit code {ref.returncode} (ref) vs {new.returncode} (new)")
    scales = Scales(opts.floor, per_column=opts.floor_scope == "column")
    a, b = ref.folder, new.folder
    if not (a / "timeseries.csv").is_file() or not (b / "timeseries.csv").is_file():
        result.errors.append("timeseries.csv missing")
        return result
    compare_csv(a / "timeseries.csv", b / "timeseries.csv", "timeseries.csv", result, opts, scales)
    csvs_a = {p.relative_to(a).as_posix() for p in a.rglob("*.csv")} - {"timeseries.csv"}
    csvs_b = {p.relative_to(b).as_posix() for p in b.rglob("*.csv")} - {"timeseries.csv"}
    for rel in sorted(csvs_a ^ csvs_b):
        result.problems.append(f"{rel} only in {'ref' if rel in csvs_a else 'new'}")
    for rel in sorted(csvs_a & csvs_b):
        per_column = opts.floor_scope == "column"
        compare_csv(a / rel, b / rel, rel, result, opts, Scales(opts.floor, per_column=per_column))
    summary_a = json.loads((a / "summary.json").read_text())
    summary_b = json.loads((b / "summary.json").read_text())
    compare_json(summary_a, summary_b, "summary", result, opts, scales)
    manifest_a, manifest_b = (
        json.loads(p.read_text()) if p.is_file() else {}
        for p in (a / "manifest.json", b / "manifest.json")
    )
    for key in MANIFEST_KEYS:
        if key in manifest_a and key in manifest_b and manifest_a[key] != manifest_b[key]:
            result.problems.append(f"manifest.{key}: {manifest_a[key]} vs {manifest_b[key]}")
    return result


# --------------------------------------------------------------------------- report, main


def print_table(results: list[Result], rtol: float) -> None:
    """The comparison table, then what went wrong per config."""
    header = ("config", "rows", "columns", "max rel diff", "worst column", "verdict")
    lines = [
        (
            r.name,
            r.rows,
            r.columns,
            "0" if r.max_rel == 0 else f"{r.max_rel:.3g}",
            r.worst if r.max_rel > 0 else "-",
            r.verdict(rtol),
        )
        for r in results
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    for i, line in enumerate([header, *lines]):
        print(" | ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    for r in results:
        notes = r.errors + r.problems
        notes += [text for _, text in sorted(r.exceeding, reverse=True)[:10]]
        if len(r.exceeding) > 10:
            notes.append(f"... and {len(r.exceeding) - 10} more values above rtol {rtol:g}")
        if notes:
            print(f"\n{r.name}:")
            for text in notes[:40]:
                print(f"  {text}")


def find_python() -> str:
    """This interpreter if it has DOLFINx, else the main checkout's ``.venv/bin/python``."""
    probe = subprocess.run([sys.executable, "-c", PROBE], capture_output=True)
    if probe.returncode == 0:
        return sys.executable
    common = git("rev-parse", "--path-format=absolute", "--git-common-dir", check=False)
    venv = Path(common).parent / ".venv" / "bin" / "python" if common else None
    return str(venv) if venv is not None and venv.is_file() else sys.executable


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(
        description="Run shortened femsi studies on two sides and compare their results.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--ref", help="reference: git commit/branch or checkout path")
    parser.add_argument("--new", help="the side under test: git commit/branch or checkout path")
    parser.add_argument("--configs", nargs="+", metavar="NAME", help="configs (default: all)")
    parser.add_argument("--ranks", type=int, default=1, help="MPI ranks per run, both sides")
    parser.add_argument("--ranks-ref", type=int, help="MPI ranks of the ref side")
    parser.add_argument("--ranks-new", type=int, help="MPI ranks of the new side")
    parser.add_argument(
        "--set",
        dest="extra",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="one more override for every config (time.growth=1: fixed steps, for MPI)",
    )
    parser.add_argument("--rtol", type=float, default=1e-9, help="largest relative difference")
    parser.add_argument(
        "--floor", type=float, default=1.0, help="floor of |a|, |b|, times the quantity's scale"
    )
    parser.add_argument(
        "--floor-scope",
        choices=["quantity", "column"],
        default="quantity",
        help="a value's scale: all columns of its quantity (unit), or its column alone",
    )
    parser.add_argument(
        "--ignore", action="append", default=[], metavar="PATTERN", help="fnmatch, repeatable"
    )
    parser.add_argument("--out", type=Path, default=None, help="cache folder (see docstring)")
    parser.add_argument("--no-cache-ref", action="store_true", help="rerun ref, not cached")
    parser.add_argument("--no-cache-new", action="store_true", help="rerun new, not cached")
    parser.add_argument("--python", default=None, help="interpreter with femsi's dependencies")
    parser.add_argument("--mpirun", default=None, help="mpirun (default: next to --python)")
    parser.add_argument(
        "--no-pin",
        dest="pin",
        action="store_false",
        help="keep address-space and hash randomisation (reruns then differ in the last bits)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    parser.add_argument(
        "--json", type=Path, help="also write the comparison (per config, per column) here"
    )
    parser.add_argument("--list", action="store_true", help="print the override table, exit")
    opts = parser.parse_args(argv)
    if not opts.list and (opts.ref is None or opts.new is None):
        parser.error("--ref and --new are required")
    unknown = [n for n in opts.configs or [] if n not in OVERRIDES]
    if unknown:
        parser.error(f"no overrides for {', '.join(unknown)}: add them to OVERRIDES")
    opts.out = (opts.out or default_out()).resolve()
    opts.python = opts.python or find_python()
    beside = Path(opts.python).parent / "mpirun"
    opts.mpirun = opts.mpirun or (str(beside) if beside.is_file() else shutil.which("mpirun"))
    opts.versions = None
    return opts


def environment_versions(python: str) -> dict:
    """Versions of DOLFINx, PETSc, Gmsh, ... in ``python``'s environment.

    Raises:
        CompareError: ``python`` cannot import them.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([python, "-c", VERSIONS], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise CompareError(
            f"{python} cannot import femsi's dependencies ({proc.stderr.strip()[-300:]}); "
            "give the femsi environment's interpreter with --python"
        )
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Run and compare; 0 when every config agrees, 1 otherwise, 2 on bad arguments."""
    opts = parse_args(argv)
    if opts.list:
        for name, overrides in OVERRIDES.items():
            print(f"{name}:\n  " + "\n  ".join(COMMON + overrides))
        return 0
    try:
        opts.versions = environment_versions(opts.python)
        ref = Side.resolve("ref", opts.ref, opts.ranks_ref or opts.ranks, not opts.no_cache_ref)
        new = Side.resolve("new", opts.new, opts.ranks_new or opts.ranks, not opts.no_cache_new)
    except CompareError as err:
        print(f"compare_runs: {err}", file=sys.stderr)
        return 2
    if max(ref.ranks, new.ranks) > 1 and not opts.mpirun:
        print("compare_runs: no mpirun found (give --mpirun)", file=sys.stderr)
        return 2
    names = opts.configs or list(OVERRIDES)
    for side in (ref, new):
        studies = [n for n in side.config_names() if is_study(side.config_text(n) or "")]
        for n in studies:
            if n not in OVERRIDES:
                print(f"warning: {side.label} study configs/{n}.yaml has no OVERRIDES entry")
    print(ref.describe())
    print(new.describe())
    if ref.fingerprint == new.fingerprint and ref.ranks == new.ranks and ref.cache and new.cache:
        print("note: both sides are the same cached runs; --no-cache-new reruns the new side")
    print(f"cache: {opts.out}")
    results, times = [], []
    try:
        for name in names:
            runs = []
            for side in (ref, new):
                try:
                    runs.append(get_run(side, name, opts.out, opts))
                except CompareError as err:
                    print(f"compare_runs: {err}", file=sys.stderr)
                    return 2
            results.append(compare(name, *runs, opts))
            times.append((name, *runs))
    finally:
        for side in (ref, new):
            side.cleanup()
    print("\nruntimes (s, * = from the cache):")
    for name, a, b in times:
        marks = [f"{r.seconds:.1f}{'*' if r.cached else ''}" for r in (a, b)]
        print(f"  {name}: ref {marks[0]}, new {marks[1]}")
    print()
    print_table(results, opts.rtol)
    bad = [r.name for r in results if r.verdict(opts.rtol) != "OK"]
    if opts.json:
        report = {
            "ref": ref.describe(),
            "new": new.describe(),
            "rtol": opts.rtol,
            "floor": opts.floor,
            "configs": {
                r.name: {
                    "verdict": r.verdict(opts.rtol),
                    "rows": r.rows,
                    "columns": r.columns,
                    "max_rel": r.max_rel,
                    "worst": r.worst,
                    "errors": r.errors,
                    "problems": r.problems,
                    "above_rtol": [text for _, text in sorted(r.exceeding, reverse=True)],
                    "max_rel_by_column": dict(sorted(r.places.items(), key=lambda i: -i[1])),
                }
                for r in results
            },
        }
        opts.json.write_text(json.dumps(report, indent=1) + "\n")
    print(
        f"\n{len(results) - len(bad)} of {len(results)} configs agree within rtol {opts.rtol:g}"
        + (f"; not: {', '.join(bad)}" if bad else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
