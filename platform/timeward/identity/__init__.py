"""Tenants, global user identities, memberships and platform staff."""
