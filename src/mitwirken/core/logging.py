import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

# The id of the request being answered (core.observability.ObservabilityMiddleware). A context variable, not a
# thread-local: each thread and each asyncio task sees its own, so threaded or async servers never mix them up.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record, so a log line can be matched to nginx's access log.

    Configured on the handler (settings.LOGGING): a filter on a logger would miss records of its child loggers.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django logs a 4xx/5xx response ("Not Found: /…") after the last middleware returned, when the context
            # variable is reset already; those records carry the request itself.
            request_id = REQUEST_ID.get() or getattr(getattr(record, "request", None), "request_id", None)
            if request_id:
                record.request_id = request_id
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log shippers need no parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # request_id comes from RequestIdFilter (or an explicit ``extra``); task_id from the task worker.
        for key in ("status_code", "request_id", "task_id"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
