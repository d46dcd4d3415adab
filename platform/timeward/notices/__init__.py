"""Processor notices to client admins (breaches, sub-processor changes): one row per
tenant and event, delivered by a background job by e-mail and in the app."""
