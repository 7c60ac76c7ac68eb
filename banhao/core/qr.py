"""QR codes as inline images: the guide's own address, a case's status page on its notices.

An SVG data URI: the page's CSP allows ``img-src data:``, and the PDF renderer fetches only
data: URLs, so neither the page nor the PDF ever loads the code from anywhere.
"""

from __future__ import annotations

import base64
import io


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as an SVG data URI."""
    import segno

    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="svg", scale=4, border=2, xmldecl=False, dark="#000")
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")
