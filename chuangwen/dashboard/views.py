from django.contrib.auth.decorators import login_not_required
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import render

from chuangwen.org.models import Post, UnitKind
from chuangwen.org.permissions import can
from chuangwen.org.selectors import units_visible_to
from chuangwen.tasks import selectors as tasks


def home(request):
    user = request.user
    context = {"posts": Post.objects.current().filter(person=user).select_related("unit")}
    if can(user, "org.view"):
        counts = dict(
            units_visible_to(user).active().values_list("kind").annotate(n=Count("id")).values_list("kind", "n")
        )
        context["unit_counts"] = [(label, counts.get(kind, 0)) for kind, label in UnitKind.choices if counts.get(kind)]
        context["unit_total"] = sum(counts.values())
    if can(user, "task.view"):
        context["task_colours"] = tasks.colour_counts(tasks.tasks_visible_to(user), tasks.current_thresholds())
    return render(request, "dashboard/home.html", context)


@login_not_required
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def error_403(request, exception=None):
    message = str(exception) if exception and str(exception) else "没有访问此页面的权限。"
    return render(request, "errors/error.html", {"title": "无权访问", "message": message}, status=403)


@login_not_required
def error_404(request, exception=None):
    return render(request, "errors/error.html", {"title": "页面不存在", "message": "您要找的页面不存在,或您无权查看。"}, status=404)


@login_not_required
def error_500(request):
    return render(request, "errors/error.html", {"title": "系统繁忙", "message": "服务器出现错误,已记录,请稍后再试。"}, status=500)
