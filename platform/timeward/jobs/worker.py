"""Entry module for ``dramatiq timeward.jobs.worker``: sets the broker, loads actors."""

from __future__ import annotations

import dramatiq

from timeward.config import load_settings
from timeward.jobs.broker import build_broker

dramatiq.set_broker(build_broker(load_settings().broker_url))
