"""Who may reach the audit pages: the service (everything) and LA DBAs (their LA's users)."""

from s2s.core.tests.matrix import Row

ROWS = [
    Row("audit:list", allowed={"admin", "la_dba"}),
    Row("audit:export", allowed={"admin", "la_dba"}),
]
