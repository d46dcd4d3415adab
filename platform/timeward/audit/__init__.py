"""Append-only, per-tenant hash-chained audit log."""
