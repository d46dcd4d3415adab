"""Background jobs (Dramatiq). Actors take ids, never objects, and may run twice.

- ``registry``: the process's broker and the :func:`job` decorator declaring actors.
- ``after_commit``: enqueue a job only once the caller's transaction has committed.
- ``runtime``: the worker's ``Services`` (same builder as the API), built on its loop.
- ``log_context``: binds message id, actor and tenant into structlog for each message.
- ``embedded``: the in-process worker (and scheduler) of the embedded default.
- ``schedule``: the periodic-job table (every domain's ``periodic``) the scheduler runs.
- ``worker``: the module ``dramatiq`` loads; it imports every domain's job modules.

What a domain contributes is declared in its package's ``DOMAIN``
(``timeward.domains``).

See docs/jobs.md.
"""
