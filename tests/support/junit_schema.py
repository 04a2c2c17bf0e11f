"""The JUnit schema CI servers read: Jenkins/Surefire's ``junit-10.xsd``, as pytest's own test suite uses it.

It is not copied into this repository: pytest's source distribution on PyPI ships it
(``testing/example_scripts/junit-10.xsd``, MIT), so the first test that needs it downloads
that sdist with pip, once, into ``~/.cache/adoption-harness/junit-xsd`` (or under
``$XDG_CACHE_HOME``), and validates with ``lxml``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tempfile
from functools import cache
from pathlib import Path

from lxml import etree

PYTEST_SDIST = "pytest==9.1.1"
MEMBER = "testing/example_scripts/junit-10.xsd"


def cache_dir() -> Path:
    """Where the schema is kept between test sessions."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "adoption-harness" / "junit-xsd"


def schema_path() -> Path:
    """The path of ``junit-10.xsd``, fetched from pytest's sdist on PyPI the first time."""
    path = cache_dir() / PYTEST_SDIST.replace("==", "-") / "junit-10.xsd"
    if path.is_file():
        return path
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", ":all:",
                        PYTEST_SDIST, "-d", tmp], check=True, capture_output=True, timeout=600)
        sdist = next(Path(tmp).glob("pytest-*.tar.gz"))
        with tarfile.open(sdist) as tar:
            member = next(m for m in tar.getmembers() if m.name.endswith(MEMBER))
            data = tar.extractfile(member)
            assert data is not None
            text = data.read()
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    part.write_bytes(text)
    part.replace(path)
    return path


@cache
def junit_schema() -> etree.XMLSchema:
    """The schema, ready to validate."""
    return etree.XMLSchema(etree.parse(str(schema_path())))


def schema_errors(xml_path: Path) -> list[str]:
    """The schema's complaints about a file (empty: it is valid)."""
    schema = junit_schema()
    schema.validate(etree.parse(str(xml_path)))
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
