"""Retention: per-tenant periods (defaults in policies/retention.toml) and the scheduled
purge of what is past them, reporting counts. See docs/instructions.md."""
