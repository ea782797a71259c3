"""Who may reach the core pages."""

from s2s.core.tests.matrix import PAGE_ROLES, Row

ROWS = [
    Row("core:start", allowed=PAGE_ROLES),
    Row("core:health", public=True),
    Row("core:ready", public=True),
    Row("core:metrics", machines=True),
    Row("core:robots", public=True),
]
