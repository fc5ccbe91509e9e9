"""A local SMTP sink: Keycloak's password-reset mail lands here instead of the world (dev stack and tests).

Built on aiosmtpd's controller (its own thread and event loop). Messages are kept in memory for
tests and, when a folder is given, written as ``.eml`` files so a person can read them in dev.
"""

from __future__ import annotations

import email
import email.policy
import re
import threading
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from devstack.keycloak_server import free_port


@dataclass(frozen=True)
class ReceivedMail:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["subject"] or "")

    @property
    def body(self) -> str:
        """Plain-text body (falls back to the HTML part)."""
        part = self.message.get_body(preferencelist=("plain", "html"))
        return part.get_content() if part is not None else ""

    def links(self) -> list[str]:
        return re.findall(r"https?://[^\s\"<>]+", self.body)


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.sink._deliver(ReceivedMail(envelope.mail_from, tuple(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SmtpSink:
    """``start()``/``stop()``; ``wait_for(recipient)`` returns the newest mail to that address."""

    def __init__(self, port: int | None = None, host: str = "127.0.0.1", maildir: Path | None = None) -> None:
        self.host = host
        self.port = port or free_port()
        self.maildir = maildir
        self.messages: list[ReceivedMail] = []
        self._cond = threading.Condition()
        self._controller = Controller(_Handler(self), hostname=host, port=self.port)

    def start(self) -> SmtpSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def _deliver(self, mail: ReceivedMail) -> None:
        if self.maildir is not None:
            self.maildir.mkdir(parents=True, exist_ok=True)
            name = f"{time.time():.6f}-{mail.recipients[0] if mail.recipients else 'unknown'}.eml"
            (self.maildir / name).write_bytes(mail.message.as_bytes())
        with self._cond:
            self.messages.append(mail)
            self._cond.notify_all()

    def wait_for(self, recipient: str, timeout: float = 30.0, after: int = 0) -> ReceivedMail:
        """The first mail to ``recipient`` among those received after index ``after``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for mail in self.messages[after:]:
                    if recipient.lower() in (r.lower() for r in mail.recipients):
                        return mail
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no mail to {recipient} within {timeout} s")
                self._cond.wait(remaining)


def main() -> None:
    """Run the sink in the foreground (``python -m devstack.smtp_sink PORT MAILDIR``), for the dev stack."""
    import sys

    port = int(sys.argv[1]) if len(sys.argv) > 1 else 2525
    maildir = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    sink = SmtpSink(port=port, maildir=maildir).start()
    print(f"SMTP sink on 127.0.0.1:{port}", flush=True)
    try:
        threading.Event().wait()
    finally:
        sink.stop()


if __name__ == "__main__":
    main()
