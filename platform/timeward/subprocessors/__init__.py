"""The sub-processor registry (GDPR Art. 28(2)): public, versioned, managed by platform
admins; every change is announced to every active client with an objection window."""
