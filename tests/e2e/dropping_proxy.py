"""A TCP proxy in front of the gateway that drops one connection mid-stream.

It forwards bytes both ways and, the first time the gateway's reply carries the marker
(by default the first `chapter` event of an SSE stream), closes that connection instead
of forwarding the chunk: the client loses the event in transit, as on a broken network.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator


class DroppingProxy:
    def __init__(self, target_port: int, marker: bytes = b"event: chapter") -> None:
        self.target_port = target_port
        self.marker = marker
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sent_upstream = bytearray()  # every request byte, to check the resume headers
        self.dropped = threading.Event()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            threading.Thread(target=self._pipe, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pipe, args=(upstream, client, False), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket, to_gateway: bool) -> None:
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                if to_gateway:
                    with self._lock:
                        self.sent_upstream += chunk
                elif self.marker in chunk and not self.dropped.is_set():
                    self.dropped.set()
                    break
                sink.sendall(chunk)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self.server.close()
        for sock in self._sockets:
            sock.close()


@contextlib.contextmanager
def dropping_proxy(target_port: int) -> Iterator[DroppingProxy]:
    proxy = DroppingProxy(target_port)
    threading.Thread(target=proxy._accept, daemon=True).start()
    try:
        yield proxy
    finally:
        proxy.close()
