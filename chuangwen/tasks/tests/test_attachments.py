"""Files of progress updates and handovers: checked on upload, seen only by who sees the task."""

import pytest

from chuangwen.attachments.models import Attachment
from chuangwen.attachments.tests.samples import png_bytes, upload
from chuangwen.tasks import services
from chuangwen.tasks.models import ProgressUpdate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def signed(world, issued):
    return services.task_sign_for(task=issued, actor=world.district_head)


def test_progress_photo_is_downloaded_only_within_scope(client, login, world, signed):
    login(world.district_head)
    response = client.post(f"/tasks/t/{signed.code}/progress/", {
        "percent": "50", "text": "已整治6条", "files": [upload("现场.png", png_bytes(), "image/png")]})
    assert response.status_code == 302
    update = ProgressUpdate.objects.get(task=signed)
    [photo] = Attachment.objects.filter(owner_kind="tasks.progress", owner_id=update.pk)
    assert photo.content_type == "image/png"
    page = client.get(f"/tasks/t/{signed.code}/").content.decode()
    url = photo.get_absolute_url()
    assert url in page
    assert client.get(url).status_code == 200
    login(world.hq)
    assert client.get(url).status_code == 200
    login(world.e1_head)
    assert client.get(url).status_code == 404


def test_a_disguised_file_is_refused_and_nothing_is_reported(client, login, world, signed):
    login(world.district_head)
    fake = upload("照片.jpg", b"MZ\x90\x00" + b"\x00" * 200, "image/jpeg")
    response = client.post(f"/tasks/t/{signed.code}/progress/", {"percent": "50", "text": "x", "files": [fake]},
                           follow=True)
    assert "不允许" in response.content.decode() or "类型" in response.content.decode()
    assert not ProgressUpdate.objects.filter(task=signed).exists()
    assert not Attachment.objects.exists()


def test_handover_files_go_with_the_accounts(client, login, world, signed):
    services.progress_report(task=signed, actor=world.district_head, percent=100, text="完成")
    h = services.handover_submit(task=signed, actor=world.district_head, summary="完成",
                                 files=[upload("台账.png", png_bytes(), "image/png")])
    [f] = Attachment.objects.filter(owner_kind="tasks.handover", owner_id=h.pk)
    login(world.hq)
    body = client.get(f"/tasks/t/{signed.code}/").content.decode()
    assert f.get_absolute_url() in body and client.get(f.get_absolute_url()).status_code == 200
    login(world.e1_head)
    assert client.get(f.get_absolute_url()).status_code == 404
