"""MkDocs hook: MathJax from a local copy, so equations render offline.

The site's pages mark their LaTeX with ``pymdownx.arithmatex`` (``generic: true``); MathJax 3
typesets it in the browser. Its single-file SVG build with every TeX extension
(``tex-svg-full.js``: no font files, no extension loaded at view time) is taken from the
``django-static-mathjax`` package (a dev dependency) and added to the site as
``javascripts/mathjax/tex-svg-full.js``, next to the configuration in ``javascripts/mathjax.js``.
"""

from __future__ import annotations

from importlib.resources import files as package_files

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

TARGET = "javascripts/mathjax/tex-svg-full.js"


def on_files(files: Files, config) -> Files:
    """Add MathJax's single-file SVG build to the site."""
    try:
        source = package_files("mathjax") / "static" / "mathjax" / "es5" / "tex-svg-full.js"
        content = source.read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as missing:
        raise PluginError(
            f"MathJax not found ({missing}): pip install django-static-mathjax (dev extra)"
        ) from missing
    files.append(File.generated(config, TARGET, content=content))
    return files
