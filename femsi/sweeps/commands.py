"""The sweep and results commands of the CLI.

sweep, sweep-task, status, collect, report, plot, rerun. Each returns an exit code; bad input
is raised as InputError for the CLI to print.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import overload

from femsi.errors import InputError

logger = logging.getLogger(__name__)
#: Geometry keys that load the mesh but do not change it (one mesh check covers their values).
LOADS_NOT_MESH = ("outer_pressure",)


def dispatch(args) -> int:
    """Run the command ``args.command`` with its parsed arguments."""
    handler = {
        "sweep": sweep,
        "sweep-task": sweep_task,
        "status": status,
        "collect": collect,
        "report": report,
        "plot": plot,
        "rerun": rerun,
        "critical-size": critical_size,
    }[args.command]
    return handler(args)


def _log_to_stderr() -> None:
    root = logging.getLogger("femsi")
    if not any(isinstance(h, logging.StreamHandler) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("femsi: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)


def sweep(args) -> int:
    """``femsi sweep SWEEP.yaml -o DIR [--slurm [--submit]]``."""
    from femsi.sweeps.folder import prepare_sweep_folder, read_sweep
    from femsi.sweeps.spec import load_sweep

    spec = load_sweep(args.sweep_file, args.overrides)
    folder = args.output or Path("results") / spec.name
    execution = spec.spec.execution
    workers = args.workers if args.workers is not None else execution.workers
    ranks = args.ranks if args.ranks is not None else execution.ranks
    chunk = args.runs_per_process or execution.runs_per_process
    for name, value in (("--workers", workers), ("--ranks", ranks), ("--runs-per-process", chunk)):
        if value < 1:
            raise InputError(name, f"must be at least 1, got {value}")
    if args.submit and not args.slurm:
        raise InputError("--submit", "only with --slurm")
    settings = _slurm_settings(execution.slurm, args) if args.slurm else None
    if args.dry_run and not args.no_mesh:
        _check_meshes(spec)
    prepare_sweep_folder(folder, spec)
    print(f"femsi: sweep {spec.name}: {len(spec.runs)} runs of {spec.base} in {folder}")
    if args.dry_run:
        for run in spec.runs:
            print(f"  [{run.index:>4}] {run.name}")
        return 0
    if args.slurm:
        from femsi.sweeps.slurm import submit, write_scripts

        scripts = write_scripts(folder, read_sweep(folder), settings, ranks)
        if not scripts:
            print("femsi: every run is complete; nothing to submit")
            return 0
        if len(scripts) > 1:
            print(
                f"femsi: the runs to do go past the cluster's MaxArraySize: {len(scripts)} "
                "array scripts, each of at most MaxArraySize tasks (execution.slurm."
                "max_array_size)"
            )
        for script in scripts:
            print(f"femsi: wrote {script}")
            if args.submit:
                print(submit(script).strip())
            else:
                print(f"submit it with: sbatch {script}")
        return 0
    from femsi.sweeps.local import run_local

    _log_to_stderr()
    result = run_local(
        folder,
        read_sweep(folder)["runs"],
        workers,
        ranks,
        progress=not args.no_progress,
        runs_per_process=chunk,
    )
    print(
        f"femsi: sweep {spec.name}: {len(result.done)} done, {len(result.skipped)} already "
        f"complete, {len(result.failed)} failed, {len(result.busy)} claimed by other workers"
    )
    for name in result.failed:
        print(f"  failed: {name} (log: {folder / 'logs' / (name + '.log')})")
    return 0 if not result.failed else 1


def _slurm_settings(settings, args):
    """The sweep file's Slurm settings with the command line's, validated alike."""
    from pydantic import ValidationError

    from femsi.sweeps.slurm import check_container
    from femsi.sweeps.spec import SlurmSettings

    given = {k: getattr(args, k) for k in ("time", "memory", "partition", "account")}
    try:
        checked = SlurmSettings.model_validate(
            settings.model_dump() | {k: v for k, v in given.items() if v}
        )
        check_container(checked)
        return checked
    except ValidationError as err:
        item = err.errors()[0]
        key = str(item["loc"][0])
        where = f"--{key}" if given.get(key) else f"execution.slurm.{key}"
        raise InputError(where, item["msg"].removeprefix("Value error, ")) from None


def _check_meshes(spec) -> None:
    """Build every distinct mesh of a sweep and check its regions and probes (``--dry-run``).

    Runs that differ only in their protocol, time or solver share one check. Each run's mesh
    warnings are printed with its name.

    Raises:
        InputError: What a run would refuse on its mesh, told as the swept key.
    """
    import json

    from mpi4py import MPI

    from femsi.config import load_config
    from femsi.study import check_mesh
    from femsi.sweeps.spec import blame_swept_key

    checked: set[str] = set()
    for run in spec.runs:
        config = load_config(spec.base, run.overrides)
        if MPI.COMM_WORLD.rank == 0:
            for warning in config.warnings:
                print(f"femsi: warning: run {run.name}: {warning}", file=sys.stderr, flush=True)
        tree = config.resolved()
        shape = {k: v for k, v in tree["geometry"].items() if k not in LOADS_NOT_MESH}
        key = json.dumps(
            [shape, tree.get("cracks"), tree["outputs"]["probes"],
             sorted(config.materials), tree["physics"].get("plastic_regions")],
            sort_keys=True,
        )  # fmt: skip
        if key in checked:
            continue
        try:
            check_mesh(config)
        except InputError as err:
            raise blame_swept_key(err, run.parameters, spec.spec.sweep) from None
        checked.add(key)
    if MPI.COMM_WORLD.rank == 0:
        print(f"femsi: {len(checked)} distinct meshes built: regions and probes checked")


def sweep_task(args) -> int:
    """``femsi sweep-task DIR [INDEX]``."""
    from femsi.sweeps.task import run_tasks, task_indices

    return run_tasks(args.folder, task_indices(args.index))


def status(args) -> int:
    """``femsi status DIR``: counts of complete/running/failed/interrupted/pending runs."""
    from femsi.sweeps.status import format_status, sweep_states

    print(format_status(args.folder, sweep_states(args.folder), verbose=args.verbose))
    return 0


def collect(args) -> int:
    """``femsi collect DIR``: ``catalogue.parquet`` and ``catalogue.csv``."""
    from femsi.sweeps.catalogue import write_catalogue

    paths, rows = write_catalogue(args.folder)
    print(f"femsi: catalogue of {len(rows)} runs: {', '.join(str(p) for p in paths)}")
    return 0


def report(args) -> int:
    """``femsi report DIR``: a self-contained HTML file."""
    from femsi.sweeps.report import write_report

    path = write_report(
        args.folder, args.output, args.runs, args.quantity, args.color_by, args.static
    )
    print(f"femsi: report {path}")
    return 0


def plot(args) -> int:
    """``femsi plot RUN_DIR``: figures from the saved snapshots, without solving."""
    from femsi.outputs.replot import replot

    written = replot(
        args.run_dir,
        time=args.time,
        field=args.field,
        clip=args.clip,
        deformed=not args.undeformed,
        gif=args.gif,
        output=args.output,
    )
    for path in written:
        print(f"femsi: wrote {path}")
    return 0


def rerun(args) -> int:
    """``femsi rerun RUN_DIR``: run the resolved config again and compare the summaries."""
    from femsi.sweeps.rerun import rerun as do_rerun

    comparison = do_rerun(args.run_dir, args.output, rtol=args.rtol, trust=args.trust)
    print(comparison.text())
    return 0 if comparison.matches else 1


@overload
def _quantities(option: str, values: list[str], dimension: str) -> list[float]: ...
@overload
def _quantities(option: str, values: None, dimension: str) -> None: ...
def _quantities(option: str, values: list[str] | None, dimension: str) -> list[float] | None:
    """Numbers of a list option, each SI or with units (``0.5um``, ``500 nm``)."""
    from femsi.units import UnitError, to_si

    if values is None:
        return None
    out = []
    for text in values:
        try:
            out.append(to_si(text if not _is_number(text) else float(text), dimension))
        except UnitError as err:
            raise InputError(option, f"{text!r}: {err}") from None
    return out


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def critical_size(args) -> int:
    """``femsi critical-size CONFIG --radius ... --c-rate ...``: the critical-size map."""
    import tempfile

    from femsi.sweeps import critical
    from femsi.sweeps.folder import prepare_sweep_folder, read_sweep
    from femsi.sweeps.spec import load_sweep

    request = critical.Request(
        config=args.config,
        radii=sorted(_quantities("--radius", args.radius, "length")),
        c_rates=_quantities("--c-rate", args.c_rate, "dimensionless"),
        crack_lengths=_quantities("--crack-length", args.crack_length, "length"),
        crack_fractions=_quantities("--crack-fraction", args.crack_fraction, "dimensionless"),
        scale_geometry=not args.no_scaling,
    )
    for name, value in (("--workers", args.workers), ("--ranks", args.ranks)):
        if value < 1:
            raise InputError(name, f"must be at least 1, got {value}")
    plan = critical.plan(request)
    folder = args.output or Path("results") / f"critical-size-{Path(args.config).stem}"
    with tempfile.TemporaryDirectory() as tmp:
        sweep_file = critical.write_sweep_file(
            Path(tmp) / "critical_size_sweep.yaml", args.config, plan.rows, args.workers,
            args.ranks,
        )  # fmt: skip
        spec = load_sweep(sweep_file)
        if args.slurm:
            from femsi.sweeps.slurm import check_container

            check_container(spec.spec.execution.slurm)
        prepare_sweep_folder(folder, spec)
    print(
        f"femsi: critical size of {args.config}: {len(plan.rows)} runs "
        f"({len(request.radii)} radii x {len(request.c_rates)} C-rates) in {folder}"
    )
    if args.slurm:
        from femsi.sweeps.slurm import write_scripts

        scripts = write_scripts(folder, read_sweep(folder), spec.spec.execution.slurm, args.ranks)
        if scripts:
            listed = ", ".join(str(script) for script in scripts)
            print(f"femsi: wrote {listed}; submit it, then run this command again to analyse")
            return 0
    else:
        from femsi.sweeps.local import run_local

        _log_to_stderr()
        outcome = run_local(
            folder, read_sweep(folder)["runs"], args.workers, args.ranks,
            progress=not args.no_progress,
        )  # fmt: skip
        if outcome.failed:
            print(f"femsi: {len(outcome.failed)} runs failed (see {folder}/logs/)")
    points = critical.collect_points(folder, plan)
    if not points:
        print("femsi: no run has crack results yet; nothing to analyse")
        return 1
    results = critical.analyse(points, plan.cracks)
    paths = critical.write_results(folder, results, plan)
    print(critical.format_table(results, critical.size_label(plan)))
    print(f"femsi: wrote {', '.join(str(p) for p in paths)}")
    return 0
