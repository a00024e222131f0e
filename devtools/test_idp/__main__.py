"""``python -m devtools.test_idp --port 8089 --sp-metadata-url http://127.0.0.1:8000/konto/saml/metadata/``.

Prints one line ``Test-IdP listening on <base url>`` to standard output once it accepts connections (with
``--port 0`` the system picks a free port; the test fixture reads it from that line).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

REFUSAL = (
    "Der Test-IdP startet nicht mit MITWIRKEN_ENV=production: er meldet jede beliebige Person an und signiert "
    "mit öffentlich bekannten Schlüsseln. (The test IdP refuses to run in production.)"
)


class ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        sys.stderr.write(f"test-idp: {format % args}\n")


def main(argv: list[str] | None = None) -> int:
    if os.environ.get("MITWIRKEN_ENV", "").strip().lower() == "production":
        print(REFUSAL, file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m devtools.test_idp", description="Test-IdP – nicht für den Echtbetrieb"
    )
    parser.add_argument("--profile", choices=["bundid", "muk"], default="bundid")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=None, help="default 8089 (bundid) or 8090 (muk); 0 = any free port")
    parser.add_argument("--base-url", help="public address if not http://HOST:PORT")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--sp-metadata-url", help="the SP's metadata, fetched on first use and when an issuer is unknown"
    )
    source.add_argument("--sp-metadata-file", help="the SP's metadata from a file (read on first use)")
    args = parser.parse_args(argv)

    # `src` on the path so the shared attribute table imports without installing the project.
    src = Path(__file__).resolve().parents[2] / "src"
    if str(src) not in sys.path:
        sys.path.insert(0, str(src))
    from .app import App
    from .idp import TestIdP

    port = args.port if args.port is not None else (8089 if args.profile == "bundid" else 8090)
    httpd = make_server(args.host, port, lambda e, s: [], server_class=ThreadingServer, handler_class=QuietHandler)
    base_url = args.base_url or f"http://{args.host}:{httpd.server_address[1]}"
    idp = TestIdP(args.profile, base_url, sp_metadata_url=args.sp_metadata_url, sp_metadata_file=args.sp_metadata_file)
    httpd.set_app(App(idp))
    print(f"Test-IdP listening on {base_url}", flush=True)
    print(
        f"Test-IdP – nicht für den Echtbetrieb. Profil {args.profile}, Metadaten {base_url}/metadata", file=sys.stderr
    )
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
