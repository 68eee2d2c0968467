"""Re-record the raw HTTP probe results used by the unit tests, from loopback servers started here.

Run from the repository root: .venv/bin/python tests/data/http/record.py  (needs openssl)
"""

from __future__ import annotations

import contextlib
import http.server
import json
import ssl
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from spbe_collector.probes.get import fetch, make_client

HERE = Path(__file__).parent
PAGE = (
    b"<!doctype html><html><head><meta charset='utf-8'>\n<title>\n  Portal Kabupaten Serang"
    b" &amp; Layanan (contoh)\n</title></head><body>Data contoh fiktif.</body></html>"
)


class Handler(http.server.BaseHTTPRequestHandler):
    server_version = "nginx/1.22.1"
    sys_version = ""

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path == "/lama":
            self._send(301, b"", {"Location": "/baru"})
        elif self.path == "/baru":
            self._send(302, b"", {"Location": "/"})
        elif self.path == "/lambat":
            time.sleep(2)
            self._send(200, PAGE)
        elif self.path == "/":
            self._send(200, PAGE, {"Content-Type": "text/html; charset=utf-8"})
        else:
            self._send(404, b"<html><title>404 Not Found</title></html>")

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)


def _certificates(workdir: Path) -> tuple[Path, Path, Path, Path]:
    ca_key, ca, key, cert = (workdir / n for n in ("ca.key", "ca.pem", "srv.key", "srv.pem"))
    subj = "/C=ID/O=Contoh Diskominfosatik (fiktif)"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out",
             str(ca), "-days", "3650", "-subj", f"{subj}/CN=Contoh CA Uji")  # fmt: skip
    csr = workdir / "srv.csr"
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
             "-subj", f"{subj}/CN=127.0.0.3")  # fmt: skip
    ext = workdir / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.3\n")
    signing = ["-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial"]
    _openssl("x509", "-req", "-in", str(csr), *signing, "-out", str(cert), "-days", "825",
             "-extfile", str(ext))  # fmt: skip
    return ca, key, cert, ca_key


def _serve(host: str, context: ssl.SSLContext | None = None) -> int:
    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def _save(name: str, url: str, **client: object) -> None:
    with make_client(**client) as http_client:
        raw = fetch(http_client, url)
    (HERE / f"{name}.json").write_text(json.dumps(raw.to_json(), indent=2, sort_keys=True) + "\n")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ca, key, cert, ca_key = _certificates(Path(tmp))
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(cert, key)
        plain, secure = _serve("127.0.0.2"), _serve("127.0.0.3", tls)
        trusted = ssl.create_default_context(cafile=str(ca))
        _save("ok", f"http://127.0.0.2:{plain}/", timeout_s=5)
        _save("redirects", f"http://127.0.0.2:{plain}/lama", timeout_s=5)
        _save("not_found", f"http://127.0.0.2:{plain}/hilang", timeout_s=5)
        _save("timeout", f"http://127.0.0.2:{plain}/lambat", timeout_s=0.5)
        _save("tls_ok", f"https://127.0.0.3:{secure}/", timeout_s=5, verify=trusted)
        _save("tls_untrusted", f"https://127.0.0.3:{secure}/", timeout_s=5)
        with contextlib.closing(__import__("socket").socket()) as probe:
            probe.bind(("127.0.0.4", 0))
            closed = probe.getsockname()[1]
        _save("refused", f"http://127.0.0.4:{closed}/", timeout_s=5)
        del ca_key


if __name__ == "__main__":
    main()
