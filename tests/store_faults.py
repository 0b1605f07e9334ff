"""A TCP proxy in front of a local store server that can stall, refuse or restart on command: the faults a
real DynamoDB endpoint shows under load (a request that never gets an answer, connections reset, the endpoint
gone for a moment), made on purpose, over real sockets, for the form handler's real client.

Modes: `pass` (bytes go through both ways), `stall` (connections are accepted and nothing is ever answered),
`throttle` (every request is refused as DynamoDB refuses one over its capacity: HTTP 400,
ProvisionedThroughputExceededException), `refuse` (every connection, new and open, is closed at once: a server
restarting). Used by the fail-fast tests
and the soak (benchmarks/soak.py). PYTEST_DONT_REWRITE: no assertions here.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading

PASS, STALL, THROTTLE, REFUSE = "pass", "stall", "throttle", "refuse"
_THROTTLED = (
    b'{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",'
    b'"message":"The level of configured provisioned throughput for the table was exceeded."}'
)


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = PASS
        self.connections = 0  # accepted so far: a fault test can see whether the client came at all
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=2)
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            if self.mode == REFUSE:
                _reset(client)
                continue
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        try:
            selector = selectors.DefaultSelector()
            selector.register(client, selectors.EVENT_READ)
            while not self._stopped.is_set():
                if self.mode == REFUSE:
                    return
                if self.mode == STALL:  # read what comes, from either side, and never pass anything on
                    for key, _ in selector.select(timeout=0.1):
                        if not key.fileobj.recv(65536) and key.fileobj is client:  # type: ignore[union-attr]
                            return
                    continue
                if self.mode == THROTTLE:
                    if not _refuse_one_request(client):
                        return
                    continue
                if upstream is None:
                    upstream = socket.create_connection(self.target, timeout=5)
                    selector.register(upstream, selectors.EVENT_READ)
                for key, _ in selector.select(timeout=0.1):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    (upstream if key.fileobj is client else client).sendall(data)
        except OSError:
            return
        finally:
            _reset(client)
            if upstream is not None:
                upstream.close()


def _refuse_one_request(client: socket.socket) -> bool:
    """Read one HTTP request and answer it as a throttled DynamoDB does; False when the client has gone."""
    client.settimeout(5)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = client.recv(65536)
        if not chunk:
            return False
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
    while len(body) < length:
        chunk = client.recv(65536)
        if not chunk:
            return False
        body += chunk
    client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\n"
                   b"Content-Length: %d\r\n\r\n%s" % (len(_THROTTLED), _THROTTLED))  # fmt: skip
    client.settimeout(None)
    return True


def _reset(connection: socket.socket) -> None:
    """Close with a reset, as a server that goes away does: the client sees the connection dropped."""
    with contextlib.suppress(OSError):
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()
