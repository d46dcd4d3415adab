"""Timeward: the processor side (app factory, config, database, auth, jobs, audit).

The controller side (each client company's own data and duties) lives in the
``tenants`` package; this package never answers a data subject itself.
"""
