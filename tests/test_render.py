"""The page a record becomes: golden file, section order, structured data, escaping."""
import dataclasses
import json
import os
import re

import yaml

from helpers import FIXTURES, ROOT
from generator import jsonld
from generator.render import SiteOptions, render_site
from generator.validate import validate_folder

OPTIONS = SiteOptions(site_url="https://kb.example/", edit_base="https://github.com/o/r/edit/main/signatures/")
GOLDEN = ROOT / "tests" / "golden"
SECTIONS = ["What this error means", "Common causes", "How to fix it", "Checks by platform", "How to prevent it",
            "FAQ", "Sources", "Related errors"]


def pages():
    result = validate_folder(FIXTURES / "valid")
    return render_site(result.records, OPTIONS)


def split(page):
    _, meta, body = page.split("---\n", 2)
    return yaml.safe_load(meta), body


def test_golden_rendering_of_a_full_record():
    """Set UPDATE_GOLDENS=1 to rewrite the golden file after an intended change."""
    page = pages()["errors/demo-tool-widget-timeout.md"]
    golden = GOLDEN / "demo-tool-widget-timeout.md"
    if os.environ.get("UPDATE_GOLDENS"):
        golden.write_text(page)
    assert page == golden.read_text()


def test_sections_come_in_the_documented_order():
    _, body = split(pages()["errors/demo-tool-widget-timeout.md"])
    headings = re.findall(r"^## (.+)$", body, re.M)
    assert headings == SECTIONS
    assert body.lstrip().startswith("# Widget request timed out\n")
    assert body.index("```{.text .kb-signature}\nError: widget {widget} timed out after {ms} ms\n```") < body.index(
        "## What")


def test_optional_sections_only_when_present():
    _, body = split(pages()["errors/demo-tool-widget-refused.md"])
    headings = re.findall(r"^## (.+)$", body, re.M)
    assert headings == ["What this error means", "Common causes", "How to fix it", "FAQ", "Sources",
                        "Related errors"]
    assert "**Affected versions**" not in body and "**Fixed in**" not in body


def test_faq_holds_the_records_own_questions_and_a_status_answer_only():
    _, body = split(pages()["errors/demo-tool-widget-timeout.md"])
    questions = re.findall(r"^### (.+\?)$", body.split("## FAQ")[1], re.M)
    assert questions == ["Is any data lost?", "Why does only the first call time out?", "Is this fixed?"]
    assert "Yes: the fix shipped in 1.5" in body  # status fixed, fixed_in 1.5
    for generic in ("What should I check first?", "Can I ignore this error?", "How do I know the fix worked?"):
        assert generic not in body
    assert "- **Linux**: Look at `journalctl -u demo-widget`" in body.split("## Checks by platform")[1]


def test_the_status_answer_says_what_the_record_knows():
    from generator.render import status_faq

    record = validate_folder(FIXTURES / "valid").records[0]
    assert record.id == "demo-tool-widget-refused" and record.status == "workaround"
    (answer,) = status_faq(record)
    assert "as of 2026-02-01 (checked against 1.4.2)" in answer["a"]
    opened = dataclasses.replace(record, status="open")
    assert status_faq(opened)[0]["a"].startswith("Not as of 2026-02-01 (checked against 1.4.2)")
    assert status_faq(dataclasses.replace(record, status="wontfix"))[0]["a"].startswith("No: upstream does not plan")
    assert status_faq(dataclasses.replace(record, status=None)) == []


def test_own_question_about_the_status_replaces_the_generated_one():
    from generator.render import faq

    record = validate_folder(FIXTURES / "valid").records[0]
    own = [{"q": "Is this fixed?", "a": "Since 2.0."}, {"q": "Why?", "a": "Because."}]
    assert faq(dataclasses.replace(record, faq=own)) == own


def test_a_signature_names_where_its_wording_was_seen_escaped():
    _, body = split(pages()["errors/demo-tool-widget-timeout.md"])
    block, rest = body.split("```{.text .kb-signature}\nWidget {widget}", 1)
    assert block.rstrip().endswith(
        '<p class="kb-seen" data-pagefind-ignore="all">Wording from <a href="https://example.org/issues/1">'
        'example.org/issues/1</a> '
        "(1.2 and later)</p>")
    assert "kb-seen" not in rest.split("| Fact")[0].split(">Fact<")[0]  # the plain signature names no source
    from generator.render import seen_note, source_label

    hostile = seen_note({"source": "https://example.org/a?b=1&c=\"x", "seen": "<img src=x onerror=alert(1)>"})
    assert "<img" not in hostile and "&lt;img" in hostile and 'href="https://example.org/a?b=1&amp;c=&quot;x"' in hostile
    assert source_label("https://github.com/anthropics/claude-code/issues/56208") == "anthropics/claude-code#56208"
    assert source_label("https://github.com/geelen/mcp-remote/pull/262#issuecomment-1") == "geelen/mcp-remote#262"
    assert source_label("https://github.com/openai/codex/releases/tag/rust-v0.46.0") == "openai/codex rust-v0.46.0"


def test_the_facts_table_has_a_real_header_row():
    _, body = split(pages()["errors/demo-tool-widget-refused.md"])
    assert ('| <span data-pagefind-ignore="all">Fact</span> | <span data-pagefind-ignore="all">Details</span> |\n'
            '|---|---|\n| <strong data-pagefind-ignore="all">Tool</strong> |') in body
    assert "| | |" not in body


def test_meta_description_and_structured_data():
    meta, _ = split(pages()["errors/demo-tool-widget-timeout.md"])
    assert meta["description"].startswith("The demo tool asked a widget for an answer and gave up waiting.")
    assert len(meta["description"]) <= 160
    graph = json.loads(meta["kb_jsonld"])
    types = [item["@type"] for item in graph]
    assert types == ["TechArticle", "FAQPage", "BreadcrumbList"]
    assert graph[0]["dateModified"] == "2026-02-03"
    # The FAQPage carries the record's own questions and the status answer, nothing generic.
    assert [q["name"] for q in graph[1]["mainEntity"]] == [
        "Is any data lost?", "Why does only the first call time out?", "Is this fixed?"]
    crumbs = [item["name"] for item in graph[2]["itemListElement"]]
    assert crumbs == ["Home", "Test Fixtures", "Demo Tool", "Widget request timed out"]
    assert graph[2]["itemListElement"][2]["item"] == "https://kb.example/tools/demo-tool/"
    assert meta["kb_edit_url"].endswith("/signatures/demo-tool/demo-tool-widget-timeout.yaml")


def test_structured_data_cannot_break_out_of_its_script_element():
    hostile = {"name": "</script><script>alert(1)</script><!-- \u2028 & done"}
    text = jsonld.script_text(hostile)
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == hostile


def test_fenced_signature_cannot_close_its_code_block():
    from generator.render import code_block

    block = code_block("a ``` b ```` c")
    fence = block.split("text", 1)[0]
    assert len(fence) == 5 and block.endswith("\n" + fence)


def test_tool_and_category_pages_list_records_with_counts():
    site = pages()
    assert "2 errors in [Test Fixtures](../categories/test-fixtures.md)" in site["tools/demo-tool.md"]
    assert "| [Widget request timed out](../errors/demo-tool-widget-timeout.md) | Fixed | 2026-02-03 |" in site[
        "tools/demo-tool.md"]
    assert "| [Demo Tool](../tools/demo-tool.md) | 2 |" in site["categories/test-fixtures.md"]
    assert "| [Demo Tool](../tools/demo-tool.md) | [Test Fixtures](../categories/test-fixtures.md) | 2 |" in site[
        "tools/index.md"]


def test_long_listings_are_split_into_pages_of_50():
    base = validate_folder(FIXTURES / "valid").records[0]
    records = [dataclasses.replace(base, id=f"big-{n:03d}", title=f"Big error {n:03d}", tool="Big Tool", related=[])
               for n in range(120)]
    site = render_site(records, OPTIONS)
    assert {"tools/big-tool.md", "tools/big-tool/page-2.md", "tools/big-tool/page-3.md"} <= set(site)
    assert "tools/big-tool/page-4.md" not in site
    first, second, third = site["tools/big-tool.md"], site["tools/big-tool/page-2.md"], site["tools/big-tool/page-3.md"]
    assert first.count("](../errors/") == 50 and second.count("](../../errors/") == 50
    assert third.count("](../../errors/") == 20
    assert "Page 1 of 3 · [next](big-tool/page-2.md)" in first
    assert "Page 2 of 3 · [previous](../big-tool.md) · [next](page-3.md)" in second


def test_tag_pages_and_feed():
    site = pages()
    assert "| [widgets](../tags/widgets.md) | 1 |" in site["tags/index.md"]
    assert "[Widget request timed out](../errors/demo-tool-widget-timeout.md)" in site["tags/timeout.md"]
    _, body = split(site["errors/demo-tool-widget-timeout.md"])
    assert ('| <strong data-pagefind-ignore="all">Tags</strong> | [widgets](../tags/widgets.md), '
            '[timeout](../tags/timeout.md) |') in body
    from generator.render import json_feed

    records = validate_folder(FIXTURES / "valid").records
    feed = json.loads(json_feed(records, OPTIONS))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert [item["url"] for item in feed["items"]] == [
        "https://kb.example/errors/demo-tool-widget-timeout/", "https://kb.example/errors/demo-tool-widget-refused/"]
    assert feed["items"][0]["date_modified"] == "2026-02-03T00:00:00Z"


def test_home_browse_lists_recently_updated_records():
    from generator.render import browse_markdown

    records = validate_folder(FIXTURES / "valid").records
    text = browse_markdown(records)
    recent = text.split("## Recently updated", 1)[1]
    assert recent.index("demo-tool-widget-timeout") < recent.index("demo-tool-widget-refused")
    assert "[JSON feed](feed.json)" in text
