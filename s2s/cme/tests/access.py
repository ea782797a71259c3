"""Who may reach the CME pages: the LA's CME officers only (the page of their LA's signals)."""

from s2s.core.tests.matrix import Row

ROWS = [
    Row("cme:signals", allowed=frozenset({"la_cme"})),
]
