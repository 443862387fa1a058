"""The API's JSON parser: bounded nesting and Chinese messages.

Python's json module recurses once per level of nesting, so a body of a few thousand
nested brackets ends in RecursionError (a 500 and a traceback per request); serializers
and the error handler recurse over what it returns, too. No endpoint takes more than a
few levels, so anything deeper than MAX_DEPTH is refused with a 400.
"""

import codecs

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32
TOO_DEEP = f"请求内容的 JSON 嵌套层数过多（最多 {MAX_DEPTH} 层）。"


def nesting_depth(value) -> int:
    """How deep lists and objects nest in parsed JSON, walked without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break  # deep enough to refuse; the rest need not be walked
        stack.extend((child, depth + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.load(codecs.getreader(encoding)(stream), parse_constant=parse_constant)
        except RecursionError:
            raise ParseError(TOO_DEEP) from None
        except UnicodeDecodeError:
            raise ParseError(f"请求内容不是 {encoding} 编码的文本。") from None
        except ValueError as exc:
            raise ParseError(f"请求内容不是有效的 JSON：{exc}") from None
        if nesting_depth(data) > MAX_DEPTH:
            raise ParseError(TOO_DEEP)
        return data
