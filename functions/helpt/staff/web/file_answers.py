"""A file as the back office's answer, on the local preview: streamed from disk, never held in memory.

An export of a hundred thousand records is tens of megabytes. The back office writes it to a private
temporary file and answers with its path under BODY_FILE instead of a body; the preview server
(helpt_site.local_api.answer_chunks) sends the file a piece at a time and deletes it, whatever happens to
the connection. On AWS there are no such answers: a Lambda answer is at most 6 MB, so exports go through
S3 there (export_delivery.py).

The temporary files live in one folder of this user's, readable by nobody else, and a file that was never
sent (a test, a crash) is deleted by the next export after an hour: an export holds personal data.

Tests read such an answer with `read_body(answer)`, which also deletes the file.
"""

from __future__ import annotations

import base64
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from helpt.staff.web.pages import staff_response

BODY_FILE = "bodyFile"  # the answer's key for the file to send as its body (an extension of payload 2.0)
CHUNK_BYTES = 64 * 1024
LEFTOVER_SECONDS = 3600  # a file not sent within an hour never will be
_FOLDER_NAME = "helpt-exports"


def private_folder() -> Path:
    """This user's folder for files waiting to be sent: mode 0700, in the system's temporary folder."""
    folder = Path(tempfile.gettempdir()) / f"{_FOLDER_NAME}-{os.getuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    if folder.is_symlink() or folder.stat().st_uid != os.getuid():
        raise PermissionError(f"{folder} is not this user's own folder")
    os.chmod(folder, 0o700)
    return folder


def private_temporary_file(suffix: str) -> Path:
    """A new empty file (mode 0600) to write an answer into; files left over for an hour are deleted first."""
    folder = private_folder()
    cutoff = time.time() - LEFTOVER_SECONDS
    for leftover in folder.iterdir():
        try:
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()
        except FileNotFoundError:  # another request deleted it meanwhile
            pass
    handle, name = tempfile.mkstemp(prefix="export-", suffix=suffix, dir=folder)
    os.close(handle)
    return Path(name)


def file_response(path: Path, filename: str, content_type: str, *, secure: bool, cookies: Sequence[str] = ()) -> dict:
    """A download of the file at `path` (deleted once sent): `attachment`, never cached, the security headers.

    `filename` is ASCII (a date, a format): it goes into the header as it is."""
    answer = staff_response(200, "", secure=secure, cookies=cookies,
                            content_disposition=f'attachment; filename="{filename}"')  # fmt: skip
    answer["headers"]["content-type"] = content_type
    answer[BODY_FILE] = str(path)
    return answer


def body_length(answer: dict) -> int:
    """The number of bytes the answer's body is, as Content-Length says it."""
    if BODY_FILE in answer:
        return Path(answer[BODY_FILE]).stat().st_size
    return len(_inline_body(answer))


class BodyChunks:
    """The answer's body a piece at a time: a file's, or the inline body (decoded if it is base64).

    `close()` deletes an answer's file, sent or not: call it when the sending ends, however it ends (a
    generator's own `finally` would not run for one that never started)."""

    def __init__(self, answer: dict) -> None:
        self.path = Path(answer[BODY_FILE]) if BODY_FILE in answer else None
        self.inline = b"" if self.path else _inline_body(answer)

    def __iter__(self) -> Iterator[bytes]:
        if self.path is None:
            yield self.inline
            return
        with self.path.open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk

    def close(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def body_chunks(answer: dict) -> BodyChunks:
    """The answer's body, to send a piece at a time (and close() afterwards)."""
    return BodyChunks(answer)


def read_body(answer: dict) -> bytes:
    """The whole body of an answer, as a browser would receive it (for tests); deletes an answer's file."""
    chunks = BodyChunks(answer)
    try:
        return b"".join(chunks)
    finally:
        chunks.close()


def _inline_body(answer: dict) -> bytes:
    body = answer.get("body", "")
    return base64.b64decode(body) if answer.get("isBase64Encoded") else body.encode("utf-8")
