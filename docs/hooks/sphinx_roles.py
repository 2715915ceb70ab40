"""MkDocs hook: Sphinx cross-reference roles in docstrings shown as plain code.

femsi's docstrings are Google style but name other objects with Sphinx roles
(``:class:`~femsi.errors.InputError```, ``:func:`...```). mkdocstrings renders the role's name
as text in front of the code; this hook drops it (and the ``~`` prefix, keeping the last part
of the dotted path, as Sphinx shows it) from the API pages.
"""

from __future__ import annotations

import re

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|data|attr|exc|obj|const):(?=<code>)")
TILDE = re.compile(r"<code>~(?:[\w]+\.)*([\w]+)</code>")


def on_page_content(html: str, page, config, files) -> str:
    """Clean the roles out of the API reference pages."""
    if not page.file.src_uri.startswith("api/"):
        return html
    return TILDE.sub(r"<code>\1</code>", ROLE.sub("", html))
