"""2D built-in cracks in Gmsh models: embed crack segments, refine at their tips, open them.

A crack is a curve of the 2D mesh. Inside the section it is an embedded curve (an
OpenCASCADE fragment of the section with the segment) whose nodes Gmsh's ``Crack`` plugin
duplicates after meshing (:mod:`femsi.cracks.plugin`), so that the two faces are coincident
curves that move independently (zero initial opening). The tips are not duplicated; an end on
the outer boundary (the mouth of a surface crack) or on the axis of revolution (a penny crack)
is, through the plugin's open boundary group. A crack on a mirror line of the model is a free
part of that line: the fragment splits the line at the tip and no node is duplicated. The
nodes are renumbered after the plugin.

The tip refinement is a size field h(r) = min(h_far, t + g r), r the distance to the nearest
tip, t = ``tip_size``, g = :data:`~femsi.cracks.plugin.GRADING`: the rings of the domain
integral (out to half the crack's clearance) hold elements a few times t in size.
"""

from __future__ import annotations

import gmsh
import numpy as np

from femsi.cracks.layout import CrackLayout
from femsi.cracks.plugin import GRADING, renumber, split_crack


def _on_segment(point, start, end, tol: float) -> bool:
    p, a, b = (np.asarray(v, dtype=float)[:2] for v in (point, start, end))
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0.0, 1.0))
    return float(np.linalg.norm(p - a - t * ab)) < tol


def embed_segments(
    surfaces: dict[str, list[int]], layouts: list[CrackLayout], tol: float
) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Fragment the section's surfaces with the crack segments.

    Args:
        surfaces: Region name to the OpenCASCADE surfaces of the section.
        layouts: The cracks (in the model's length unit).
        tol: Geometric tolerance.

    Returns:
        The surfaces after the fragment, and crack name to its curves.
    """
    occ = gmsh.model.occ
    lines = []
    for layout in layouts:
        p0 = occ.addPoint(*layout.start, 0.0)
        p1 = occ.addPoint(*layout.end, 0.0)
        lines.append((1, occ.addLine(p0, p1)))
    objects = [(2, tag) for tags in surfaces.values() for tag in tags]
    _, mapping = occ.fragment(objects, lines)
    occ.synchronize()
    fragmented: dict[str, list[int]] = {}
    k = 0
    for region, tags in surfaces.items():
        fragmented[region] = []
        for _ in tags:
            fragmented[region] += [t for d, t in mapping[k] if d == 2]
            k += 1
    curves: dict[str, list[int]] = {}
    for layout in layouts:
        curves[layout.name] = [
            tag
            for _, tag in gmsh.model.getEntities(1)
            if gmsh.model.getType(1, tag) == "Line"
            and all(
                _on_segment(gmsh.model.getValue(0, abs(p), []), layout.start, layout.end, tol)
                for _, p in gmsh.model.getBoundary([(1, tag)])
            )
        ]
        if not curves[layout.name]:  # pragma: no cover - the layout checks keep cracks inside
            raise RuntimeError(f"crack {layout.name!r} was not embedded in the section")
    return fragmented, curves


def tip_size_fields(layouts: list[CrackLayout], far_size: float) -> list[int]:
    """One MathEval size field per tip: min(far_size, tip_size + GRADING r)."""
    field = gmsh.model.mesh.field
    fields = []
    for layout in layouts:
        for tip in layout.tips:
            x0, y0 = tip.point
            size = field.add("MathEval")
            r = f"Sqrt((x-({x0!r}))^2+(y-({y0!r}))^2)"
            field.setString(size, "F", f"Min({far_size!r}, {layout.tip_size!r} + {GRADING}*{r})")
            fields.append(size)
    return fields


def open_cracks(groups: list[tuple[int, list[tuple[float, float]]]], tol: float) -> None:
    """Duplicate the nodes of embedded crack curves (after meshing), then renumber.

    Args:
        groups: Physical tag of each crack curve group and its open ends (points whose nodes
            are split too: the mouth on the outer boundary, an end on the axis).
        tol: Geometric tolerance to find the open ends among the model's points.
    """
    if not groups:
        return
    for tag, opens in groups:
        points = [
            t
            for _, t in gmsh.model.getEntities(0)
            if any(
                np.hypot(*(gmsh.model.getValue(0, t, [])[:2] - np.array(p))) < tol for p in opens
            )
        ]
        split_crack(1, tag, points)
    renumber()
