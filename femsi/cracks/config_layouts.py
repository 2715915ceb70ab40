"""Where the cracks of a study lie: their layouts from the validated config (no mesh, no Gmsh).

Each built-in entry of ``cracks:`` becomes a :class:`~femsi.cracks.layout.CrackLayout`
(:mod:`femsi.cracks.kinds`) with its rings (:mod:`femsi.cracks.rings`), after the checks of
:mod:`femsi.cracks.checks`. The loader calls :func:`crack_layouts` so that bad cracks are input
errors before anything is solved, and keeps the result on the loaded config
(:attr:`femsi.config.loader.StudyConfig.crack_layouts`) for the mesh builders. ``tagged``
cracks are laid out on the mesh (:mod:`femsi.cracks.mesh_layouts`).
"""

from __future__ import annotations

from femsi.cracks.checks import check_elastic, check_pairs, check_study, check_tagged
from femsi.cracks.kinds import builtin_layout
from femsi.cracks.layout import CrackLayout
from femsi.cracks.rings import with_rings
from femsi.errors import InputError


def crack_layouts(study) -> list[CrackLayout]:
    """The layouts of a study's built-in cracks (``tagged`` ones are laid out on the mesh).

    Args:
        study: The validated :class:`~femsi.config.schema.Study`.

    Raises:
        InputError: A crack that does not fit its geometry, physics or mesh sizes.
    """
    if not study.cracks:
        return []
    geometry = study.geometry
    check_study(study)
    dimension = getattr(geometry, "dimension", 3)
    layouts: list[CrackLayout] = []
    for index, crack in enumerate(study.cracks):
        if crack.stations is not None and dimension != 3:
            raise InputError(
                f"cracks.{index}.stations", "stations are points of 3D crack fronts (dimension: 3)"
            )
        if crack.kind == "tagged":
            check_tagged(index, crack, dimension)
            continue
        layouts.append(builtin_layout(index, crack, geometry))
    check_pairs(layouts, study.cracks, dimension)
    check_elastic(layouts, study)
    return [with_rings(layout, study.cracks[layout.index], layouts) for layout in layouts]
