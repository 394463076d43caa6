"""The public pages of 随手拍: no login, phone first.

* /report/ : a citizen reports a problem (photos, category, place, description, optional
  contact).  Limited per client address (ratelimit.REPORT); over the limit: 429, nothing read
  beyond the form, nothing created.
* /report/track/<code>/ : the status in plain words, the public steps, the reply and the photos
  that may be shown.  Unknown codes are counted per address (ratelimit.LOOKUP_MISS) so codes
  cannot be walked.
* /report/track/<code>/photo/<pk>/ : a photo of that problem only, with the download view's
  headers.  Stored photos carry no metadata (photos_store re-encodes every one), so the stored
  file is the public copy.

The client address is `chuangwen.lib.net.client_ip`: X-Forwarded-For only from trusted proxies.
"""

import re

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from chuangwen.attachments import storage
from chuangwen.attachments.views import FILE_CSP
from chuangwen.lib.net import client_ip

from .. import ratelimit
from .. import selectors_pages as pages
from ..forms import CitizenReportForm
from ..models import Problem
from ..services.public import problem_report_citizen
from ..services.report import _CODE_ALPHABET

CODE = re.compile(f"[{_CODE_ALPHABET}]{{10}}")


def _limited(request, limit: ratelimit.Limit, what: str):
    message = f"{what}过于频繁,请 {max(1, limit.window // 60)} 分钟后再试。"
    response = render(request, "problems/public/limited.html", {"message": message}, status=429)
    response["Retry-After"] = str(limit.window)
    return _public(response)


def _public(response):
    # Tracking pages are reached by a secret code: never indexed, never kept by shared caches.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "private, no-cache"
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def report(request):
    if request.method == "POST":
        if not ratelimit.hit(ratelimit.REPORT, client_ip(request)):
            return _limited(request, ratelimit.REPORT, "提交")
        form = CitizenReportForm(request.POST, request.FILES)
        if form.is_valid():
            d = form.cleaned_data
            try:
                problem = problem_report_citizen(
                    category=d["category"], description=d["description"], photos=d["photos"],
                    district=d.get("district"), address=d.get("address", ""), lng=d.get("lng") or None,
                    lat=d.get("lat") or None, name=d.get("name", ""), phone=d.get("phone", ""))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect(f"{reverse('report:track', kwargs={'code': problem.tracking_code})}?new=1")
    else:
        form = CitizenReportForm()
    return _public(render(request, "problems/public/report.html", {"form": form}))


def _normalise(code: str) -> str:
    return "".join(code.split()).upper()[:16]


def _find(request, code: str) -> Problem | None:
    """The problem with this tracking code, counting the lookup; None for an unknown code
    (counted as a miss)."""
    ip = client_ip(request)
    code = _normalise(code)
    problem = None
    if CODE.fullmatch(code):
        problem = Problem.objects.filter(tracking_code=code).select_related("category").first()
    if problem is None:
        ratelimit.hit(ratelimit.LOOKUP_MISS, ip)
    return problem


def _lookups_exhausted(request) -> bool:
    ip = client_ip(request)
    return ratelimit.exhausted(ratelimit.LOOKUP_MISS, ip)


@login_not_required
@require_GET
def track_lookup(request):
    """The lookup form: a code typed in (spaces and lower case forgiven)."""
    code = _normalise(request.GET.get("code", ""))
    if CODE.fullmatch(code):
        return redirect("report:track", code=code)
    error = "查询码共 10 位,由数字和大写字母组成,请核对后再查。" if code else ""
    return _public(render(request, "problems/public/lookup.html", {"code": code, "error": error}))


@login_not_required
@require_GET
def track(request, code):
    if _lookups_exhausted(request):
        return _limited(request, ratelimit.LOOKUP_MISS, "查询")
    if not ratelimit.hit(ratelimit.LOOKUP, client_ip(request)):
        return _limited(request, ratelimit.LOOKUP, "查询")
    problem = _find(request, code)
    if problem is None:
        return _public(render(request, "problems/public/not_found.html", {"code": _normalise(code)}, status=404))
    context = {"problem": problem, "code": problem.tracking_code, "new": request.GET.get("new") == "1",
               "track_url": request.build_absolute_uri(reverse("report:track", kwargs={"code": problem.tracking_code})),
               **pages.public_view(problem)}
    return _public(render(request, "problems/public/track.html", context))


# What Pillow reports of a file's metadata blocks.  photos_store writes none of them; a file that
# has one was stored some other way (attachments_store keeps the bytes as uploaded), and is not
# shown to the public rather than shown with its GPS position.
_METADATA_KEYS = {"exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment", "photoshop", "adobe"}


def _carries_metadata(path) -> bool:
    from PIL import Image

    try:
        with Image.open(path) as im:  # the header only: no pixel is decoded
            return bool(_METADATA_KEYS & set(im.info)) or bool(im.getexif())
    except Exception:
        return True


@login_not_required
@require_GET
def track_photo(request, code, pk):
    """A photo the tracking page shows; 404 for any other (same answer for every refusal)."""
    if _lookups_exhausted(request):
        return _limited(request, ratelimit.LOOKUP_MISS, "查询")
    problem = _find(request, code)
    attachment = pages.public_photo(problem, pk) if problem is not None else None
    if attachment is None or not attachment.is_image:
        raise Http404("文件不存在。")
    path = storage.blob_path(attachment.blob)
    if not path.exists() or _carries_metadata(path):
        raise Http404("文件不存在。")
    handle = open(path, "rb")  # noqa: SIM115  (FileResponse closes it)
    # Not audited per view (the download view audits staff reads): a public photo of a public
    # page, and an audit write per anonymous image request would let anyone grow the chain.
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = f'inline; filename="photo-{attachment.pk}.jpg"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response
