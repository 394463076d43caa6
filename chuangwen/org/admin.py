"""Organisation master data in the admin site.  Saving and deleting go through the services,
so admin writes are validated and audited like any other; nothing is hard-deleted."""

from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .models import Linkage, Post, Unit, WorkGroup, WorkGroupMember
from .permissions import can


class RoleTableAdmin(admin.ModelAdmin):
    """Permissions from the role table: `verb` to change, org.view (in scope) to look."""

    verb = ""

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return can(request.user, self.verb)

    def has_add_permission(self, request):
        return can(request.user, self.verb)

    def has_change_permission(self, request, obj=None):
        return can(request.user, self.verb)

    def has_delete_permission(self, request, obj=None):
        return can(request.user, self.verb)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # Bulk delete would bypass the services.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def _service(self, request, func, **kwargs):
        try:
            return func(actor=request.user, **kwargs)
        except ValidationError as exc:
            self.message_user(request, ";".join(exc.messages), level=messages.ERROR)
            raise PermissionDenied(";".join(exc.messages)) from exc


@admin.register(Unit)
class UnitAdmin(RoleTableAdmin):
    verb = "unit.manage"
    list_display = ("name", "code", "kind", "full_name", "abolished_at")
    list_filter = ("kind",)
    search_fields = ("name", "code", "full_name")
    raw_id_fields = ("parent",)
    readonly_fields = ("full_name", "abolished_at", "merged_into")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("code", "name", "short_name", "kind", "parent", "sort_order", "address")
        return ("code", "name", "short_name", "kind", "parent", "sort_order", "address", *self.readonly_fields)

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "code") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = self._service(
                request, services.unit_create, code=data["code"], name=data["name"], kind=data["kind"],
                parent=data.get("parent"), short_name=data.get("short_name", ""),
                sort_order=data.get("sort_order") or 0, address=data.get("address", ""),
            )
            obj.pk = created.pk
            return
        current = Unit.objects.get(pk=obj.pk)
        fields = {k: data[k] for k in ("name", "short_name", "kind", "sort_order", "address") if k in data}
        self._service(request, services.unit_update, unit=current, **fields)
        new_parent = data.get("parent")
        if new_parent is not None and new_parent.pk != current.parent_id:
            self._service(request, services.unit_move, unit=current, new_parent=new_parent)

    def delete_model(self, request, obj):
        self._service(request, services.unit_abolish, unit=obj, reason="管理后台撤销")


@admin.register(Post)
class PostAdmin(RoleTableAdmin):
    verb = "post.manage"
    list_display = ("person", "unit", "title", "is_head", "is_liaison", "valid_from", "valid_to")
    list_filter = ("is_head", "is_liaison")
    search_fields = ("person__full_name", "person__username", "unit__name", "unit__code")
    raw_id_fields = ("person", "unit")

    def get_readonly_fields(self, request, obj=None):
        return ("person", "unit", "title", "is_head", "is_liaison", "valid_from") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            post = self._service(
                request, services.post_appoint, person=data["person"], unit=data["unit"], title=data["title"],
                is_head=data.get("is_head", False), is_liaison=data.get("is_liaison", False),
                valid_from=data.get("valid_from"),
            )
            obj.pk = post.pk
        elif data.get("valid_to"):
            self._service(request, services.post_end, post=Post.objects.get(pk=obj.pk), on=data["valid_to"])

    def delete_model(self, request, obj):
        if obj.valid_to is None:
            self._service(request, services.post_end, post=obj)


@admin.register(Linkage)
class LinkageAdmin(RoleTableAdmin):
    verb = "linkage.manage"
    list_display = ("level", "source_label", "unit", "valid_from", "valid_to")
    list_filter = ("level",)
    raw_id_fields = ("person", "from_unit", "unit")

    def get_readonly_fields(self, request, obj=None):
        return ("level", "person", "from_unit", "unit", "valid_from", "note") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            link = self._service(
                request, services.linkage_create, level=data["level"], unit=data["unit"],
                person=data.get("person"), from_unit=data.get("from_unit"),
                valid_from=data.get("valid_from"), note=data.get("note", ""),
            )
            obj.pk = link.pk
        elif data.get("valid_to"):
            self._service(request, services.linkage_end, linkage=Linkage.objects.get(pk=obj.pk), on=data["valid_to"])

    def delete_model(self, request, obj):
        if obj.valid_to is None:
            self._service(request, services.linkage_end, linkage=obj)


@admin.register(WorkGroup)
class WorkGroupAdmin(RoleTableAdmin):
    verb = "group.manage"
    list_display = ("name", "lead", "sort_order")
    raw_id_fields = ("lead",)
    fields = ("code", "name", "lead", "duties", "sort_order")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            group = self._service(request, services.workgroup_create, code=data["code"], name=data["name"],
                                  lead=data["lead"], duties=data.get("duties", ""),
                                  sort_order=data.get("sort_order") or 0)
            obj.pk = group.pk
        else:
            self._service(request, services.workgroup_update, group=WorkGroup.objects.get(pk=obj.pk),
                          **{k: data[k] for k in ("name", "lead", "duties", "sort_order")})

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WorkGroupMember)
class WorkGroupMemberAdmin(RoleTableAdmin):
    verb = "group.manage"
    list_display = ("group", "unit", "is_lead_unit", "duties")
    list_filter = ("group",)
    raw_id_fields = ("unit",)

    def has_change_permission(self, request, obj=None):
        return False if obj else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        member = self._service(request, services.workgroup_add_member, group=data["group"], unit=data["unit"],
                               is_lead_unit=data.get("is_lead_unit", False), duties=data.get("duties", ""))
        obj.pk = member.pk

    def delete_model(self, request, obj):
        self._service(request, services.workgroup_remove_member, member=obj)
