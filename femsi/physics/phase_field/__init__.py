"""Phase-field fracture (small strain): cracks that nucleate and grow, driven by swelling.

- ``regularisation``: the AT1 and AT2 crack densities, the degradation g(d) = (1 - d)² + k,
  and the closed-form strength of a homogeneous bar;
- ``split``: the tension–compression splits of the elastic energy (none, Amor's
  volumetric–deviatoric, Miehe's spectral) of the 3×3 elastic strain ε(u) - ε*;
- ``damage``: the damage field, the degraded energy of the body, the driving force with its
  irreversibility (a history field or bounds), the damage forms and the crack integrals.

The alternate minimisation over a load step is :mod:`femsi.solvers.staggered`.
"""

from femsi.physics.phase_field.damage import (
    IRREVERSIBILITY,
    InitialCrack,
    PhaseField,
    PhaseFieldSettings,
)
from femsi.physics.phase_field.regularisation import MODELS, Regularisation, degradation
from femsi.physics.phase_field.split import SPLITS, principal_strains, split_energy

__all__ = [
    "IRREVERSIBILITY",
    "MODELS",
    "SPLITS",
    "InitialCrack",
    "PhaseField",
    "PhaseFieldSettings",
    "Regularisation",
    "degradation",
    "principal_strains",
    "split_energy",
]
