"""The built documentation site in headless Chromium, and its links.

Every page of the site (``mkdocs build --strict``, built once: tests/unit/conftest.py) is
served over local HTTP, as a reader would get it, and opened in Chromium: no JavaScript
exception, no console error, no failed load (stylesheets, scripts, images, the search
index). Every internal link and anchor (``href="page/#section"``) and every local image,
stylesheet and script is checked against the built files. The sweep report is opened in
Chromium by tests/studies/test_report.py.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

from tests.support.browser import browser, load, needs_chromium


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture(scope="module")
def served_site(built_site) -> Iterator[str]:
    """The built site on http://127.0.0.1:PORT (a thread of this process)."""
    handler = functools.partial(_Quiet, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


@needs_chromium
def test_every_page_loads_without_errors(built_site, served_site):
    pages = _pages(built_site)
    assert "index.html" in pages and "sweeps/index.html" in pages
    problems = {}
    with browser() as context:
        for page in pages:
            loaded = load(context, f"http://{served_site}/{page}", local_hosts=(served_site,))
            text = loaded.page.inner_text("body")  # type: ignore[attr-defined]
            loaded.page.close()  # type: ignore[attr-defined]
            outside = list(loaded.external)  # none: no web font (theme.font false), no CDN
            if loaded.errors or outside or len(text) < 200:
                problems[page] = loaded.errors + outside + ([] if len(text) >= 200 else ["blank"])
    assert not problems, problems


@needs_chromium
def test_the_page_check_sees_errors(tmp_path):
    """The check itself: a broken script, a missing image and a remote request are caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<html><body><img src='missing.png'><script>undefinedFunction()</script>"
        "<script>setTimeout(() => { throw new Error('late') }, 50)</script>"
        "<img src='https://example.org/x.png'></body></html>"
    )
    with browser() as context:
        loaded = load(context, page.as_uri())
    joined = " ".join(loaded.errors)
    assert "undefinedFunction is not defined" in joined
    assert "late" in joined  # thrown after the load event
    assert "missing.png" in joined
    assert loaded.external == ["https://example.org/x.png"]


class _Links(HTMLParser):
    """The ids of a page and the local references it makes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.refs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        for name in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(name):
                self.ids.add(attrs[name])
        ref = {"a": "href", "link": "href", "img": "src", "script": "src"}.get(tag)
        if ref and attrs.get(ref):
            self.refs.append(attrs[ref])


def _parse(path: Path) -> _Links:
    links = _Links()
    links.feed(path.read_text(encoding="utf-8"))
    return links


def broken_links(site: Path) -> list[str]:
    """Local links of the built site to a missing file or a missing anchor."""
    parsed = {page: _parse(site / page) for page in _pages(site)}
    broken = []
    for page, links in parsed.items():
        base = "http://site/" + page
        for ref in links.refs:
            url = urlparse(urljoin(base, ref))
            if url.scheme != "http" or url.netloc != "site":
                continue  # another site, mailto:, data:
            path = unquote(url.path.lstrip("/"))
            target = site / path
            if target.is_dir() or path == "":
                target, path = target / "index.html", (path + "/index.html").lstrip("/")
            path = path.replace("//", "/")
            if not target.is_file():
                broken.append(f"{page}: {ref} (no file {path})")
            elif url.fragment and path in parsed and unquote(url.fragment) not in parsed[path].ids:
                broken.append(f"{page}: {ref} (no anchor #{url.fragment} in {path})")
    return broken


def test_internal_links_and_anchors_resolve(built_site):
    assert broken_links(built_site) == []


def test_the_link_check_sees_broken_links(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<h2 id='here'>x</h2><a href='#here'>ok</a>")
    (tmp_path / "index.html").write_text(
        "<a href='a/'>ok</a><a href='a/#here'>ok</a><a href='a/#gone'>bad anchor</a>"
        "<a href='b/'>bad page</a><img src='a/missing.png'><a href='https://x.org/#y'>out</a>"
    )
    assert broken_links(tmp_path) == [
        "index.html: a/#gone (no anchor #gone in a/index.html)",
        "index.html: b/ (no file b/)",
        "index.html: a/missing.png (no file a/missing.png)",
    ]
