"""The colleague directory: the tenant's employees by name, job title and site, for its
other employees; off until the tenant switches it on, and without anyone who left it
(docs/workforce.md, "Directory")."""

from timeward.domain_shape import Domain

DOMAIN = Domain(
    name="directory",
    controllers=(
        "tenants.directory.routes:DirectoryController",
        "tenants.directory.routes:MyListingController",
    ),
)
