"""Authentication: signed access tokens, refresh-token rotation, login throttling."""
