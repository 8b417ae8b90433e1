"""The benchmark runs end to end on a tiny data set: the contract's keys, counters == naive answers
(the command fails loudly otherwise) and a positive ratio. No timing assertions: speed is measured
by `motcua bench`, not by tests."""

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from motcua.bench import generate
from motcua.bench.measure import cpu_times
from tests.conftest import is_postgres

TINY = ["--dossiers", "2000", "--units", "20", "--procedures", "80", "--seed", "7"]


def test_generator_is_seeded_and_well_formed():
    options = generate.Options(dossiers=300, units=20, procedures=80, seed=7)
    first, second = io.StringIO(), io.StringIO()
    counts = generate.write(options, first)
    generate.write(options, second)
    assert first.getvalue() == second.getvalue()
    assert counts == {"unit": 20, "procedure": 80, "target": 6, "dossier": 300}
    lines = [json.loads(line) for line in first.getvalue().splitlines()]
    dossiers = [line for line in lines if line["kind"] == "dossier"]
    assert len({d["MaHoSo"] for d in dossiers}) == 300
    assert {d["KenhThucHien"] for d in dossiers} >= {1, 2}
    assert all(d.get("NgayKetThucXuLy", d["NgayTiepNhan"]) >= d["NgayTiepNhan"] for d in dossiers)


def test_scorecard_bench_end_to_end(tmp_path):
    # A subprocess: the command switches the default connection to its own scratch database,
    # which must not meet pytest-django's test database.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "motcua",
            "bench",
            "scorecard",
            *TINY,
            "--reps",
            "3",
            "--baseline-reps",
            "3",
            "--database-url",
            f"sqlite:///{tmp_path / 'bench.sqlite3'}",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout)
    assert {
        "dossiers",
        "database",
        "import_per_s",
        "scorecard_p95_ms",
        "baseline_p95_ms",
        "ratio",
    } <= set(out)
    assert out["dossiers"] == 2000
    assert out["database"] == "sqlite"
    assert out["ratio"] > 0
    assert out["import_per_s"] > 0
    details = out["details"]
    assert details["prepare"]["import"]["dossiers"] == 2000  # every line through the real import
    assert details["tables"]["dossiers"] == 2000
    assert details["tables"]["events"] == 2000
    # Compared (and equal) before anything was timed.
    assert {"dossiers_on_time", "payment_dossiers", "dossiers_digitized"} <= set(
        details["results"]["checked_indicators"]
    )
    assert not (tmp_path / "bench.sqlite3").exists()  # scratch database removed


def _import_budget(tmp_path, database_url: str) -> dict:
    data = tmp_path / "tiny.jsonl"
    assert generate.main([*TINY, "--out", str(data)]) == 0
    result = subprocess.run(
        [
            sys.executable,
            "bench/import_budget.py",
            "--data",
            str(data),
            "--dossiers",
            "1500",
            "--database-url",
            database_url,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def _check_budget(out: dict) -> None:
    assert out["dossiers"] == 1500 and out["rejected"] == 0
    split = out["cpu_us_per_dossier"]
    assert set(split) == {"importer", "writer", "database_and_other"}
    assert split["importer"] > 0  # parsing and mapping happen in this process
    assert out["cpu_us_per_dossier_total"] == pytest.approx(sum(split.values()), abs=0.2)
    assert out["ceiling_per_s"] == round(out["cores"] * 1e6 / out["cpu_us_per_dossier_total"])


def test_import_budget_on_sqlite(tmp_path):
    out = _import_budget(tmp_path, f"sqlite:///{tmp_path / 'budget.sqlite3'}")
    _check_budget(out)
    assert out["database"].startswith("sqlite")
    assert "database_floor" not in out  # COPY is PostgreSQL's


@pytest.mark.postgres
@pytest.mark.django_db
def test_import_budget_on_postgresql(tmp_path):
    if not is_postgres():
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://…)")
    server = os.environ["DATABASE_URL"].rsplit("/", 1)[0]
    out = _import_budget(tmp_path, f"{server}/motcua_bench_budget_test")
    _check_budget(out)
    assert out["database"] == "postgresql:motcua_bench_budget_test"
    floor = out["database_floor"]
    assert floor["copy_us_per_dossier"] > 0
    # The rows were loaded again, so the floor's ceiling is the Python's with some database cost.
    assert floor["ceiling_per_s"] < floor["ceiling_with_no_database_per_s"]


def test_cpu_times_count_this_process_and_the_machine():
    before = cpu_times()
    deadline = time.process_time() + 0.3
    while time.process_time() < deadline:  # busy: CPU time, not sleep
        pass
    spent = cpu_times().since(before)
    assert spent.own >= 0.29
    assert spent.children == 0  # no child was waited for
    # The machine's busy time includes this process's (clock ticks: 10 ms granularity).
    assert spent.machine >= spent.own - 0.05
