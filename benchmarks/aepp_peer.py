"""The peer: Adobe's Python SDK ``aepp`` streaming pre-built envelopes (run in aepp's own virtual env).

    <aepp venv>/bin/python benchmarks/aepp_peer.py --envelopes FILE.jsonl --dcs URL --inlet ID \
        --org ORG --client-id ID --token TOKEN [--batch 500]

Reads every envelope into memory first, then times only its send loop (``DataIngestion.streamMessages``,
``--batch`` messages per request, one request at a time: aepp is synchronous), the way the issue
measured it: no file reading, no envelope building, no validation inside the timer. Prints one JSON
line: records, seconds, requests, and the messages the 207 answers reported as failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--envelopes", required=True)
    ap.add_argument("--dcs", required=True, help="streaming base URL, e.g. http://127.0.0.1:PORT/dcs")
    ap.add_argument("--inlet", required=True)
    ap.add_argument("--org", required=True)
    ap.add_argument("--client-id", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--sandbox", default="prod")
    ap.add_argument("--batch", type=int, default=500)
    args = ap.parse_args(argv)

    import aepp
    from aepp import ingestion

    with open(args.envelopes, "rb") as fh:
        envelopes = [json.loads(line) for line in fh if line.strip()]
    aepp.configure(org_id=args.org, client_id=args.client_id, secret="unused", scopes="openid",
                   sandbox=args.sandbox, accesstoken=args.token)
    aepp.config.config_object["connectionType"] = "oauthV2"  # what aepp sets when it fetched the token itself
    ing = ingestion.DataIngestion()
    ing.endpoint_streaming = args.dcs  # aepp has no setting for it: DCS is https://dcs.adobedc.net
    failed = requests = 0
    t0 = time.perf_counter()
    for start in range(0, len(envelopes), args.batch):
        res = ing.streamMessages(args.inlet, data=envelopes[start:start + args.batch])
        requests += 1
        answers = res.get("responses", []) if isinstance(res, dict) else []
        failed += sum(1 for a in answers if "xactionId" not in a or a.get("status", 200) >= 400)
        if not answers:
            failed += len(envelopes[start:start + args.batch])
    seconds = time.perf_counter() - t0
    print(json.dumps({"records": len(envelopes), "seconds": seconds, "requests": requests, "failed": failed,
                      "aepp": aepp.__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
