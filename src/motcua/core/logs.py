"""Structured logs: one JSON object a line (MOTCUA_LOG_FORMAT=json), for a log collector (Loki,
Elasticsearch, journald). Keys: time (UTC, ISO 8601), level, logger, message, the process, and
whatever `extra={...}` the call passed; an exception as its formatted traceback. Personal data is
kept out of log calls at their source (the audit logger names who and which dossier, never the
values)."""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has: anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
