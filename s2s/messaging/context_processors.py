"""Tell a signed-in person on every page that new messages are waiting (seed 003, 6.1)."""

from s2s.accounts.policy import Action, has_capability


def unread_messages(request):
    """Give templates how many unread messages the user has (0 for those without messages)."""
    user = getattr(request, "user", None)
    if not has_capability(user, Action.MESSAGES):
        return {"unread_message_count": 0}
    from s2s.messaging.selectors import unread_count

    return {"unread_message_count": unread_count(user=user)}
