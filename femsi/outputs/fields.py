"""Fields for ParaView: VTX (ADIOS2) files in ``fields/``, one per element type.

``fields/concentration.bp`` (P1 or P2), ``fields/displacement.bp`` (P1 or P2 vector),
``fields/stress.bp`` (discontinuous: Cauchy stress tensor, von Mises, hydrostatic, max
principal stress, volume ratio J), with plasticity ``fields/plasticity.bp`` (the
equivalent plastic strain α, cell averages, DG0), and with phase-field fracture
``fields/damage.bp`` (the damage d, P1). Open the ``.bp`` folders in ParaView with
the ADIOS2 VTX reader.
"""

from __future__ import annotations

from pathlib import Path

from dolfinx.io import VTXWriter

import femsi.compat  # noqa: F401


class FieldWriter:
    """VTX writers for the model's fields.

    Args:
        folder: The ``fields/`` folder.
        comm: Communicator.
        concentration: Concentration function.
        displacement: Displacement function, or None.
        stress_functions: Discontinuous functions sharing one space, or empty.
        plastic: The DG0 equivalent plastic strain, or None without plasticity.
        damage: The phase-field damage, or None without phase-field fracture.
    """

    def __init__(
        self,
        folder: Path,
        comm,
        concentration,
        displacement,
        stress_functions,
        plastic=None,
        damage=None,
    ):
        self._writers = [VTXWriter(comm, folder / "concentration.bp", [concentration], "BP4")]
        if damage is not None:
            self._writers.append(VTXWriter(comm, folder / "damage.bp", [damage], "BP4"))
        if plastic is not None:
            self._writers.append(VTXWriter(comm, folder / "plasticity.bp", [plastic], "BP4"))
        if displacement is not None:
            self._writers.append(VTXWriter(comm, folder / "displacement.bp", [displacement], "BP4"))
        if stress_functions:
            self._writers.append(VTXWriter(comm, folder / "stress.bp", stress_functions, "BP4"))

    def write(self, time: float) -> None:
        """Append the current state at ``time``."""
        for writer in self._writers:
            writer.write(time)

    def close(self) -> None:
        """Close the files (flushes ADIOS2 buffers)."""
        for writer in self._writers:
            writer.close()
        self._writers = []
