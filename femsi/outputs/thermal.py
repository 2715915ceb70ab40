"""Thermal-strain outputs: the temperature, and the thermal part of the stress.

``temperature_K`` is a time-series column. At the end of every protocol step the thermal part
of each region's mean stress is found by a second mechanics solve of the same state (lithium
distribution, plastic history, damage) at the reference temperature:
σ_thermal = σ(T) - σ(T_ref), exact by superposition for linear elasticity, the thermal
increment otherwise. The state is restored afterwards; the summary's ``thermal`` block lists
the mean σ_xx, σ_yy, σ_zz and σ_h thermal parts per region and protocol step.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

import femsi.compat  # noqa: F401
from femsi.outputs.exports import Export, RecordState
from femsi.parallel import ScalarForm

if TYPE_CHECKING:
    from femsi.physics.model import CoupledModel
    from femsi.solvers.driver import RunDriver
    from femsi.solvers.solver_set import MechanicsStats

logger = logging.getLogger(__name__)

#: Components of the region-mean stress reported (index into the 3×3 tensor).
COMPONENTS = {"xx": (0, 0), "yy": (1, 1), "zz": (2, 2)}


class ThermalColumns(Export):
    """The cell temperature per row; the thermal part of the stress per protocol step.

    Args:
        model: The coupled model (with ``thermal``).
        solve_mechanics: Solves the mechanics at the current load (returns its stats).
    """

    columns = ("temperature_K",)

    def __init__(self, model: CoupledModel, solve_mechanics: Callable[[], MechanicsStats]) -> None:
        self.model, self.solve_mechanics = model, solve_mechanics
        thermal = model.thermal
        assert thermal is not None  # these columns exist only with thermal strain
        self.thermal = thermal
        m, comm = model.measures, model.mesh.comm
        q = m.mechanics_degree
        sigma = model.stress
        self._volume = {r: ScalarForm(1.0 * m.regions([r], q), comm)() for r in model.model.regions}
        self._mean = {
            r: [ScalarForm(sigma[i, j] * m.regions([r], q), comm) for i, j in COMPONENTS.values()]
            for r in model.model.regions
        }
        self.steps: list[dict] = []

    def evaluate(self, state: RecordState) -> dict:
        """The temperature of the accepted state."""
        return {"temperature_K": float(self.thermal.temperature.value)}

    def _means(self) -> dict[str, np.ndarray]:
        self.model.update_plastic_stress()
        return {
            r: np.array([f() for f in forms]) / self._volume[r] for r, forms in self._mean.items()
        }

    def protocol_step_ended(self, driver: RunDriver, label: str) -> None:
        """σ(T) - σ(T_ref) of each region's mean stress, by a second solve at T_ref."""
        model, temperature = self.model, self.thermal.temperature
        actual = self._means()
        saved_u, saved_t = model.u.x.array.copy(), float(temperature.value)
        # fem.Constant.value is typed as an array; the setter takes a number.
        t_ref = float(self.thermal.reference_temperature.value)
        temperature.value = t_ref  # type: ignore[assignment]
        stats = self.solve_mechanics()
        reference = self._means() if stats.converged else None
        model.u.x.array[:] = saved_u
        temperature.value = saved_t  # type: ignore[assignment]
        for part in model.history:
            part.restore()
        if model.plasticity is not None:
            model.plastic.pre_assembly()  # the return map at the restored u
        regions: dict[str, dict[str, float]] = {}
        entry = {"label": label, "temperature_K": saved_t, "regions": regions}
        if reference is None:
            logger.warning("thermal part of the stress at %s: the reference solve failed", label)
        else:
            for region, values in actual.items():
                part = values - reference[region]
                regions[region] = {
                    **{f"mean_{k}_Pa": float(v) for k, v in zip(COMPONENTS, part, strict=True)},
                    "mean_hydrostatic_Pa": float(part.sum() / 3),
                }
        self.steps.append(entry)

    def summary(self, rows: list[dict]) -> dict:
        """The ``thermal`` block."""
        return {
            "thermal": {
                "reference_temperature_K": float(self.thermal.reference_temperature.value),
                "thermal_stress_at_step_ends": self.steps,
            }
        }
