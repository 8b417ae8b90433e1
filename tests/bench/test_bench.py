"""The benchmark runs end to end on a tiny data set: the contract's keys, counters == naive answers
(the command fails loudly otherwise) and a positive ratio. No timing assertions: speed is measured
by `motcua bench`, not by tests."""

import io
import json
import subprocess
import sys

from motcua.bench import generate

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
