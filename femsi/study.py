"""One run of a study: config → mesh → model → time loop → outputs.

The run owns the output folder; everything it writes is listed in the README's output
contract. A failing solve cuts the time step; below ``time.min_step`` the run stops, keeps every
finished step and writes ``summary.json`` with ``status: failed`` (exit code 1).
"""

from __future__ import annotations

import logging
import shutil
import time as clock
from dataclasses import dataclass, field
from pathlib import Path

from mpi4py import MPI

import numpy as np
import yaml

import femsi.compat  # noqa: F401
from femsi.config import StudyConfig, load_config
from femsi.config.cracks import crack_layouts
from femsi.config.schema import Cell
from femsi.errors import InputError, SolveError
from femsi.geometry import build_mesh
from femsi.outputs.cell import CellMetrics
from femsi.outputs.cracks import CrackOutputs, plot_crack_G
from femsi.outputs.fields import FieldWriter
from femsi.outputs.film import FilmOutputs
from femsi.outputs.manifest import container, seeds, versions
from femsi.outputs.phase_field import PhaseFieldOutputs
from femsi.outputs.plasticity import PlasticOutputs
from femsi.outputs.probes import Probes, probe_columns
from femsi.outputs.run_folder import (
    prepare_output,
    setup_logging,
    write_complete_marker,
    write_json,
)
from femsi.outputs.snapshots import write_snapshot
from femsi.outputs.stress import StressFields
from femsi.outputs.summary import PeakTracker
from femsi.outputs.timeseries import TimeSeries
from femsi.parallel import ScalarForm, global_max, global_min
from femsi.physics.constraints import fixture_rollers
from femsi.physics.model import CoupledModel
from femsi.solvers.newton import NewtonSolver
from femsi.solvers.nullspace import rigid_body_modes
from femsi.solvers.options import petsc_options
from femsi.solvers.plate import RigidPlate
from femsi.solvers.protocol import FARADAY, Drive, drive_of
from femsi.solvers.staggered import StaggeredSolver
from femsi.solvers.stepping import propose_step, retry_step
from femsi.stop import stop_requested

logger = logging.getLogger("femsi")

REGION_COLUMNS = (
    "max_von_mises_Pa",
    "max_principal_Pa",
    "min_hydrostatic_Pa",
    "max_hydrostatic_Pa",
    "mean_concentration_mol_m3",
    "volume_m3",
)
BASE_COLUMNS = [
    "step",
    "time_s",
    "dt_s",
    "soc",
    "protocol_step",
    "protocol_kind",
    "inward_flux_mol_m2_s",
    "surface_c_min_mol_m3",
    "surface_c_max_mol_m3",
    "newton_diffusion",
    "newton_mechanics",
    "krylov_mechanics",
]


@dataclass
class RunResult:
    """What a finished (or stopped) run produced.

    Attributes:
        output_dir: The run folder.
        status: ``completed`` or ``failed``.
        summary: The content of ``summary.json``.
        rows: The time-series rows.
    """

    output_dir: Path
    status: str
    summary: dict
    rows: list[dict] = field(default_factory=list)


class _Timer:
    def __init__(self):
        self.phases: dict[str, float] = {}

    def add(self, phase: str, seconds: float) -> None:
        self.phases[phase] = self.phases.get(phase, 0.0) + seconds


def run(
    config: StudyConfig | str | Path,
    output_dir: str | Path | None = None,
    *,
    overrides: list[str] | None = None,
    overwrite: bool = False,
    progress: bool = True,
    comm: MPI.Comm = MPI.COMM_WORLD,
) -> RunResult:
    """Run a study and write its outputs.

    Args:
        config: A loaded study, or the path of a YAML file.
        output_dir: Run folder (default ``results/<study>``).
        overrides: ``dotted.path=value`` assignments applied when ``config`` is a path.
        overwrite: Replace an existing femsi run folder.
        progress: Show a progress bar on rank 0.
        comm: MPI communicator.

    Returns:
        The run result (also when the solve failed: check ``status``).

    Raises:
        InputError: Invalid input found before solving.
    """
    if not isinstance(config, StudyConfig):
        config = load_config(config, overrides)
    out = Path(output_dir) if output_dir is not None else Path("results") / config.study.study
    created = prepare_output(out, overwrite, comm)
    handler = setup_logging(out, comm)
    try:
        runner = _Runner(config, out, comm, progress)
        try:
            runner.setup()
        except InputError:
            runner.close()
            if created and comm.rank == 0:
                shutil.rmtree(out, ignore_errors=True)
            raise
        return runner.execute()
    finally:
        if handler is not None:
            logger.removeHandler(handler)
            handler.close()


class _Runner:
    """The state of one run (internal: use :func:`run`)."""

    def __init__(self, config: StudyConfig, out: Path, comm: MPI.Comm, progress: bool):
        self.config = config
        self.study = config.study
        self.out = out
        self.comm = comm
        self.progress = progress
        self.timer = _Timer()
        self.started = clock.perf_counter()
        self.series: TimeSeries | None = None
        self.writer: FieldWriter | None = None
        self.plate: RigidPlate | None = None
        self.coupled: dict | None = None
        self.projection: NewtonSolver | None = None
        self.plastic_outputs: PlasticOutputs | None = None
        self.film_outputs: FilmOutputs | None = None
        self.staggered: StaggeredSolver | None = None
        self.phase_field_outputs: PhaseFieldOutputs | None = None
        # (displacement before the last accepted step, its dt): the displacement predictor.
        self._previous: tuple[np.ndarray, float] | None = None

    # ------------------------------------------------------------------ setup

    def setup(self) -> None:
        """Mesh, model, solvers and outputs; raises InputError for bad probes/meshes."""
        study, comm = self.study, self.comm
        if comm.rank == 0:
            with (self.out / "config.yaml").open("w") as stream:
                yaml.safe_dump(self.config.resolved(), stream, sort_keys=False)
            with (self.out / "materials.yaml").open("w") as stream:
                yaml.safe_dump(self._material_sources(), stream, sort_keys=False)
        logger.info("femsi study %s, %d MPI ranks", study.study, comm.size)
        t0 = clock.perf_counter()
        tagged = [(i, c) for i, c in enumerate(study.cracks) if c.kind == "tagged"]
        self.mesh_model = build_mesh(
            study.geometry, comm, crack_layouts(study), tagged, study.physics.plastic_regions
        )
        self._check_regions()
        self.timer.add("mesh", clock.perf_counter() - t0)
        t0 = clock.perf_counter()
        # A body in a die stands on its floor, between walls unless lateral: free.
        self.cell = study.cell or (Cell() if self.mesh_model.plate is not None else None)
        if self.cell is not None:
            self.mesh_model.rollers = fixture_rollers(self.mesh_model, self.cell.lateral)
        self.model = CoupledModel(
            self.mesh_model, self.config.materials, study.physics, self.cell, study.phase_field
        )
        self._check_phase_field()
        snap = 0.05 * getattr(study.geometry, "mesh_size", 0.0) or self._mesh_scale() * 1e-3
        self.probes = Probes(self.model.mesh, dict(study.outputs.probes), snap)
        self._build_solvers()
        self._build_outputs()
        self.timer.add("setup", clock.perf_counter() - t0)
        logger.info(
            "mesh: %d cells; dofs: concentration %d, displacement %d",
            self.model.mesh.topology.index_map(self.model.mesh.topology.dim).size_global,
            self.model.Vc.dofmap.index_map.size_global,
            self.model.Vu.dofmap.index_map.size_global * self.model.Vu.dofmap.index_map_bs
            if self.model.has_mechanics
            else 0,
        )

    def _mesh_scale(self) -> float:
        x = self.mesh_model.mesh.geometry.x
        span = np.ptp(x, axis=0).max() if x.size else 0.0
        return self.comm.allreduce(span, op=MPI.MAX)

    def _check_regions(self) -> None:
        for region in self.config.materials:
            if region not in self.mesh_model.regions:
                raise InputError(f"materials.{region}", "the mesh has no such region")
        for region in self.mesh_model.regions:
            if region not in self.config.materials:
                raise InputError("materials", f"the mesh has region {region!r} without a material")
        if not self.mesh_model.active_surfaces and self.study.physics.diffusion:
            raise InputError("geometry.active_surface", "name the surface lithium enters through")

    def _check_phase_field(self) -> None:
        """The length scale resolves: at least twice the largest cell where cracks grow."""
        pf = self.model.phase_field
        if pf is None:
            return
        per_region = isinstance(pf.settings.length_scale, dict)
        for region in pf.regions:
            length, h = pf.settings.length_of(region), pf.mesh_sizes[region]
            if length < 2 * h * (1 - 1e-9):
                raise InputError(
                    f"phase_field.length_scale{'.' + region if per_region else ''}",
                    f"{length:.3g} m is less than twice the largest cell ({h:.3g} m) in the "
                    f"cracking region {region}: refine the mesh there or raise the length",
                )

    def _material_sources(self) -> dict:
        data = {}
        for region, m in self.config.materials.items():
            data[region] = {
                "material": m.name,
                "sources": m.sources,
                "references": m.references,
            }
        return data

    def _build_solvers(self) -> None:
        model, settings = self.model, self.study.solver
        mesh = model.mesh
        # The ideal-solution factor 1/(1 - x) makes diffusion nonlinear even with a constant D.
        diffusion_linear = self.study.physics.chemical_potential == "dilute" and all(
            m.diffusivity is None or m.diffusivity.is_constant
            for m in self.config.materials.values()
        )
        options = petsc_options(
            settings.diffusion, symmetric=True, linear=diffusion_linear, vector=False
        )
        monolithic = model.coupled and self.study.physics.coupling_scheme == "monolithic"
        if model.butler_volmer and not monolithic:
            options = petsc_options(settings.diffusion, symmetric=False, linear=False, vector=False)
            options |= {
                "ksp_type": "preonly",
                "pc_type": "lu",
                "pc_factor_mat_solver_type": "mumps",
                # The exponentials of the kinetics: the secant (l2) line search takes
                # near-full steps where backtracking (bt) crawls (9 against 20 iterations).
                "snes_linesearch_type": "l2",
            }
            options |= dict(settings.diffusion.petsc_options)
        self.diffusion = (
            {}
            if monolithic
            else {held: self._transport_solver(held, options) for held in (False, True)}
        )
        self.mechanics = None
        if model.has_mechanics:
            symmetric = not model.follower_pressure
            options = petsc_options(
                settings.mechanics,
                symmetric=symmetric,
                linear=model.mechanics_is_linear,
                vector=True,
            )
            self._rbm = rigid_body_modes(model.Vu, model.formulation)
            if model.has_plate:
                self.plate = RigidPlate(model.Vu, self.mesh_model.facets_of(self.mesh_model.plate))
            op = model.plasticity
            self.mechanics = NewtonSolver(
                "mechanics",
                model.mechanics_form,
                model.u,
                model.mechanics_bcs,
                options,
                near_nullspace=self._rbm.nullspace,
                plate=self.plate,
                jacobian=model.mechanics_jacobian,
                pre_assembly=op.refresh if op is not None else None,
            )
        if model.phase_field is not None:
            staggered = self.study.phase_field.staggered
            self.staggered = StaggeredSolver(
                model.phase_field,
                self.mechanics.solve,
                settings.damage,
                tolerance=staggered.tolerance,
                max_iterations=staggered.max_iterations,
            )
        self.coupled = None
        self.projection = None
        if model.coupled:
            # The projected hydrostatic stress: solved with the others (monolithic) or after
            # each mechanics solve (staggered, and for the initial state in both schemes).
            projection_options = petsc_options(
                settings.diffusion, symmetric=True, linear=True, vector=False
            )
            projection_options |= {"ksp_type": "preonly", "pc_type": "lu"}
            self.projection = NewtonSolver(
                "stress_projection",
                model.projection_form,
                model.hydrostatic,
                model.projection_bcs,
                projection_options,
                jacobian=model.projection_jacobian,
            )
            if self.study.physics.coupling_scheme == "monolithic":
                self.coupled = self._coupled_solvers()
        self.capacity = ScalarForm(model.active_capacity_form, mesh.comm)()
        self.area = ScalarForm(model.active_area_form, mesh.comm)()
        self.amount = ScalarForm(model.active_amount_form, mesh.comm)

    def _transport_solver(self, held: bool, options: dict) -> NewtonSolver:
        """The diffusion solver; with Butler-Volmer a block Newton on (θ, φ)."""
        model = self.model
        name = f"diffusion_{'held' if held else 'flux'}"
        if not model.butler_volmer:
            return NewtonSolver(
                name,
                model.diffusion_form,
                model.theta,
                model.diffusion_bcs(held),
                options,
                jacobian=model.diffusion_jacobian,
            )
        forms, blocks, unknowns = model.transport_forms(held)
        return NewtonSolver(
            name, forms, unknowns, model.diffusion_bcs(False), options, jacobian=blocks, kind="mpi"
        )

    def _coupled_solvers(self) -> dict[bool, NewtonSolver]:
        """One Newton on (θ, u) per surface condition (flux, held), MUMPS on the block matrix.

        The Jacobian blocks are the exact derivatives of [F_c, F_u] (with plasticity the
        u-θ block of the plastic regions is omitted). The linear solver is MUMPS on the one
        monolithic matrix (``kind="mpi"``); Newton tolerances are those of
        ``solver.mechanics``, whose ``petsc_options`` apply last (a field split, say).
        """
        model = self.model
        settings = self.study.solver.mechanics.model_copy(update={"linear_solver": "direct"})
        options = petsc_options(settings, symmetric=False, linear=False, vector=False)
        if model.butler_volmer:
            options["snes_linesearch_type"] = "l2"  # as for the uncoupled kinetics
            options |= dict(settings.petsc_options)
        op = model.plasticity
        solvers = {}
        for held in (False, True):
            forms, jacobian, unknowns = model.coupled_forms(held)
            # With Butler-Volmer a hold imposes φ, not the surface concentration.
            surface_held = held and not model.butler_volmer
            solvers[held] = NewtonSolver(
                f"coupled_{'held' if held else 'flux'}",
                forms,
                unknowns,
                model.diffusion_bcs(surface_held) + model.mechanics_bcs + model.projection_bcs,
                options,
                jacobian=jacobian,
                pre_assembly=model.refresh_plasticity if op is not None else None,
                kind="mpi",
            )
        return solvers

    def _build_outputs(self) -> None:
        model = self.model
        self.stress = StressFields(model) if model.has_mechanics else None
        self.cell_metrics = None
        if model.has_mechanics:
            plate = getattr(self, "plate", None)
            self.cell_metrics = CellMetrics(model, plate.indicator if plate else None)
        regions = list(self.mesh_model.regions)
        columns = list(BASE_COLUMNS)
        columns += list(self.cell_metrics.columns) if self.cell_metrics else []
        if model.butler_volmer:
            columns.append("electrode_potential_V")
        columns += [f"{r}.{c}" for r in regions for c in REGION_COLUMNS]
        self.film_outputs = None
        if model.has_mechanics and self.study.geometry.type == "film":
            self.film_outputs = FilmOutputs(model, self.stress.stress)
            columns += self.film_outputs.columns
        self.plastic_outputs = None
        if model.has_mechanics and model.plasticity is not None:
            self.plastic_outputs = PlasticOutputs(model, self.mesh_model.volume_scale)
            columns += self.plastic_outputs.columns
        self.crack_outputs = None
        if model.has_mechanics and self.mesh_model.cracks:
            self.crack_outputs = CrackOutputs(model, self.mesh_model.cracks, self.out)
            columns += self.crack_outputs.columns
        if model.phase_field is not None:
            self.phase_field_outputs = PhaseFieldOutputs(
                model.phase_field, self.mesh_model.volume_scale, self.study.phase_field.onset_damage
            )
            columns += self.phase_field_outputs.columns
        columns += probe_columns(self.probes.names)
        self.series = TimeSeries(self.out / "timeseries.csv", columns, self.comm.rank == 0)
        self.peaks = PeakTracker()
        if self.study.outputs.fields:
            stress_functions = []
            if self.stress is not None:
                s = self.stress
                stress_functions = [
                    s.stress,
                    s.von_mises,
                    s.hydrostatic,
                    s.max_principal,
                    s.volume_ratio,
                ]
            self.writer = FieldWriter(
                self.out / "fields",
                self.comm,
                model.c,
                model.u if model.has_mechanics else None,
                stress_functions,
                plastic=(
                    model.plasticity.equivalent_plastic_strain_dg0()
                    if self.plastic_outputs is not None
                    else None
                ),
                damage=model.phase_field.d if model.phase_field is not None else None,
            )
        self.snapshots: list[dict] = []

    # ------------------------------------------------------------------ time loop

    def execute(self) -> RunResult:
        """Run the protocol; always writes summary and manifest."""
        status, message, reason = "completed", "", "protocol finished"
        self.step_ends: list[dict] = []
        try:
            self._initial_state()
            self._time_loop()
        except SolveError as err:
            status, message, reason = "failed", str(err), "solve failed"
            logger.error("%s", err)
        except KeyboardInterrupt:
            status, message, reason = "interrupted", "interrupted by the user", "interrupted"
            logger.error("interrupted")
        finally:
            summary = self._finish(status, message, reason)
        return RunResult(self.out, status, summary, self.series.rows if self.series else [])

    def soc(self) -> float:
        """Current state of charge of the active regions."""
        return self.amount() / self.capacity if self.capacity > 0 else 0.0

    def _initial_state(self) -> None:
        self.t = 0.0
        self.step = 0
        self.dt = self.study.time.initial_step
        if self.plate is not None and self.study.protocol[0].kind != "preload":
            self._engage_plate()
        t0 = clock.perf_counter()
        stats = self._solve_initial_mechanics()
        if self.projection is not None:
            self._project_hydrostatic()
        self.timer.add("solve_mechanics", clock.perf_counter() - t0)
        self._record(0, "initial", 0.0, 0.0, 0, stats, self.soc())
        self._write_fields()

    def _solve_initial_mechanics(self):
        """Solve the initial state, ramping the swelling if Newton needs help."""
        if self.mechanics is None:
            return None
        factor = self.model.swelling_factor
        op = self.model.plasticity
        stats = self._solve_mechanics()
        if stats.converged:
            self._commit_history()
            return stats
        logger.info("initial state: ramping the swelling (Newton did not converge in one go)")
        self.model.u.x.array[:] = 0.0
        if op is not None:
            op.restore()
        if self.model.phase_field is not None:
            self.model.phase_field.restore()
        done, increment = 0.0, 0.25
        while done < 1.0:
            target = min(1.0, done + increment)
            saved = self.model.u.x.array.copy()
            factor.value = target
            stats = self._solve_mechanics()
            if stats.converged:
                # The swelling ramp is a loading path: its history counts.
                self._commit_history()
                done = target
                increment *= 1.5
            else:
                self.model.u.x.array[:] = saved
                if op is not None:
                    op.restore()
                if self.model.phase_field is not None:
                    self.model.phase_field.restore()
                increment /= 2
                if increment < 1e-4:
                    factor.value = 1.0
                    raise SolveError("the initial state did not converge even with swelling ramp")
        factor.value = 1.0
        return stats

    def _time_loop(self) -> None:
        model = self.model
        time_cfg = self.study.time
        bar = self._progress_bar()
        c_max = model.reference_max_concentration
        try:
            protocol = self.study.protocol
            for index, step in enumerate(protocol):
                if step.kind == "preload":
                    reason = self._preload(index, step.body)
                    following = protocol[index + 1].kind if index + 1 < len(protocol) else None
                    if following != "preload":
                        self._engage_plate()
                    kind = "preload"
                else:
                    drive = drive_of(step, self.capacity, self.area, c_max)
                    reason = self._run_protocol_step(index, drive, time_cfg, bar)
                    kind = drive.kind
                soc = self.soc()
                self.step_ends.append(
                    {
                        "index": index,
                        "kind": kind,
                        "end_reason": reason,
                        "time_s": self.t,
                        "soc": soc,
                        "step": self.step,
                    }
                )
                logger.info(
                    "protocol step %d (%s) ended: %s at t = %.6g s, SOC %.4f",
                    index,
                    kind,
                    reason,
                    self.t,
                    soc,
                )
                self._write_fields(force=True)
                self._snapshot(f"step{index}_{kind}", soc)
        finally:
            if bar is not None:
                bar.close()

    def _progress_bar(self):
        if self.comm.rank != 0 or not self.progress:
            return None
        from tqdm import tqdm

        return tqdm(desc=self.study.study, unit="step", leave=True, dynamic_ncols=True)

    def _run_protocol_step(self, index: int, drive: Drive, time_cfg, bar) -> str:
        model = self.model
        self._previous = None
        start_t, start_soc = self.t, self.soc()
        model.inward_flux.value = drive.inward_flux
        held = drive.held_concentration is not None or drive.held_potential is not None
        if drive.held_concentration is not None:
            model.set_held_concentration(drive.held_concentration)
        if drive.held_potential is not None:
            model.held_potential.value = drive.held_potential
        last_rate = None
        while True:
            if stop_requested(self.comm):  # a signal (femsi.stop): end as interrupted
                raise KeyboardInterrupt("stop requested")
            soc = self.soc()
            elapsed = self.t - start_t
            if drive.duration is not None and elapsed >= drive.duration * (1 - 1e-12):
                return "duration"
            if drive.reached(soc, start_soc):
                return "until_soc"
            if drive.galvanostatic and self._surface_limit(drive):
                return "surface concentration limit"
            dt, truncated = propose_step(self.dt, drive, elapsed, soc, last_rate, time_cfg)
            stats = self._attempt(dt, held)
            if stats is None:
                self.dt = dt * time_cfg.cut
                if self.dt < time_cfg.smallest_step:
                    raise SolveError(
                        f"protocol step {index} ({drive.kind}): no convergence at t = "
                        f"{self.t:.6g} s even with the time step cut to {dt:.3g} s"
                    )
                logger.warning("step failed at t = %.6g s; cutting dt to %.3g s", self.t, self.dt)
                continue
            diff_stats, mech_stats = stats
            new_soc = self.soc()
            retry = retry_step(drive, soc, new_soc, start_soc, dt, time_cfg)
            if retry is not None:
                self._restore(self._previous[0] if self._previous else None)
                self._previous = None  # no extrapolation from the rejected step
                self.dt = retry
                continue
            self._commit_history()
            last_rate = (new_soc - soc) / dt if dt > 0 else None
            self.t += dt
            self.step += 1
            row = self._record(
                index,
                drive.kind,
                dt,
                drive.inward_flux,
                diff_stats.newton_iterations,
                mech_stats,
                new_soc,
            )
            self._write_fields()
            if bar is not None:
                bar.update(1)
                bar.set_postfix_str(
                    f"t={self.t:.4g}s SOC={row['soc']:.3f} dt={dt:.3g}s "
                    f"newton={row['newton_mechanics']} krylov={row['krylov_mechanics']}"
                )
            easy = mech_stats is None or getattr(
                mech_stats, "easy", mech_stats.newton_iterations <= 4
            )
            if not truncated:
                self.dt = dt * time_cfg.growth if easy else dt

    # ------------------------------------------------------------------ the plate

    def _plate_pressure_now(self) -> float:
        """The stack pressure the plate currently carries, Pa."""
        return self.cell_metrics.evaluate()["stack_pressure_Pa"]

    def _engage_plate(self) -> None:
        """Switch the plate from force control to its cell mode, where it stands now."""
        mode, model, plate = self.cell.plate, self.model, self.plate
        w = plate.position(model.u)
        if mode == "fixed_gap":
            plate.locked, plate.held = True, w
        elif mode == "fixture_stiffness":
            model.plate_stiffness.value = self.cell.fixture_stiffness
            model.plate_rest.value = w
        logger.info("plate: %s from w = %.6g m", mode, w)

    def _release_plate(self) -> None:
        """Back to force control at the force the plate carries now (for a new preload)."""
        if self.plate.locked or float(self.model.plate_stiffness.value) != 0.0:
            self.model.plate_pressure.value = self._plate_pressure_now()
        self.plate.locked = False
        self.model.plate_stiffness.value = 0.0

    def _preload(self, index: int, preload) -> str:
        """Ramp the plate pressure to the preload in load increments (no current, no time)."""
        self._release_plate()
        pressure = self.model.plate_pressure
        start, target = float(pressure.value), preload.pressure
        done, increment = 0.0, 1.0 / preload.increments
        while done < 1.0 - 1e-12:
            fraction = min(1.0, done + increment)
            saved = self.model.u.x.array.copy()
            pressure.value = start + fraction * (target - start)
            t0 = clock.perf_counter()
            stats = self._solve_mechanics()
            self.timer.add("solve_mechanics", clock.perf_counter() - t0)
            if not stats.converged:
                self.model.u.x.array[:] = saved
                if self.model.plasticity is not None:
                    self.model.plasticity.restore()
                if self.model.phase_field is not None:
                    self.model.phase_field.restore()
                increment /= 2
                if increment < 1.0 / (64 * preload.increments):
                    pressure.value = start + done * (target - start)
                    raise SolveError(
                        f"protocol step {index} (preload): no convergence at "
                        f"{pressure.value:.4g} Pa even with the load increment cut"
                    )
                continue
            self._commit_history()
            done = fraction
            self.step += 1
            self._record(index, "preload", 0.0, 0.0, 0, stats, self.soc())
            self._write_fields()
        return "pressure reached"

    def _restore(self, u_before) -> None:
        """Return to the state before the last attempted step (u too, when given).

        The plastic history goes back to its last committed state as well.
        """
        model = self.model
        model.theta.x.array[:] = model.theta_n.x.array
        model.sync_concentration()
        if u_before is not None:
            model.u.x.array[:] = u_before
        if model.has_mechanics and model.plasticity is not None:
            model.plasticity.restore()
        if model.has_mechanics and model.phase_field is not None:
            model.phase_field.restore()

    def _surface_limit(self, drive: Drive) -> bool:
        values = self.model.surface_concentration_range()
        c_max = self.model.reference_max_concentration
        if drive.kind == "lithiate":
            return global_max(self.comm, values) >= c_max
        return global_min(self.comm, values) <= 0.0

    def _attempt(self, dt: float, held: bool):
        """One time step; returns solver stats, or None (state restored) on failure."""
        model = self.model
        model.theta_n.x.array[:] = model.theta.x.array
        model.dt.value = dt
        if self.coupled is not None:
            return self._attempt_coupled(dt, held)
        t0 = clock.perf_counter()
        diff_stats = self.diffusion[held].solve() if self.study.physics.diffusion else _NoSolve()
        self.timer.add("solve_diffusion", clock.perf_counter() - t0)
        if not diff_stats.converged:
            self._restore(None)
            return None
        model.sync_concentration()
        mech_stats = None
        if self.mechanics is not None:
            saved = model.u.x.array.copy()
            self._predict_displacement(dt)
            if model.plasticity is not None:
                model.plasticity.update(dt)
            t0 = clock.perf_counter()
            mech_stats = self._solve_mechanics()
            self.timer.add("solve_mechanics", clock.perf_counter() - t0)
            if not mech_stats.converged:
                self._restore(saved)
                return None
            self._previous = (saved, dt)
            if self.projection is not None:
                self._project_hydrostatic()
        return diff_stats, mech_stats

    def _solve_mechanics(self):
        """The displacement at this step's load; with phase field the staggered solve."""
        if self.staggered is not None:
            return self.staggered.solve()
        return self.mechanics.solve()

    def _project_hydrostatic(self) -> None:
        """Update the projected σ_h of the coupling from the current u and c."""
        if not self.projection.solve().converged:
            raise SolveError("the projection of the hydrostatic stress failed")

    def _attempt_coupled(self, dt: float, held: bool):
        """One monolithic Newton on (θ, u); the same stats stand for both fields."""
        model = self.model
        saved = model.u.x.array.copy()
        self._predict_displacement(dt)
        if model.plasticity is not None:
            model.plasticity.update(dt)
        t0 = clock.perf_counter()
        stats = self.coupled[held].solve()
        self.timer.add("solve_coupled", clock.perf_counter() - t0)
        if not stats.converged:
            self._restore(saved)
            return None
        model.sync_concentration()
        self._previous = (saved, dt)
        return stats, stats

    def _commit_history(self) -> None:
        """Accept the plastic history of the state just converged (refreshed at the final u)."""
        op = self.model.plasticity if self.model.has_mechanics else None
        if op is not None:
            op.refresh()
            if self.plastic_outputs is not None:
                self.plastic_outputs.before_commit()
            op.commit()
        if self.model.has_mechanics and self.model.phase_field is not None:
            self.model.phase_field.commit()

    def _predict_displacement(self, dt: float) -> None:
        """Start Newton from u linearly extrapolated in time (saves an iteration per step)."""
        previous = self._previous
        if previous is None or not self.study.physics.mechanics == "finite_strain":
            return
        u_before, dt_before = previous
        u = self.model.u.x.array
        u += (dt / dt_before) * (u - u_before)

    # ------------------------------------------------------------------ outputs

    def _record(self, index, kind, dt, flux, newton_diffusion, mech_stats, soc) -> dict:
        t0 = clock.perf_counter()
        surface = self.model.surface_concentration_range()
        row = {
            "step": self.step,
            "time_s": float(self.t),
            "dt_s": float(dt),
            "soc": float(soc),
            "protocol_step": index,
            "protocol_kind": kind,
            "inward_flux_mol_m2_s": float(flux),
            "surface_c_min_mol_m3": global_min(self.comm, surface),
            "surface_c_max_mol_m3": global_max(self.comm, surface),
            "newton_diffusion": newton_diffusion,
            "newton_mechanics": mech_stats.newton_iterations if mech_stats else 0,
            "krylov_mechanics": mech_stats.linear_iterations if mech_stats else 0,
        }
        if self.model.butler_volmer:
            local = self.model.potential.x.array
            row["electrode_potential_V"] = float(
                self.comm.allreduce(local[0] if local.size else -np.inf, op=MPI.MAX)
            )
        s = self.stress
        if s is not None:
            s.update()
            row |= self.cell_metrics.evaluate()
            row |= s.region_statistics(self.mesh_model.volume_scale)
        if self.film_outputs is not None:
            row |= self.film_outputs.evaluate(soc)
        if self.plastic_outputs is not None:
            row |= self.plastic_outputs.evaluate()
            self.model.plasticity.equivalent_plastic_strain_dg0()
        if self.crack_outputs is not None:
            row |= self.crack_outputs.evaluate()
            self.crack_outputs.record(row)
        if self.phase_field_outputs is not None:
            row |= self.phase_field_outputs.evaluate(mech_stats, row)
        row |= self.probes.evaluate(
            self.model.c,
            self.model.u if self.model.has_mechanics else None,
            s.stress if s else None,
            s.von_mises if s else None,
            s.hydrostatic if s else None,
        )
        self.series.append(row)
        self.peaks.update(row)
        self.timer.add("postprocess", clock.perf_counter() - t0)
        return row

    def _write_fields(self, force: bool = False) -> None:
        every = self.study.outputs.every
        if self.writer is None:
            return
        if force or self.step == 0 or (every > 0 and self.step % every == 0):
            t0 = clock.perf_counter()
            self.writer.write(self.t)
            write_snapshot(self.out / "fields", self.model, self.stress, self.t, self.soc())
            self.timer.add("output", clock.perf_counter() - t0)

    def _snapshot(self, label: str, soc: float) -> None:
        if not self.study.outputs.figures or self.stress is None:
            return
        from femsi.outputs.figures import gather_snapshot

        t0 = clock.perf_counter()
        snapshot = gather_snapshot(self.model, self.stress, label, self.t, soc)
        if snapshot is not None:
            self.snapshots.append(snapshot)
        self.timer.add("figures", clock.perf_counter() - t0)

    def close(self) -> None:
        """Close open files and release the solvers' PETSc options."""
        for solver in [
            *getattr(self, "diffusion", {}).values(),
            *(getattr(self, "coupled", None) or {}).values(),
            getattr(self, "mechanics", None),
            getattr(self, "projection", None),
            getattr(self, "staggered", None),
        ]:
            if solver is not None:
                solver.close()
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if self.series is not None:
            self.series.close()
        if getattr(self, "crack_outputs", None) is not None:
            self.crack_outputs.close()

    def _finish(self, status: str, message: str, reason: str) -> dict:
        self.close()
        t0 = clock.perf_counter()
        if self.comm.rank == 0 and self.study.outputs.figures and self.series.rows:
            from femsi.outputs.figures import render_figures

            try:
                render_figures(
                    self.out / "figures",
                    self.series.rows,
                    self.snapshots,
                    list(self.mesh_model.regions),
                    self.probes.names,
                )
                if "film.mean_inplane_stress_Pa" in self.series.rows[0]:
                    from femsi.outputs.film import plot_stress_capacity

                    plot_stress_capacity(self.series.rows, self.out / "figures")
                if self.crack_outputs is not None:
                    plot_crack_G(self.series.rows, self._crack_summary(), self.out / "figures")
            except Exception as err:  # figures must never cost the results
                logger.warning("figures could not be rendered: %s", err)
        self.timer.add("figures", clock.perf_counter() - t0)
        total = clock.perf_counter() - self.started
        rows = self.series.rows
        summary = {
            "study": self.study.study,
            "status": status,
            "message": message,
            "end_reason": reason,
            "steps": self.step,
            "time_s": self.t,
            "capacity_mol": self.capacity * self.mesh_model.volume_scale,
            "capacity_mAh": self.capacity * self.mesh_model.volume_scale * FARADAY / 3.6,
            "active_surface_area_m2": self.area * self.mesh_model.volume_scale,
            "geometry": {
                k: v for k, v in self.mesh_model.info.items() if isinstance(v, int | float | str)
            },
            "protocol": self.step_ends,
            "final": rows[-1] if rows else {},
            "peaks": self.peaks.peaks,
        }
        if self.crack_outputs is not None:
            summary["cracks"] = self._crack_summary()
        if self.phase_field_outputs is not None:
            summary["phase_field"] = self.phase_field_outputs.summary(self.config.materials)
        manifest = {
            "versions": versions(),
            "config_hash": self.config.hash(),
            "config_source": str(self.config.source) if self.config.source else None,
            "container": container(),
            "seeds": seeds(self.config.resolved()),
            "mpi_size": self.comm.size,
            "status": status,
            "wall_time_s": {**self.timer.phases, "total": total},
            "mesh": {
                "cells": self.model.mesh.topology.index_map(
                    self.model.mesh.topology.dim
                ).size_global,
                "vertices": self.model.mesh.topology.index_map(0).size_global,
            },
            "dofs": {
                "concentration": self.model.Vc.dofmap.index_map.size_global,
                "displacement": (
                    self.model.Vu.dofmap.index_map.size_global * 3
                    if self.model.has_mechanics
                    else 0
                ),
            },
            "quadrature_degree": {
                "mechanics": self.model.measures.mechanics_degree,
                "diffusion": self.model.measures.diffusion_degree,
            },
            "iterations": self._iteration_totals(),
        }
        if self.comm.rank == 0:
            write_json(self.out / "summary.json", summary)
            write_json(self.out / "manifest.json", manifest)
            if status == "completed":  # last: a folder with the marker has every output
                write_complete_marker(self.out, self.config.hash())
        logger.info("run %s: %s in %.1f s (%d steps)", self.study.study, status, total, self.step)
        return summary

    def _crack_summary(self) -> dict:
        return self.crack_outputs.summary(self.series.rows, self.config.materials)

    def _iteration_totals(self) -> dict:
        totals = {}
        coupled = self.coupled or {}
        for name, solver in [
            ("diffusion_flux", self.diffusion.get(False)),
            ("diffusion_held", self.diffusion.get(True)),
            ("mechanics", self.mechanics),
            ("coupled_flux", coupled.get(False)),
            ("coupled_held", coupled.get(True)),
            ("damage", self.staggered.damage if self.staggered else None),
        ]:
            if solver is None:
                continue
            totals[name] = {
                "solves": solver.solves,
                "newton": solver.total_newton,
                "krylov": solver.total_linear,
                "preconditioner_setups": solver.setups,
            }
        if self.staggered is not None:
            totals["staggered"] = {"iterations": self.staggered.total_iterations}
        return totals


class _NoSolve:
    converged = True
    newton_iterations = 0
