"""The controller side: each client company's employees, sites, time and privacy duties.

Everything here runs in a tenant-scoped session; the client company decides.
"""
