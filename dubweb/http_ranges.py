"""Files served with HTTP Range support, so that a browser's player can seek in a video or audio file.

Django's FileResponse always sends the whole file; chromium will then play but not seek. One range
(`bytes=a-b`, `bytes=a-`, `bytes=-n`) gets a 206 with that slice; a range past the end gets a 416; several
ranges, or a header that is not understood, get the whole file (RFC 9110 allows ignoring Range).
"""

import re

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

# Up to 18 digits: more is past any file (and int() refuses over 4,300): such a header is ignored.
SINGLE_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d{0,18})\s*-\s*(\d{0,18})\s*$", re.IGNORECASE)
CHUNK_BYTES = 64 * 1024


def requested_range(header, size):
    """(start, end) inclusive for a satisfiable single range; None to send the whole file; "unsatisfiable"
    for a range that starts past the end."""
    found = SINGLE_RANGE.match(header or "")
    if not found or not (found.group(1) or found.group(2)):
        return None
    first, last = found.group(1), found.group(2)
    if not first:  # the last n bytes
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        return "unsatisfiable"
    if end < start:
        return None
    return start, end


def _slice(fileobj, start, end):
    try:
        fileobj.seek(start)
        remaining = end - start + 1
        while remaining > 0:
            chunk = fileobj.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        fileobj.close()


def ranged_file_response(request, fileobj, size, content_type, *, filename="", as_attachment=False):
    """The whole file (200) or the range the request asks for (206 / 416). Takes ownership of fileobj."""
    wanted = requested_range(request.headers.get("Range"), size) if request.method == "GET" else None
    if wanted == "unsatisfiable":
        fileobj.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = FileResponse(fileobj, content_type=content_type)
        response["Content-Length"] = str(size)
    else:
        start, end = wanted
        response = StreamingHttpResponse(_slice(fileobj, start, end), status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    if filename or as_attachment:
        response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    return response
