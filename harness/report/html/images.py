"""Screenshots in the report: shrunk, embedded once each, within one byte budget per report.

A screenshot is re-encoded as WebP at most :data:`MAX_SIDE` pixels wide (readable, a tenth of
the PNG's size); the original stays in the run folder and the report links to it. Once the
embedded images reach :data:`BUDGET_BYTES` of the page (as base64), later screenshots are
linked, not embedded, and not decoded either, so a large run still gives a small report that
opens fast and is written fast. Callers ask for the most useful screenshots first (failures,
then guides, then friction evidence).
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

BUDGET_BYTES = 3 * 1024 * 1024
"""Embedded images per report, counted as they weigh in the page (base64)."""
MAX_SIDE = (1000, 1800)
"""Largest width and height of an embedded screenshot, in pixels."""
QUALITY = 72
METHOD = 2
"""libwebp's effort (0-6): 2 is about twice as fast as 4 for a few percent more bytes."""
MAX_SOURCE_BYTES = 40 * 1024 * 1024
"""Files larger than this are linked, never decoded."""
KEEP = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
"""Formats embedded as they are when the file is already small enough."""


@dataclass
class Shot:
    """A screenshot: embedded as a ``data:`` URI, or a note saying why not; ``href`` links the original."""

    src: str | None
    note: str | None = None
    href: str | None = None


def shrink(path: Path) -> tuple[bytes, str] | None:
    """Return the image and its MIME type: a reduced WebP, or the file itself when that is smaller.

    None when the file is not an image Pillow can read, or is too large to decode.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        raw = path.read_bytes()
        with Image.open(io.BytesIO(raw)) as image:
            original = KEEP.get(image.format or "")
            fits = image.width <= MAX_SIDE[0] and image.height <= MAX_SIDE[1]
            image.thumbnail(MAX_SIDE)
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="WEBP", quality=QUALITY, method=METHOD)
    except (OSError, UnidentifiedImageError, ValueError, Image.DecompressionBombError):
        return None
    if original and fits and len(raw) <= buffer.tell():
        return raw, original
    return buffer.getvalue(), "image/webp"


def inside(run_dir: Path, rel: str | None) -> Path | None:
    """Return ``run_dir / rel`` when it is a file inside the run folder, else None."""
    if not rel:
        return None
    root = run_dir.resolve()
    try:
        path = (root / rel).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


class Images:
    """Embeds the screenshots of one report within :data:`BUDGET_BYTES` (each file encoded once)."""

    def __init__(self, folder: Path, budget: int = BUDGET_BYTES) -> None:
        self.folder = Path(folder)
        self.budget = budget
        self.used = 0
        self.embedded = 0
        self.full = False
        """Set by the first screenshot that did not fit: later ones are linked without being decoded."""
        self._done: dict[Path, str | None] = {}

    def shot(self, rel: str | None, error: str | None = None) -> Shot | None:
        """Embed the screenshot at ``rel`` (relative to the folder); None when there is none at all."""
        if not rel:
            return Shot(None, f"No screenshot: {error}") if error else None
        path = inside(self.folder, rel)
        if path is None:
            return Shot(None, f"Screenshot not found in the folder: {rel}")
        href = path.relative_to(self.folder.resolve()).as_posix()
        if self.full:
            return Shot(None, f"Screenshot not embedded (the report's image budget is spent); file: {rel}", href)
        if path not in self._done:
            self._done[path] = self._encode(path)
        src = self._done[path]
        if src is not None and self.used + len(src) > self.budget:
            self.full = True  # later screenshots are linked without being decoded
            return Shot(None, f"Screenshot not embedded (the report's image budget is spent); file: {rel}", href)
        if src is None:
            return Shot(None, f"Screenshot not embedded (not an image this report can show); file: {rel}", href)
        self.used += len(src)  # each use weighs in the page, a screenshot shown twice counts twice
        self.embedded += 1
        return Shot(src, None, href)

    def _encode(self, path: Path) -> str | None:
        found = shrink(path)
        if found is None:
            return None
        return f"data:{found[1]};base64," + base64.b64encode(found[0]).decode("ascii")
