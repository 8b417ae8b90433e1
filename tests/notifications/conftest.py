import pytest
from django_tasks import task_backends

from tests.notifications.standin_sms_gateway import StandinSmsGateway

IMMEDIATE = "django_tasks.backends.immediate.ImmediateBackend"
DATABASE = "django_tasks_db.DatabaseBackend"


def _use_tasks_backend(settings, backend: str) -> None:
    settings.TASKS = {"default": {"BACKEND": backend}}
    # django-tasks re-reads TASKS on change but keeps the backend objects it already made.
    try:
        delattr(task_backends._connections, "default")
    except AttributeError:
        pass


@pytest.fixture(autouse=True)
def _notification_settings(settings):
    settings.MOTCUA_NOTIFY_CHANNELS = ["email", "sms"]
    settings.MOTCUA_SMS_BACKEND = "log"
    settings.MOTCUA_NOTIFY_RETRY_SECONDS = 0
    settings.MOTCUA_NOTIFY_MAX_ATTEMPTS = 5
    settings.MOTCUA_PUBLIC_URL = "https://dichvucong.example.gov.vn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    yield
    _use_tasks_backend(settings, DATABASE)


@pytest.fixture
def immediate_tasks(settings):
    _use_tasks_backend(settings, IMMEDIATE)


@pytest.fixture
def database_tasks(settings):
    _use_tasks_backend(settings, DATABASE)


@pytest.fixture
def standin_gateway(settings):
    """The stand-in SMS gateway on a free 127.0.0.1 port, and the HTTP adapter pointed at it."""
    gateway = StandinSmsGateway().start()
    settings.MOTCUA_SMS_BACKEND = "http"
    settings.MOTCUA_SMS_GATEWAY_URL = gateway.url
    settings.MOTCUA_SMS_GATEWAY_KEY = gateway.api_key
    settings.MOTCUA_SMS_SENDER = "UBND-TIENDONG"
    settings.MOTCUA_SMS_ROUTES = ["zalo", "sms"]
    yield gateway
    gateway.stop()
