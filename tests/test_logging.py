import json
import logging

from govinfo.logformat import JsonFormatter


def test_json_log_lines_carry_message_level_and_extra_fields():
    record = logging.makeLogRecord(
        {"name": "govinfo.test", "levelname": "WARNING", "levelno": 30, "msg": "编辑台 %s", "args": ("慢",),
         "office_id": 7}
    )  # fmt: skip
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "编辑台 慢" and entry["level"] == "WARNING" and entry["office_id"] == 7


def test_exceptions_are_included():
    try:
        raise ValueError("坏")
    except ValueError:
        import sys

        record = logging.makeLogRecord({"name": "x", "msg": "failed", "exc_info": sys.exc_info()})
    assert "ValueError: 坏" in json.loads(JsonFormatter().format(record))["exception"]
