"""Every validation rule, proven by a fixture that breaks it (tests/fixtures/broken)."""
import re
import time

from helpers import FIXTURES, ROOT
from generator.problems import RULES
from generator.validate import validate_folder

MARKER = re.compile(rb"# <- (EA\d{3})")


def expected_problems(folder):
    """(file, line, code) for every line marked '# <- CODE' in the fixtures."""
    expected = set()
    for path in sorted(folder.rglob("*.y*ml")):
        for number, line in enumerate(path.read_bytes().split(b"\n"), start=1):
            for code in MARKER.findall(line):
                expected.add((path.relative_to(ROOT).as_posix(), number, code.decode()))
    return expected


def test_every_marked_problem_is_reported_at_its_line_and_nothing_else():
    folder = FIXTURES / "broken"
    result = validate_folder(folder)
    found = {(p.path, p.line, p.code) for p in result.problems}
    assert found == expected_problems(folder)
    assert result.records == []  # an invalid knowledge base yields no records at all


def test_every_rule_has_a_fixture_except_the_size_limit():
    marked = {code for _, _, code in expected_problems(FIXTURES / "broken")}
    assert marked == set(RULES) - {"EA020"}


def test_every_rule_is_documented_in_contributing():
    text = (ROOT / "CONTRIBUTING.md").read_text()
    for code in RULES:
        assert f"| {code} |" in text, f"{code} is missing from CONTRIBUTING.md"


def test_valid_fixtures_pass_and_become_records():
    result = validate_folder(FIXTURES / "valid")
    assert result.problems == []
    assert sorted(r.id for r in result.records) == ["demo-tool-widget-refused", "demo-tool-widget-timeout"]


def test_the_knowledge_base_itself_is_valid():
    result = validate_folder(ROOT / "signatures")
    assert [p.text() for p in result.problems] == []
    assert len(result.records) >= 2


def test_file_over_the_size_limit_is_refused(valid_records):
    big = valid_records / "demo-tool" / "huge.yaml"
    big.write_text("title: x\n" + "# padding\n" * 60_000)
    codes = [p.code for p in validate_folder(valid_records).problems if p.path.endswith("huge.yaml")]
    assert codes == ["EA020"]


def test_alias_bomb_is_refused_at_the_first_anchor_without_expanding(valid_records):
    # The classic "billion laughs": expanding it would take gigabytes.
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 10)]
    (valid_records / "demo-tool" / "bomb.yaml").write_text("\n".join(lines) + "\n")
    started = time.perf_counter()
    problems = [p for p in validate_folder(valid_records).problems if p.path.endswith("bomb.yaml")]
    assert [(p.code, p.line) for p in problems] == [("EA004", 1)]
    assert time.perf_counter() - started < 5  # generous: expansion would never finish


def test_missing_folder_is_a_problem_not_a_crash(tmp_path):
    problems = validate_folder(tmp_path / "nowhere").problems
    assert [p.code for p in problems] == ["EA006"]
    assert "does not exist" in problems[0].message


def test_problem_inside_a_block_scalar_points_at_its_line(valid_records):
    path = valid_records / "demo-tool" / "demo-tool-widget-timeout.yaml"
    text = path.read_text().replace("  a link to [the docs]", "  a <b>bold</b> link to [the docs]")
    path.write_text(text)
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "<b>bold" in l)
    problems = validate_folder(valid_records).problems
    assert {(p.code, p.line, p.column) for p in problems} >= {("EA018", line, 5)}


def test_code_spans_may_show_html_but_prose_may_not():
    from generator.markdown_text import html_problems, link_problems

    assert html_problems("Run `echo <b>` and see ```\n<div>\n```") == []
    assert len(html_problems("Some <img src=x onerror=alert(1)> here")) == 1
    assert len(html_problems("an autolink <https://example.org>")) == 1
    assert link_problems("[ok](https://example.org/a_(b)) [bad](data:text/html,x)")[0][1].startswith(
        "link target 'data:text/html,x'")
    assert link_problems("![img](https://example.org/x.png)") != []


def test_related_may_not_point_to_itself(valid_records):
    path = valid_records / "demo-tool" / "demo-tool-widget-refused.yaml"
    path.write_text(path.read_text().replace("related: [demo-tool-widget-timeout]",
                                             "related: [demo-tool-widget-timeout, demo-tool-widget-refused]"))
    messages = [p.message for p in validate_folder(valid_records).problems]
    assert messages == ["a record cannot be related to itself"]


def test_the_example_in_contributing_is_a_valid_record(tmp_path):
    text = (ROOT / "CONTRIBUTING.md").read_text()
    example = text.split("### A complete example", 1)[1].split("```yaml\n", 1)[1].split("\n```\n", 1)[0]
    folder = tmp_path / "signatures" / "demo-tool"
    folder.mkdir(parents=True)
    (folder / "demo-tool-widget-timeout.yaml").write_text(example + "\n")
    refused = FIXTURES / "valid" / "demo-tool" / "demo-tool-widget-refused.yaml"
    (folder / refused.name).write_text(refused.read_text())
    result = validate_folder(tmp_path / "signatures")
    assert [p.text() for p in result.problems] == []


def test_a_signature_mapping_gives_the_engine_its_text_and_the_page_its_source():
    from generator.lookup import Matcher, build_index

    record = next(r for r in validate_folder(FIXTURES / "valid").records if r.id == "demo-tool-widget-timeout")
    assert record.signatures == ["Error: widget {widget} timed out after {ms} ms", "Widget {widget}: no answer in {seconds}s"]
    assert record.signature_sources == [{"source": "https://example.org/issues/1", "seen": "1.2 and later"}, None]
    index = build_index([record])
    assert index["records"][0]["signatures"] == record.signatures
    assert Matcher(index).lookup("Error: widget 'x' timed out after 5 ms")[0].confidence == "exact"


def test_a_signature_mapping_without_text_is_reported_once(valid_records):
    path = valid_records / "demo-tool" / "demo-tool-widget-timeout.yaml"
    text = path.read_text().replace('  - text: "Error: widget {widget} timed out after {ms} ms"\n    source:', "  - source:")
    path.write_text(text.replace("  - \"Error: widget 'alpha' timed out after 30000 ms\"\n", ""))
    problems = validate_folder(valid_records).problems
    assert [(p.code, p.message.split(":")[0]) for p in problems] == [
        ("EA009", "missing required field 'text' in signatures.0")]
