"""The certificate of the sandbox's HTTPS port: a local CA and a leaf for the Edge host names, made once with
``trustme`` and kept under ``DATA_DIR/tls/`` (``ca.pem``; ``edge-cert.pem`` + ``edge-key.pem``, 0600), so a
browser that was told to trust the CA keeps trusting it across restarts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

EDGE_HOSTS = ("edge.local.test", "localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca: Path
    cert: Path  # leaf + CA chain
    key: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def ensure_certificate(data_dir: Path, hosts: tuple[str, ...] = EDGE_HOSTS) -> TlsFiles:
    """The CA and leaf under ``data_dir/tls`` (made now if missing, or if the leaf lacks one of ``hosts``)."""
    folder = Path(data_dir) / "tls"
    files = TlsFiles(ca=folder / "ca.pem", cert=folder / "edge-cert.pem", key=folder / "edge-key.pem")
    names = folder / "hosts.txt"
    wanted = "\n".join(hosts)
    if all(p.exists() for p in (files.ca, files.cert, files.key)) and names.exists() and names.read_text() == wanted:
        return files
    import trustme

    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    ca = trustme.CA(organization_name="AEP Ingestion Console local sandbox")
    leaf = ca.issue_cert(*hosts, common_name=hosts[0])
    files.ca.write_bytes(ca.cert_pem.bytes())
    _write_private(files.key, leaf.private_key_pem.bytes())
    files.cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
    names.write_text(wanted)
    return files
