"""Data-subject requests (GDPR Art. 12-22): the controller's flow (docs/architecture.md, Flow A).

An employee files a request in the app, or anyone files one at the public intake; the
request lands in the employer's queue and only a client admin of that tenant decides
and fulfils it (export, erasure, rectification, restriction, objection, consent
withdrawal). The platform routes and records; it never decides. See
docs/privacy-requests.md.
"""
