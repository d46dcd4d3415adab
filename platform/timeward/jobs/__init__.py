"""Background jobs (Dramatiq). Actors take ids, never objects, and may run twice."""
