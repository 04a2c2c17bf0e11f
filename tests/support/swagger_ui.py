"""A real Swagger UI (``swagger-ui-dist`` from npm), 3.x or 5.x, serving the Helpdesk API's reference page.

``swagger_ui_dist(version)`` unpacks (once) the npm package of that exact release into
``~/.cache/adoption-harness/swagger-ui-<version>`` with ``npm pack`` (the package's files only: no
install scripts, no dependencies), marked complete by a JSON file written last and guarded by a file
lock, like the Django environments (:func:`tests.support.vendor_sites.cached_build`). ``swagger_ui(version)``
serves that dist folder on 127.0.0.1 together with the fixture site in
``tests/fixtures/swagger_ui/site`` (an ``index.html`` of our own calling ``SwaggerUIBundle`` with
``deepLinking: true`` on ``openapi.yaml``, an OpenAPI 3.0 document), and yields its base URL.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from tests.support.servers import serve
from tests.support.vendor_sites import answers, cached_build, read_marker, run

SITE = Path(__file__).resolve().parents[1] / "fixtures" / "swagger_ui" / "site"
PACKAGE = "swagger-ui-dist"
#: The releases the corpus compares: the last 3.x (where the guides were written) and a current 5.x.
VERSIONS = ("3.52.5", "5.35.0")

__all__ = ["SITE", "VERSIONS", "SwaggerUiError", "swagger_ui", "swagger_ui_dist"]


class SwaggerUiError(RuntimeError):
    """The Swagger UI release could not be fetched, unpacked or served."""


def swagger_ui_dist(version: str) -> Path:
    """Return the dist folder of a ``swagger-ui-dist`` release, fetching it from npm once.

    Args:
        version: An exact release, e.g. ``"3.52.5"``.

    Raises:
        SwaggerUiError: When npm is missing, or the package cannot be fetched or unpacked.
    """
    if version not in VERSIONS:
        raise ValueError(f"unsupported Swagger UI version {version!r} (known: {', '.join(VERSIONS)})")
    folder = cached_build(f"swagger-ui-{version}",
                          lambda folder: read_marker(folder, "dist/swagger-ui-bundle.js", version=version) is not None,
                          functools.partial(_unpack, version))
    return folder / "dist"


def _unpack(version: str, folder: Path) -> dict[str, str]:
    """``npm pack`` the release into a temporary folder and extract its ``package/`` as ``folder/dist``."""
    npm = shutil.which("npm")
    if npm is None:
        raise SwaggerUiError("npm is needed to fetch swagger-ui-dist for these tests")
    folder.mkdir(parents=True)
    with tempfile.TemporaryDirectory(prefix=f"swagger-ui-{version}-") as tmp:
        try:
            done = run([npm, "pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", tmp],
                       cwd=Path(tmp), timeout=300, error=SwaggerUiError)
        except subprocess.TimeoutExpired as exc:
            raise SwaggerUiError(str(exc)) from exc
        tarball = Path(tmp) / json.loads(done.stdout)[0]["filename"]
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        package = json.loads((Path(tmp) / "package" / "package.json").read_text())
        if package.get("version") != version:
            raise SwaggerUiError(f"npm pack {PACKAGE}@{version} gave version {package.get('version')!r}")
        shutil.move(str(Path(tmp) / "package"), folder / "dist")
    return {"package": PACKAGE, "version": version}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the fixture site's files, and Swagger UI's dist files for every other path."""

    site: ClassVar[Path] = SITE
    extensions_map: ClassVar[dict[str, str]] = {  # type: ignore[misc]
        **http.server.SimpleHTTPRequestHandler.extensions_map, ".yaml": "application/yaml"}

    def translate_path(self, path: str) -> str:
        served = super().translate_path(path)
        mine = self.site / Path(served).relative_to(self.directory)
        if mine.is_file() or (Path(served).is_dir() and (mine / "index.html").is_file()):
            return str(mine)
        return served

    def do_GET(self) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the browser left the page meanwhile
            super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        return


@contextlib.contextmanager
def swagger_ui(version: str) -> Iterator[str]:
    """Serve the Helpdesk API's reference page with Swagger UI ``version``.

    Args:
        version: One of :data:`VERSIONS`.

    Yields:
        The base URL, e.g. ``http://127.0.0.1:41234`` (the page is ``/``, operations ``/#/tag/operationId``).

    Raises:
        SwaggerUiError: When the release cannot be fetched or the server does not answer.
    """
    dist = swagger_ui_dist(version)
    with serve(functools.partial(_Handler, directory=str(dist))) as url:
        for path in ("/", "/openapi.yaml", "/swagger-ui-bundle.js"):
            if not answers(url + path):
                raise SwaggerUiError(f"Swagger UI {version} on {url} did not serve {path}")
        yield url
