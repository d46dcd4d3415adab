"""The service starts its jobs by registered name and never imports the jobs module
(which imports the service): each name it uses is an actor that module declares."""

from __future__ import annotations

import subprocess
import sys

from tenants.privacy_requests import jobs
from tenants.privacy_requests.service.job_starts import JOB_NAMES
from timeward.jobs.registry import current_broker


def test_every_job_the_service_starts_is_declared_under_that_name() -> None:
    declared = {
        jobs.build_privacy_export.actor_name,
        jobs.erase_privacy_subject.actor_name,
        jobs.scrub_requester_contact.actor_name,
        jobs.match_public_request.actor_name,
    }
    assert declared == set(JOB_NAMES)
    for name in JOB_NAMES:
        assert current_broker().get_actor(name).actor_name == name


def test_the_service_does_not_import_the_jobs_module() -> None:
    probe = (
        "import sys\n"
        "import tenants.privacy_requests.intake, tenants.privacy_requests.service\n"
        "import tenants.privacy_requests.views\n"
        "assert 'tenants.privacy_requests.jobs' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True)
