import pytest

from generator.signature import Placeholder, TemplateError, parse


def test_placeholders_and_literal_braces():
    template = parse("Error {{code}}: {name} failed in {dir}")
    assert template.parts == ("Error {code}: ", Placeholder("name"), " failed in ", Placeholder("dir"))
    assert template.search("x Error {code}: build failed in /tmp/a b") == {"name": "build", "dir": "/tmp/a b"}


def test_whitespace_and_line_wraps_are_flexible():
    template = parse("No OAuth flow is in progress for {provider}. Call mcp__{provider}__authenticate first")
    text = "No OAuth flow is in\nprogress for asana.   Call mcp__asana__authenticate first"
    assert template.search(text) == {"provider": "asana"}


def test_repeated_placeholder_must_repeat_the_same_value():
    template = parse("for {p}. Call mcp__{p}__authenticate")
    assert template.search("for asana. Call mcp__slack__authenticate") is None


@pytest.mark.parametrize("bad, words", [
    ("a { b", "unbalanced '{'"),
    ("a } b", "unbalanced '}'"),
    ("a {B} b", "lowercase name"),
    ("{a}{b} c", "touch"),
    ("{a}", "literal text"),
])
def test_bad_templates_are_explained(bad, words):
    with pytest.raises(TemplateError, match=words):
        parse(bad)


def test_values_are_bounded_and_never_cross_lines():
    template = parse("module {name} not found")
    assert template.search("module x\ny not found") is None
    assert template.search("module " + "x" * 500 + " not found") is None


def test_fill_puts_values_back():
    assert parse("a {x} b {y}").fill({"x": "1"}) == "a 1 b {y}"


def test_first_match_agrees_with_the_compiled_expression():
    """The validator's walker and the lookup's regex must find the same leftmost match."""
    import random

    rng = random.Random(5)
    pieces = ["err", "a", "b", " ", "\n", "fail", "x", "ERR", ":", "  ", "\t", "yy"]
    checked = 0
    for _ in range(5000):
        parts = []
        for _ in range(rng.randint(1, 5)):
            if rng.random() < 0.4 and (not parts or not parts[-1].startswith("{")):
                parts.append("{v%d}" % len(parts))
            else:
                parts.append(rng.choice([" ", "", "  "]) + rng.choice(["err", "a", "b", "fail"]) + rng.choice([" ", ":"]))
        try:
            template = parse("".join(parts))
        except TemplateError:
            continue
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 15)))
        if rng.random() < 0.1:
            text = text.replace("x", "x" * 250)  # values longer than a placeholder may hold
        found = template.regex.search(text)
        assert template.first_match(text) == (None if found is None else found.start()), (template.text, text)
        checked += 1
    assert checked > 3000
