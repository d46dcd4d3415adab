"""Authorization: Casbin policies from policies/, enforced by one guard on every route."""
