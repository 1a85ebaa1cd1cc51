// The browser's matcher (site_overrides/assets/lookup.js) against the Python engine's answers.
// Run: node --test tests/js/   (the vectors come from tests/vectors/make_vectors.py)
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const L = require(path.join(ROOT, "site_overrides", "assets", "lookup.js"));

function vectors(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "vectors", name), "utf8"));
}

function plain(value) {
  return JSON.parse(JSON.stringify(value));
}

function strip(match) {
  const { specificity, ...rest } = match;  // internal, not part of a result
  return plain(rest);
}

function checkPrepared(data, matcher) {
  const state = matcher.state;
  const idf = Object.fromEntries([...state.idf.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  assert.deepStrictEqual(idf, data.prepared.idf, "word weights (idf)");
  assert.deepStrictEqual(state.weights, data.prepared.weights, "template weights");
  assert.equal(matcher.unknownIdf, data.prepared.unknown_idf);
  assert.deepStrictEqual(Object.fromEntries(state.anchors), data.prepared.anchors);
  assert.deepStrictEqual(Object.fromEntries(state.postings), data.prepared.postings);
  assert.deepStrictEqual(state.starts, data.prepared.starts, "where each part of a message starts");
  assert.deepStrictEqual(Object.fromEntries(state.codes), data.prepared.codes, "identifying error codes");
}

function checkCases(name) {
  const data = vectors(name);
  const matcher = new L.Matcher(data.index);
  checkPrepared(data, matcher);
  const failures = [];
  for (const [number, item] of data.cases.entries()) {
    const found = matcher.search(item.text, data.limit, 3);
    try {
      assert.deepStrictEqual(found.matches.map(strip), item.expected);
      assert.deepStrictEqual(found.weak.map(strip), item.weak, "not sure");
      assert.deepStrictEqual([found.lines, found.skipped], [item.lines, item.skipped], "lines read");
    } catch (error) {
      failures.push(`case ${number} (${item.kind}, expected ${item.id_expected}): ${error.message.slice(0, 1500)}`);
    }
  }
  assert.equal(failures.length, 0, `${failures.length} of ${data.cases.length} cases differ:\n` +
    failures.slice(0, 5).join("\n\n"));
  return data.cases.length;
}

test("bench/corpus: every paste, derived variant and negative ranks exactly as in Python", () => {
  assert.ok(checkCases("corpus.json") > 400);
});

test("bench/wild: fragments, wrappers, other versions, reformatted, status words, long pastes, as in Python", () => {
  assert.ok(checkCases("wild.json") > 500);
});

test("signatures/ examples and their variants rank exactly as in Python", () => {
  assert.ok(checkCases("records.json") > 100);
});

test("synthetic knowledge base: noisy, cut, reworded and multi-error pastes", () => {
  assert.ok(checkCases("synthetic.json") > 300);
});

test("corpus top-1 equals the label wherever Python's does (the accuracy figures carry over)", () => {
  const data = vectors("corpus.json");
  const matcher = new L.Matcher(data.index);
  let same = 0;
  for (const item of data.cases) {
    const js = matcher.lookup(item.text, 1).map((m) => m.id);
    const py = item.expected.slice(0, 1).map((m) => m.id);
    if (JSON.stringify(js) === JSON.stringify(py)) same++;
  }
  assert.equal(same, data.cases.length);
});

const P = vectors("primitives.json");

test("the logarithm is bit-identical to generator/portable_math.py", () => {
  P.inputs.logs.forEach((x, i) => assert.equal(L.log(x), P.logs[i], `log(${x})`));
});

test("fsum and round are Python's", () => {
  P.inputs.fsums.forEach((values, i) => assert.equal(L.fsum(values), P.fsums[i], `fsum(${values})`));
  P.inputs.rounds.forEach((x, i) => assert.equal(L.pyRound(x), P.rounds[i], `round(${x})`));
});

test("matching blocks are RapidFuzz's LCSseq.editops(...).as_matching_blocks()", () => {
  P.inputs.blocks.forEach(([a, b], i) => {
    const got = L.matchingBlocks(a, b).map((block) => [block.a, block.b, block.size]);
    assert.deepStrictEqual(got, P.blocks[i], `blocks(${JSON.stringify(a)}, ${JSON.stringify(b)})`);
  });
});

test("ratio is RapidFuzz's fuzz.ratio", () => {
  P.inputs.ratios.forEach(([a, b], i) => assert.equal(L.ratio(a, b), P.ratios[i], `ratio(${a}, ${b})`));
});

test("normalisation: clean and tokens", () => {
  P.inputs.texts.forEach((text, i) => {
    assert.equal(L.clean(text), P.clean[i]);
    assert.deepStrictEqual(L.tokens(text), P.tokens[i]);
  });
});

test("template search: placeholders, repeated names, case-insensitivity as Python's re", () => {
  P.inputs.templates.forEach(([template, texts], i) => {
    const parts = L.parseTemplate(template);
    texts.forEach((text, j) => {
      assert.deepStrictEqual(plain(L.searchTemplate(parts, text)), P.templates[i][j], `${template} in ${text}`);
    });
  });
});

test("redaction is generator/redact.py's", () => {
  P.inputs.secrets.forEach((text, i) => assert.deepStrictEqual(L.redact(text), P.redact[i], text));
});

test("kb new's proposals: error line, template, id", () => {
  P.inputs.proposals.forEach((text, i) => {
    assert.equal(L.errorLine(text), P.error_lines[i], text);
    assert.equal(L.proposeTemplate(L.errorLine(text)), P.proposals[i], text);
  });
  P.inputs.ids.forEach(([tool, template], i) => {
    const taken = template ? new Set() : new Set(["npm-error-2"]);
    assert.equal(L.proposeId(tool, template, taken), P.ids[i]);
  });
});

test("the case tables lookup.js embeds are Python's", () => {
  const U = vectors("unicode.json");
  assert.deepStrictEqual(L.lowerRuns(), U.lower_runs, `copy the tables of Unicode ${U.unicode} (Python's) into lookup.js`);
  assert.deepStrictEqual(plain(L.extraCases()), U.extra_cases);
});

test("an index of another format or version is refused", () => {
  assert.throws(() => new L.Matcher({ format: "error-atlas-lookup-index", version: 2, records: [] }));
  assert.throws(() => new L.Matcher({ format: "other", version: 1, records: [] }));
});

test("the skeleton is valid-looking YAML with every required field and the redacted paste", () => {
  const [paste] = L.redact("Error: token=abcdef123456 rejected for me@example.org");
  const template = L.proposeTemplate(L.errorLine(paste));
  const text = L.skeleton(paste, template, "", "", "2026-01-02");
  for (const field of ["title", "tool", "category", "signatures", "examples", "meaning", "causes", "fixes",
    "faq", "sources", "status", "verified", "updated"]) {
    assert.match(text, new RegExp(`^${field}:`, "m"), field);
  }
  assert.ok(!text.includes("abcdef123456") && !text.includes("me@example.org"));
  assert.match(text, /TODO/);
});
