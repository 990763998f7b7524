"""`python -m runtime._suite._serve FILE`: the replay server as a child process (see `ServerProcess`).

FILE holds `exchanges:` with placeholders already filled. Every exchange may answer any number
of times (none at all is fine: every request then gets the 599). The URL is printed on stdout once listening; the process exits when stdin closes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from runtime._suite._load import load_exchanges
from runtime._suite._server import Replay, ReplayServer


def main(argv: list[str]) -> int:
    exchanges, _ = load_exchanges(Path(argv[0]), allow_empty=True)
    server = ReplayServer().start()
    server.add(Replay(exchanges, reuse=True))
    print(server.url, flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
