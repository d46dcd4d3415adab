"""Structured logs with personal data redacted before output."""
