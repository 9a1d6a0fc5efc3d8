"""The bundled sample: real Yahoo-derived daily bars shipped in ``data/sample``.

See ``data/sample/SOURCES.md`` for provenance, conventions (split-adjusted OHLC and
volume, dividend-and-split adjusted ``adj_close``), coverage per symbol and caveats. This
is the offline default for ``make demo`` and the tests.
"""

from __future__ import annotations

from bellwether.settings import SAMPLE_DIR
from bellwether.sources.files import FileSource


class BundledSource(FileSource):
    """The files source pointed at ``data/sample``."""

    def __init__(self) -> None:
        super().__init__(SAMPLE_DIR, root=SAMPLE_DIR, name="bundled")
