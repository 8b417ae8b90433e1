"""Background tasks of digitization, run by the one worker (`motcua worker`, the database backend
of the django-tasks backport) beside the notifications' tasks. Arguments are ids only."""

from django_tasks import task

from motcua.digitization import services


@task()
def document_ocr_task(document_id: int) -> str:
    return services.document_ocr(document_id=document_id).status
