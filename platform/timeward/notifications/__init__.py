"""In-app notifications: tenant-scoped messages to members of a tenant."""
