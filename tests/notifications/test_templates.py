"""Templates ship in Vietnamese and administrators edit them in Django's admin, through the
services: placeholders checked, the editor recorded, defaults restorable."""

import pytest
from django.contrib.auth import get_user_model

from motcua.core.errors import ValidationFailed
from motcua.notifications.defaults import DEFAULT_TEMPLATES
from motcua.notifications.models import MessageTemplate
from motcua.notifications.services import message_template_save, message_templates_reset


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("quantri", password="mat-khau-quan-tri")
    client.force_login(user)
    client.user = user
    return client


def test_the_defaults_are_installed_by_migrate(db):
    rows = {(t.kind, t.channel): (t.subject, t.body) for t in MessageTemplate.objects.all()}
    assert rows == {(str(k), str(c)): v for (k, c), v in DEFAULT_TEMPLATES.items()}


def test_saving_checks_the_template(db):
    with pytest.raises(ValidationFailed) as error:
        message_template_save(kind="received", channel="email", subject="", body="{ma_ho_so}")
    assert error.value.code == "template_subject_required"
    with pytest.raises(ValidationFailed) as error:
        message_template_save(kind="received", channel="sms", subject="", body="{so_cccd}")
    assert error.value.code == "template_unknown_field"
    with pytest.raises(ValidationFailed) as error:
        message_template_save(kind="received", channel="sms", subject="", body="x" * 481)
    assert error.value.code == "template_too_long"
    assert (
        MessageTemplate.objects.get(kind="received", channel="sms").body
        == (DEFAULT_TEMPLATES[("received", "sms")][1])
    )


def _change_url(template):
    return f"/admin/notifications/messagetemplate/{template.pk}/change/"


def test_the_admin_edits_through_the_service(admin_client):
    template = MessageTemplate.objects.get(kind="resolved", channel="email")
    response = admin_client.post(
        _change_url(template),
        {
            "subject": "Kết quả hồ sơ {ma_ho_so}",
            "body": "Hồ sơ {ma_ho_so} có kết quả.",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.subject, template.body, template.updated_by) == (
        "Kết quả hồ sơ {ma_ho_so}",
        "Hồ sơ {ma_ho_so} có kết quả.",
        admin_client.user,
    )


def test_the_admin_shows_a_bad_placeholder_in_vietnamese_and_keeps_the_old_text(admin_client):
    template = MessageTemplate.objects.get(kind="resolved", channel="email")
    before = template.body
    response = admin_client.post(
        _change_url(template),
        {"subject": "Kết quả {ma_ho_so}", "body": "Kính gửi {ho_ten}", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "Trường {ho_ten} không có trong danh sách" in response.content.decode()
    template.refresh_from_db()
    assert template.body == before


def test_the_admin_neither_adds_nor_deletes(admin_client):
    template = MessageTemplate.objects.first()
    assert admin_client.get("/admin/notifications/messagetemplate/add/").status_code == 403
    assert (
        admin_client.get(f"/admin/notifications/messagetemplate/{template.pk}/delete/").status_code
        == 403
    )


def test_reset_restores_the_shipped_text(admin_client):
    message_template_save(kind="apologised", channel="sms", subject="", body="{ma_ho_so}")
    template = MessageTemplate.objects.get(kind="apologised", channel="sms")
    response = admin_client.post(
        "/admin/notifications/messagetemplate/",
        {"action": "reset_to_default", "_selected_action": [template.pk]},
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == DEFAULT_TEMPLATES[("apologised", "sms")][1]
    assert template.updated_by == admin_client.user


def test_reset_of_everything_recreates_missing_rows(db):
    MessageTemplate.objects.all().delete()
    assert message_templates_reset() == len(DEFAULT_TEMPLATES)
    assert MessageTemplate.objects.count() == len(DEFAULT_TEMPLATES)


def test_the_notification_admin_shows_masked_addresses_only(admin_client, db):
    from motcua.notifications.services import feedback_answer_notify

    feedback_answer_notify(reference="PAKN-000001", answer="Đã xử lý.", phone="0987654321")
    response = admin_client.get("/admin/notifications/notification/")
    page = response.content.decode()
    assert "098****321" in page and "0987654321" not in page
