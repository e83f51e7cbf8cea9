"""Security headers of every answer, the Content-Security-Policy above all.

Folium writes each map as inline <script> blocks, and the pages carry a few of their own; rather
than allow every inline script ('unsafe-inline'), the policy lists the SHA-256 of each inline
script the page actually holds, so an injected one (a place name that escaped escaping) does not
run. The policy is a pure function of the final body and the framing rule: a cached page (issue
17 caches pages per data version) and its header stay consistent whenever either is computed.
"""

from __future__ import annotations

import base64
import hashlib
import re

# An inline script: a <script> start tag without src=, up to its end tag (HTML ends a script at
# the first "</script", whatever the script says).
_INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\ssrc\s*=)[^>]*>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)

PERMISSIONS_POLICY = ("camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
                      "serial=(), bluetooth=(), midi=(), magnetometer=(), gyroscope=(), "
                      "accelerometer=(), interest-cohort=()")
REFERRER_POLICY = "same-origin"


def script_hashes(html: str) -> list[str]:
    """The CSP source of each distinct inline script, in page order."""
    seen: dict[str, None] = {}
    for match in _INLINE_SCRIPT.finditer(html):
        digest = hashlib.sha256(match.group(1).encode("utf-8")).digest()
        seen[f"'sha256-{base64.b64encode(digest).decode('ascii')}'"] = None
    return list(seen)


def content_security_policy(html: str | None, frame_ancestors: str,
                            tile_origins: tuple[str, ...] = ()) -> str:
    """The policy for one answer: scripts from this site and the inline scripts `html` holds
    (None for an answer that is not HTML), no plugins, no <base>, framing as given, images also
    from the plain-http intranet tile services of the BASEMAPS setting (`tile_origins`)."""
    scripts = " ".join(["'self'", *script_hashes(html or "")])
    return "; ".join([
        "default-src 'self'",
        f"script-src {scripts}",
        "script-src-attr 'none'",
        # Leaflet and folium set style attributes and <style> blocks; tiles of the online
        # basemaps (osm, tianditu, amap) come from their hosts, only when the user picks one.
        "style-src 'self' 'unsafe-inline'",
        " ".join(["img-src 'self' data: blob: https:", *tile_origins]),
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        f"frame-ancestors {frame_ancestors}",
    ])


def frame_ancestors_of(policy: str | None, default: str = "'self'") -> str:
    """The frame-ancestors sources a policy set earlier (by a blueprint) names."""
    for directive in (policy or "").split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors" and value.strip():
            return value.strip()
    return default
