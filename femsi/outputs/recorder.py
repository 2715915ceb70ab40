"""The run's recorder: time series, peaks, field files, snapshots, figures, summary, manifest.

The recorder loops over the exports of :func:`femsi.outputs.exports.exports_for` and knows
none of them by name: each accepted state becomes one row of ``timeseries.csv`` (and the
peaks of ``summary.json``), every ``outputs.every`` steps the fields are written, and at the
end of each protocol step a snapshot is kept for the figures. :meth:`Recorder.finish` writes
the figures, ``summary.json``, ``manifest.json`` and, for a completed run, the marker.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import femsi.compat  # noqa: F401
from femsi.outputs.exports import Export, RecordState
from femsi.outputs.fields import FieldWriter, field_sources, output_degree
from femsi.outputs.manifest import container, seeds, versions
from femsi.outputs.run_folder import write_complete_marker, write_json
from femsi.outputs.snapshots import write_snapshot
from femsi.outputs.summary import PeakTracker
from femsi.outputs.timeseries import TimeSeries
from femsi.solvers.protocol import FARADAY
from femsi.timing import Timer

if TYPE_CHECKING:
    from femsi.config.loader import StudyConfig
    from femsi.outputs.probes import Probes
    from femsi.outputs.stress import StressFields
    from femsi.physics.model import CoupledModel
    from femsi.solvers.driver import RunDriver
    from femsi.solvers.solver_set import MechanicsStats, SolverSet

logger = logging.getLogger(__name__)


class Recorder:
    """Everything a run writes.

    Args:
        config: The loaded study config.
        model: The coupled model.
        exports: The exports, in column order.
        stress: The stress fields (None without mechanics).
        probes: The probe points.
        out: The run folder.
        timer: Where output times go.
    """

    def __init__(
        self,
        config: StudyConfig,
        model: CoupledModel,
        exports: list[Export],
        stress: StressFields | None,
        probes: Probes,
        out: Path,
        timer: Timer,
    ) -> None:
        self.config, self.study, self.model = config, config.study, model
        self.exports, self.stress, self.probes = exports, stress, probes
        self.out, self.timer = out, timer
        self.comm = model.mesh.comm
        columns = [c for export in exports for c in export.columns]
        self.series = TimeSeries(out / "timeseries.csv", columns, self.comm.rank == 0)
        self.peaks = PeakTracker()
        self.writer: FieldWriter | None = None
        outputs = self.study.outputs
        if outputs.fields:
            self.writer = FieldWriter(
                out / "fields",
                field_sources(model, stress),
                degree=output_degree(model, outputs.field_space),
                length_unit=outputs.length_unit,
            )
        self.snapshots: list[dict] = []

    # ------------------------------------------------------------------ each state

    def record(
        self,
        driver: RunDriver,
        index: int,
        kind: str,
        dt: float,
        flux: float,
        newton_diffusion: int,
        mech_stats: MechanicsStats | None,
        soc: float,
    ) -> dict:
        """One row of the time series for the state just accepted."""
        with self.timer.phase("postprocess"):
            state = RecordState(
                driver.step, driver.t, dt, soc, index, kind, flux, newton_diffusion, mech_stats
            )
            for export in self.exports:
                state.row |= export.evaluate(state)
            self.series.append(state.row)
            self.peaks.update(state.row)
        return state.row

    def write_fields(self, driver: RunDriver, force: bool = False) -> None:
        """The field files, every ``outputs.every`` steps (always at step 0 or ``force``)."""
        every = self.study.outputs.every
        if self.writer is None:
            return
        if force or driver.step == 0 or (every > 0 and driver.step % every == 0):
            with self.timer.phase("output"):
                self.writer.write(driver.t)
                write_snapshot(self.out / "fields", self.model, self.stress, driver.t, driver.soc())

    def protocol_step_ended(self, driver: RunDriver, label: str, soc: float) -> None:
        """The end of a protocol step: a snapshot for the figures, the exports' hooks."""
        self._snapshot(driver, label, soc)
        for export in self.exports:
            export.protocol_step_ended(driver, label)

    def _snapshot(self, driver: RunDriver, label: str, soc: float) -> None:
        if not self.study.outputs.figures or self.stress is None:
            return
        from femsi.outputs.figures import gather_snapshot

        with self.timer.phase("figures"):
            snapshot = gather_snapshot(self.model, self.stress, label, driver.t, soc)
            if snapshot is not None:
                self.snapshots.append(snapshot)

    # ------------------------------------------------------------------ the end

    def close(self) -> None:
        """Close the field files, the time series and the exports' files."""
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        self.series.close()
        for export in self.exports:
            export.close()

    def finish(
        self,
        driver: RunDriver,
        solvers: SolverSet,
        status: str,
        message: str,
        reason: str,
        timer: Timer,
    ) -> dict:
        """Figures, ``summary.json``, ``manifest.json`` and the completion marker."""
        self.close()
        rows = self.series.rows
        blocks: dict = {}
        for export in self.exports:
            blocks |= export.summary(rows)
        with timer.phase("figures"):
            if self.comm.rank == 0 and self.study.outputs.figures and rows:
                self._figures(rows, blocks)
        total = timer.total()
        scale = self.model.model.volume_scale
        capacity = driver.capacity
        area = driver.area
        summary = {
            "study": self.study.study,
            "status": status,
            "message": message,
            "end_reason": reason,
            "steps": driver.step,
            "time_s": driver.t,
            "capacity_mol": capacity * scale,
            "capacity_mAh": capacity * scale * FARADAY / 3.6,
            "active_surface_area_m2": area * scale,
            "geometry": {
                k: v for k, v in self.model.model.info.items() if isinstance(v, int | float | str)
            },
            "protocol": driver.step_ends,
            "final": rows[-1] if rows else {},
            "peaks": self.peaks.peaks,
            "warnings": list(self.config.warnings),
            **blocks,
        }
        manifest = self._manifest(status, timer, total, solvers)
        if self.comm.rank == 0:
            try:
                write_json(self.out / "summary.json", summary)
                write_json(self.out / "manifest.json", manifest)
                if status == "completed":  # last: a folder with the marker has every output
                    write_complete_marker(self.out, self.config.hash())
            except OSError as err:  # a full disk: the time series so far stays whole
                logger.error("cannot write the summary: %s", err)
                summary |= {"status": "failed", "message": f"cannot write the summary: {err}"}
        logger.info("run %s: %s in %.1f s (%d steps)", self.study.study, status, total, driver.step)
        return summary

    def _figures(self, rows: list[dict], blocks: dict) -> None:
        from femsi.outputs.figures import render_figures

        folder = self.out / "figures"
        try:
            render_figures(
                folder, rows, self.snapshots, list(self.model.model.regions), self.probes.names
            )
            for export in self.exports:
                export.figures(rows, blocks, folder)
        except Exception as err:  # figures must never cost the results
            logger.warning("figures could not be rendered: %s", err)

    def _manifest(self, status: str, timer: Timer, total: float, solvers: SolverSet) -> dict:
        model, config = self.model, self.config
        topology = model.mesh.topology
        return {
            "versions": versions(),
            "config_hash": config.hash(),
            "config_source": str(config.source) if config.source else None,
            "container": container(),
            "seeds": seeds(config.resolved()),
            "mpi_size": self.comm.size,
            "status": status,
            "wall_time_s": {**timer.phases, "total": total},
            "mesh": {
                "cells": topology.index_map(topology.dim).size_global,
                "vertices": topology.index_map(0).size_global,
            },
            "dofs": {
                "concentration": model.Vc.dofmap.index_map.size_global,
                "displacement": (
                    model.Vu.dofmap.index_map.size_global * 3 if model.has_mechanics else 0
                ),
            },
            "quadrature_degree": {
                "mechanics": model.measures.mechanics_degree,
                "diffusion": model.measures.diffusion_degree,
            },
            "iterations": solvers.iteration_totals(),
        }
