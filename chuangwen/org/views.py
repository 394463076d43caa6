"""Organisation pages: thin adapters over the selectors (every read goes through the scope)."""

from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from chuangwen.lib.xlsx import workbook_response

from . import selectors, views_excel
from .models import Post, UnitKind
from .permissions import require


def unit_tree(request):
    require(request.user, "org.view")
    q = request.GET.get("q", "").strip()[:50]
    context = {"q": q, **views_excel.links(request.user)}
    if q:
        context["results"] = selectors.unit_search(request.user, q)
    else:
        context["roots"] = selectors.with_child_counts(
            selectors.visible_roots(request.user).order_by("sort_order", "path")
        )
    return render(request, "org/unit_tree.html", context)


def unit_children_partial(request, code):
    require(request.user, "org.view")
    unit = get_object_or_404(selectors.units_visible_to(request.user), code=code)
    children = selectors.with_child_counts(selectors.unit_children(request.user, unit))
    return render(request, "org/_unit_nodes.html", {"nodes": children})


def unit_detail(request, code):
    require(request.user, "org.view")
    unit = get_object_or_404(selectors.units_visible_to(request.user), code=code)
    return render(request, "org/unit_detail.html", selectors.unit_detail_context(request.user, unit))


EXPORT_COLUMNS = ("单位编码", "单位名称", "类别", "上级单位编码", "全称路径", "一把手", "联络员", "状态")


def unit_export(request):
    require(request.user, "org.export")
    units = selectors.units_visible_to(request.user).select_related("parent").order_by("path")
    today = timezone.localdate()
    posts = Post.objects.current(today).filter(unit__in=units).filter(Q(is_head=True) | Q(is_liaison=True))
    heads, liaisons = {}, {}
    for post in posts.select_related("person"):
        if post.is_head:
            heads[post.unit_id] = post.person.full_name
        if post.is_liaison:
            liaisons.setdefault(post.unit_id, []).append(post.person.full_name)
    kinds = dict(UnitKind.choices)
    rows = (
        (
            u.code, u.name, kinds.get(u.kind, u.kind), u.parent.code if u.parent else "", u.full_name,
            heads.get(u.pk, ""), "、".join(liaisons.get(u.pk, [])), "在用" if u.is_active else "已撤销",
        )
        for u in units.iterator(chunk_size=2000)
    )
    return workbook_response(f"单位清单-{today:%Y%m%d}.xlsx", [("单位", EXPORT_COLUMNS, rows)])


def group_list(request):
    require(request.user, "org.view")
    return render(request, "org/group_list.html", {"groups": selectors.groups_visible_to(request.user)})


def group_detail(request, code):
    require(request.user, "org.view")
    group = get_object_or_404(selectors.groups_visible_to(request.user), code=code)
    visible = selectors.units_visible_to(request.user)
    members = group.members.filter(unit__in=visible).select_related("unit").order_by("-is_lead_unit", "unit__path")
    return render(request, "org/group_detail.html", {
        "group": group, "members": members, "staff": group.staff.all(),
    })


def person_list(request):
    require(request.user, "org.view")
    q = request.GET.get("q", "").strip()[:50]
    people = selectors.people_visible_to(request.user)
    if q:
        people = people.filter(Q(full_name__icontains=q) | Q(username__iexact=q))
    # People lists are small (thousands at most); a plain paginator is fine here.
    page = Paginator(people.order_by("full_name", "pk"), 50).get_page(request.GET.get("page"))
    current = Post.objects.current().filter(person__in=page.object_list).select_related("unit")
    posts_by_person = {}
    for post in current:
        posts_by_person.setdefault(post.person_id, []).append(post)
    rows = [(p, posts_by_person.get(p.pk, [])) for p in page.object_list]
    return render(request, "org/person_list.html", {"page": page, "rows": rows, "q": q})


def person_detail(request, username):
    require(request.user, "org.view")
    person = get_object_or_404(selectors.people_visible_to(request.user), username=username)
    visible = selectors.units_visible_to(request.user)
    posts = selectors.person_posts(person).filter(unit__in=visible)
    return render(request, "org/person_detail.html", {
        "person": person, "posts": posts,
        "linkages": person.linkages.current().select_related("unit").filter(unit__in=visible),
        "led_groups": selectors.groups_visible_to(request.user).filter(lead=person),
    })


