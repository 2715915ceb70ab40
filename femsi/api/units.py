"""The unit of every time-series column, read from its name.

femsi names its columns with their SI unit at the end (``time_s``, ``R.max_von_mises_Pa``,
``surface_c_max_mol_m3``, ``crack.C.K_I_Pa_sqrt_m``); columns without a unit suffix are
dimensionless (``soc``, ``electrode_volume_change``, ``max_damage``), counts (``step``,
``newton_mechanics``) or text (``protocol_kind``).
"""

from __future__ import annotations

#: Name endings and their units, longest first.
SUFFIXES = (
    ("_Pa_sqrt_m", "Pa·m^0.5"),
    ("_mol_m2_s", "mol/(m²·s)"),
    ("_mol_m3", "mol/m³"),
    ("_mAh_g", "mAh/g"),
    ("_J_m2", "J/m²"),
    ("_Pa", "Pa"),
    ("_m3", "m³"),
    ("_m2", "m²"),
    ("_m", "m"),
    ("_s", "s"),
    ("_J", "J"),
    ("_V", "V"),
    ("_K", "K"),
)
#: Columns that hold text.
TEXT = ("protocol_kind",)


def unit_of(column: str) -> str:
    """The unit of a time-series column.

    Args:
        column: A column name of ``timeseries.csv``.

    Returns:
        The SI unit (``"Pa"``, ``"mol/m³"``), ``"1"`` for a dimensionless number or a count,
        ``""`` for text.
    """
    if column in TEXT:
        return ""
    for suffix, unit in SUFFIXES:
        if column.endswith(suffix):
            return unit
    return "1"


def units_of(columns) -> dict[str, str]:
    """Column name to unit, for each of ``columns``."""
    return {column: unit_of(column) for column in columns}
