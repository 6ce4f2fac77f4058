"""One JSON object per log line, for log collectors (Loki, CloudWatch, journald, ...).

Used by the production LOGGING setting and by gunicorn's config, so the app's events and
gunicorn's access log arrive on stdout in the same shape.
"""

import json
import logging
from datetime import UTC, datetime


class JsonFormatter(logging.Formatter):
    def format(self, record):
        event = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": self.message(record),
        }
        event.update(self.fields(record))
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, default=str)

    def message(self, record):
        return record.getMessage()

    def fields(self, record):
        """What Django attaches to request errors (django.request, django.security)."""
        fields = {}
        request = getattr(record, "request", None)
        if hasattr(request, "method") and hasattr(request, "path"):
            fields["method"] = request.method
            fields["path"] = request.path
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            fields["status"] = status_code
        return fields


class GunicornAccessFormatter(JsonFormatter):
    """Gunicorn's access log: it logs its request "atoms" as the record's arguments."""

    def message(self, record):
        atoms = self.atoms(record)
        return f"{atoms.get('m')} {atoms.get('U')} {atoms.get('s')}"

    def fields(self, record):
        atoms = self.atoms(record)
        fields = {
            "method": atoms.get("m"),
            "path": atoms.get("U"),
            "query": atoms.get("q"),
            "status": int(atoms["s"]) if str(atoms.get("s")).isdigit() else None,
            "bytes": atoms.get("B"),
            "duration_ms": atoms.get("M"),
            "remote_addr": atoms.get("h"),
            "forwarded_for": atoms.get("{x-forwarded-for}i"),
            "user_agent": atoms.get("a"),
        }
        return {key: value for key, value in fields.items() if value not in (None, "", "-")}

    @staticmethod
    def atoms(record):
        return record.args if isinstance(record.args, dict) else {}
