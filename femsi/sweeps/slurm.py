"""A Slurm job array for a sweep: one array task per run, K MPI ranks each.

``femsi sweep SWEEP.yaml -o DIR --slurm`` writes ``DIR/sweep.sbatch``; ``--submit`` hands it to
``sbatch``. Each array task runs ``femsi sweep-task DIR $SLURM_ARRAY_TASK_ID`` on K ranks,
which claims its run folder, so resubmitting the script (or running a local pool on the same
folder at the same time) never runs a run twice. The array lists only the runs that are not
complete when the script is written.

Launchers: ``srun`` (default without a container) starts the K ranks through Slurm;
``mpirun`` (default with a container) starts them with the MPICH ``mpirun`` inside the
container, on one node, which needs no agreement between the host's and the container's MPI.
"""

from __future__ import annotations

import hashlib
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
    if not image.is_file():
        return None
    digest = hashlib.sha256()
    with image.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 22), b""):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def _one_line(text: object) -> str:
    """``text`` with every control character (a newline above all) replaced by ``?``.

    Comments and ``#SBATCH`` lines are not shell words that quoting could protect: a newline
    in a name or path would start a command line of its own.
    """
    return "".join(ch if ch.isprintable() else "?" for ch in str(text))


def render_script(
    folder: Path, sweep: dict, settings: SlurmSettings, ranks: int, indices: list[int]
) -> str:
    """The text of the job-array script.

    Args:
        folder: The sweep folder (absolute).
        sweep: The content of ``sweep.json``.
        settings: :class:`~femsi.sweeps.spec.SlurmSettings`.
        ranks: MPI ranks per run.
        indices: The run indices to run (one array task each).
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
        f"# {len(indices)} array tasks, one per run that was not complete on "
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
    task = f'sweep-task {q(str(folder))} "$SLURM_ARRAY_TASK_ID"'
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
        "# 3 claimed by another live worker.",
        run,
        "",
    ]
    return "\n".join(lines)


def write_script(folder: Path, sweep: dict, settings, ranks: int) -> Path | None:
    """Write ``DIR/sweep.sbatch`` for the runs that are not complete.

    Returns:
        The script's path, or None when every run is complete.
    """
    folder = Path(folder).resolve()
    indices = [run["index"] for run in sweep["runs"] if run_state(folder, run).state != "complete"]
    if not indices:
        return None
    (folder / "slurm").mkdir(exist_ok=True)
    path = folder / SCRIPT
    path.write_text(render_script(folder, sweep, settings, ranks, indices))
    path.chmod(0o755)
    return path


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
