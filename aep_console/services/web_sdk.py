"""The Web SDK route (no Qt): the ``alloy("configure", …)`` / ``alloy("sendEvent", {xdm})`` code for a record, a
minimal test page around it, and the request the Web SDK would send to the Edge Network.

The page follows Adobe's instructions: the base code (it defines ``window.alloy`` as a queue, and nothing
works without it), then ``alloy.js`` loaded asynchronously, then the commands. For the local sandbox the
configuration points ``edgeDomain`` at ``edge.local.test`` (the Web SDK speaks only ``https://`` to a host name
without a port: map that name to the sandbox's HTTPS port, see :func:`browser_hint`) and switches off third-party
cookies (Adobe's ``adobedc.demdex.net`` is not part of the sandbox).
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

ALLOY_VERSION = "2.33.1"
ALLOY_CDN = f"https://cdn1.adoberesources.net/alloy/{ALLOY_VERSION}/alloy.min.js"
SANDBOX_EDGE_DOMAIN = "edge.local.test"
SANDBOX_PAGE_ORIGIN = "https://www.local.test"
# Adobe's base code (the minified form of alloy's src/baseCode/index.js), for the one instance "alloy"
BASE_CODE = ('!function(n,o){o.forEach(function(o){n[o]||((n.__alloyNS=n.__alloyNS||[]).push(o),n[o]=function(){'
             'var u=arguments;return new Promise(function(i,l){n[o].q.push([i,l,u])})},n[o].q=[])})}'
             '(window,["alloy"]);')


@dataclass(frozen=True)
class WebSdkTarget:
    datastream_id: str
    org_id: str
    edge_domain: str | None = None  # None: Adobe's edge.adobedc.net
    third_party_cookies: bool = True

    @classmethod
    def for_sandbox(cls, datastream_id: str, org_id: str) -> WebSdkTarget:
        return cls(datastream_id, org_id, edge_domain=SANDBOX_EDGE_DOMAIN, third_party_cookies=False)

    def options(self) -> dict[str, Any]:
        opts: dict[str, Any] = {"datastreamId": self.datastream_id, "orgId": self.org_id}
        if self.edge_domain:
            opts["edgeDomain"] = self.edge_domain
        if not self.third_party_cookies:
            opts["thirdPartyCookiesEnabled"] = False
        return opts


class WebSdkError(ValueError):
    """The record cannot become a Web SDK event (message says why)."""


def _js(value: Any) -> str:
    # JSON is valid JavaScript; "</" is escaped so the code can sit inside a <script> element
    return json.dumps(value, indent=2, ensure_ascii=False).replace("</", "<\\/")


def event_xdm(record: Any) -> dict:
    """The ``xdm`` of a Web SDK event for an editor record: the record itself, or the ``xdmEntity`` of a DCS
    envelope; ``_id`` and ``timestamp`` are left to the Web SDK and the Edge Network when absent."""
    if isinstance(record, dict) and isinstance(record.get("body"), dict) and "xdmEntity" in record["body"]:
        record = record["body"]["xdmEntity"]
    if not isinstance(record, dict):
        raise WebSdkError(f"a Web SDK event's xdm must be a JSON object, found {type(record).__name__}")
    return record


def configure_code(target: WebSdkTarget) -> str:
    return f'alloy("configure", {_js(target.options())});'


def send_event_code(xdm: dict, *, name: str = "result") -> str:
    return (f'alloy("sendEvent", {{"xdm": {_js(xdm)}}})\n'
            f'  .then(function ({name}) {{ console.log("sent", {name}); }})\n'
            '  .catch(function (error) { console.error("not sent", error); });')


def snippet(target: WebSdkTarget, record: Any) -> str:
    """What to paste after the base code and alloy.js: configure, then send the record as an event."""
    return configure_code(target) + "\n" + send_event_code(event_xdm(record))


def example_page(target: WebSdkTarget, record: Any, *, alloy_src: str = ALLOY_CDN, title: str = "Web SDK test") -> str:
    """A complete page: base code, alloy.js (async), the snippet, and the outcome written into the page
    (``#status`` reads "sent" or "failed: …") so a person or a test can see what happened."""
    code = snippet(target, record).replace('console.log("sent", result);',
                                           'console.log("sent", result); report("sent");')
    code = code.replace('console.error("not sent", error);',
                        'console.error("not sent", error); report("failed: " + error.message);')
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{html.escape(title)}</title>
<script>
{BASE_CODE}
</script>
<script src="{html.escape(alloy_src)}" async></script>
</head>
<body>
<h1>{html.escape(title)}</h1>
<p id="status">sending…</p>
<script>
function report(text) {{ document.getElementById("status").textContent = text; }}
{code}
</script>
</body>
</html>
"""


def interact_body(xdm: dict, data: dict | None = None) -> dict:
    """The Edge Network Server API body for one event (``POST /ee/v2/interact``)."""
    event: dict[str, Any] = {"xdm": xdm}
    if data:
        event["data"] = data
    return {"event": event}


def browser_hint(edge_https: str | None) -> str:
    """How to point a browser at the sandbox's HTTPS Edge port."""
    if not edge_https:
        return ("The sandbox serves the Edge Network over HTTPS only when started with --edge-tls-port PORT "
                "(aep-sandbox --edge-tls-port 8443).")
    port = urlsplit(edge_https).port
    return (f'Start the browser with --host-resolver-rules="MAP {SANDBOX_EDGE_DOMAIN} 127.0.0.1:{port}" and trust '
            f"the sandbox's CA certificate (or --ignore-certificate-errors for a throw-away profile); alloy then "
            f'reaches {edge_https} as https://{SANDBOX_EDGE_DOMAIN}.')
