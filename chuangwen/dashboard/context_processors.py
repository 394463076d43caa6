"""The navigation by module, shown only where the person may act or see."""

from django.urls import reverse

from chuangwen.console.permissions import console_verbs
from chuangwen.org.permissions import can


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [("首页", reverse("dashboard:home"), "home")]
    if can(user, "org.view"):
        items += [
            ("组织机构", reverse("org:unit_tree"), "org"),
            ("工作组", reverse("org:group_list"), "groups"),
            ("人员", reverse("org:person_list"), "people"),
        ]
    if can(user, "task.view"):
        items.append(("任务督办", reverse("tasks:my_tasks"), "tasks"))
    if can(user, "problem.view"):
        items.append(("问题整改", reverse("problems:mine"), "problems"))
    if can(user, "supervision.view"):
        items.append(("督查督办", reverse("supervision:ledger"), "supervision"))
    if can(user, "evaluation.view"):
        items.append(("考评", reverse("evaluation:periods"), "evaluation"))
    if can(user, "reward.view"):
        items.append(("奖惩", reverse("rewards:records"), "rewards"))
    if can(user, "place.view"):
        items.append(("点位", reverse("places:site_list"), "places"))
    # The admin site admits by role (admin_site.ADMIN_SITE_ROLES), never by `is_staff`.
    if can(user, "unit.manage") or can(user, "post.manage"):
        items.append(("基础数据维护", reverse("admin:index"), "admin"))
    if console_verbs(user):
        items.append(("三员管理", reverse("console:index"), "console"))
    match = getattr(request, "resolver_match", None)
    namespace = match.namespace if match else ""
    url_name = match.url_name if match else ""
    active = {"dashboard": "home", "admin": "admin", "console": "console", "tasks": "tasks",
              "places": "places", "problems": "problems", "supervision": "supervision",
              "evaluation": "evaluation", "rewards": "rewards"}.get(namespace, "")
    if namespace == "org":
        active = "groups" if url_name.startswith("group") else "people" if url_name.startswith("person") else "org"
    return {"nav_items": items, "nav_active": active}
