"""The run driver: the initial state, the protocol's steps, time stepping and step cutting.

One time step (:meth:`RunDriver._attempt`) saves the state, solves the fields (diffusion, then
mechanics, or all at once: :mod:`femsi.solvers.solver_set`), and on failure restores it: the
concentration, the displacement and every part with history (``model.history``: plasticity,
damage). An accepted step commits the history, is recorded, and lets the next step grow by
``time.growth`` when Newton found it easy. A failed step is cut by ``time.cut`` down to
``time.min_step``; below it the run fails with :class:`~femsi.errors.SolveError`.

The initial state and a ``preload`` use one continuation helper
(:mod:`femsi.solvers.continuation`): the swelling ramped from 0 when Newton cannot reach it
in one solve, the plate pressure in ``increments`` equal parts.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Protocol, cast

import numpy as np

import femsi.compat  # noqa: F401
from femsi.config.schema import Preload
from femsi.errors import SolveError
from femsi.parallel import ScalarForm, global_max, global_min
from femsi.solvers.continuation import ContinuationFailed, continuation
from femsi.solvers.newton import SolveStats
from femsi.solvers.protocol import Drive, drive_of, expected_durations
from femsi.solvers.solver_set import MechanicsStats, NoSolve
from femsi.solvers.stepping import easy, propose_step, retry_step
from femsi.stop import stop_requested
from femsi.timing import Timer

if TYPE_CHECKING:
    from femsi.config.schema import ProtocolStep, Study
    from femsi.outputs.recorder import Recorder
    from femsi.physics.model import CoupledModel
    from femsi.solvers.plate_control import NoPlate, PlateControl
    from femsi.solvers.solver_set import SolverSet

logger = logging.getLogger(__name__)

#: The end reason of a protocol step (and of the run) cut short by ``time.max_steps``.
STEP_LIMIT = "time.max_steps"
#: How far (a fraction of c_max) an accepted state's surface may pass [0, c_max].
LANDING_TOLERANCE = 1e-6


class Progress(Protocol):
    """What the driver tells the progress display (:class:`femsi.progress.RunProgress`)."""

    def protocol_started(self, durations: list[float | None]) -> object:
        """The protocol begins; each step's expected duration, s (None: unknown)."""

    def protocol_step_started(self, index: int, kind: str) -> object:
        """A protocol step begins."""

    def advanced(self, fraction: float, text: str) -> object:
        """A time step was accepted; ``fraction`` of the protocol step is done."""

    def protocol_step_ended(self, index: int, kind: str, reason: str, early: str | None) -> object:
        """A protocol step ended (``early``: why before its target, or None)."""

    def notice(self, text: str) -> object:
        """Say ``text`` on its own line."""

    def close(self) -> object:
        """The run ended."""


#: The stats of one time step: (diffusion, mechanics), mechanics None without mechanics.
type StepStats = tuple[SolveStats | NoSolve, MechanicsStats | None]


class NoProgress:
    """The progress display of a run without one (and of every rank but 0)."""

    def protocol_started(self, durations: list[float | None]) -> None:
        """Nothing to show."""

    def protocol_step_started(self, index: int, kind: str) -> None:
        """Nothing to show."""

    def advanced(self, fraction: float, text: str) -> None:
        """Nothing to show."""

    def protocol_step_ended(self, index: int, kind: str, reason: str, early: str | None) -> None:
        """Nothing to show."""

    def notice(self, text: str) -> None:
        """Nothing to show."""

    def close(self) -> None:
        """Nothing to close."""


class RunDriver:
    """Advances one study through its protocol.

    Args:
        model: The coupled model.
        solvers: Its solvers (:class:`~femsi.solvers.solver_set.SolverSet`).
        plate: The plate's controller (or :class:`~femsi.solvers.plate_control.NoPlate`).
        recorder: Records each accepted state (:class:`~femsi.outputs.recorder.Recorder`).
        study: The study.
        timer: Where solve times go.
        progress: The progress display (:class:`femsi.progress.RunProgress`), or none.
    """

    def __init__(
        self,
        model: CoupledModel,
        solvers: SolverSet,
        plate: PlateControl | NoPlate,
        recorder: Recorder,
        study: Study,
        timer: Timer,
        progress: Progress | None = None,
    ) -> None:
        self.model, self.solvers, self.plate, self.recorder = model, solvers, plate, recorder
        self.study, self.timer = study, timer
        self.progress: Progress = progress or NoProgress()
        self.comm = model.mesh.comm
        self.capacity = ScalarForm(model.active_capacity_form, self.comm)()
        self.area = ScalarForm(model.active_area_form, self.comm)()
        self._amount = ScalarForm(model.active_amount_form, self.comm)
        self.t, self.step, self.dt = 0.0, 0, study.time.initial_step
        self.step_ends: list[dict[str, object]] = []
        # (displacement before the last accepted step, its dt): the displacement predictor.
        self._previous: tuple[np.ndarray, float] | None = None
        self.monolithic = bool(solvers.coupled)

    def soc(self) -> float:
        """Current state of charge of the active regions."""
        return self._amount() / self.capacity if self.capacity > 0 else 0.0

    # ------------------------------------------------------------------ state

    def _save(self) -> np.ndarray | None:
        return self.model.u.x.array.copy() if self.model.has_mechanics else None

    def _restore(self, u_before: np.ndarray | None) -> None:
        """Back to the state before the last attempted step (u too, when given)."""
        self.model.transport.restore()
        if u_before is not None:
            self.model.u.x.array[:] = u_before
        for part in self.model.history:
            part.restore()

    def _commit(self) -> None:
        for part in self.model.history:
            part.commit()

    def _predict_displacement(self, dt: float) -> None:
        """Start Newton from u linearly extrapolated in time (saves an iteration per step)."""
        if self._previous is None or not self.model.predicts_displacement:
            return
        u_before, dt_before = self._previous
        u = self.model.u.x.array
        u += (dt / dt_before) * (u - u_before)

    def _solve_mechanics(self) -> MechanicsStats:
        with self.timer.phase("solve_mechanics"):
            return self.solvers.solve_mechanics()

    def _solve_at_load(self) -> MechanicsStats | None:
        """Solve the mechanics at the current load; restore u and history on failure."""
        saved = self._save()
        stats = self._solve_mechanics()
        if not stats.converged:
            self.model.u.x.array[:] = saved
            for part in self.model.history:
                part.restore()
            return None
        self._commit()
        return stats

    # ------------------------------------------------------------------ the run

    def run(self) -> None:
        """The initial state, then every protocol step."""
        self.initial_state()
        self.protocol()

    def initial_state(self) -> None:
        """Engage the plate (unless a preload comes first), solve and record step 0."""
        if self.study.protocol[0].kind != "preload":
            self.plate.engage()
        stats = self._initial_mechanics()
        with self.timer.phase("solve_mechanics"):
            self.solvers.project_hydrostatic()
        self.recorder.record(self, 0, "initial", 0.0, 0.0, 0, stats, self.soc())
        self.recorder.write_fields(self)

    def protocol(self) -> None:
        """Every protocol step in turn."""
        protocol = self.study.protocol
        c_max = self.model.reference_max_concentration
        self.progress.protocol_started(
            expected_durations(list(protocol), self.capacity, self.area, c_max, self.soc())
        )
        for index, step in enumerate(protocol):
            self.progress.protocol_step_started(index, step.kind)
            early = None
            if step.kind == "preload":
                reason = self._preload(index, cast(Preload, step.body))
                following = protocol[index + 1].kind if index + 1 < len(protocol) else None
                if following != "preload":
                    self.plate.engage()
                kind = "preload"
            else:
                drive = drive_of(
                    step, self.capacity, self.area, self.model.reference_max_concentration
                )
                reason = self._protocol_step(index, step, drive)
                kind = drive.kind
                early = drive.early_end(reason, self.soc())
            soc = self.soc()
            self.step_ends.append(
                {
                    "index": index,
                    "kind": kind,
                    "end_reason": reason,
                    "time_s": self.t,
                    "soc": soc,
                    "step": self.step,
                    "early_end": early,
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
            if early:
                logger.warning("protocol step %d (%s) %s", index, kind, early)
            if reason != STEP_LIMIT:  # the share of the protocol would read as done
                self.progress.protocol_step_ended(index, kind, reason, early)
            self.recorder.write_fields(self, force=True)
            self.recorder.protocol_step_ended(self, f"step{index}_{kind}", soc)
            if reason == STEP_LIMIT:
                left = len(protocol) - index - 1
                logger.warning("stopped after time.max_steps = %d time steps", self.step)
                self.progress.notice(
                    f"femsi: stopped after time.max_steps = {self.step} time steps, in "
                    f"protocol step {index} ({kind}); {left} protocol step(s) not started"
                )
                return

    @property
    def step_limit_reached(self) -> bool:
        """Whether ``time.max_steps`` time steps have been accepted."""
        limit = self.study.time.max_steps
        return limit is not None and self.step >= limit

    def _initial_mechanics(self) -> MechanicsStats | None:
        """Solve the initial state, ramping the swelling if Newton needs help."""
        if not self.model.has_mechanics:
            return None
        stats = self._solve_mechanics()
        if stats.converged:
            self._commit()
            return stats
        logger.info("initial state: ramping the swelling (Newton did not converge in one go)")
        self.model.u.x.array[:] = 0.0
        for part in self.model.history:
            part.restore()
        factor = self.model.swelling_factor

        def set_fraction(fraction: float) -> None:
            # fem.Constant.value is typed as an array; the setter takes a number.
            factor.value = fraction  # type: ignore[assignment]

        try:
            ramped = continuation(
                set_fraction, self._solve_at_load, increment=0.25, smallest=1e-4, growth=1.5
            )
        except ContinuationFailed:
            factor.value = 1.0  # type: ignore[assignment]
            raise SolveError("the initial state did not converge even with swelling ramp") from None
        factor.value = 1.0  # type: ignore[assignment]
        return ramped

    def _preload(self, index: int, preload: Preload) -> str:
        """Ramp the plate pressure to the preload in load increments (no current, no time)."""
        self.plate.release()
        pressure = self.model.plate_load.pressure
        start, target = float(pressure.value), preload.pressure

        def set_fraction(fraction: float) -> None:
            pressure.value = start + fraction * (target - start)  # type: ignore[assignment]

        def accepted(stats: MechanicsStats) -> None:
            self.step += 1
            self.recorder.record(self, index, "preload", 0.0, 0.0, 0, stats, self.soc())
            self.recorder.write_fields(self)

        try:
            continuation(
                set_fraction,
                self._solve_at_load,
                increment=1.0 / preload.increments,
                smallest=1.0 / (64 * preload.increments),
                accepted=accepted,
            )
        except ContinuationFailed as failed:
            set_fraction(failed.reached)
            raise SolveError(
                f"protocol step {index} (preload): no convergence at "
                f"{pressure.value:.4g} Pa even with the load increment cut"
            ) from None
        return "pressure reached"

    def _surface_extreme(self, drive: Drive) -> float:
        """The surface concentration nearest its limit: the largest (lithiation) or smallest."""
        values = self.model.surface_concentration_range()
        if drive.kind == "lithiate":
            return global_max(self.comm, values)
        return global_min(self.comm, values)

    def _surface_limit(self, drive: Drive, extreme: float) -> bool:
        """Whether the surface has reached c_max (lithiation) or 0 (delithiation)."""
        c_max = self.model.reference_max_concentration
        if drive.kind == "lithiate":
            return extreme >= c_max * (1 - LANDING_TOLERANCE)
        return extreme <= c_max * LANDING_TOLERANCE

    def _landing(self, drive: Drive, before: float, dt: float) -> float | None:
        """A shorter step that lands the surface on its limit, if this one went past it.

        The step that reaches the limit is cut to where the surface concentration meets it
        (secant in time), so that no accepted state leaves [0, c_max] by more than
        :data:`LANDING_TOLERANCE` of c_max; a cut below ``time.min_step`` ends the protocol
        step at the state before it (the caller's decision).
        """
        c_max = self.model.reference_max_concentration
        after = self._surface_extreme(drive)
        limit = c_max if drive.kind == "lithiate" else 0.0
        past = after - limit if drive.kind == "lithiate" else limit - after
        if past <= LANDING_TOLERANCE * c_max or after == before:
            return None
        fraction = (limit - before) / (after - before)
        return dt * min(max(fraction, 0.01), 0.999)

    def _protocol_step(self, index: int, step: ProtocolStep, drive: Drive) -> str:
        model, time_cfg = self.model, self.study.time
        self._previous = None
        start_t, start_soc = self.t, self.soc()
        drive.apply(model)
        held = drive.held
        for part in model.schedule:
            part.start_protocol_step(step.kind, step.body, drive.duration)
        last_rate = None
        while True:
            if stop_requested(self.comm):  # a signal (femsi.stop): end as interrupted
                raise KeyboardInterrupt("stop requested")
            if self.step_limit_reached:
                return STEP_LIMIT
            soc = self.soc()
            elapsed = self.t - start_t
            if drive.timed_out(elapsed):
                return "duration"
            if drive.reached(soc, start_soc):
                return "until_soc"
            surface = self._surface_extreme(drive) if drive.galvanostatic else 0.0
            if drive.galvanostatic and self._surface_limit(drive, surface):
                return "surface concentration limit"
            dt, truncated = propose_step(self.dt, drive, elapsed, soc, last_rate, time_cfg)
            for part in model.schedule:
                part.advance_to(elapsed + dt)
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
            if retry is None and drive.galvanostatic:
                retry = self._landing(drive, surface, dt)
                if retry is not None and retry < time_cfg.smallest_step:
                    # the surface is at its limit already: a step shorter than the smallest
                    # would only pass it; end the protocol step where it stands
                    self._restore(self._previous[0] if self._previous else None)
                    self._previous = None
                    return "surface concentration limit"
            if retry is not None:
                self._restore(self._previous[0] if self._previous else None)
                self._previous = None  # no extrapolation from the rejected step
                self.dt = retry
                continue
            self._commit()
            last_rate = (new_soc - soc) / dt if dt > 0 else None
            self.t += dt
            self.step += 1
            row = self.recorder.record(
                self,
                index,
                drive.kind,
                dt,
                drive.inward_flux,
                diff_stats.newton_iterations,
                mech_stats,
                new_soc,
            )
            self.recorder.write_fields(self)
            self.progress.advanced(
                drive.progress(self.t - start_t, row["soc"], start_soc),
                f"t={self.t:.4g}s SOC={row['soc']:.3f} dt={dt:.3g}s "
                f"newton={row['newton_mechanics']} krylov={row['krylov_mechanics']}",
            )
            if not truncated:
                self.dt = dt * time_cfg.growth if easy(mech_stats) else dt

    def _attempt(self, dt: float, held: bool) -> StepStats | None:
        """One time step; returns (diffusion, mechanics) stats, or None (state restored)."""
        model = self.model
        model.transport.begin_step()
        model.dt.value = dt  # type: ignore[assignment]
        if self.monolithic:
            return self._attempt_monolithic(dt, held)
        with self.timer.phase("solve_diffusion"):
            diffusion: SolveStats | NoSolve = (
                self.solvers.diffusion[held].solve() if self.study.physics.diffusion else NoSolve()
            )
        if not diffusion.converged:
            self._restore(None)
            return None
        model.sync_concentration()
        mechanics = None
        if model.has_mechanics:
            self.plate.follow_lithium()  # the stack above the plate at this step's lithium
            saved = self._save()
            self._predict_displacement(dt)
            for part in model.history:
                part.update(dt)
            mechanics = self._solve_mechanics()
            if not mechanics.converged:
                self._restore(saved)
                return None
            assert saved is not None  # saved with mechanics
            self._previous = (saved, dt)
            self.solvers.project_hydrostatic()
        return diffusion, mechanics

    def _attempt_monolithic(self, dt: float, held: bool) -> tuple[SolveStats, SolveStats] | None:
        """One Newton on (θ, u, s); the same stats stand for both fields."""
        saved = self._save()
        self._predict_displacement(dt)
        for part in self.model.history:
            part.update(dt)
        with self.timer.phase("solve_coupled"):
            stats = self.solvers.coupled[held].solve()
        if not stats.converged:
            self._restore(saved)
            return None
        self.model.sync_concentration()
        assert saved is not None  # the monolithic coupling has mechanics
        self._previous = (saved, dt)
        return stats, stats
