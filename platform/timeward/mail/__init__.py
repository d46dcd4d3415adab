"""Outbound e-mail: a tenant-scoped outbox table delivered by a background job.

Features call :func:`timeward.mail.service.queue_email` inside their transaction;
the ``send_email`` actor delivers after commit. Mail is never sent inside an HTTP
request.
"""
