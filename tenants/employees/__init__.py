"""Employees: the people whose time is tracked (data subjects of the client company)."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="employees",
    controllers=("tenants.employees.routes:EmployeesController",),
)
