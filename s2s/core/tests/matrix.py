"""The authorisation matrix's vocabulary: one Row per URL (and per kind of object it shows).

Each app lists its rows in `<app>/tests/access.py` as `ROWS = [...]`. The matrix test
(`test_authorisation_matrix.py`) walks the URLconf and fails when a named URL has no row, then
asks every URL as every role and checks the answer: allowed roles get a page (2xx, or a
redirect to the page the row names), everyone else gets 404, and a signed-out visitor is sent
to sign in.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ALL_ROLES = frozenset({
    "admin", "la_dba", "la_dba_view", "la_user", "la_school", "la_lost_pupil",
    "la_lost_pupil_transfer", "la_census", "la_admissions", "la_cme", "school", "agency",
    "connector",
})
PAGE_ROLES = ALL_ROLES - {"connector"}


@dataclass(frozen=True)
class Row:
    """One URL asked with one set of arguments.

    url_name: the namespaced name, e.g. "directory:school-detail".
    allowed: the roles that get a page; every other role must get 404.
    kwargs: a function of the World (the fixture's people and places) giving the URL's kwargs,
        so a row can point at an object in the user's scope or outside it.
    public: the page is for signed-out visitors too (sign-in, activation): no 404 check.
    machines: the URL is for machines that show an address or a token, never for a person
        (`/metrics`; its own tests let them in): 404 to signed-out visitors and every role.
    method: "get" or "post" (a POST row sends no data: it checks who is let in, not the form).
    label: what the row is about ("another LA's school"), for the failure message.
    redirect: the URL name an allowed role is sent on to (a POST that acts, a page with nothing
        to show yet), or several separated by spaces where the role decides which (a school's
        calendar or its LA's); a redirect anywhere else, or on a row without one, is a refusal.
    """

    url_name: str
    allowed: frozenset = field(default_factory=frozenset)
    kwargs: Callable | None = None
    public: bool = False
    machines: bool = False
    method: str = "get"
    label: str = ""
    redirect: str = ""
