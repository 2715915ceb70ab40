"""Pictures of a field on the body: PyVista renders the surface, matplotlib annotates it.

PyVista draws the coloured body off screen with a parallel projection, so that one pixel is
the same length everywhere in the view plane; the picture is cropped to the body and placed
in a matplotlib figure with the colour bar (unit in its title, plain numbers, arrows where the
colours are clipped), a length scale bar (µm or nm), the title and a note on what is drawn.
Every field picture femsi writes, at the end of a run and by ``femsi plot``, comes from
:func:`field_picture`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from femsi.outputs.style import (
    Limits,
    Unit,
    apply_matplotlib_style,
    centred_colormap,
    centred_limits,
    format_value,
    robust_limits,
    unit_for,
)

#: Pixels of the PyVista render (the figure is composed at ``FIGURE_DPI``).
RENDER_SIZE = (1400, 1100)
FIGURE_SIZE = (6.4, 5.0)
FIGURE_DPI = 150
BACKGROUND = (255, 255, 255)
#: A field whose spread is below this share of its magnitude is drawn as uniform.
UNIFORM = 1e-9


@dataclass(frozen=True)
class FieldSpec:
    """How one snapshot array is drawn.

    Attributes:
        array: The snapshot's point array.
        quantity: Its name in titles (``Hydrostatic stress``).
        family: Unit family of :data:`femsi.outputs.style.UNITS`.
        signed: Diverging map centred at zero (None: signed if the data take both signs).
        cmap: The matplotlib colour map.
        component: A vector array's component (None: its magnitude).
    """

    array: str
    quantity: str
    family: str
    signed: bool | None
    cmap: str
    component: int | None = None

    def values(self, data: np.ndarray) -> np.ndarray:
        """The drawn scalar of the array's data (a vector's magnitude or component)."""
        if data.ndim == 2:
            return (
                data[:, self.component]
                if self.component is not None
                else np.linalg.norm(data, axis=1)
            )
        return data


#: Arrays femsi's snapshots hold, and how they are drawn.
KNOWN_ARRAYS = {
    "hydrostatic_stress_Pa": ("Hydrostatic stress", "stress", True, "RdBu_r"),
    "von_mises_Pa": ("von Mises stress", "stress", False, "viridis"),
    "max_principal_Pa": ("Maximum principal stress", "stress", True, "RdBu_r"),
    "concentration_mol_m3": ("Li concentration", "concentration", False, "cividis"),
    "damage": ("Damage", "dimensionless", False, "magma_r"),
    "u": ("Displacement magnitude", "length", False, "cividis"),
    "equivalent_plastic_strain": ("Equivalent plastic strain", "dimensionless", False, "inferno"),
    "volume_ratio": ("Volume ratio J", "dimensionless", False, "cividis"),
}
#: Unit suffixes of snapshot array names, and their unit family.
SUFFIXES = {"_Pa": "stress", "_mol_m3": "concentration", "_m": "length"}


def spec_for(array: str, component: int | None = None) -> FieldSpec:
    """The drawing of a snapshot array (known arrays by name, others by their unit suffix)."""
    signed: bool | None
    if array in KNOWN_ARRAYS:
        quantity, family, signed, cmap = KNOWN_ARRAYS[array]
    else:
        family = next((f for s, f in SUFFIXES.items() if array.endswith(s)), "dimensionless")
        stem = short_name(array)
        quantity = stem.replace("_", " ").capitalize()
        magnitude = family == "length" or "von_mises" in stem or "equivalent" in stem
        signed, cmap = (False, "viridis") if magnitude else (None, "RdBu_r")
    if component is not None:
        axis = "xyz"[component]
        base = "Displacement" if array == "u" else quantity
        quantity, signed, cmap = f"{base.removesuffix(' magnitude')} u_{axis}", True, "PuOr_r"
    return FieldSpec(array, quantity, family, signed, cmap, component)


def short_name(array: str) -> str:
    """The array's name without its unit suffix (``max_principal_Pa`` → ``max_principal``)."""
    for suffix in SUFFIXES:
        if array.endswith(suffix):
            return array.removesuffix(suffix)
    return array


@dataclass
class View:
    """Where the camera looks from, what is cut, and the part of the picture shown.

    Attributes:
        direction: From the focal point towards the camera.
        viewup: The picture's up direction.
        window: (centre, half width) of a square region of the view plane to show (a zoom),
            or None (the whole body).
        note: What the view shows (``cut at y = 0``), for the caption.
        lit: Shade the surface (a 3D body); a flat section or cut is drawn in its true
            colours.
    """

    direction: tuple[float, float, float]
    viewup: tuple[float, float, float]
    window: tuple[np.ndarray, float] | None = None
    note: str = ""
    lit: bool = True


PLANAR = View((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), lit=False)


@dataclass
class Picture:
    """A field picture to draw: the grid (point array ``value``, SI), its spec, the texts."""

    grid: Any  # a pyvista.DataSet with the point array ``value``
    spec: FieldSpec
    title: str
    view: View
    notes: list[str] = field(default_factory=list)
    robust: bool = False


def colour_scale(values: np.ndarray, spec: FieldSpec, weights=None, robust: bool = False):
    """The limits (SI), the display unit and the colour map of a field.

    Args:
        values: The drawn values.
        spec: The field.
        weights: The weights of ``values`` for robust limits (cell sizes).
        robust: Clip a few extreme cells (:func:`femsi.outputs.style.robust_limits`).

    Returns:
        (limits, unit, cmap): limits in SI (a signed field's include zero), the unit chosen
        by the largest magnitude shown, the matplotlib colour map.
    """
    from matplotlib import colormaps

    data = np.asarray(values, float)
    finite = data[np.isfinite(data)]
    signed = spec.signed
    if signed is None:
        signed = bool(finite.size) and finite.min() < 0 < finite.max()
    if robust and signed:
        limits = _two_sided_limits(data, weights)
    elif robust:
        limits = robust_limits(data, weights)
    elif finite.size:
        limits = Limits(float(finite.min()), float(finite.max()), data_min=float(finite.min()),
                        data_max=float(finite.max()))  # fmt: skip
    else:
        limits = Limits(0.0, 1.0)
    low, high = limits.low, limits.high
    if finite.size and np.ptp(finite) <= UNIFORM * np.abs(finite).max():
        # One value everywhere (a uniform state, up to round-off): drawn as one colour,
        # ±5 % around it, not as stretched round-off noise.
        middle = 0.5 * (float(finite.min()) + float(finite.max()))
        half = 0.05 * abs(middle) or 1.0
        low, high = middle - half, middle + half
        limits = Limits(low, high, False, False, limits.data_min, limits.data_max)
    if signed:
        low, high = centred_limits(low, high)
        cmap = centred_colormap(spec.cmap, low, high)
    else:
        if high <= low:
            high = low + (abs(low) or 1.0) * 1e-6
        cmap = colormaps[spec.cmap]
    if spec.family == "dimensionless" and spec.array == "damage":
        low, high = 0.0, max(high, 1e-12)
    limits = Limits(low, high, limits.clipped_low, limits.clipped_high,
                    limits.data_min, limits.data_max)  # fmt: skip
    unit = unit_for(spec.family, max(abs(low), abs(high)))
    return limits, unit, cmap


def _two_sided_limits(data: np.ndarray, weights) -> Limits:
    """Robust limits of a signed field, each sign on its own.

    Tension confined to a crack tip takes a tiny part of the area: robust limits of the whole
    field would clip it to zero. The tensile and the compressive parts are each clipped at
    their own percentiles, as the two halves of the diverging map are scaled separately.
    """
    w = np.ones_like(data) if weights is None else np.asarray(weights, float)
    sides = []
    for mask in (data < 0, data > 0):
        sides.append(robust_limits(data[mask], w[mask]) if mask.any() else Limits(0.0, 0.0))
    below, above = sides
    finite = data[np.isfinite(data)]
    return Limits(
        min(below.low, 0.0),
        max(above.high, 0.0),
        below.clipped_low,
        above.clipped_high,
        float(finite.min()) if finite.size else math.nan,
        float(finite.max()) if finite.size else math.nan,
    )


def render_pictures(pictures: list[Picture], *, shared_limits: bool = False) -> Iterator:
    """Matplotlib figures of ``pictures``, one at a time (the caller closes each).

    With ``shared_limits`` (the frames of an animation) every picture gets the colour limits
    of all of them, the camera that fits the largest body and the same crop, so that the
    frames line up.
    """
    if not pictures:
        return
    _offscreen()
    prepared = []
    for picture in pictures:
        values = np.asarray(picture.grid.point_data["value"], dtype=float)
        weights = None
        if picture.robust:
            cells = picture.grid.point_data_to_cell_data()
            sizes = cells.compute_cell_sizes(length=False, area=True, volume=True)
            weights = np.abs(sizes.cell_data["Volume"]) + np.abs(sizes.cell_data["Area"])
            values = np.asarray(cells.cell_data["value"], dtype=float)
        prepared.append((values, weights))
    if shared_limits:
        joined = np.concatenate([v for v, _ in prepared])
        w = [x for _, x in prepared if x is not None]
        weights = np.concatenate(w) if len(w) == len(prepared) else None
        scale = colour_scale(joined, pictures[0].spec, weights, pictures[0].robust)
        scales = [scale] * len(pictures)
        bounds = _union_bounds([p.grid.bounds for p in pictures])
        cameras = [bounds] * len(pictures)
    else:
        scales = [
            colour_scale(v, p.spec, w, p.robust)
            for p, (v, w) in zip(pictures, prepared, strict=True)
        ]
        cameras = [p.grid.bounds for p in pictures]
    images = [
        _render(p, limits, cmap, bounds)
        for p, (limits, _, cmap), bounds in zip(pictures, scales, cameras, strict=True)
    ]
    if shared_limits:
        box = _union_box([_content_box(image) for image, _ in images])
        crops = [box] * len(images)
    else:
        crops = [_content_box(image) for image, _ in images]
    for picture, (image, metres_per_pixel), crop, scale in zip(
        pictures, images, crops, scales, strict=True
    ):
        yield _compose(picture, image, metres_per_pixel, crop, scale)


def field_picture(picture: Picture, path) -> None:
    """Draw one picture into ``path`` (PNG)."""
    import matplotlib.pyplot as plt

    [figure] = list(render_pictures([picture]))
    figure.savefig(path, dpi=FIGURE_DPI)
    plt.close(figure)


def figure_image(figure) -> np.ndarray:
    """The RGB pixels of a matplotlib figure (at :data:`FIGURE_DPI`), closing it."""
    import matplotlib.pyplot as plt

    figure.set_dpi(FIGURE_DPI)
    figure.canvas.draw()
    image = np.asarray(figure.canvas.buffer_rgba())[:, :, :3].copy()
    plt.close(figure)
    return image


# ------------------------------------------------------------------ PyVista


def _offscreen() -> None:
    if not os.environ.get("DISPLAY"):
        # Off-screen EGL rendering without first trying (and warning about) an X server.
        os.environ.setdefault("VTK_DEFAULT_OPENGL_WINDOW", "vtkEGLRenderWindow")
    import pyvista

    pyvista.OFF_SCREEN = True


def _render(picture: Picture, limits: Limits, cmap, bounds) -> tuple[np.ndarray, float]:
    """The body rendered with a parallel camera: (RGB image, metres per pixel)."""
    import pyvista

    planar = not picture.view.lit
    # pyvista's annotations: window_size a list, set_background wrapped by a decorator mypy
    # reads as unbound; the calls are as documented.
    plotter = pyvista.Plotter(off_screen=True, window_size=list(RENDER_SIZE))
    plotter.set_background("white")  # type: ignore[arg-type]
    plotter.add_mesh(
        picture.grid,
        scalars="value",
        cmap=cmap,
        clim=(limits.low, limits.high),
        show_scalar_bar=False,
        interpolate_before_map=True,
        lighting=not planar,
        ambient=0.5,
        diffuse=0.55,
        specular=0.0,
    )
    if not planar:
        edges = picture.grid.extract_feature_edges(
            feature_angle=40, boundary_edges=True, non_manifold_edges=False, manifold_edges=False
        )
        if edges.n_points:
            plotter.add_mesh(edges, color="black", line_width=1.2)
    metres_per_pixel = _place_camera(plotter, picture.view, bounds)
    image = plotter.screenshot(None, return_img=True)
    plotter.close()
    return np.asarray(image)[:, :, :3], metres_per_pixel


def _place_camera(plotter, view: View, bounds) -> float:
    """A parallel camera along ``view`` that fits ``bounds`` (or the view's window)."""
    d = np.asarray(view.direction, float)
    d /= np.linalg.norm(d)
    up = np.asarray(view.viewup, float)
    up = up - (up @ d) * d
    up /= np.linalg.norm(up)
    right = np.cross(up, d)
    box = np.array(bounds, float).reshape(3, 2)
    corners = np.array([[x, y, z] for x in box[0] for y in box[1] for z in box[2]])
    centre = box.mean(axis=1)
    width, height = RENDER_SIZE
    if view.window is not None:
        centre = np.asarray(view.window[0], float)
        half_w = half_h = float(view.window[1])
    else:
        half_w = float(np.abs((corners - centre) @ right).max())
        half_h = float(np.abs((corners - centre) @ up).max())
    scale = 1.04 * max(half_h, half_w * height / width, 1e-30)
    diagonal = float(np.linalg.norm(box[:, 1] - box[:, 0])) or 1.0
    camera = plotter.camera
    camera.focal_point = tuple(centre)
    camera.position = tuple(centre + 4.0 * diagonal * d)
    camera.up = tuple(up)
    camera.parallel_projection = True
    camera.parallel_scale = scale
    camera.clipping_range = (0.01 * diagonal, 10.0 * diagonal)
    return 2.0 * scale / height


def _content_box(image: np.ndarray, pad: int = 12) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of the non-background pixels, padded."""
    drawn = np.any(np.abs(image.astype(int) - BACKGROUND).sum(axis=2, keepdims=True) > 24, axis=2)
    rows, cols = np.flatnonzero(drawn.any(axis=1)), np.flatnonzero(drawn.any(axis=0))
    if not rows.size:
        return 0, image.shape[0], 0, image.shape[1]
    return (
        max(int(rows[0]) - pad, 0),
        min(int(rows[-1]) + pad + 1, image.shape[0]),
        max(int(cols[0]) - pad, 0),
        min(int(cols[-1]) + pad + 1, image.shape[1]),
    )


def _union_box(boxes):
    return (
        min(b[0] for b in boxes),
        max(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


def _union_bounds(all_bounds):
    b = np.array([list(x) for x in all_bounds], float)
    return tuple(
        v for k in range(3) for v in (b[:, 2 * k].min(), b[:, 2 * k + 1].max())
    )  # fmt: skip


# ------------------------------------------------------------------ matplotlib


def nice_length(span: float) -> float:
    """A round length (1, 2 or 5 × 10ⁿ m) of about a fifth of ``span``."""
    target = span / 5.0
    if not target > 0:
        return 1e-6
    power = 10.0 ** math.floor(math.log10(target))
    for step in (5.0, 2.0, 1.0):
        if step * power <= target:
            return step * power
    return power


def _compose(picture: Picture, image, metres_per_pixel: float, crop, scale):
    """The matplotlib figure: cropped render, colour bar, scale bar, title, note."""
    apply_matplotlib_style()
    import matplotlib.pyplot as plt
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.ticker import MaxNLocator, ScalarFormatter
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    limits, unit, cmap = scale
    top, bottom, left, right = crop
    shown = image[top:bottom, left:right]
    width_m = shown.shape[1] * metres_per_pixel
    height_m = shown.shape[0] * metres_per_pixel
    length_unit = unit_for("length", max(width_m, height_m))
    # Sizes in inches: the picture keeps its aspect, title above, scale bar and note below.
    img_w = 4.7
    img_h = img_w * shown.shape[0] / shown.shape[1]
    if img_h > FIGURE_SIZE[1]:  # a tall body: the figure narrows with it
        img_w, img_h = img_w * FIGURE_SIZE[1] / img_h, FIGURE_SIZE[1]
    fig_w = max(img_w + 1.7, 4.0)
    top, bottom = 0.45, 0.6
    fig_h = max(img_h, 2.6) + top + bottom
    fig = plt.figure(figsize=(fig_w, fig_h))
    image_bottom = bottom + 0.5 * (max(img_h, 2.6) - img_h)
    ax = fig.add_axes((0.1 / fig_w, image_bottom / fig_h, img_w / fig_w, img_h / fig_h))
    ax.imshow(
        shown,
        extent=(0.0, length_unit(width_m), 0.0, length_unit(height_m)),
        interpolation="lanczos",
    )
    ax.set_axis_off()
    bar = nice_length(min(width_m, 2 * height_m))
    bar_unit = unit_for("length", bar)
    ax.add_artist(
        AnchoredSizeBar(
            ax.transData,
            length_unit(bar),
            f"{bar / bar_unit.scale:g} {bar_unit.label}",
            "upper left",
            bbox_to_anchor=(0.0, 0.0),
            bbox_transform=ax.transAxes,
            pad=0.2,
            borderpad=0.2,
            sep=4,
            frameon=False,
            size_vertical=length_unit(height_m) * 0.008,
            fontproperties={"size": 8},
        )
    )
    bar_h = min(max(0.8 * img_h, 2.2), 3.6)
    cax = fig.add_axes(
        (
            (0.3 + img_w) / fig_w,
            (bottom + 0.5 * (max(img_h, 2.6) - bar_h)) / fig_h,
            0.16 / fig_w,
            bar_h / fig_h,
        )
    )
    mappable = ScalarMappable(norm=Normalize(unit(limits.low), unit(limits.high)), cmap=cmap)
    extend = {
        (True, True): "both",
        (True, False): "min",
        (False, True): "max",
    }.get((limits.clipped_low, limits.clipped_high), "neither")
    bar_label = f"{picture.spec.quantity}{unit.bracket()}"
    colourbar = fig.colorbar(mappable, cax=cax, extend=extend)
    colourbar.set_label(bar_label)
    cax.grid(False)
    colourbar.locator = MaxNLocator(nbins=7)
    formatter = ScalarFormatter(useOffset=False)
    formatter.set_scientific(False)
    colourbar.formatter = formatter
    colourbar.update_ticks()
    fig.text(0.1 / fig_w, 1 - 0.12 / fig_h, picture.title, ha="left", va="top", fontsize=10)
    notes = list(picture.notes)
    if limits.clipped_low or limits.clipped_high:
        notes.append(
            "colours clipped at the 1st and 99th percentiles (by area or volume); full range "
            f"{format_value(limits.data_min, picture.spec.family)} to "
            f"{format_value(limits.data_max, picture.spec.family)}"
        )
    if picture.view.note:
        notes.insert(0, picture.view.note)
    if notes:
        fig.text(0.1 / fig_w, 0.08 / fig_h, "; ".join(notes), fontsize=7, color="0.3", ha="left",
                 va="bottom", wrap=True)  # fmt: skip
    return fig


def with_unit(unit: Unit, text: str) -> str:
    """``text [unit]`` (``text`` alone for a dimensionless quantity)."""
    return f"{text}{unit.bracket()}"
