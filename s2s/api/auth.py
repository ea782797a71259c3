"""Bearer-token authentication: a token acts as its user, with that user's role and scope."""

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from s2s.accounts.models import ApiToken, User
from s2s.accounts.policy import Action, has_capability
from s2s.core.prepared import PreparedRead

# last_used_at is for people reviewing tokens, not an audit trail: a minute's precision
# spares a database write on every request of a busy connector.
TOUCH_EVERY = timedelta(minutes=1)


# The token with its user and the user's place, read on every request (never cached, so a
# revoked token stops at once); compiled once (core/prepared.py): building this query's
# joins cost more than running it. No ORDER BY: the key is unique.
_TOKEN = PreparedRead(
    lambda key_hash: ApiToken.objects.select_related("user", "user__establishment", "user__la")
    .filter(key_hash=key_hash, revoked_at__isnull=True).order_by()[:1])


def working_token(key: str) -> ApiToken | None:
    """Return the working token of this key, if its user is active and may use the API."""
    if not key:
        return None
    token = _TOKEN.first(ApiToken.hash(key))
    if token is None:
        return None
    if not has_capability(token.user, Action.USE_API):
        return None
    _touch(token)
    return token


def _touch(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return
    # Conditional, so concurrent requests of the same connector write it once.
    stale = now - TOUCH_EVERY
    ApiToken.objects.filter(pk=token.pk).exclude(last_used_at__gte=stale).update(last_used_at=now)


class BearerToken(HttpBearer):
    """`Authorization: Bearer s2s_...`, checked on every request; no session, no CSRF."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        """Return the token's user (ninja keeps it as `request.auth`), or None for a 401."""
        found = working_token(token.strip())
        if found is None:
            return None
        # Services and the audit trail read the acting person from the request too; the rate
        # limit counts per token (api/throttling.py).
        request.user = found.user
        request.api_token_id = found.pk
        return found.user
