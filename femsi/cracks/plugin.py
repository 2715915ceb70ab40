"""Gmsh's ``Crack`` plugin, and the tags and grading every crack builder shares.

The plugin duplicates the nodes of a meshed crack (a physical group of curves in 2D, of
surfaces in 3D) so that its two faces are coincident and move independently (zero initial
opening). The crack's boundary stays whole (the tips, the front), except its *open boundary*:
a mouth on the outer surface, an end on the axis of revolution. Nodes and elements are
renumbered after the plugin. Crack physical groups are numbered from :data:`CRACK_TAG`; the
element size grows from a tip or front by :data:`GRADING` per unit distance.
"""

from __future__ import annotations

import gmsh

#: Growth of the element size with the distance from a tip (size per unit distance).
GRADING = 0.2
#: Physical tags of crack curves start here (regions 1.., named curves 101..).
CRACK_TAG = 200


def split_crack(dimension: int, group: int, open_entities: list[int] | None = None) -> None:
    """Duplicate the nodes of a meshed crack (a physical group) with Gmsh's Crack plugin.

    Every plugin option is set, because they outlive ``gmsh.finalize``. Call
    :func:`renumber` once all cracks are split.

    Args:
        dimension: Dimension of the crack entities (1: curves in 2D, 2: surfaces in 3D).
        group: Physical tag of the crack entities.
        open_entities: Entities of dimension ``dimension - 1`` whose nodes are split too (the
            crack's open boundary: a mouth on the outer surface, an end on the axis). They are
            put in a physical group for the plugin, removed again afterwards.
    """
    gmsh.plugin.setNumber("Crack", "Dimension", dimension)
    gmsh.plugin.setNumber("Crack", "PhysicalGroup", group)
    gmsh.plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup", 0)
    open_group = None
    if open_entities:
        open_group = gmsh.model.addPhysicalGroup(dimension - 1, list(open_entities))
        gmsh.plugin.setNumber("Crack", "OpenBoundaryPhysicalGroup", open_group)
    gmsh.plugin.run("Crack")
    if open_group is not None:
        gmsh.model.removePhysicalGroups([(dimension - 1, open_group)])


def renumber() -> None:
    """Renumber nodes and elements contiguously (after the Crack plugin added nodes)."""
    gmsh.model.mesh.renumberNodes()
    gmsh.model.mesh.renumberElements()
