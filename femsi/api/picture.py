"""A picture file that a Jupyter notebook shows inline and any code can use as a path."""

from __future__ import annotations

import base64
import os
from pathlib import Path


class Picture(os.PathLike):
    """A written PNG or GIF file.

    A notebook cell that ends with a picture shows it (PNG through ``_repr_png_``, an animated
    GIF through ``_repr_html_``); anywhere else it is a path: ``open(picture, "rb")``,
    ``PIL.Image.open(picture)``, ``shutil.copy(picture, ...)``.

    Args:
        path: The image file.

    Attributes:
        path: The image file.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __fspath__(self) -> str:
        return str(self.path)

    def __repr__(self) -> str:
        return f"Picture({str(self.path)!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Picture):
            return self.path == other.path
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.path)

    def _repr_png_(self) -> bytes | None:
        """The PNG bytes for Jupyter (None for a GIF: shown as HTML)."""
        if self.path.suffix.lower() != ".png":
            return None
        return self.path.read_bytes()

    def _repr_html_(self) -> str | None:
        """An ``<img>`` with the GIF inline for Jupyter (None for a PNG)."""
        if self.path.suffix.lower() != ".gif":
            return None
        data = base64.b64encode(self.path.read_bytes()).decode()
        return f'<img src="data:image/gif;base64,{data}" alt="{self.path.name}"/>'
