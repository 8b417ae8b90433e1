"""Import streams: the memory it holds does not grow with the file."""

import json
import random
import tracemalloc

import pytest

from motcua.dossiers.models import Dossier
from motcua.interchange.services import interchange_import
from tests.interchange.generate import PROCEDURES, UNITS, dossier_payload, lines

LINES = 20_000
DOSSIERS = 150  # real writes, spread over the file; the rest re-states a unit (no write)
LONG_NAME = "UBND xã " + " ".join(["Tiên Động"] * 24)  # 247 characters, short name cut to 128


def generated_file(path) -> int:
    rng = random.Random(7)
    restated = json.dumps(
        {"kind": "unit", "code": "11143", "name": LONG_NAME, "level": "commune", "parent": "298"},
        ensure_ascii=False,
    )
    with open(path, "w", encoding="utf-8") as out:
        written = 0
        for obj in UNITS + PROCEDURES:
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
            written += 1
        out.write(restated + "\n")
        written += 1
        step = (LINES - written) // DOSSIERS
        for i in range(LINES - written):
            if i % step == 0 and i // step < DOSSIERS:
                payload = dossier_payload(i // step, rng)
                payload["MaHoSo"] = "M-" + payload["MaHoSo"]
                out.write(json.dumps(payload, ensure_ascii=False) + "\n")
            else:
                out.write(restated + "\n")
    return path.stat().st_size


@pytest.mark.django_db
def test_import_memory_stays_flat(tmp_path):
    size = generated_file(tmp_path / "big.jsonl")
    assert size > 8_000_000
    # Warm up outside the measurement: lazy imports (the holidays package loads every country on
    # first use), the calendar's per-year holiday tables, Django's query machinery.
    interchange_import(stream=lines(30))
    tracemalloc.start()
    try:
        with open(tmp_path / "big.jsonl", encoding="utf-8") as stream:
            report = interchange_import(stream=stream, batch_size=100)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.rejected == 0, report.errors[:3]
    assert report.counts["dossier"]["created"] == DOSSIERS == Dossier.objects.count() - 30
    assert report.counts["unit"]["unchanged"] > 19_000
    assert peak < 2_000_000, f"peak {peak:,} B for a {size:,} B file"
