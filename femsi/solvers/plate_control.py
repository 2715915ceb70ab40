"""The plate's controller: the one owner of the pressure plate's state.

A plate is under force control while a ``preload`` ramps its pressure; afterwards it is
*engaged* in the cell's mode where it stands (``cell.plate``):

- ``stack_pressure``: the force stays (nothing to do);
- ``fixed_gap``: the plate is locked at its position (a Dirichlet condition on the master dof
  of :class:`~femsi.solvers.plate.RigidPlate`);
- ``fixture_stiffness``: a spring of ``cell.fixture_stiffness`` rests at the position.

A new preload *releases* it back to force control at the force it carries: the stack pressure
from the discrete internal forces on the plate, -Φ · f_int / A (exact for the discrete
solution), which the controller computes itself.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from dolfinx import fem

import femsi.compat  # noqa: F401
from femsi.parallel import ScalarForm

if TYPE_CHECKING:
    from femsi.config.schema import Cell
    from femsi.physics.model import CoupledModel
    from femsi.solvers.plate import RigidPlate

logger = logging.getLogger(__name__)


class PlateControl:
    """Engage and release a rigid plate; its stack pressure.

    Args:
        model: The coupled model (its ``plate_load`` constants and internal work).
        plate: The plate's slave dofs (:class:`~femsi.solvers.plate.RigidPlate`).
        cell: The ``cell`` section.
    """

    def __init__(self, model: CoupledModel, plate: RigidPlate, cell: Cell) -> None:
        self.model, self.plate, self.cell, self.load = model, plate, cell, model.plate_load
        mesh_model, m, comm = model.model, model.measures, model.mesh.comm
        one = fem.Constant(model.mesh, 1.0)
        q = m.mechanics_degree
        self.area = ScalarForm(m.surface_integral(one, [mesh_model.plate], q), comm)()
        work = model.internal_work(plate.indicator)
        assert not isinstance(work, int)  # a body under a plate has elastic or plastic regions
        self._force = ScalarForm(work, comm)

    def pressure(self) -> float:
        """The stack pressure the plate carries now, Pa (compressive positive)."""
        return -self._force() / self.area

    def engage(self) -> None:
        """Switch from force control to the cell's mode, where the plate stands now."""
        mode, plate = self.cell.plate, self.plate
        w = plate.position(self.model.u)
        if mode == "fixed_gap":
            plate.locked, plate.held = True, w
        elif mode == "fixture_stiffness":
            # fem.Constant.value is typed as an array; the setter takes a number.
            self.load.stiffness.value = self.cell.fixture_stiffness  # type: ignore[assignment]
            self.load.rest.value = w  # type: ignore[assignment]
        logger.info("plate: %s from w = %.6g m", mode, w)

    def release(self) -> None:
        """Back to force control at the force the plate carries now (for a new preload)."""
        if self.plate.locked or float(self.load.stiffness.value) != 0.0:
            self.load.pressure.value = self.pressure()  # type: ignore[assignment]
        self.plate.locked = False
        self.load.stiffness.value = 0.0  # type: ignore[assignment]


class NoPlate:
    """The controller of a body without a plate: nothing to engage or release."""

    plate = None

    def pressure(self) -> float:
        """No plate carries no force."""
        return 0.0

    def engage(self) -> None:
        """Nothing to engage."""

    def release(self) -> None:
        """Nothing to release."""


def plate_control(
    model: CoupledModel, plate: RigidPlate | None, cell: Cell | None
) -> PlateControl | NoPlate:
    """The controller of ``plate`` (a RigidPlate, or None without one)."""
    if plate is None:
        return NoPlate()
    assert cell is not None  # a plate comes with its cell section
    return PlateControl(model, plate, cell)
