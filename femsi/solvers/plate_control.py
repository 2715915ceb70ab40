"""The plate's controller: the one owner of the pressure plate's state.

A plate is under force control while a ``preload`` ramps its pressure; afterwards it is
*engaged* in the cell's mode where it stands (``cell.plate``):

- ``stack_pressure``: the force stays (nothing to do);
- ``fixed_gap``: the plate is locked at its position (a Dirichlet condition on the master dof
  of :class:`~femsi.solvers.plate.RigidPlate`);
- ``fixture_stiffness``: a spring of ``cell.fixture_stiffness`` rests at the position.

With a reduced stack above the plate (``cell.stack``, :mod:`femsi.physics.stack`) a
``fixed_gap`` or ``fixture_stiffness`` plate is engaged as a spring of the stack's series
stiffness (with the frame's), whose rest position :meth:`PlateControl.follow_lithium` moves
with the free growth of the layers at the lithium the anode has taken up.

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
from femsi.physics.stack import ReducedStack, reduced_stack

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
        self._amount = ScalarForm(model.active_amount_form, comm)
        self._amount0 = self._amount()
        capacity = ScalarForm(model.active_capacity_form, comm)()
        self.stack: ReducedStack | None = None
        if cell.stack:
            frame = (
                cell.fixture_stiffness if cell.plate == "fixture_stiffness"
                else cell.load_cell_stiffness
            )  # fmt: skip
            self.stack = reduced_stack(
                cell.stack,
                confined=cell.lateral == "confined",
                anode_capacity=capacity / self.area,
                frame_stiffness=frame,
            )
        #: (plate position, stack growth) where the plate was engaged as the stack's spring.
        self._engaged: tuple[float, float] | None = None

    def lithium(self) -> float:
        """Lithium taken up by the anode since the study's start, mol per m² of cell area."""
        return (self._amount() - self._amount0) / self.area

    def pressure(self) -> float:
        """The stack pressure the plate carries now, Pa (compressive positive)."""
        return -self._force() / self.area

    def engage(self) -> None:
        """Switch from force control to the cell's mode, where the plate stands now."""
        mode, plate = self.cell.plate, self.plate
        w = plate.position(self.model.u)
        if self.stack is not None and mode != "stack_pressure":
            # The layers and the frame in series: one spring whose rest follows the lithium.
            self.load.stiffness.value = 1.0 / self.stack.compliance  # type: ignore[assignment]
            self.load.rest.value = w  # type: ignore[assignment]
            self._engaged = (w, self.stack.free_growth(self.lithium()))
        elif mode == "fixed_gap":
            plate.locked, plate.held = True, w
        elif mode == "fixture_stiffness":
            # fem.Constant.value is typed as an array; the setter takes a number.
            self.load.stiffness.value = self.cell.fixture_stiffness  # type: ignore[assignment]
            self.load.rest.value = w  # type: ignore[assignment]
        logger.info("plate: %s from w = %.6g m", mode, w)

    def follow_lithium(self) -> None:
        """Move the stack spring's rest by the layers' free growth since the engagement.

        Called before each mechanics solve of a time step, at the step's lithium content;
        a no-op without a stack spring.
        """
        if self._engaged is None or self.stack is None:
            return
        w_engaged, growth_engaged = self._engaged
        growth = self.stack.free_growth(self.lithium())
        self.load.rest.value = w_engaged - (growth - growth_engaged)  # type: ignore[assignment]

    def stack_state(self) -> dict[str, float]:
        """The stack's output columns now: each layer's thickness, and the cell's change.

        ``cell_thickness_change_m`` is the plate displacement plus the layers' thickness
        change since assembly; ``stack.<name>.thickness_m`` each layer's thickness and, for a
        cathode, ``stack.<name>.soc`` its state of charge.
        """
        if self.stack is None:
            return {}
        pressure, lithium = self.pressure(), self.lithium()
        w = self.plate.position(self.model.u)
        row = {"cell_thickness_change_m": w + self.stack.growth(pressure, lithium)}
        for layer in self.stack.layers:
            row[f"stack.{layer.name}.thickness_m"] = layer.thickness_at(pressure, lithium)
            if layer.soc is not None:
                row[f"stack.{layer.name}.soc"] = layer.soc(lithium)
        return row

    def stack_columns(self) -> tuple[str, ...]:
        """The names of :meth:`stack_state`'s columns (none without a stack)."""
        if self.stack is None:
            return ()
        columns = ["cell_thickness_change_m"]
        for layer in self.stack.layers:
            columns.append(f"stack.{layer.name}.thickness_m")
            if layer.soc is not None:
                columns.append(f"stack.{layer.name}.soc")
        return tuple(columns)

    def release(self) -> None:
        """Back to force control at the force the plate carries now (for a new preload)."""
        if self.plate.locked or float(self.load.stiffness.value) != 0.0:
            self.load.pressure.value = self.pressure()  # type: ignore[assignment]
        self.plate.locked = False
        self._engaged = None
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

    def follow_lithium(self) -> None:
        """No stack to follow."""

    def stack_state(self) -> dict[str, float]:
        """No stack columns."""
        return {}

    def stack_columns(self) -> tuple[str, ...]:
        """No stack columns."""
        return ()


def plate_control(
    model: CoupledModel, plate: RigidPlate | None, cell: Cell | None
) -> PlateControl | NoPlate:
    """The controller of ``plate`` (a RigidPlate, or None without one)."""
    if plate is None:
        return NoPlate()
    assert cell is not None  # a plate comes with its cell section
    return PlateControl(model, plate, cell)
