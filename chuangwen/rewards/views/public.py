"""The published 红黑榜: public pages (no login), one per finalised period, with its Word 通报.

Only finalised periods exist here (others are 404), only confirmed records are shown, the
ranking is the frozen snapshot, and no personal data beyond what a published 通报 carries (unit
names; a head's name for a confirmed 约谈).  Nothing is audited per view: a public page, and an
audit write per anonymous request would let anyone grow the chain.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from .. import notice, selectors


def _public(response):
    # Public, but it changes as records are confirmed and the layout carries a CSRF token:
    # revalidate every time, and never kept by a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response


@login_not_required
@require_GET
def index(request):
    periods = list(selectors.public_periods()[:60])
    return _public(render(request, "rewards/public/index.html", {"periods": periods}))


@login_not_required
@require_GET
def period(request, pk):
    found = get_object_or_404(selectors.public_periods(), pk=pk)
    return _public(render(request, "rewards/public/period.html", {"h": selectors.honours(found)}))


@login_not_required
@require_GET
def notice_docx(request, pk):
    found = get_object_or_404(selectors.public_periods(), pk=pk)
    h = selectors.honours(found)
    response = HttpResponse(notice.render(h), content_type=notice.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, notice.filename(h))
    response["X-Content-Type-Options"] = "nosniff"
    return _public(response)
