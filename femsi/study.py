"""One run of a study: config → mesh → model → solvers → driver → recorder.

The run owns the output folder; everything it writes is listed in the README's output
contract. A failing solve cuts the time step; below ``time.min_step`` the run stops, keeps every
finished step and writes ``summary.json`` with ``status: failed`` (exit code 1).
"""

from __future__ import annotations

import logging
from contextlib import ExitStack
from pathlib import Path
from typing import cast

from mpi4py import MPI
from petsc4py import PETSc

import yaml

import femsi.compat  # noqa: F401
from femsi import stop
from femsi.api.run_result import RunResult
from femsi.config import StudyConfig, load_config
from femsi.config.mesh_guard import check_size
from femsi.errors import InputError, SolveError
from femsi.geometry import build_mesh
from femsi.geometry.model import MeshModel
from femsi.outputs.exports import exports_for
from femsi.outputs.probes import Probes
from femsi.outputs.recorder import Recorder
from femsi.outputs.run_folder import prepare_output, setup_logging
from femsi.outputs.stress import StressFields
from femsi.parallel import global_span, on_rank0
from femsi.physics.constraints import fixture_cell
from femsi.physics.model import CoupledModel
from femsi.solvers.driver import STEP_LIMIT, RunDriver
from femsi.solvers.plate_control import plate_control
from femsi.solvers.solver_set import SolverSet
from femsi.study_checks import check_phase_field, check_regions, material_sources
from femsi.timing import Timer

logger = logging.getLogger("femsi")


def run(
    config: StudyConfig | str | Path,
    output_dir: str | Path | None = None,
    *,
    overrides: list[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    force: bool = False,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> RunResult:
    """Run a study and write its outputs.

    Args:
        config: A loaded study, or the path of a YAML file.
        output_dir: Run folder (default ``results/<study>``).
        overrides: ``dotted.path=value`` assignments applied when ``config`` is a path.
        overwrite: Replace an existing femsi run folder.
        progress: Show the protocol's progress on rank 0 (a bar on a terminal, plain lines
            otherwise); a protocol step that ends early is said either way.
        force: Mesh a geometry estimated larger than the machine's limit
            (:data:`femsi.config.mesh_guard.MAX_CELLS`) anyway.
        comm: MPI communicator.

    Returns:
        The run result (also when the solve failed: check ``status``).

    Raises:
        InputError: Invalid input found before solving.
    """
    if not isinstance(config, StudyConfig):
        config = load_config(config, overrides)
    check_size(config, force)
    out = Path(output_dir) if output_dir is not None else Path("results") / config.study.study
    folder = prepare_output(out, overwrite, comm)
    handler = setup_logging(folder.path, comm)
    try:
        parts = _Run(config, folder.path, comm)
        try:
            parts.build()
        except InputError:
            parts.close()
            folder.abandon(comm)
            raise
        folder.commit(comm)
        result = parts.execute(progress)
        return RunResult(folder.final, result.status, result.summary, result.rows)
    finally:
        if handler is not None:
            logger.removeHandler(handler)
            handler.close()
        folder.close(comm)


def mesh_of(config: StudyConfig, comm: MPI.Comm = MPI.COMM_WORLD) -> MeshModel:
    """The study's mesh, checked against its materials (regions, active surface).

    Raises:
        InputError: A mesh that cannot be built or read, or regions that do not match.
    """
    study = config.study
    tagged = [(i, c) for i, c in enumerate(study.cracks) if c.kind == "tagged"]
    mesh_model = build_mesh(
        study.geometry, comm, config.crack_layouts, tagged, study.physics.plastic_regions
    )
    check_regions(config.materials, mesh_model, study.physics)
    return mesh_model


def probes_of(config: StudyConfig, mesh_model: MeshModel) -> Probes:
    """The study's probes on its mesh.

    Raises:
        InputError: A probe outside the body.
    """
    study = config.study
    snap = 0.05 * getattr(study.geometry, "mesh_size", 0.0) or (global_span(mesh_model.mesh) * 1e-3)
    # names and fractions were resolved to points when the study was loaded
    points = cast(dict[str, tuple[float, ...]], dict(study.outputs.probes))
    return Probes(mesh_model.mesh, points, snap)


def check_mesh(config: StudyConfig, comm: MPI.Comm = MPI.COMM_WORLD) -> dict:
    """What a run checks on the mesh before solving: regions and probes (``femsi validate``).

    Returns:
        The mesh's size: ``cells`` and ``vertices``.

    Raises:
        InputError: What the run would refuse.
    """
    mesh_model = mesh_of(config, comm)
    probes_of(config, mesh_model)
    topology = mesh_model.mesh.topology
    return {
        "cells": topology.index_map(topology.dim).size_global,
        "vertices": topology.index_map(0).size_global,
    }


class _Run:
    """The parts of one run, built in order (internal: use :func:`run`)."""

    def __init__(self, config: StudyConfig, out: Path, comm: MPI.Comm) -> None:
        self.config, self.study, self.out, self.comm = config, config.study, out, comm
        self.timer = Timer()
        self._opened = ExitStack()  # what build() opened, closed in reverse

    def build(self) -> None:
        """Mesh, model, solvers, outputs and driver; raises InputError for bad meshes/probes."""
        study, comm = self.study, self.comm

        def write_inputs() -> None:
            with (self.out / "config.yaml").open("w") as stream:
                yaml.safe_dump(self.config.resolved(), stream, sort_keys=False)
            with (self.out / "materials.yaml").open("w") as stream:
                yaml.safe_dump(material_sources(self.config.materials), stream, sort_keys=False)

        on_rank0(comm, write_inputs, "--output", "writing config.yaml")
        logger.info("femsi study %s, %d MPI ranks", study.study, comm.size)
        with self.timer.phase("mesh"):
            mesh_model = mesh_of(self.config, comm)
        with self.timer.phase("setup"):
            cell = fixture_cell(study.cell, mesh_model)
            self.model = model = CoupledModel(
                mesh_model, self.config.materials, study.physics, cell, study.phase_field,
                study.thermal,
            )  # fmt: skip
            check_phase_field(model)
            probes = probes_of(self.config, mesh_model)
            try:
                self.solvers = SolverSet(model, study, self.timer)
            except PETSc.Error as err:  # an option value PETSc refuses when it sets up
                raise InputError("solver", f"PETSc refused the solver options ({err})") from None
            self._opened.callback(self.solvers.close)
            control = plate_control(model, self.solvers.plate, cell)
            stress = StressFields(model) if model.has_mechanics else None
            exports = exports_for(
                model,
                study,
                probes,
                stress,
                control,
                self.out,
                self.solvers,
            )
            self.recorder = Recorder(
                self.config, model, exports, stress, probes, self.out, self.timer
            )
            self.driver = RunDriver(model, self.solvers, control, self.recorder, study, self.timer)
        logger.info(
            "mesh: %d cells; dofs: concentration %d, displacement %d",
            model.mesh.topology.index_map(model.mesh.topology.dim).size_global,
            model.Vc.dofmap.index_map.size_global,
            model.Vu.dofmap.index_map.size_global * model.Vu.dofmap.index_map_bs
            if model.has_mechanics
            else 0,
        )

    def execute(self, progress: bool) -> RunResult:
        """Run the protocol; always writes summary and manifest."""
        status, message, reason = "completed", "", "protocol finished"
        if self.comm.rank == 0:  # early ends are said even without the bar
            from femsi.progress import RunProgress

            self.driver.progress = RunProgress(self.study.study, bar=progress)
        try:
            self.driver.run()
            if self.driver.step_limit_reached:
                reason = STEP_LIMIT
        except SolveError as err:
            status, message, reason = "failed", str(err), "solve failed"
            logger.error("%s", err)
        except KeyboardInterrupt:
            status, message, reason = "interrupted", stop.reason(), stop.end_reason()
            logger.error("%s", message)
        except OSError as err:  # a full disk, a folder removed under the run
            status, message, reason = "failed", f"cannot write the results: {err}", "output failed"
            logger.error("%s", message)
        finally:
            self.driver.progress.close()
            self.solvers.close()
            summary = self.recorder.finish(
                self.driver, self.solvers, status, message, reason, self.timer
            )
        return RunResult(self.out, summary["status"], summary, self.recorder.series.rows)

    def close(self) -> None:
        """Close open files and release the solvers' PETSc options."""
        self._opened.close()
