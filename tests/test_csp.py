"""Content-Security-Policy: the header on pages, and templates that keep to it. That the
pages still work under it in a real browser is tests/browser/test_csp.py."""

import re
from pathlib import Path

from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


def test_pages_carry_a_policy_without_inline_script_or_eval(client, writer):
    client.force_login(writer)
    policy = _policy(client.get(reverse("home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]
    assert "'unsafe-eval'" not in str(policy)


def test_login_page_and_errors_carry_it_too(client, writer):
    assert "script-src 'self'" in client.get(reverse("login"))["Content-Security-Policy"]
    client.force_login(writer)
    assert "script-src 'self'" in client.get("/no-such-page/")["Content-Security-Policy"]


def _templates() -> list[Path]:
    dirs = [ROOT / "templates", *ROOT.glob("*/templates")]
    return [p for d in dirs for p in d.rglob("*.html")]


def test_templates_have_no_inline_script_handlers_or_javascript_urls():
    offences = []
    for path in _templates():
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offences.append(f"{path}: inline {tag}")
        if re.search(r"\son[a-z]+\s*=", text):
            offences.append(f"{path}: inline event handler")
        if re.search(r"\bhx-on", text) or "javascript:" in text.lower():
            offences.append(f"{path}: hx-on or javascript: URL")
    assert len(_templates()) > 40
    assert not offences, "\n".join(offences)


def test_htmx_injects_no_style_and_evaluates_nothing(client, writer):
    client.force_login(writer)
    page = client.get(reverse("home")).content.decode()
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page
    css = (ROOT / "static" / "css" / "govinfo.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


def test_api_docs_load_their_start_script_as_a_file(client, writer):
    client.force_login(writer)
    response = client.get(reverse("api-docs"))
    page = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert not re.search(r"<script>\s*\S", page)
    [script] = re.findall(r'<script src="([^"]*script=[^"]*)"', page)
    js = client.get(script.replace("&amp;", "&"))
    assert js.status_code == 200 and js["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in js.content
