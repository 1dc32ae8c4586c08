"""A real HTTP hop in front of a live server that can lose the answer to one batch.

The request reaches the server and is committed; only the answer is lost, which is what a
dropped connection or a killed client looks like to an importer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import httpx

Fault = Literal["drop", "hold"]
_HOP_BY_HOP = {"host", "content-length", "connection", "transfer-encoding", "accept-encoding"}


class FaultyProxy:
    def __init__(self, upstream: str, faults: dict[int, Fault] | None = None) -> None:
        self.upstream = httpx.Client(base_url=upstream, timeout=60)
        self.faults = dict(faults or {})  # 1-based number of the batch POST -> fault
        self.requests = 0
        self.batch_posts = 0
        self.held = threading.Event()  # the held batch is stored; its answer is waiting
        self.release = threading.Event()
        self._lock = threading.Lock()
        self.url = ""

    def handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        fault = None
        with self._lock:
            self.requests += 1
            if handler.command == "POST" and handler.path.endswith("/victims"):
                self.batch_posts += 1
                fault = self.faults.pop(self.batch_posts, None)
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        answer = self.upstream.request(handler.command, handler.path, headers=headers, content=body)
        if fault == "drop":
            handler.close_connection = True  # no answer at all: the client sees the hang-up
            return
        if fault == "hold":
            self.held.set()
            self.release.wait(60)
        try:
            handler.send_response(answer.status_code)
            for key, value in answer.headers.items():
                if key.lower() not in _HOP_BY_HOP | {"content-encoding", "date", "server"}:
                    handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(answer.content)))
            handler.end_headers()
            handler.wfile.write(answer.content)
        except OSError:
            handler.close_connection = True  # the client is gone (killed)


@contextmanager
def faulty_proxy(upstream: str, faults: dict[int, Fault] | None = None) -> Iterator[FaultyProxy]:
    proxy = FaultyProxy(upstream, faults)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            proxy.handle(self)

        def do_POST(self) -> None:
            proxy.handle(self)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.release.set()
        server.shutdown()
        server.server_close()
        proxy.upstream.close()
