"""The one e-mail address syntax of Timeward: a single mailbox that fits in a header.

An RFC 5322 dot-atom local part and a DNS host name, ASCII only: no quoted local
parts, comments, display names, address lists (commas), whitespace or control
characters. Request bodies validate with :data:`MAILBOX_PATTERN` (timeward.fields
``Email``); the outbox checks every recipient with :func:`is_mailbox` again.
"""

from __future__ import annotations

import re

MAX_LENGTH = 254
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_LOCAL_CHAR = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]"
# No positive lookahead: fuzzers (hypothesis) cannot generate for one.
MAILBOX_PATTERN = (
    r"^(?![\s\S]*[\r\n])"  # `$` would accept a final line break: refuse every one
    r"(?![^@]*\.\.)"  # no empty dot-atom part
    rf"{_ATEXT}(?:{_LOCAL_CHAR}{{0,62}}{_ATEXT})?@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
)
_MAILBOX = re.compile(MAILBOX_PATTERN)


def is_mailbox(address: str) -> bool:
    return len(address) <= MAX_LENGTH and _MAILBOX.fullmatch(address) is not None
