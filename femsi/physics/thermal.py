"""Thermal strain: a uniform cell temperature T(t) and each material's expansion α.

The linear thermal strain α (T - T_ref) of every region, with T_ref the stress-free
(assembly) temperature, joins the swelling as one more isotropic eigen-deformation:

- small strain: ε* = Ω (c - c_ref)/3 I + α (T - T_ref) I (the eigenstrains add);
- finite strain: F = F_e F_p F_θ F_s with F_θ = (1 + α (T - T_ref)) I, so the stress-free
  volume ratio is J_s (1 + α ΔT)³ (the multiplicative split of thermal and chemical stretch,
  e.g. Lubarda, Appl. Mech. Rev. 57 (2004) 95, §6).

Closed forms that check it: a film bonded to a thick substrate at a uniform ΔT carries the
biaxial stress σ = -E_f (α_f - α_s) ΔT / (1 - ν_f) (Freund & Suresh, Thin Film Materials,
2003, eq. 2.2 with the mismatch strain (α_f - α_s) ΔT); a sphere in a concentric shell with
the eigenstrain mismatch (α_1 - α_2) ΔT has the uniform pressure of Eshelby's inclusion
(Eshelby, Proc. R. Soc. A 241 (1957) 376; the Lamé shell, Timoshenko & Goodier, Theory of
Elasticity, 3rd ed. 1970, §137).

The temperature is one constant of the mesh, set per protocol step by the run driver
(``temperature:`` on a step; a ``rest`` ramps it linearly over its duration).
"""

from __future__ import annotations

from dolfinx import fem
from dolfinx import mesh as dmesh

import femsi.compat  # noqa: F401
from femsi.errors import InputError
from femsi.materials import Material
from femsi.physics.laws import ElasticityLaw
from femsi.physics.material_fields import MaterialFields
from femsi.typing import UFLValue


class ThermalStrain:
    """α (T - T_ref) per region, an eigenstrain part of :class:`~femsi.physics.mechanics.Mechanics`.

    Args:
        fields: Piecewise material fields of the mesh.
        materials: Region name to material (each needs ``thermal_expansion``).
        mesh: The mesh.
        temperature: The cell temperature constant, K.
        reference_temperature: The stress-free temperature T_ref, K.
    """

    def __init__(
        self,
        fields: MaterialFields,
        materials: dict[str, Material],
        mesh: dmesh.Mesh,
        temperature: fem.Constant,
        reference_temperature: float,
    ) -> None:
        for region, material in materials.items():
            if getattr(material, "thermal_expansion", None) is None:
                raise InputError(
                    f"materials.{region}",
                    f"{material.name} has no thermal_expansion (1/K), which thermal strain needs",
                )
        self.temperature = temperature
        self.reference_temperature = fem.Constant(mesh, float(reference_temperature))
        self.alpha = fields.piecewise(lambda mat: mat.thermal_expansion)
        #: The linear thermal strain α (T - T_ref) (UFL).
        self.strain = self.alpha * (self.temperature - self.reference_temperature)

    def start_protocol_step(self, kind: str, body: object, duration: float | None) -> None:
        """A new protocol step: its temperature, at once or (a rest) ramped over it."""
        self._start = float(self.temperature.value)
        target = getattr(body, "temperature", None)
        self._target = self._start if target is None else float(target)
        self._ramp = duration if kind == "rest" else None
        if self._ramp is None:
            # fem.Constant.value is typed as an array; the setter takes a number.
            self.temperature.value = self._target  # type: ignore[assignment]

    def advance_to(self, elapsed: float) -> None:
        """The temperature at ``elapsed`` seconds into the protocol step."""
        if self._ramp:
            fraction = min(elapsed / self._ramp, 1.0)
            temperature = self._start + fraction * (self._target - self._start)
            self.temperature.value = temperature  # type: ignore[assignment]

    def apply(self, law: ElasticityLaw, eigen: UFLValue) -> UFLValue:
        """The law's eigen-deformation with the thermal stretch."""
        return law.with_stretch(eigen, self.strain)
