"""`s2s create_user`, `s2s create_token` and `s2s review_users`."""
