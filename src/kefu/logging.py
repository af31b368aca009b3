"""Logging filter that keeps customers' personal data out of application logs."""

import logging
import re

# Chinese mobile numbers (with optional +86) and e-mail addresses.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def redact(text: str) -> str:
    """Mask phone numbers and e-mail addresses in a log line."""
    text = _MOBILE.sub(r"\1****\2", text)
    return _EMAIL.sub(r"\1***@\2", text)


class RedactPII(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
