"""Per-tenant settings the client company chooses (location minimisation so far)."""
