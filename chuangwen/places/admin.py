"""Site types, sites and shops' zones in the admin site for HQ staff.  Saving goes through the
services (validated, converted to WGS-84, audited); nothing is hard-deleted: deleting a site
takes it out of use."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import PermissionDenied, ValidationError

from chuangwen.org.permissions import can

from . import services
from .models import Datum, ShopZone, Site, SiteType

COORDINATE_HELP = "从高德、腾讯地图拾取的坐标选 GCJ-02,百度地图选 BD-09,GPS 或天地图选 WGS-84;保存时统一换算为 WGS-84。"


class PlaceAdmin(admin.ModelAdmin):
    """Permissions from the role table (place.manage)."""

    verb = "place.manage"

    def has_module_permission(self, request):
        return can(request.user, self.verb)

    def has_view_permission(self, request, obj=None):
        return can(request.user, self.verb)

    def has_add_permission(self, request):
        return can(request.user, self.verb)

    def has_change_permission(self, request, obj=None):
        return can(request.user, self.verb)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)  # bulk delete would bypass the services
        return actions

    def _service(self, request, func, **kwargs):
        try:
            return func(actor=request.user, **kwargs)
        except ValidationError as exc:
            self.message_user(request, ";".join(exc.messages), level=messages.ERROR)
            raise PermissionDenied(";".join(exc.messages)) from exc


class PointEntryForm(forms.ModelForm):
    """A point typed in any datum; the stored WGS-84 values are shown read-only."""

    entry_lng = forms.CharField(label="经度", required=False, max_length=20)
    entry_lat = forms.CharField(label="纬度", required=False, max_length=20)
    entry_datum = forms.ChoiceField(label="坐标系", choices=Datum.choices, initial=Datum.GCJ02,
                                    help_text=COORDINATE_HELP)
    clear_point = forms.BooleanField(label="清除坐标", required=False, help_text="仅有地址、坐标有误时勾选。")
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        lng, lat = data.get("entry_lng", ""), data.get("entry_lat", "")
        if (lng or lat) and data.get("clear_point"):
            raise ValidationError("填写新坐标时不能同时勾选“清除坐标”。")
        try:
            data["point"] = services.convert_point(lng, lat, data.get("entry_datum") or Datum.WGS84)
        except ValidationError as exc:
            self.add_error("entry_lng", exc)
        expected = data.get("expected_version")
        if self.instance.pk and expected is not None and expected != type(self.instance).objects.values_list(
            "version", flat=True
        ).get(pk=self.instance.pk):
            raise ValidationError("该记录已被他人修改,请刷新后重试。")
        return data

    def point_kwargs(self) -> dict:
        """Arguments for the service: a new point, a cleared one, or nothing."""
        data = self.cleaned_data
        if data.get("clear_point"):
            return {"lng": None, "lat": None}
        if data["point"][0] is not None:
            return {"lng": data["entry_lng"], "lat": data["entry_lat"], "datum": data["entry_datum"]}
        return {}


@admin.register(SiteType)
class SiteTypeAdmin(PlaceAdmin):
    list_display = ("code", "name", "description", "sort_order")
    search_fields = ("code", "name")
    fields = ("code", "name", "description", "sort_order")

    def get_readonly_fields(self, request, obj=None):
        return ("code",) if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {"name": data["name"], "description": data.get("description", ""),
                  "sort_order": data.get("sort_order") or 0}
        if change:
            self._service(request, services.site_type_update, site_type=obj, **fields)
        else:
            obj.pk = self._service(request, services.site_type_create, code=data["code"], **fields).pk


class SiteForm(PointEntryForm):
    class Meta:
        model = Site
        fields = ("code", "name", "site_type", "district", "address", "responsible_unit", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "code" in self.fields:
            self.fields["code"].required = False
            self.fields["code"].help_text = "留空则自动编为“县区编码-类型编码-序号”。"

    def _post_clean(self):
        # A blank code on a new site is the service's to fill: give the model's own checks the
        # code it will get.
        data = self.cleaned_data
        if not self.instance.pk and not data.get("code") and data.get("district") and data.get("site_type"):
            data["code"] = services.next_site_code(data["district"], data["site_type"])
        super()._post_clean()


@admin.register(Site)
class SiteAdmin(PlaceAdmin):
    form = SiteForm
    list_display = ("code", "name", "site_type", "district", "responsible_unit", "is_active")
    list_filter = ("is_active", "site_type")
    search_fields = ("code", "name", "address")
    list_select_related = ("site_type", "district", "responsible_unit")
    raw_id_fields = ("district", "responsible_unit")
    readonly_fields = ("lng", "lat", "input_datum", "version", "created_at", "updated_at")

    def get_fields(self, request, obj=None):
        entry = ("entry_lng", "entry_lat", "entry_datum")
        if obj is None:
            return ("code", "name", "site_type", "district", "address", "responsible_unit", *entry)
        return ("code", "name", "site_type", "district", "address", "responsible_unit", "is_active",
                "lng", "lat", "input_datum", *entry, "clear_point", "expected_version", "version",
                "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "code") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {k: data[k] for k in ("name", "site_type", "district", "address", "responsible_unit")}
        if not change:
            created = self._service(request, services.site_create, code=data.get("code", ""), **fields,
                                    **form.point_kwargs())
            obj.pk = created.pk
            return
        current = Site.objects.get(pk=obj.pk)
        site = self._service(request, services.site_update, site=current,
                             expected_version=data.get("expected_version"), **fields, **form.point_kwargs())
        if data.get("is_active") is not None and data["is_active"] != site.is_active:
            func = services.site_reactivate if data["is_active"] else services.site_deactivate
            self._service(request, func, site=site, reason="基础数据维护")


class ShopZoneForm(PointEntryForm):
    duties_text = forms.CharField(label="责任内容", widget=forms.Textarea(attrs={"rows": 6}), required=False,
                                  help_text="每项一行;留空则为默认的门前五包。")

    class Meta:
        model = ShopZone
        fields = ("shop", "frontage", "length_m", "responsible_person", "signed_on")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["duties_text"].initial = "\n".join(self.instance.duties)


@admin.register(ShopZone)
class ShopZoneAdmin(PlaceAdmin):
    form = ShopZoneForm
    list_display = ("shop", "frontage", "length_m", "responsible_name", "signed_on")
    search_fields = ("shop__name", "shop__code")
    list_select_related = ("shop",)
    raw_id_fields = ("shop", "responsible_person")
    readonly_fields = ("lng", "lat", "input_datum", "responsible_name", "version", "updated_at")

    def get_fields(self, request, obj=None):
        head = ("shop", "duties_text", "frontage", "length_m", "responsible_person", "signed_on")
        entry = ("entry_lng", "entry_lat", "entry_datum")
        if obj is None:
            return (*head, *entry)
        return (*head, "responsible_name", "lng", "lat", "input_datum", *entry, "clear_point",
                "expected_version", "version", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, "shop") if obj else ()

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        shop = obj.shop if change else data["shop"]
        zone = self._service(
            request, services.zone_set, shop=shop, frontage=data.get("frontage", ""),
            length_m=data.get("length_m"), duties=data.get("duties_text") or None,
            responsible_person=data.get("responsible_person"), signed_on=data.get("signed_on"),
            expected_version=data.get("expected_version"), **form.point_kwargs(),
        )
        obj.pk = zone.pk
