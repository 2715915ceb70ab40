"""The ``femsi`` command line: run, validate, materials.

Exit codes: 0 success; 2 invalid input (config, units, paths) before anything runs; 1 a solve
that failed after step cutting (partial results kept).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_SOLVE_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="femsi",
        description="Lithiation-induced stress in silicon anodes of solid-state batteries.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
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
    validate = sub.add_parser("validate", help="check a study file without solving")
    validate.add_argument("config", type=Path)
    validate.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE"
    )
    materials = sub.add_parser("materials", help="list the material library with sources")
    materials.add_argument("name", nargs="?", help="show one material in full")
    return parser


def _error(message: str) -> None:
    from mpi4py import MPI

    if MPI.COMM_WORLD.rank == 0:
        print(f"femsi: error: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``femsi`` command."""
    args = _parser().parse_args(argv)
    from femsi.errors import InputError

    try:
        if args.command == "materials":
            from femsi.materials.listing import print_library

            return print_library(args.name)
        from femsi.config import load_config

        config = load_config(args.config, args.overrides)
        if args.command == "validate":
            study = config.study
            print(
                f"{args.config}: valid study '{study.study}' ({study.geometry.type}, "
                f"{study.physics.mechanics}, {len(study.protocol)} protocol steps, "
                f"config hash {config.hash()})"
            )
            return EXIT_OK
        from femsi.study import run

        result = run(config, args.output, overwrite=args.overwrite, progress=not args.no_progress)
    except InputError as err:
        _error(str(err))
        return EXIT_BAD_INPUT
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
