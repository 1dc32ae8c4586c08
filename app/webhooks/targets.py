"""Webhook URL checks against SSRF: https only, and every resolved address public."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from app.core.errors import Problem


class UnsafeWebhookTarget(Problem):
    status = 422
    title = "Unsafe webhook target"
    slug = "unsafe-webhook-target"
    default_detail = "Webhook URLs must be https and resolve to public internet addresses."


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_target(url: str, *, allow_insecure: bool) -> None:
    """Refuse http, credentials in the URL, and names resolving to private, loopback,
    link-local or otherwise non-public addresses (resolved, not judged by the name)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeWebhookTarget("The URL could not be parsed.") from exc
    if not host or parts.username or parts.password:
        raise UnsafeWebhookTarget("The URL needs a host and must not carry credentials.")
    if allow_insecure:
        return
    if parts.scheme != "https":
        raise UnsafeWebhookTarget("Webhook URLs must use https.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeWebhookTarget("The host name does not resolve.") from exc
    addresses = {str(info[4][0]) for info in infos}
    if not addresses or not all(_is_public(a) for a in addresses):
        raise UnsafeWebhookTarget(
            "The host resolves to a private, loopback, link-local or reserved address."
        )
