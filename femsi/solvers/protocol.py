"""What each protocol step imposes and when it ends.

Galvanostatic steps impose a molar flux j into the active surfaces: from a current density i,
j = i / F; from a C-rate, j = C_rate · Q / (3600 s · A) with Q = ∫ c_max dV the lithium
capacity and A the active surface area of the mesh, so that 1C fills the particle in one hour
and d(SOC)/dt = C_rate / 3600 s. A hold fixes the surface concentration (potentiostatic). A
step ends at ``until_soc``, after ``duration``, or, when lithiating (delithiating), once the
surface concentration reaches c_max (zero): the analogue of a voltage cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from femsi.config.schema import Delithiate, Hold, Lithiate, ProtocolStep, Rest

if TYPE_CHECKING:
    from femsi.physics.model import CoupledModel

FARADAY = 96485.33212  # C/mol


@dataclass(frozen=True)
class Drive:
    """The boundary condition and end conditions of one protocol step.

    Attributes:
        kind: lithiate, delithiate, rest or hold.
        inward_flux: Molar flux into the particle, mol/m²/s (galvanostatic; 0 otherwise).
        held_concentration: Surface concentration (hold), mol/m³, else None.
        duration: Longest duration, s, or None.
        until_soc: Target state of charge, or None.
        soc_rate: d(SOC)/dt under this drive if known in advance (galvanostatic), 1/s.
        held_potential: Electrode potential of a hold with Butler-Volmer kinetics, V.
    """

    kind: str
    inward_flux: float
    held_concentration: float | None
    duration: float | None
    until_soc: float | None
    soc_rate: float | None
    held_potential: float | None = None

    @property
    def galvanostatic(self) -> bool:
        """Whether the step imposes a current."""
        return self.kind in ("lithiate", "delithiate")

    @property
    def held(self) -> bool:
        """Whether the step holds the surface (concentration or potential)."""
        return self.held_concentration is not None or self.held_potential is not None

    def apply(self, model: CoupledModel) -> None:
        """Set the model's surface condition: the flux, and the held value of a hold."""
        # fem.Constant.value is typed as an array; the setter takes a number.
        model.inward_flux.value = self.inward_flux  # type: ignore[assignment]
        if self.held_concentration is not None:
            model.set_held_concentration(self.held_concentration)
        if self.held_potential is not None:
            model.held_potential.value = self.held_potential  # type: ignore[assignment]

    def timed_out(self, elapsed: float) -> bool:
        """Whether the step's ``duration`` has passed."""
        return self.duration is not None and elapsed >= self.duration * (1 - 1e-12)

    def reached(self, soc: float, start_soc: float) -> bool:
        """Whether ``until_soc`` has been reached from ``start_soc``.

        Galvanostatic steps land on the target exactly (the SOC rate is known), so the
        tolerance is round-off; a hold approaches it by extrapolation, to within 1e-6.
        """
        if self.until_soc is None:
            return False
        tol = 1e-9 if self.galvanostatic else 1e-6
        rising = self.kind == "lithiate" or (
            self.kind == "hold"
            and (self.held_concentration is not None or self.held_potential is not None)
            and self.until_soc > start_soc
        )
        return soc >= self.until_soc - tol if rising else soc <= self.until_soc + tol

    def expected_duration(self, start_soc: float) -> float | None:
        """How long the step should last from ``start_soc``, s.

        Its duration, or the time to ``until_soc`` at its known SOC rate, whichever is
        shorter; None if neither is known (a hold that ends at a state of charge).
        """
        times = [] if self.duration is None else [self.duration]
        if self.until_soc is not None and self.soc_rate:
            to_target = (self.until_soc - start_soc) / self.soc_rate
            times.append(max(to_target, 0.0))
        return min(times) if times else None

    def progress(self, elapsed: float, soc: float, start_soc: float) -> float:
        """How far the step is, 0 to 1.

        By time towards ``duration`` or by SOC towards ``until_soc``, whichever is further.
        """
        shares = [0.0]
        if self.duration:
            shares.append(elapsed / self.duration)
        if self.until_soc is not None and self.until_soc != start_soc:
            shares.append((soc - start_soc) / (self.until_soc - start_soc))
        return min(max(shares), 1.0)

    def expected_end_soc(self, start_soc: float) -> float:
        """The state of charge the step should end at, if it runs to its end."""
        if self.until_soc is not None:
            return self.until_soc
        if self.duration is not None and self.soc_rate is not None:
            return min(max(start_soc + self.soc_rate * self.duration, 0.0), 1.0)
        return start_soc

    def early_end(self, reason: str, soc: float) -> str | None:
        """Why the step ended before its target, or None if it ended as asked.

        A galvanostatic step that stops on the surface concentration limit (the analogue of a
        voltage cut-off) before its ``until_soc`` or ``duration`` has ended early.
        """
        if reason != "surface concentration limit":
            return None
        limit = "c_max" if self.kind == "lithiate" else "zero"
        if self.until_soc is not None:
            target = f"SOC {self.until_soc:g}"
        elif self.duration is not None:
            target = f"its duration of {self.duration:g} s"
        else:
            return None
        return (
            f"ended at SOC {soc:.3f}, before {target}: the surface concentration reached "
            f"{limit} (the analogue of a voltage cut-off; a lower C-rate or a smaller "
            "particle gets further)"
        )


def expected_durations(
    protocol: list[ProtocolStep], capacity: float, area: float, c_max: float, soc: float
) -> list[float | None]:
    """Each protocol step's expected duration (s; 0 for a preload, None if unknown).

    The steps are chained: each starts at the state of charge the previous one should end at.
    """
    durations: list[float | None] = []
    for step in protocol:
        if step.kind == "preload":
            durations.append(0.0)
            continue
        drive = drive_of(step, capacity, area, c_max)
        durations.append(drive.expected_duration(soc))
        soc = drive.expected_end_soc(soc)
    return durations


def drive_of(step: ProtocolStep, capacity: float, area: float, c_max: float) -> Drive:
    """The drive of a protocol step.

    Args:
        step: The protocol entry.
        capacity: ∫ c_max dV over the active regions of the mesh, mol.
        area: Area of the active surfaces of the mesh, m².
        c_max: Maximum concentration of the active material, mol/m³.
    """
    body = step.body
    if step.kind in ("lithiate", "delithiate"):
        assert isinstance(body, Lithiate | Delithiate)
        if body.c_rate is not None:
            flux = body.c_rate * capacity / (3600.0 * area)
        else:
            assert body.current_density is not None  # one of the two (the schema)
            flux = body.current_density / FARADAY
        sign = 1.0 if step.kind == "lithiate" else -1.0
        return Drive(
            step.kind,
            sign * flux,
            None,
            body.duration,
            body.until_soc,
            sign * flux * area / capacity,
        )
    if step.kind == "hold":
        assert isinstance(body, Hold)
        if body.potential is not None:
            return Drive(
                "hold",
                0.0,
                None,
                body.duration,
                body.until_soc,
                None,
                held_potential=body.potential,
            )
        assert body.surface_soc is not None  # one of the two (the schema)
        return Drive("hold", 0.0, body.surface_soc * c_max, body.duration, body.until_soc, None)
    assert isinstance(body, Rest)  # a preload has no drive
    return Drive("rest", 0.0, None, body.duration, None, 0.0)
