"""The preview's notifications: the queue in the local store, a sender thread, an outbox folder of .eml files."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from helpt.notify.delivery import EmailDelivery, FanOut, OutboxFolder, SmtpDelivery
from helpt.notify.queue import LocalNotifier
from helpt.notify.render import Renderer
from helpt.notify.sender import LocalSender, Sender
from helpt.settings import CitySettings

SMTP_VARIABLE = "HELPT_SMTP"  # host:port, beside or instead of `[notifications] smtp`


def outbox_folder(data_dir: Path) -> Path:
    return Path(data_dir) / "outbox"


def local_sender(city: CitySettings, store: object, data_dir: Path, translations_dir: Path,
                 notifier: LocalNotifier | None = None) -> LocalSender:  # fmt: skip
    """The preview's sender: into data/outbox, and through an SMTP server too when one is configured."""
    email: EmailDelivery = OutboxFolder(outbox_folder(data_dir))
    smtp = os.environ.get(SMTP_VARIABLE) or city.notifications.smtp
    if smtp:
        email = FanOut(email, SmtpDelivery(smtp))
    sender = Sender(city, store, Renderer(city, translations_dir), email)
    return LocalSender(sender, store, notifier)


def start_local_sender(runner: LocalSender, interval: float = 2.0) -> threading.Event:
    """Run the sender in a daemon thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=runner.run_forever, args=(stop, interval), name="helpt-notify", daemon=True).start()
    return stop
