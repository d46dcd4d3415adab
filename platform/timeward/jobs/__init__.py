"""Background jobs (Dramatiq). Actors take ids, never objects, and may run twice.

- ``registry``: the process's broker and the :func:`job` decorator declaring actors.
- ``after_commit``: enqueue a job only once the caller's transaction has committed.
- ``runtime``: the settings and the ``Database`` async actors use on the worker's loop.
- ``log_context``: binds message id, actor and tenant into structlog for each message.
- ``embedded``: the in-process worker (and scheduler) of the embedded default.
- ``schedule``: the periodic-job table run by ``timeward scheduler``.
- ``worker``: the module ``dramatiq`` loads; it imports every actor module.

See docs/jobs.md.
"""
