"""Great Expectations' Data Docs page views, with their compiled templates kept per process.

GX 1.x builds a new jinja2 ``Environment`` for every page it renders, so each run's Data
Docs page compiled the same thirty-odd templates again (about 0.7 s of a daily run's 1 s
of rendering on a 2-core machine). These views are GX's own (same templates, filters and
output); their environments share jinja2's file bytecode cache, so a template is compiled
once, not once per run. Selected by the Data Docs site of :mod:`checks.gx_suite`; imported by GX
when it renders a page.
"""

from __future__ import annotations

import jinja2
from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView

#: Compiled templates, shared by every process of this user (jinja2's default folder,
#: ``$TMPDIR/_jinja2-cache-<uid>``): keyed by template name and source checksum, checked
#: against the Python version, so a changed template or interpreter compiles again.
_TEMPLATES = jinja2.FileSystemBytecodeCache()


class CachedJinjaPageView(DefaultJinjaPageView):
    """GX's validation-result page view, its templates compiled once (:data:`_TEMPLATES`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _TEMPLATES


class CachedJinjaIndexPageView(DefaultJinjaIndexPageView):
    """GX's index page view, its templates compiled once (:data:`_TEMPLATES`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = _TEMPLATES
