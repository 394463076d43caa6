"""The download: the only way a stored file leaves the server."""

import logging
from urllib.parse import quote

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from .access import access_attachment
from .services import attachment_open

logger = logging.getLogger(__name__)

# Like GitHub's raw files: nothing in the response may run or load anything, even if a
# browser were talked into rendering it as HTML.
FILE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; sandbox"
)


def content_disposition(name: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII fallback for old clients and the real (UTF-8) name."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name)
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@require_GET
def download(request, pk: int, token: str):
    attachment = access_attachment(request.user, pk=pk, token=token)
    try:
        handle = attachment_open(attachment=attachment, actor=request.user)
    except FileNotFoundError:
        logger.error("attachment %s: blob %s is missing", attachment.pk, attachment.blob)
        raise Http404("文件不存在。") from None
    response = FileResponse(handle, content_type=attachment.content_type)
    # Images open in the browser; everything else (PDF included: Chromium's viewer does not run
    # under a sandboxing CSP) downloads and opens in the desktop application.
    response["Content-Disposition"] = content_disposition(attachment.name, inline=attachment.is_image)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    # Immutable content behind an unguessable URL; logout's Clear-Site-Data empties the cache.
    response["Cache-Control"] = "private, max-age=3600"
    return response
