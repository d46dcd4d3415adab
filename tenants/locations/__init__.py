"""Locations captured at clock in/out: minimisation by tenant mode, sealing, reduction."""
