from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from motcua.feedback.models import Feedback, FeedbackChannel

pytestmark = pytest.mark.django_db


def test_import_a_csv(tmp_path, tree):
    path = tmp_path / "pakn.csv"
    path.write_text(
        "name,phone,content,unit,sent_at\n"
        "Lê Thị Mai,0912000111,Đề nghị niêm yết giờ làm việc,11143,2026-03-02T08:00:00+07:00\n",
        encoding="utf-8",
    )
    out = StringIO()
    call_command("feedback", "import", str(path), stdout=out)
    item = Feedback.objects.get()
    assert item.channel == FeedbackChannel.IMPORT and item.unit == tree.tien_dong
    assert "Đã nhập 1 phản ánh" in out.getvalue() and item.reference in out.getvalue()


def test_a_bad_row_imports_nothing(tmp_path, tree):
    path = tmp_path / "pakn.csv"
    path.write_text("name,phone,content\nA,0912000111,Một\nB,,Hai\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng 2"):
        call_command("feedback", "import", str(path))
    assert Feedback.objects.count() == 0
