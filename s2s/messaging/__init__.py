"""Secure messaging between schools and LAs: no attachments, plain text, short-lived (issue 6)."""
