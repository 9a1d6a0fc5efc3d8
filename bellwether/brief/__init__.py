"""The verifiable daily market brief: every figure a named query, every sentence a rule.

:func:`bellwether.brief.compose.compose_brief` runs the named queries of ``sql/queries``
for a session and turns their rows into sentences by fixed rules; every number printed is
a :class:`~bellwether.brief.model.Figure` that remembers the query, its parameters, the
row and the column it came from, and is footnoted with the query's name.
:mod:`bellwether.brief.render` writes ``reports/<session>.md``, ``.html`` and ``.json``.
"""
