"""Employees: the people whose time is tracked (data subjects of the client company)."""
