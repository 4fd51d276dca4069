"""Where the AEP hosts are, and what a session needs to reach them.

TLS verification is always on: there is no switch to turn it off. Plain ``http://`` is accepted only
for loopback hosts (the local sandbox); any other ``http://`` URL is refused with a clear error.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .errors import InsecureEndpointError
from .retry import NO_RETRY, RetryPolicy  # noqa: F401 - re-exported: a session is configured with it

AEP_IMS = "https://ims-na1.adobelogin.com"
AEP_PLATFORM = "https://platform.adobe.io"
AEP_STREAMING = "https://dcs.adobedc.net"
DEFAULT_SCOPES = "openid,session,AdobeID,read_organizations,additional_info.projectedProductContext"

LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(name: str, url: str) -> str:
    """Return ``url`` without a trailing slash, or raise :class:`InsecureEndpointError`."""
    if not isinstance(url, str) or not url.strip():
        raise InsecureEndpointError(f"{name} URL is empty; expected https://host[/path]")
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "https" and parts.hostname:
        return url
    if scheme == "http" and parts.hostname:
        if is_loopback_host(parts.hostname):
            return url
        raise InsecureEndpointError(
            f"{name} URL {url!r} uses plain http to a non-loopback host {parts.hostname!r}: "
            "only https is allowed (plain http only for a local sandbox on 127.0.0.1/::1/localhost)"
        )
    raise InsecureEndpointError(f"{name} URL {url!r} is not an absolute https:// URL")


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of the three AEP hosts (no trailing slash)."""

    ims: str = AEP_IMS
    platform: str = AEP_PLATFORM
    streaming: str = AEP_STREAMING

    def __post_init__(self) -> None:
        for name in ("ims", "platform", "streaming"):
            object.__setattr__(self, name, check_url(name, getattr(self, name)))

    @classmethod
    def aep(cls) -> Endpoints:
        """Real Adobe Experience Platform."""
        return cls(AEP_IMS, AEP_PLATFORM, AEP_STREAMING)

    @classmethod
    def from_sandbox(cls, urls: Any) -> Endpoints:
        """From a ``SandboxUrls`` (or a ``SandboxProcess``, or anything with ims/platform/streaming)."""
        urls = getattr(urls, "urls", urls)
        if isinstance(urls, str):  # the sandbox base URL
            base = urls.rstrip("/")
            return cls(base + "/ims", base + "/platform", base + "/dcs")
        return cls(urls.ims, urls.platform, urls.streaming)

    @property
    def is_local(self) -> bool:
        return all(is_loopback_host(urlsplit(u).hostname) for u in (self.ims, self.platform, self.streaming))

    def base(self, service: str) -> str:
        try:
            return {"ims": self.ims, "platform": self.platform, "streaming": self.streaming}[service]
        except KeyError:
            raise ValueError(f"unknown service {service!r}; expected ims, platform or streaming") from None


SecretSource = Callable[[], "str | Awaitable[str]"]


@dataclass(frozen=True)
class ClientCredentials:
    """OAuth server-to-server credentials. The secret is fetched through ``secret`` when a token
    is needed (the keyring facade supplies it) and is never stored here nor shown by ``repr``."""

    client_id: str
    secret: SecretSource = field(repr=False, compare=False)
    scopes: str = DEFAULT_SCOPES

    @classmethod
    def from_demo(cls, demo: Any) -> ClientCredentials:
        """From the sandbox launcher's ``DemoCredentials``."""
        secret = demo.client_secret
        return cls(demo.client_id, lambda: secret, demo.scopes)


@dataclass(frozen=True)
class Timeouts:
    connect: float = 10.0
    read: float = 60.0
    write: float = 60.0
    pool: float = 30.0

