"""Writing a file that holds personal data: private to its owner, and whole or not at all.

An export is written to a temporary file next to the destination (created readable by its owner only) and
renamed into place once it is complete and logged, so an interrupted export never leaves half a file that
looks like a whole one, and no other account on the machine can read it meanwhile.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def private_file(destination: Path) -> Iterator[Path]:
    """A temporary path to write to; renamed to `destination` (mode 0600) if the block ends without error."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    os.close(handle)  # mkstemp creates it 0600; writers reopen it by name
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o600)
        os.replace(temporary, destination)
    finally:
        temporary.unlink(missing_ok=True)
