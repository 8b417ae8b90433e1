"""The data set of bench/partitioning.py, made by the database itself (`generate_series`, seeded
`random()`, no parallel workers, so the same flags give the same rows): N dossiers filed evenly over
`months` months ending at `end`, ids in filing order as a live system writes them, Zipf-like skew
over units and procedures, and 2–8 events a dossier (5 on average) over its life.

The rows go to two unindexed staging tables, `stage_dossier` (the columns of dossiers_dossier) and
`stage_event` (those of dossiers_dossierevent plus `dossier_submitted_at`), from which each variant
of the benchmark is loaded by the same `INSERT … SELECT`: both variants hold exactly the same rows.

Shape: a dossier's `submitted_at` is when it was filed (every door sets it, docs/domain.md); desk
dossiers are received at once, online ones within two days; those filed in the last two days may
still wait (state 1, not received). Dossiers filed in the last 20 days are mostly open (states
2/4/5/6), older ones mostly ended (returned; a few resolved, refused, withdrawn, stopped), 0.4 %
stuck open. Payloads are ~250 bytes of JSON (real `imported` events carry ~1 kB, live events less).
"""

from datetime import datetime

# %(name)s parameters, bound by psycopg.
STAGE_DOSSIERS = """
CREATE UNLOGGED TABLE stage_dossier (LIKE dossiers_dossier INCLUDING DEFAULTS);
INSERT INTO stage_dossier (
    id, code, "current_role", channel, state, outcome, applicant_name, applicant_id_number,
    applicant_phone, applicant_email, applicant_address, summary, submitted_at, received_at,
    due_at, first_due_at, ended_at, returned_at, rejected_at, budget_seconds, remaining_seconds,
    supplement_count, apology_count, fee_amount, fee_paid_amount, paid_online, result_summary,
    result_electronic, last_event_seq, current_unit_id, procedure_id, unit_id,
    components_digitized, data_reused, has_result_file, synced_to_portal, obligation_amount,
    applicant_code, applicant_kind, databases_consulted, filing_place, result_delivery,
    result_tracking_number, vneid_verified)
SELECT
    g.i, 'H' || g.unit_id || '-' || to_char(g.filed AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD')
        || '-' || lpad(g.i::text, 7, '0'),
    'desk_officer', g.channel, g.state,
    CASE WHEN g.state IN (9, 10) THEN 'granted' WHEN g.state = 3 THEN 'not_accepted'
         WHEN g.state = 7 THEN 'withdrawn' WHEN g.state = 8 THEN 'stopped' ELSE '' END,
    'Nguyễn Văn ' || (g.i %% 977), lpad((g.i::bigint * 7919 %% 1000000000000)::text, 12, '0'),
    '09' || lpad((g.i %% 100000000)::text, 8, '0'), '', 'Thôn ' || (g.i %% 50) || ', xã ' || g.unit_id,
    'Hồ sơ số ' || g.i,
    g.filed, g.received, g.due, g.due, g.ended,
    CASE WHEN g.state = 10 THEN g.ended END, CASE WHEN g.state = 3 THEN g.ended END,
    g.days * 28800, g.days * 28800, 0, 0, g.fee, CASE WHEN g.paid THEN g.fee ELSE 0 END, g.paid,
    '', false, g.events, g.unit_id, g.procedure_id, g.unit_id,
    g.i %% 3 = 0, g.i %% 11 = 0, g.state IN (9, 10), g.i %% 5 <> 0, 0,
    '', 1, '', 'Bộ phận một cửa', 'desk', '', false
FROM (
    SELECT s.*,
        CASE WHEN s.state = 1 THEN NULL
             ELSE s.filed + CASE WHEN s.channel = 2 THEN s.r2 * interval '2 days' ELSE interval '0' END
        END AS received,
        s.filed + s.days * interval '1 day' AS due,
        CASE WHEN s.state IN (3, 7, 8, 9, 10)
             THEN least(s.filed + (s.days * (0.4 + 0.8 * s.r3)) * interval '1 day',
                        %(end)s::timestamptz) END AS ended
    FROM (
        SELECT t.*,
            CASE WHEN t.channel = 2 AND t.age < 2 AND t.r1 < 0.5 THEN 1
                 WHEN (t.age < 20 AND t.r1 < 0.7) OR t.r1 < 0.004
                     THEN (ARRAY[2, 4, 4, 4, 5, 6])[1 + floor(t.r4 * 6)::int]
                 ELSE (ARRAY[10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10,
                             9, 3, 7, 8])[1 + floor(t.r4 * 21)::int]
            END AS state
        FROM (
            SELECT i, filed,
                extract(epoch FROM (%(end)s::timestamptz - filed)) / 86400 AS age,
                units[1 + floor(power(random(), 2.5) * cardinality(units))::int] AS unit_id,
                procs[1 + floor(power(random(), 3) * cardinality(procs))::int] AS procedure_id,
                CASE WHEN random() < 0.45 THEN 2 ELSE 1 END AS channel,
                (ARRAY[1, 2, 3, 5, 7, 10, 15, 20, 30])[1 + floor(random() * 9)::int] AS days,
                (ARRAY[0, 0, 0, 8000, 20000, 50000, 100000])[1 + floor(random() * 7)::int] AS fee,
                random() < 0.3 AS paid,
                2 + (i %% 7) AS events,
                random() AS r1, random() AS r2, random() AS r3, random() AS r4
            FROM (
                SELECT i, %(start)s::timestamptz
                    + (%(end)s::timestamptz - %(start)s::timestamptz) * ((i - 0.5) / %(n)s) AS filed
                FROM generate_series(1, %(n)s) AS i
            ) f,
            (SELECT %(units)s::bigint[] AS units, %(procedures)s::bigint[] AS procs) c
        ) t
    ) s
) g;
"""

STAGE_EVENTS = """
CREATE UNLOGGED TABLE stage_event (LIKE dossiers_dossierevent INCLUDING DEFAULTS);
ALTER TABLE stage_event ADD COLUMN dossier_submitted_at timestamptz NOT NULL;
INSERT INTO stage_event (id, seq, kind, at, recorded_at, actor_name, from_state, to_state, payload,
                         actor_unit_id, dossier_id, hash, dossier_submitted_at)
SELECT
    (d.id - 1) * 8 + s,
    s,
    (ARRAY['submitted', 'received', 'forwarded', 'assigned', 'approved', 'resolved', 'returned',
           'note'])[s],
    e.at, e.at, 'Cán bộ ' || (d.id %% 97),
    CASE WHEN s > 1 THEN 4 END, CASE WHEN s = d.last_event_seq THEN d.state ELSE 4 END,
    jsonb_build_object(
        'note', 'Chuyển xử lý theo quy trình nội bộ, bước ' || s,
        'unit', d.unit_id, 'procedure', d.procedure_id, 'code', d.code,
        'comment', repeat('ý kiến ', 4 + (d.id %% 12)::int)),
    d.unit_id, d.id, md5(d.id || ':' || s) || md5(s || ':' || d.id), d.submitted_at
FROM stage_dossier d
CROSS JOIN LATERAL generate_series(1, d.last_event_seq) AS s
CROSS JOIN LATERAL (
    SELECT d.submitted_at + (coalesce(d.ended_at, %(end)s::timestamptz) - d.submitted_at)
        * ((s - 1)::float / d.last_event_seq) AS at
) e;
"""


def parameters(
    *, dossiers: int, start: datetime, end: datetime, units: list[int], procedures: list[int]
) -> dict:
    return {
        "n": dossiers,
        "start": start,
        "end": end,
        "units": units,
        "procedures": procedures,
    }


def statements(params: dict) -> list[str]:
    """The generator's statements in order (one at a time: psycopg binds one statement)."""
    return [
        sql.strip()
        for script in (STAGE_DOSSIERS, STAGE_EVENTS)
        for sql in script.split(";\n")
        if sql.strip()
    ]
