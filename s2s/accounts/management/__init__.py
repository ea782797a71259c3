"""Management commands of the accounts app: create_user, create_token, review_users."""
