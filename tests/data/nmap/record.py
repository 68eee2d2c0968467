"""Re-record the nmap XML used by the unit tests, against loopback services started here.

Run as root from the repository root: .venv/bin/python tests/data/nmap/record.py
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import subprocess
import threading
from pathlib import Path

HERE = Path(__file__).parent
HTTP_PORT, SSH_PORT = 18080, 10022


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def handle(self) -> None:
        with contextlib.suppress(OSError):
            super().handle()


def _http() -> http.server.ThreadingHTTPServer:
    server = http.server.ThreadingHTTPServer(("127.0.0.2", HTTP_PORT), _Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _ssh_banner() -> socket.socket:
    listener = socket.create_server(("127.0.0.3", SSH_PORT))

    def serve() -> None:
        while True:
            conn, _ = listener.accept()
            with contextlib.suppress(OSError), conn:  # port scans reset the connection
                conn.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")

    threading.Thread(target=serve, daemon=True).start()
    return listener


def record(name: str, *options: str) -> None:
    argv = ["nmap", *options, "-n", "-oX", str(HERE / name)]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    _http(), _ssh_banner()
    record("discovery.xml", "-sn", "127.0.0.0/29")
    ports = f"{HTTP_PORT},{SSH_PORT}"
    record("ports.xml", "-Pn", "-sT", "-p", ports, "127.0.0.2", "127.0.0.3")
    record("versions.xml", "-Pn", "-sT", "-sV", "-p", ports, "127.0.0.2", "127.0.0.3")
    record("os.xml", "-Pn", "-sS", "-O", "-p", f"{HTTP_PORT},1", "127.0.0.2")
    text = (HERE / "versions.xml").read_bytes()
    (HERE / "truncated.xml").write_bytes(text[: len(text) * 2 // 3])


if __name__ == "__main__":
    main()
