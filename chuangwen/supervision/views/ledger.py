"""The supervision ledger (督办台账) and the agenda helper (会议议题)."""

from django.shortcuts import render

from chuangwen.org.permissions import require

from ..agenda import agenda as agenda_of
from ..ledger import ledger as ledger_of
from .common import base_context, year_param


def ledger(request):
    require(request.user, "supervision.view")
    data = ledger_of(request.user, year=year_param(request))
    return render(request, "supervision/ledger.html", {**base_context(request, "ledger"), **data})


def agenda(request):
    require(request.user, "supervision.view")
    context = {**base_context(request, "agenda"), **agenda_of(request.user)}
    return render(request, "supervision/agenda.html", context)
