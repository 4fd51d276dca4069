"""A no-op DCS stand-in for the streaming benchmark: answers like AEP's streaming service, stores nothing.

    python benchmarks/noop_dcs.py [--port 0]      # prints "READY http://127.0.0.1:PORT" once listening

- ``POST /dcs/collection/batch/{inlet}``: parses the body (as DCS must, to count and route the
  messages) and answers **207** with one ``{"xactionId": …}`` per message, the shape real DCS gives
  for a batch whose messages were all accepted; a body over 1 MB gets 413, a body that is not
  ``{"messages": [...]}`` gets 400;
- ``POST /dcs/collection/{inlet}``: 200 with an ``xactionId``;
- anything else: 404.

A raw ASGI app on uvicorn (uvloop, httptools), one process: the cheapest honest server, so that the
client's cost dominates the measurement. Its CPU use is printed at exit (``--stats``) by the caller.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
import uuid

import orjson
import uvicorn

MAX_REQUEST = 1_000_000


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    chunks = []
    more = True
    while more:
        msg = await receive()
        chunks.append(msg.get("body", b""))
        more = msg.get("more_body", False)
    body = b"".join(chunks)
    path = scope["path"]
    status, payload = 404, b'{"title":"Not Found"}'
    if scope["method"] == "POST" and path.startswith("/dcs/collection/"):
        inlet = path.rsplit("/", 1)[-1]
        if len(body) > MAX_REQUEST:
            status, payload = 413, b'{"title":"Payload Too Large"}'
        elif path.startswith("/dcs/collection/batch/"):
            try:
                n = len(orjson.loads(body)["messages"])
            except (orjson.JSONDecodeError, KeyError, TypeError):
                status, payload = 400, b'{"title":"Bad Request"}'
            else:
                tag = uuid.uuid4().hex
                status = 207
                payload = orjson.dumps({"inletId": inlet, "batchId": tag, "receivedTimeMs": int(time.time() * 1000),
                                        "responses": [{"xactionId": f"{tag}-{i}"} for i in range(n)]})
        else:
            status = 200
            payload = orjson.dumps({"inletId": inlet, "xactionId": uuid.uuid4().hex,
                                    "receivedTimeMs": int(time.time() * 1000)})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": payload})


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, loop="uvloop", http="httptools", log_level="warning", access_log=False,
                            lifespan="off", limit_concurrency=None, backlog=256)
    server = uvicorn.Server(config)
    print(f"READY http://127.0.0.1:{port} pid={os.getpid()}", flush=True)
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
