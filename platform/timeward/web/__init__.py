"""HTTP edge: app factory, middleware, error shape, health probes."""
