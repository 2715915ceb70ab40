"""A Slurm job array for a sweep: one array task per run, K MPI ranks each.

``femsi sweep SWEEP.yaml -o DIR --slurm`` writes ``DIR/sweep.sbatch``; ``--submit`` hands it to
``sbatch``. Each array task runs ``femsi sweep-task DIR $SLURM_ARRAY_TASK_ID`` on K ranks,
which claims its run folder, so resubmitting the script (or running a local pool on the same
folder at the same time) never runs a run twice. The array lists only the runs that are not
complete when the script is written.

Launchers: ``srun`` (default without a container) starts the K ranks through Slurm;
``mpirun`` (default with a container) starts them with the MPICH ``mpirun`` inside the
container, on one node, which needs no agreement between the host's and the container's MPI.

Time limits: the script asks Slurm for SIGUSR1 ``stop_before_limit_s`` seconds before the
job's time limit (``#SBATCH --signal=B:USR1@N``) and ``exec``s the launcher, so the signal
reaches it (``srun`` and MPICH's ``mpirun`` pass SIGUSR1 on to the ranks); each run then stops
at its next time step, writes its results, and records that the time limit stopped it.

Array size: Slurm refuses array indices at or above the cluster's ``MaxArraySize`` (1001 by
default). A sweep with more runs is written as several scripts, ``sweep.sbatch``,
``sweep-2.sbatch``, ..., each an array of at most ``MaxArraySize`` tasks whose index is offset
by the part's first run.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from femsi.errors import InputError
from femsi.sweeps.status import run_state

if TYPE_CHECKING:
    from femsi.sweeps.spec import SlurmSettings

SCRIPT = "sweep.sbatch"
#: Slurm's default MaxArraySize (array indices 0 to 1000).
DEFAULT_MAX_ARRAY_SIZE = 1001
#: Container images given by address rather than as a file (``apptainer exec`` pulls them).
IMAGE_SCHEMES = ("docker://", "library://", "oras://", "shub://", "docker-daemon://", "http")


def array_spec(indices: list[int]) -> str:
    """Compress run indices to Slurm's array syntax: ``[0, 1, 2, 5]`` → ``0-2,5``."""
    parts: list[str] = []
    start: int | None = None
    previous = 0  # read only once start is set
    for i in sorted(indices):
        if start is None:
            start = previous = i
        elif i == previous + 1:
            previous = i
        else:
            parts.append(f"{start}-{previous}" if previous > start else str(start))
            start = previous = i
    if start is not None:
        parts.append(f"{start}-{previous}" if previous > start else str(start))
    return ",".join(parts)


def image_digest(image: Path) -> str | None:
    """``sha256:<hex>`` of a container image file, or None if it is not here."""
    from femsi.outputs.manifest import file_digest

    return file_digest(image) if image.is_file() else None


def check_container(settings, field: str = "execution.slurm.container") -> None:
    """Refuse a container image that is neither an existing file nor an image address.

    Raises:
        InputError: The image file does not exist.
    """
    image = settings.container
    if not image or str(image).startswith(IMAGE_SCHEMES):
        return
    path = Path(image).expanduser().resolve()
    if not path.is_file():
        raise InputError(
            field,
            f"no container image at {path}; build it (see the container docs: `apptainer build "
            "femsi.sif docker-daemon://femsi:latest`) or give an address such as docker://...",
        )


def cluster_max_array_size(settings) -> int:
    """The MaxArraySize to respect: the setting, the cluster's (``scontrol``), or 1001."""
    if settings.max_array_size:
        return int(settings.max_array_size)
    try:
        done = subprocess.run(
            ["scontrol", "show", "config"], capture_output=True, text=True, timeout=20
        )
    except (OSError, subprocess.TimeoutExpired):
        return DEFAULT_MAX_ARRAY_SIZE
    for line in done.stdout.splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "MaxArraySize" and value.strip().isdigit():
            return int(value.strip())
    return DEFAULT_MAX_ARRAY_SIZE


def array_parts(indices: list[int], max_array_size: int) -> list[tuple[int, list[int]]]:
    """Split run indices into array parts that Slurm accepts: ``[(offset, indices), ...]``.

    Part k holds the runs ``k·M`` to ``(k+1)·M − 1`` (M = ``max_array_size``) as array
    indices ``0`` to ``M − 1`` with offset ``k·M``; parts without a run to do are left out.
    """
    parts: dict[int, list[int]] = {}
    for i in sorted(indices):
        offset = (i // max_array_size) * max_array_size
        parts.setdefault(offset, []).append(i - offset)
    return sorted(parts.items())


def _one_line(text: object) -> str:
    """``text`` with every control character (a newline above all) replaced by ``?``.

    Comments and ``#SBATCH`` lines are not shell words that quoting could protect: a newline
    in a name or path would start a command line of its own.
    """
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def render_script(
    folder: Path,
    sweep: dict,
    settings: SlurmSettings,
    ranks: int,
    indices: list[int],
    offset: int = 0,
    part: str = "",
) -> str:
    """The text of the job-array script.

    Args:
        folder: The sweep folder (absolute).
        sweep: The content of ``sweep.json``.
        settings: :class:`~femsi.sweeps.spec.SlurmSettings`.
        ranks: MPI ranks per run.
        indices: The array indices to run (one array task each; run index − ``offset``).
        offset: Added to ``$SLURM_ARRAY_TASK_ID`` to give the run index.
        part: Which part of a split array this script is (for its comment), or empty.
    """
    q = shlex.quote
    array = array_spec(indices) + (f"%{settings.max_parallel}" if settings.max_parallel else "")
    sbatch = [
        f"--job-name=femsi-{_one_line(sweep['name'])}",
        f"--array={array}",
        f"--ntasks={ranks}",
        f"--cpus-per-task={settings.cpus_per_task}",
        f"--time={settings.time}",
    ]
    if settings.stop_before_limit_s:
        sbatch.append(f"--signal=B:USR1@{settings.stop_before_limit_s}")
    if settings.memory:
        sbatch.append(f"--mem={settings.memory}")
    for option in ("partition", "account", "qos"):
        value = getattr(settings, option)
        if value:
            sbatch.append(f"--{option}={value}")
    sbatch.append(f"--output={folder}/slurm/%A_%a.out")
    sbatch += settings.options
    sbatch = [_one_line(option) for option in sbatch]
    lines = [
        "#!/bin/bash",
        _one_line(f"# femsi sweep '{sweep['name']}': {len(sweep['runs'])} runs of {sweep['base']}"),
        f"# {len(indices)} array tasks{part}, one per run that was not complete on "
        f"{time.strftime('%Y-%m-%d %H:%M')}; {ranks} MPI rank(s) each.",
        _one_line(f"# Submit: sbatch {folder}/{SCRIPT}   Progress: femsi status {folder}"),
        *(f"#SBATCH {option}" for option in sbatch),
        "",
        "set -euo pipefail",
        *(f"module load {q(module)}" for module in settings.modules),
        *settings.setup,
        "export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}",
        "# Shared by all runs and ranks: the mesh cache and the FFCx JIT cache",
        "# (~/.cache/fenics; FFCx compiles each form once, guarded by file locks).",
        'export FEMSI_CACHE_DIR="${FEMSI_CACHE_DIR:-$HOME/.cache/femsi}"',
        f"cd {q(str(folder))}  # dolfinx_jit_options.json: wait for other runs' compiles",
    ]
    index = f'"$((SLURM_ARRAY_TASK_ID + {offset}))"' if offset else '"$SLURM_ARRAY_TASK_ID"'
    task = f"sweep-task {q(str(folder))} {index}"
    if settings.container:
        image = Path(settings.container).expanduser().resolve()
        digest = image_digest(image)
        lines.append(f"export FEMSI_IMAGE={q(str(image))}")
        if digest:
            lines.append(f"export FEMSI_IMAGE_DIGEST={digest}")
        binds = sorted({str(folder), str(Path(sweep["base"]).parent)})
        container = (
            f"apptainer exec --bind {q(','.join(binds))} --env FEMSI_CACHE_DIR=$FEMSI_CACHE_DIR "
            f"{q(str(image))}"
        )
        if (settings.launcher or "mpirun") == "mpirun":
            run = f"{container} mpirun -n {ranks} femsi {task}"
        else:
            run = f"srun --ntasks={ranks} {container} femsi {task}"
    else:
        femsi = f"{q(sys.executable)} -m femsi"
        if (settings.launcher or "srun") == "srun":
            run = f"srun --ntasks={ranks} {femsi} {task}"
        else:
            mpirun = Path(sys.executable).parent / "mpirun"
            run = f"{q(str(mpirun))} -n {ranks} {femsi} {task}"
    lines += [
        "# Exit codes: 0 run complete (now or before), 1 solve failed, 2 bad input,",
        "# 3 claimed by another live worker. exec: the launcher gets Slurm's SIGUSR1.",
        f"exec {run}",
        "",
    ]
    return "\n".join(lines)


def write_scripts(folder: Path, sweep: dict, settings, ranks: int) -> list[Path]:
    """Write the array script(s) for the runs that are not complete.

    ``DIR/sweep.sbatch``, and past MaxArraySize ``sweep-2.sbatch``, ... (:func:`array_parts`).

    Returns:
        The scripts' paths; empty when every run is complete.
    """
    folder = Path(folder).resolve()
    check_container(settings)
    indices = [run["index"] for run in sweep["runs"] if run_state(folder, run).state != "complete"]
    for stale in folder.glob("sweep-*.sbatch"):  # parts of an earlier, larger split
        stale.unlink()
    if not indices:
        return []
    (folder / "slurm").mkdir(exist_ok=True)
    parts = array_parts(indices, cluster_max_array_size(settings))
    paths = []
    for number, (offset, part) in enumerate(parts, start=1):
        path = folder / (SCRIPT if number == 1 else f"sweep-{number}.sbatch")
        label = f" (part {number} of {len(parts)}: runs from {offset})" if len(parts) > 1 else ""
        path.write_text(render_script(folder, sweep, settings, ranks, part, offset, label))
        path.chmod(0o755)
        paths.append(path)
    return paths


def write_script(folder: Path, sweep: dict, settings, ranks: int) -> Path | None:
    """Write the script(s) (:func:`write_scripts`); returns the first, or None if none."""
    paths = write_scripts(folder, sweep, settings, ranks)
    return paths[0] if paths else None


def submit(script: Path) -> str:
    """``sbatch SCRIPT``; returns sbatch's output (``Submitted batch job N``).

    Raises:
        InputError: No ``sbatch`` here, or it refused the script.
    """
    try:
        done = subprocess.run(["sbatch", str(script)], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise InputError("--submit", "sbatch not found: submit from a Slurm login node") from None
    if done.returncode != 0:
        raise InputError("--submit", f"sbatch refused {script}: {done.stderr.strip()}")
    return done.stdout
