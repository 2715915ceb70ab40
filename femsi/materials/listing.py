"""``femsi materials``: the library as a table, or one material with its sources."""

from __future__ import annotations

from femsi.errors import InputError
from femsi.materials.library import library, resolve_material

UNITS = {
    "youngs_modulus": ("GPa", 1e9),
    "partial_molar_volume": ("cm3/mol", 1e-6),
    "max_concentration": ("mol/m3", 1.0),
    "diffusivity": ("m2/s", 1.0),
}


def print_library(name: str | None = None) -> int:
    """Print the library (or one material); returns the exit code."""
    if name is not None:
        if name not in library():
            raise InputError(
                "materials", f"unknown material {name!r}; known: {', '.join(library())}"
            )
        m = resolve_material(name, name)
        raw = library()[name]
        print(f"{name}: {raw.get('description', '')}  [{m.category}]")
        for key, value in raw.get("parameters", {}).items():
            print(f"  {key:22s} {value!s:28s} {m.sources.get(key, '')}")
        for key, note in (raw.get("notes") or {}).items():
            if key not in raw.get("parameters", {}):
                print(f"  {key:22s} {'(no value)':28s} {note}")
        print("references:")
        for key, citation in m.references.items():
            print(f"  [{key}] {citation}")
        return 0
    header = (
        f"{'material':22s} {'category':18s} {'E [GPa]':>18s} {'nu':>6s} "
        f"{'Omega [cm3/mol]':>16s} {'c_max [mol/m3]':>15s} {'D [m2/s]':>10s} "
        f"{'alpha [1e-6/K]':>14s}"
    )
    print(header)
    print("-" * len(header))
    for key in library():
        m = resolve_material(key, key)
        E = m.youngs_modulus
        e_text = (
            f"{E.value[0] / 1e9:.4g}"
            if E.is_constant
            else f"{E.value[0] / 1e9:.4g}..{E.value[-1] / 1e9:.4g}"
        )
        d_text = f"{m.diffusivity.value[0]:.2g}" if m.diffusivity is not None else "-"
        omega = f"{m.partial_molar_volume * 1e6:.3g}" if m.is_active else "-"
        cmax = f"{m.max_concentration:.4g}" if m.is_active else "-"
        alpha = m.thermal_expansion
        a_text = f"{alpha * 1e6:.3g}" if alpha is not None else "-"
        print(
            f"{key:22s} {m.category:18s} {e_text:>18s} {m.poissons_ratio:6.3g} {omega:>16s} "
            f"{cmax:>15s} {d_text:>10s} {a_text:>14s}"
        )
    print("\n`femsi materials NAME` shows every value with its literature source.")
    return 0
