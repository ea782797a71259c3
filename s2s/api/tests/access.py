"""The API's rows in the authorisation matrix: only its public, named URLs.

The matrix asks every named URL as a signed-in person and expects a signed-out visitor to be
sent to sign in. API endpoints take no session: they answer 401 without a token, so their URL
patterns carry no names (`s2s/api/urls.py`) and `test_api_authorisation.py` asks each of them
with a token of every role, for files in and out of scope. What stays named is public: the
OpenAPI document, its docs page, and the root, which redirects to the docs.
"""

from s2s.core.tests.matrix import Row

ROWS = [
    Row("api-v1:openapi-json", public=True),
    Row("api-v1:openapi-view", public=True),
    Row("api-v1:api-root", public=True, redirect="api-v1:openapi-view"),
]
