"""The ``femsi`` command line: run, validate, materials; sweeps and their results.

Exit codes: 0 success; 2 invalid input (config, units, paths) before anything runs; 1 a solve
that failed after step cutting, or results that could not be written (partial results kept);
128 + N a run stopped by signal N (130 Ctrl-C, 143 SIGTERM: the summary says
``interrupted``); 3 an internal error (a femsi bug: the message asks for ``--debug``).

Under MPI an error reaches every rank: a rank that fails waits a few seconds for the others
to fail too (the usual case, the checks run collectively) and otherwise aborts the job, so
that no rank waits forever in a collective call.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_SOLVE_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3
#: Seconds a failing rank waits for the others before it aborts the MPI job.
ERROR_GRACE_S = 10.0
ABORT_FLUSH_S = 1.0  # seconds a lone failing rank waits after its message, before MPI_Abort
RESULTS_COMMANDS = {
    "sweep",
    "sweep-task",
    "status",
    "collect",
    "report",
    "plot",
    "rerun",
    "critical-size",
}


class _Parser(argparse.ArgumentParser):
    """argparse with femsi's error line (``femsi: error: WHERE: problem``, exit 2)."""

    def error(self, message: str):  # type: ignore[override]
        """Print the usage and ``femsi: error: command: problem``; exit 2."""
        self.print_usage(sys.stderr)
        command = self.prog.removeprefix("femsi").strip()
        where = f"{command}: " if command else ""
        self.exit(EXIT_BAD_INPUT, f"femsi: error: {where}{message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="femsi",
        description="Lithiation-induced stress in silicon anodes of solid-state batteries.",
    )
    parser.add_argument(
        "--debug", action="store_true", help="show the traceback of an internal error"
    )
    from femsi import __version__

    parser.add_argument("--version", action="version", version=f"femsi {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run a study")
    run.add_argument("config", type=Path, help="study YAML file")
    run.add_argument("-o", "--output", type=Path, help="run folder (default results/<study>)")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config key (dotted path, YAML value)",
    )
    run.add_argument(
        "--overwrite", action="store_true", help="replace an existing femsi run folder"
    )
    run.add_argument("--no-progress", action="store_true", help="no progress bar")
    run.add_argument(
        "--force", action="store_true", help="mesh a geometry estimated too large anyway"
    )
    validate = sub.add_parser("validate", help="check a study file without solving")
    validate.add_argument("config", type=Path)
    validate.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE"
    )
    validate.add_argument(
        "--force", action="store_true", help="accept a geometry estimated too large"
    )
    validate.add_argument(
        "--no-mesh",
        action="store_true",
        help="check the file only (by default the mesh is built: regions, probes inside)",
    )
    materials = sub.add_parser("materials", help="list the material library with sources")
    materials.add_argument("name", nargs="?", help="show one material in full")
    _add_results_commands(sub)
    return parser


def _add_results_commands(sub) -> None:
    """sweep, sweep-task, status, collect, report, plot, rerun (see femsi.sweeps.commands)."""
    sweep = sub.add_parser("sweep", help="expand a sweep file and run it (locally or on Slurm)")
    sweep.add_argument("sweep_file", type=Path, help="sweep YAML file")
    sweep.add_argument("-o", "--output", type=Path, help="sweep folder (default results/<name>)")
    sweep.add_argument("--workers", type=int, help="runs at a time (execution.workers)")
    sweep.add_argument("--ranks", type=int, help="MPI ranks per run (execution.ranks)")
    sweep.add_argument(
        "--runs-per-process", type=int, help="runs per worker process (execution.runs_per_process)"
    )
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="expand and validate every run and build its mesh (regions, probes); solve nothing",
    )
    sweep.add_argument(
        "--no-mesh", action="store_true", help="with --dry-run: check the files only"
    )
    sweep.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a key of the base study in every run (repeatable)",
    )
    sweep.add_argument("--slurm", action="store_true", help="write DIR/sweep.sbatch, run nothing")
    sweep.add_argument("--submit", action="store_true", help="with --slurm: call sbatch")
    for option in ("time", "memory", "partition", "account"):
        sweep.add_argument(f"--{option}", help=f"Slurm {option} (execution.slurm.{option})")
    sweep.add_argument("--no-progress", action="store_true", help="log lines, no progress bar")
    task = sub.add_parser("sweep-task", help="do runs of a sweep (local workers, Slurm)")
    task.add_argument("folder", type=Path, help="sweep folder")
    task.add_argument(
        "index", type=int, nargs="*", help="run indices, done in turn (default SLURM_ARRAY_TASK_ID)"
    )
    status = sub.add_parser("status", help="done/failed/running runs of a sweep folder")
    status.add_argument("folder", type=Path)
    status.add_argument("-v", "--verbose", action="store_true", help="list every run")
    collect = sub.add_parser("collect", help="catalogue.parquet and catalogue.csv of a sweep")
    collect.add_argument("folder", type=Path)
    report = sub.add_parser("report", help="a self-contained HTML report of a sweep")
    report.add_argument("folder", type=Path)
    report.add_argument("-o", "--output", type=Path, help="HTML file (default DIR/report.html)")
    report.add_argument("--runs", nargs="*", help="runs whose pictures to show (names)")
    report.add_argument(
        "--quantity",
        action="append",
        metavar="COLUMN",
        help="catalogue column to plot, or a pattern such as 'peaks.*.max_von_mises_Pa.value' "
        "(repeatable; default: the stress peaks and crack maxima)",
    )
    report.add_argument(
        "--color-by", metavar="KEY", help="swept key that colours the points and lines"
    )
    report.add_argument(
        "--static", action="store_true", help="matplotlib PNGs and no script (no Plotly)"
    )
    plot = sub.add_parser("plot", help="re-render figures of a finished run without solving")
    plot.add_argument("run_dir", type=Path)
    plot.add_argument("--time", type=float, help="time in s (default: the last snapshot)")
    plot.add_argument(
        "--field",
        default="von_mises",
        help="a snapshot array, with or without its unit suffix: von_mises, hydrostatic, "
        "max_principal, concentration, u, u_x, damage, ... (an unknown name lists them)",
    )
    plot.add_argument("--clip", choices=["x", "y", "z"], help="cut the body by this plane")
    plot.add_argument("--undeformed", action="store_true", help="do not warp by displacement")
    plot.add_argument("--gif", action="store_true", help="an animated GIF of all snapshots")
    plot.add_argument("-o", "--output", type=Path, help="image file or folder")
    rerun = sub.add_parser("rerun", help="run a run folder's resolved config again and compare")
    rerun.add_argument("run_dir", type=Path)
    rerun.add_argument("-o", "--output", type=Path, help="new run folder (default RUN_DIR-rerun)")
    rerun.add_argument("--rtol", type=float, default=1e-6, help="tolerance of the comparison")
    rerun.add_argument(
        "--trust",
        action="store_true",
        help="apply the folder's PETSc output options too (viewers, monitors write files)",
    )
    critical = sub.add_parser(
        "critical-size",
        help="largest particle radius whose cracks stay below the fracture energy, per C-rate",
    )
    critical.add_argument("config", type=Path, help="study YAML file with cracks:")
    critical.add_argument(
        "--radius", nargs="+", required=True, help="particle radii (0.2um 500nm 1e-6 ...)"
    )
    critical.add_argument(
        "--c-rate", nargs="+", required=True, help="C-rates of every (de)lithiation"
    )
    size = critical.add_mutually_exclusive_group()
    size.add_argument("--crack-length", nargs="+", help="fixed crack lengths (default: a/R kept)")
    size.add_argument("--crack-fraction", nargs="+", help="crack lengths as fractions of R")
    critical.add_argument(
        "--no-scaling", action="store_true",
        help="keep mesh sizes, probes and time steps as in the study (default: scale with R, C)",
    )  # fmt: skip
    critical.add_argument("-o", "--output", type=Path, help="sweep folder")
    critical.add_argument("--workers", type=int, default=1, help="runs at a time")
    critical.add_argument("--ranks", type=int, default=1, help="MPI ranks per run")
    critical.add_argument("--slurm", action="store_true", help="write a Slurm script, run nothing")
    critical.add_argument("--no-progress", action="store_true", help="no progress bar")


def _error(message: str) -> None:
    from mpi4py import MPI

    if MPI.COMM_WORLD.rank == 0:
        print(f"femsi: error: {message}", file=sys.stderr, flush=True)


def _rank() -> int:
    """This process's rank in MPI.COMM_WORLD."""
    from mpi4py import MPI

    return MPI.COMM_WORLD.rank


def _warn(message: str) -> None:
    from mpi4py import MPI

    if MPI.COMM_WORLD.rank == 0:
        print(f"femsi: warning: {message}", file=sys.stderr, flush=True)


def _fail(message: str, code: int) -> int:
    """Report an error once and end every rank: wait for the others, else abort the job."""
    import time

    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    if comm.size > 1:
        request = comm.Ibarrier()
        deadline = time.monotonic() + ERROR_GRACE_S
        while not request.Test():
            if time.monotonic() > deadline:  # the others are stuck: this rank alone failed
                line = f"femsi: error (rank {comm.rank}): {message}\n"
                os.write(sys.stderr.fileno(), line.encode())
                # MPI_Abort kills the job at once; give the launcher time to forward the line
                time.sleep(ABORT_FLUSH_S)
                comm.Abort(code)
            time.sleep(0.02)
    _error(message)
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``femsi`` command."""
    args = _parser().parse_args(argv)
    from femsi.errors import InputError

    try:
        return _main(args)
    except InputError as err:
        return _fail(str(err), EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted by the user (Ctrl-C)", 130)
    except Exception as err:
        if args.debug:
            raise
        return _fail(
            f"internal error: {type(err).__name__}: {err} (please report it; rerun with "
            "--debug for the traceback)",
            EXIT_INTERNAL,
        )


def _main(args) -> int:
    from femsi.errors import InputError

    try:
        if args.command == "materials":
            from femsi.materials.listing import print_library

            return print_library(args.name)
        if args.command in RESULTS_COMMANDS:
            from femsi.sweeps.commands import dispatch

            return dispatch(args)
        from femsi.config import load_config

        config = load_config(args.config, args.overrides)
        from femsi.config.mesh_guard import check_size

        for warning in config.warnings:
            _warn(warning)
        check_size(config, getattr(args, "force", False))
        if args.command == "validate":
            study = config.study
            checked = ""
            if not args.no_mesh:
                from femsi.study import check_mesh

                if _rank() == 0:
                    print(f"{args.config}: building the mesh to check regions and probes ...")
                size = check_mesh(config)
                checked = f", mesh {size['cells']} cells: regions and probes checked"
            if _rank() == 0:
                print(
                    f"{args.config}: valid study '{study.study}' ({study.geometry.type}, "
                    f"{study.physics.mechanics}, {len(study.protocol)} protocol steps, "
                    f"config hash {config.hash()}{checked})"
                )
            return EXIT_OK
        import signal

        from femsi import stop
        from femsi.study import run

        # SIGTERM (Slurm, timeout, container runtimes), SIGUSR1 (Slurm's time-limit warning)
        # and Ctrl-C end the run at its next time step, with its summary written (femsi.stop).
        stop.clear()
        for signum in (signal.SIGTERM, signal.SIGUSR1, signal.SIGINT):
            stop.install(signum)
        result = run(
            config,
            args.output,
            overwrite=args.overwrite,
            progress=not args.no_progress,
            force=args.force,
        )
    except InputError as err:
        return _fail(str(err), EXIT_BAD_INPUT)
    if result.status == "interrupted":
        _error(f"{result.summary.get('message')}; the finished steps are in {result.output_dir}")
        return stop.exit_code()
    if result.status != "completed":
        _error(
            f"{result.summary.get('message') or result.status}; the results up to the "
            f"failure are in {result.output_dir}"
        )
        return EXIT_SOLVE_FAILED
    from mpi4py import MPI

    if MPI.COMM_WORLD.rank == 0:
        print(
            f"femsi: {result.summary['study']} completed: {result.summary['steps']} steps, "
            f"results in {result.output_dir}"
        )
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
