"""Transfers: uploads, addressing, encrypted storage, downloads, rejects and retention."""
