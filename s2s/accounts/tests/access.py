"""Who may reach the account pages."""

from s2s.core.tests.matrix import ALL_ROLES, PAGE_ROLES, Row

ROWS = [
    Row("accounts:sign-in", public=True),
    Row("accounts:sign-out", allowed=ALL_ROLES, method="post"),
    Row("accounts:password-change", allowed=PAGE_ROLES),
    Row("accounts:two-factor", allowed=PAGE_ROLES),
]
