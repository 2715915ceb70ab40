"""Checks of a study against its mesh and model, run before anything is solved.

Each failure is an :class:`~femsi.errors.InputError` naming the config field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from femsi.errors import InputError

if TYPE_CHECKING:
    from femsi.config.schema import Physics
    from femsi.geometry.model import MeshModel
    from femsi.materials import Material
    from femsi.physics.model import CoupledModel


def check_regions(materials: dict[str, Material], mesh_model: MeshModel, physics: Physics) -> None:
    """Every material names a mesh region and every region has a material."""
    for region in materials:
        if region not in mesh_model.regions:
            raise InputError(f"materials.{region}", "the mesh has no such region")
    for region in mesh_model.regions:
        if region not in materials:
            raise InputError("materials", f"the mesh has region {region!r} without a material")
    if not mesh_model.active_surfaces and physics.diffusion:
        raise InputError("geometry.active_surface", "name the surface lithium enters through")


def check_phase_field(model: CoupledModel) -> None:
    """The length scale resolves: at least twice the largest cell where cracks grow."""
    pf = model.phase_field
    if pf is None:
        return
    per_region = isinstance(pf.settings.length_scale, dict)
    for region in pf.regions:
        length, h = pf.settings.length_of(region), pf.mesh_sizes[region]
        if length < 2 * h * (1 - 1e-9):
            raise InputError(
                f"phase_field.length_scale{'.' + region if per_region else ''}",
                f"{length:.3g} m is less than twice the largest cell ({h:.3g} m) in the "
                f"cracking region {region}: refine the mesh there or raise the length",
            )


def material_sources(materials: dict) -> dict:
    """Each region's material with its sources and references (``materials.yaml``)."""
    return {
        region: {"material": m.name, "sources": m.sources, "references": m.references}
        for region, m in materials.items()
    }
