"""The outputs of a run as a list of exports with one interface.

An export contributes ``columns`` to the time series and, for each accepted state,
``evaluate(state)`` their values; at the end ``summary(rows)`` a block of ``summary.json``
(or nothing), ``figures(rows, summary, folder)`` its pictures (rank 0), and ``close()``.
:func:`exports_for` lists the exports a model needs, in the order of the time-series columns;
the :class:`~femsi.outputs.recorder.Recorder` loops over them and knows none by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mpi4py import MPI

import numpy as np

import femsi.compat  # noqa: F401
from femsi.outputs.cell import CellMetrics
from femsi.outputs.film import FilmOutputs
from femsi.outputs.phase_field import PhaseFieldOutputs
from femsi.outputs.plasticity import PlasticOutputs
from femsi.outputs.probes import Probes, probe_columns
from femsi.outputs.stress import StressFields
from femsi.parallel import global_max, global_min

if TYPE_CHECKING:
    from femsi.config.schema import Study
    from femsi.materials import Material
    from femsi.physics.model import CoupledModel
    from femsi.physics.phase_field import PhaseField
    from femsi.solvers.driver import RunDriver
    from femsi.solvers.plate_control import NoPlate, PlateControl
    from femsi.solvers.solver_set import MechanicsStats, SolverSet

#: Per-region columns of a body with mechanics.
REGION_COLUMNS = (
    "max_von_mises_Pa",
    "max_principal_Pa",
    "min_hydrostatic_Pa",
    "max_hydrostatic_Pa",
    "mean_concentration_mol_m3",
    "volume_m3",
)
#: The columns of every run.
BASE_COLUMNS = (
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
)


@dataclass
class RecordState:
    """One accepted state, as the exports see it.

    Attributes:
        step: Step number (0: the initial state).
        time: Time, s.
        dt: The step's length, s.
        soc: State of charge.
        protocol_step: Index of the protocol step.
        protocol_kind: Its kind (or ``initial``).
        flux: The imposed inward flux, mol/m²/s.
        newton_diffusion: Newton iterations of the diffusion solve.
        mechanics_stats: The mechanics solve's stats, or None.
        row: The columns evaluated so far (the exports before this one).
    """

    step: int
    time: float
    dt: float
    soc: float
    protocol_step: int
    protocol_kind: str
    flux: float
    newton_diffusion: int
    mechanics_stats: MechanicsStats | None
    row: dict = field(default_factory=dict)


class Export:
    """The interface (and null behaviour) of an export."""

    columns: tuple[str, ...] | list[str] = ()

    def evaluate(self, state: RecordState) -> dict:
        """The columns' values for an accepted state."""
        return {}

    def summary(self, rows: list[dict]) -> dict:
        """Blocks of ``summary.json``."""
        return {}

    def figures(self, rows: list[dict], summary: dict, folder: Path) -> None:
        """This export's figures (rank 0)."""

    def protocol_step_ended(self, driver: RunDriver, label: str) -> None:
        """Called at the end of each protocol step."""

    def close(self) -> None:
        """Close open files."""


class StepColumns(Export):
    """Step, time, SOC, protocol step, surface concentration range, iteration counts."""

    columns = BASE_COLUMNS

    def __init__(self, model: CoupledModel) -> None:
        self.model = model

    def evaluate(self, state: RecordState) -> dict:
        """The base columns."""
        comm = self.model.mesh.comm
        surface = self.model.surface_concentration_range()
        stats = state.mechanics_stats
        return {
            "step": state.step,
            "time_s": float(state.time),
            "dt_s": float(state.dt),
            "soc": float(state.soc),
            "protocol_step": state.protocol_step,
            "protocol_kind": state.protocol_kind,
            "inward_flux_mol_m2_s": float(state.flux),
            "surface_c_min_mol_m3": global_min(comm, surface),
            "surface_c_max_mol_m3": global_max(comm, surface),
            "newton_diffusion": state.newton_diffusion,
            "newton_mechanics": stats.newton_iterations if stats else 0,
            "krylov_mechanics": stats.linear_iterations if stats else 0,
        }


class StressUpdate(Export):
    """Refreshes the stress fields (no columns): the exports after it read them."""

    def __init__(self, stress: StressFields) -> None:
        self.stress = stress

    def evaluate(self, state: RecordState) -> dict:
        """Interpolate stress and invariants for the accepted state."""
        self.stress.update()
        return {}


class CellColumns(Export):
    """Plate force, thickness and surface quantities (:mod:`femsi.outputs.cell`)."""

    def __init__(self, model: CoupledModel, plate: PlateControl | NoPlate) -> None:
        self.metrics = CellMetrics(model, plate)
        self.columns = self.metrics.columns

    def evaluate(self, state: RecordState) -> dict:
        """The cell columns."""
        return self.metrics.evaluate()

    def figures(self, rows: list[dict], summary: dict, folder: Path) -> None:
        """Stack pressure and thickness against time and SOC."""
        if "stack_pressure_Pa" in self.columns:
            from femsi.outputs.cell_figures import plot_cell_history

            plot_cell_history(rows, folder)


class PotentialColumn(Export):
    """The electrode potential of Butler-Volmer kinetics."""

    columns = ("electrode_potential_V",)

    def __init__(self, model: CoupledModel) -> None:
        self.model = model

    def evaluate(self, state: RecordState) -> dict:
        """φ, from the rank that holds the real space's dof."""
        local = self.model.potential.x.array
        value = self.model.mesh.comm.allreduce(local[0] if local.size else -np.inf, op=MPI.MAX)
        return {"electrode_potential_V": float(value)}


class RegionColumns(Export):
    """Per-region stress extremes, mean concentration and volume."""

    def __init__(self, stress: StressFields, regions: list[str], volume_scale: float) -> None:
        self.stress, self.volume_scale = stress, volume_scale
        self.columns = [f"{r}.{c}" for r in regions for c in REGION_COLUMNS]

    def evaluate(self, state: RecordState) -> dict:
        """The region columns."""
        return self.stress.region_statistics(self.volume_scale)


class FilmColumns(Export):
    """The film's mean in-plane stress and curvature (:mod:`femsi.outputs.film`)."""

    def __init__(self, model: CoupledModel, stress: StressFields) -> None:
        self.film = FilmOutputs(model, stress.stress)
        self.columns = self.film.columns

    def evaluate(self, state: RecordState) -> dict:
        """The film columns."""
        return self.film.evaluate(state.soc)

    def figures(self, rows: list[dict], summary: dict, folder: Path) -> None:
        """Stress against capacity."""
        from femsi.outputs.film import plot_stress_capacity

        plot_stress_capacity(rows, folder)


class PlasticColumns(Export):
    """Equivalent plastic strain per region and the plastic work."""

    def __init__(self, model: CoupledModel, volume_scale: float) -> None:
        self.model = model
        self.plastic = PlasticOutputs(model, volume_scale)
        self.columns = self.plastic.columns
        model.plastic.before_commit.append(self.plastic.before_commit)

    def evaluate(self, state: RecordState) -> dict:
        """The plastic columns; refreshes the DG0 plastic strain of the field files."""
        values = self.plastic.evaluate()
        plasticity = self.model.plasticity
        assert plasticity is not None  # these columns exist where some region flows
        plasticity.equivalent_plastic_strain_dg0()
        return values


class CrackColumns(Export):
    """G, K and opening of each crack (:mod:`femsi.cracks.outputs`)."""

    def __init__(
        self, model: CoupledModel, cracks: list, folder: Path, materials: dict[str, Material]
    ) -> None:
        from femsi.cracks.outputs import CrackOutputs

        self.cracks = CrackOutputs(model, cracks, folder)
        self.columns = self.cracks.columns
        self.materials = materials

    def evaluate(self, state: RecordState) -> dict:
        """The crack columns; 3D fronts append their G(s) profile."""
        values = self.cracks.evaluate()
        self.cracks.record(state.row | values)
        return values

    def summary(self, rows: list[dict]) -> dict:
        """The ``cracks`` block: G_max against Gc per crack."""
        return {"cracks": self.cracks.summary(rows, self.materials)}

    def figures(self, rows: list[dict], summary: dict, folder: Path) -> None:
        """G against time and SOC with the Gc line."""
        from femsi.cracks.outputs import plot_crack_G

        plot_crack_G(rows, summary["cracks"], folder)

    def close(self) -> None:
        """Close the front profiles."""
        self.cracks.close()


class PhaseFieldColumns(Export):
    """Crack area, dissipated energy and damage of the phase field."""

    def __init__(
        self,
        phase_field: PhaseField,
        volume_scale: float,
        onset_damage: float,
        materials: dict[str, Material],
    ) -> None:
        self.outputs = PhaseFieldOutputs(phase_field, volume_scale, onset_damage)
        self.columns = self.outputs.columns
        self.materials = materials

    def evaluate(self, state: RecordState) -> dict:
        """The phase-field columns."""
        return self.outputs.evaluate(state.mechanics_stats, state.row)

    def summary(self, rows: list[dict]) -> dict:
        """The ``phase_field`` block: crack onset and Gc."""
        return {"phase_field": self.outputs.summary(self.materials)}

    def figures(self, rows: list[dict], summary: dict, folder: Path) -> None:
        """Damage and crack area against SOC."""
        from femsi.outputs.phase_field import plot_crack_history

        planar = self.outputs.phase_field.formulation == "plane_strain"
        plot_crack_history(rows, folder, planar=planar)


class ProbeColumns(Export):
    """Concentration, displacement and stress at the named probe points."""

    def __init__(self, model: CoupledModel, probes: Probes, stress: StressFields | None) -> None:
        self.model, self.probes, self.stress = model, probes, stress
        self.columns = probe_columns(probes.names)

    def evaluate(self, state: RecordState) -> dict:
        """The probe columns."""
        s, model = self.stress, self.model
        return self.probes.evaluate(
            model.c,
            model.u if model.has_mechanics else None,
            s.stress if s else None,
        )


def exports_for(
    model: CoupledModel,
    study: Study,
    probes: Probes,
    stress: StressFields | None,
    plate: PlateControl | NoPlate,
    out: Path,
    solvers: SolverSet,
) -> list[Export]:
    """The exports of a model, in the order of the time-series columns.

    Args:
        model: The coupled model.
        study: The study.
        probes: The probe points.
        stress: The stress fields (None without mechanics).
        plate: The plate's controller (a null one without a plate).
        out: The run folder.
        solvers: The study's solvers (the thermal part of the stress solves again).
    """
    mesh_model, materials = model.model, model.materials
    exports: list[Export] = [StepColumns(model)]
    if stress is not None:
        exports += [StressUpdate(stress), CellColumns(model, plate)]
    if model.butler_volmer:
        exports.append(PotentialColumn(model))
    if stress is not None:
        exports.append(RegionColumns(stress, list(mesh_model.regions), mesh_model.volume_scale))
        if study.geometry.type == "film":
            exports.append(FilmColumns(model, stress))
        if model.plasticity is not None:
            exports.append(PlasticColumns(model, mesh_model.volume_scale))
        if mesh_model.cracks:
            exports.append(CrackColumns(model, mesh_model.cracks, out, materials))
    if model.phase_field is not None:
        assert study.phase_field is not None  # the model's phase field comes from it
        exports.append(
            PhaseFieldColumns(
                model.phase_field,
                mesh_model.volume_scale,
                study.phase_field.onset_damage,
                materials,
            )
        )
    if model.thermal is not None:
        from femsi.outputs.thermal import ThermalColumns

        exports.append(ThermalColumns(model, solvers.solve_mechanics))
    exports.append(ProbeColumns(model, probes, stress))
    return exports
