"""A TCP proxy in front of a MongoDB wire-protocol server that lets large replies trickle in, one byte at a time.

Small replies (the handshake, heartbeats) pass at once, so the client finds the server; a reply to a find of many
documents arrives a byte every `byte_seconds`, each byte well inside any socket timeout, the whole never in time.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from contextlib import contextmanager


def _exactly(connection: socket.socket, length: int) -> bytes:
    data = b""
    while len(data) < length:
        chunk = connection.recv(length - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _forward(source: socket.socket, target: socket.socket) -> None:
    while chunk := source.recv(65_536):
        target.sendall(chunk)


def _replies(server: socket.socket, client: socket.socket, byte_seconds: float, larger_than: int) -> None:
    while True:
        header = _exactly(server, 16)  # a wire message starts with its length, little-endian
        message = header + _exactly(server, int.from_bytes(header[:4], "little") - 16)
        if len(message) <= larger_than:
            client.sendall(message)
            continue
        for index in range(len(message)):
            client.sendall(message[index : index + 1])
            time.sleep(byte_seconds)


def _pipe(work, *connections: socket.socket) -> None:
    try:
        work()
    except OSError:  # either side hung up (ConnectionError is one)
        pass
    finally:
        for connection in connections:
            connection.close()


@contextmanager
def trickling_proxy(upstream_port: int, byte_seconds: float, larger_than: int = 2048):
    """Yields the proxy's MongoDB URI for as long as the block runs."""
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:  # the listener closed: the block is over
                return
            server = socket.create_connection(("127.0.0.1", upstream_port))
            for work in (
                functools.partial(_forward, client, server),
                functools.partial(_replies, server, client, byte_seconds, larger_than),
            ):
                threading.Thread(target=_pipe, args=(work, client, server), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield f"mongodb://127.0.0.1:{listener.getsockname()[1]}/?directConnection=true"
    finally:
        listener.close()
