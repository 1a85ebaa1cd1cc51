// The site search's ranking (site_overrides/assets/search-rank.js): what is searched, what stays in the
// tab, how Pagefind's answers for each word become one ranking, and excerpts as text.
// Run: node --test tests/js/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");

const R = require(path.join(__dirname, "..", "..", "site_overrides", "assets", "search-rank.js"));

const queries = (plan) => plan.terms.map((term) => term.query);

test("plan: stop words go, the words that say which error stay, once each", () => {
  const plan = R.plan("Why does the Codex MCP server keep timing out at startup on Windows? codex");
  assert.deepEqual(queries(plan), ["codex", "mcp", "server", "timing", "startup", "windows"]);
  assert.ok(plan.terms.every((term) => term.weight === 1 && term.partOf === null));
  assert.deepEqual(plan.terms.map((term) => term.position), [3, 4, 5, 7, 10, 12]);
});

test("plan: error words are not stop words", () => {
  assert.deepEqual(queries(R.plan("not found no such file failed error")), ["not", "found", "no", "such", "file",
    "failed", "error"].filter((word) => !R.STOP.has(word)));
  for (const word of ["not", "no", "failed", "error", "timeout", "refused"]) assert.ok(!R.STOP.has(word), word);
});

test("plan: file names, config keys and versions stay whole, and their parts are searched too", () => {
  const plan = R.plan("`mcp-needs-auth-cache.json` and startup_timeout_sec in ~/.codex/config.toml since 0.101.0");
  const whole = plan.terms.filter((term) => term.partOf === null);
  assert.deepEqual(whole.map((term) => term.query),
    ["mcp-needs-auth-cache.json", "startup_timeout_sec", "codex/config.toml", "0.101.0"]);
  assert.deepEqual(whole.map((term) => term.key), ["mcpneedsauthcachejson", "startup_timeout_sec", "codexconfigtoml", "01010"]);
  const partsOf = (index) => plan.terms.filter((term) => term.partOf === index).map((term) => term.query);
  assert.deepEqual(partsOf(0), ["mcp", "needs", "auth", "cache", "json"]);
  assert.deepEqual(partsOf(plan.terms.findIndex((term) => term.key === "codexconfigtoml")), ["codex", "config", "toml"]);
  // A config key with underscores is one word to Pagefind (generator/site_index.py), which indexes its parts
  // too: they find the key inside a longer one (rate_limited in user_global_rate_limited:pro). A version has no word parts.
  assert.deepEqual(partsOf(plan.terms.findIndex((term) => term.key === "startup_timeout_sec")), ["startup", "timeout", "sec"]);
  assert.deepEqual(partsOf(plan.terms.findIndex((term) => term.key === "01010")), []);
  assert.ok(plan.terms.filter((term) => term.partOf !== null).every((term) => term.weight === 0));
});

test("plan: quoted phrases are searched as phrases too, and the number of words is capped", () => {
  const plan = R.plan('codex says "MCP startup incomplete" again');
  assert.deepEqual(plan.phrases, [{ query: '"mcp startup incomplete"', words: ["mcp", "startup", "incomplete"] }]);
  const long = R.plan(Array.from({ length: 40 }, (_, i) => "word" + i).join(" "));
  assert.equal(long.terms.length, R.DEFAULTS.maxTerms);
  assert.equal(R.plan("the of and", {}).terms.length, 0);
});

test("keepsLocal: pasted errors and the marks of program output never leave the tab", () => {
  const local = (text, how) => R.keepsLocal(text, how);
  assert.equal(local("codex mcp server failed to start on windows"), null);  // a person's words
  assert.equal(local("startup_timeout_sec"), null);
  assert.equal(local("mcp-needs-auth-cache.json"), null);
  assert.equal(local("~/.codex/config.toml ignored"), null);
  assert.equal(local('gemini "quota exceeded" flash'), null);  // quotes make a phrase, not output
  assert.equal(local("codex mcp server failed to start", { pasted: true, errorLike: true }), "paste");
  assert.equal(local("startup_timeout_sec", { pasted: true, errorLike: false }), null);  // a pasted key is a word
  assert.equal(local("x", { secret: true }), "secret");
  for (const text of [
    "line one\nline two",
    "fetch https://git.example.com/o/r failed",
    "reported by jane.doe@example.org",
    "cannot open /home/jane/project/.env",
    "C:\\Users\\jane\\AppData\\Roaming\\npm",
    "commit 3f2a9c1d4e5b6a7f8091",
    "id 123e4567-e89b-12d3-a456-426614174000",
    "2026-11-02T10:11:12 starting",
    "Call mcp__asana__authenticate first",
    "npx mcp-remote: Error: listen EADDRINUSE",
    "ERROR [codex_core]: boom",
    "    at Object.<anonymous> (/app/index.js:3:9)",
    "token=abc123",
    '{"error":{"code":429}}',
  ]) assert.equal(local(text), "output", text);
  assert.equal(local("word ".repeat(40)), "long");
});

test("alone: common words are counted, not searched, unless nothing rarer is asked", () => {
  const plan = R.plan("server mcp-needs-auth-cache.json landlock");
  const keys = plan.terms.map((term) => term.query);
  const counts = { server: 80, "mcp-needs-auth-cache.json": 2, mcp: 90, needs: 50, auth: 30, cache: 8, json: 20,
    landlock: 0 };
  const searched = R.alone(plan.terms, keys.map((key) => counts[key]), 100);
  // "server" is on 80% of the pages and rarer words are asked: left out. Parts are searched whatever their
  // share (they find the compound), a word no page holds needs no search.
  assert.deepEqual(Object.fromEntries(keys.map((key, i) => [key, searched[i]])),
    { server: false, "mcp-needs-auth-cache.json": true, mcp: true, needs: true, auth: true, cache: true, json: true,
      landlock: false });
  assert.deepEqual(R.alone(R.plan("server").terms, [80], 100), [true]);  // nothing rarer: searched
  // Pagefind's time grows with a word's pages squared: past commonPages, nothing is searched alone.
  const big = R.alone(R.plan("server failed").terms, [9000, 4000], 10000, { commonPages: 2500 });
  assert.deepEqual(big, [false, false]);
  assert.deepEqual(R.rarest(R.plan("server failed docker").terms, [9000, 4000, 3000], 2), ["docker", "failed"]);
});

// Pagefind's answers for a plan, as site-search.js passes them: one per term, in order.
function answer(count, results) {
  return { count, results: results.map(([id, score, words]) => ({ id, score, words })) };
}

test("merge: a page holding more of the query's rare words wins over one with a high score for one word", () => {
  const plan = R.plan("landlock sandbox codex");
  const answers = [
    answer(1, [["landlock-page", 5, [10]]]),
    answer(3, [["landlock-page", 2, [11]], ["sandbox-only", 9, [3, 4, 5, 6]], ["other", 1, [1]]]),
    answer(20, [["landlock-page", 1, [30]], ["sandbox-only", 1, [40]], ["codex-only", 8, [2, 3]]]),
  ];
  const ranked = R.merge(plan.terms, answers, [], [], 100);
  assert.deepEqual(ranked.map((page) => page.id).slice(0, 2), ["landlock-page", "sandbox-only"]);
  assert.equal(ranked[0].share, 1);
  assert.ok(ranked.find((page) => page.id === "codex-only").share < 0.3);
  assert.deepEqual([...ranked[0].locations.get(0)], [10]);
});

test("merge: a common word left out counts for nothing", () => {
  const plan = R.plan("landlock error");
  const ranked = R.merge(plan.terms, [answer(2, [["a", 4, [3]]]), { count: 90, results: [], skipped: true }], [], [], 100);
  assert.equal(ranked[0].share, 1);
});

test("merge: a word no page holds does not count against the pages (typos, another tool's name)", () => {
  const plan = R.plan("gemini quota zzqxv");
  const ranked = R.merge(plan.terms, [answer(4, [["a", 3, [1]]]), answer(4, [["a", 3, [9]]]), answer(0, [])], [], [], 50);
  assert.equal(ranked[0].share, 1);
});

test("merge: query words standing together in the page, in order, earn a bonus", () => {
  const plan = R.plan("token never sent");
  const spread = [answer(5, [["near", 2, [10]], ["far", 2, [10]]]), answer(5, [["near", 2, [11]], ["far", 2, [200]]]),
    answer(5, [["near", 2, [12]], ["far", 2, [400]]])];
  const ranked = R.merge(plan.terms, spread, [], [], 100);
  assert.equal(ranked[0].id, "near");
  assert.ok(ranked[0].score > ranked[1].score);
  assert.equal(R.closest([10, 50], [11, 70], 8), 1);
  assert.equal(R.closest([10], [9, 30], 8), 0);  // before it, or too far
});

test("merge: a compound found as its parts at one place counts, parts elsewhere do not", () => {
  const plan = R.plan("mcp-needs-auth-cache.json");
  const answers = plan.terms.map((term) => {
    if (term.partOf === null) return answer(1, [["whole", 6, [40]]]);
    const inPath = ["inside-a-path", 3, [17]];  // ~/.claude/mcp-needs-auth-cache.json: every part at place 17
    const scattered = ["scattered", 3, [term.query.length * 7]];  // the parts, each somewhere else
    return answer(3, [inPath, scattered, ["whole", 1, [40]]]);
  });
  const ranked = R.merge(plan.terms, answers, [], [], 100);
  assert.deepEqual(ranked.map((page) => page.id), ["whole", "inside-a-path"]);
  assert.deepEqual([...ranked[1].locations.get(0)], [17]);
});

test("merge: a quoted phrase found earns a bonus; adjust puts guides below records", () => {
  const plan = R.plan('"startup incomplete" codex');
  const answers = [answer(3, [["a", 2, [5]], ["b", 2, [50]]]), answer(3, [["a", 2, [70]], ["b", 2, [90]]]),
    answer(3, [["a", 1, [1]], ["b", 1, [1]]])];
  const ranked = R.merge(plan.terms, answers, plan.phrases, [answer(1, [["b", 1, [50, 51]]])], 10, { proximity: 0 });
  assert.equal(ranked[0].id, "b");
  const kinds = { a: "record", b: "guide" };
  assert.deepEqual(R.adjust(ranked, (id) => kinds[id], { guide: 0.1 }).map((page) => page.id), ["a", "b"]);
});

test("excerpt: the passage with the most query words, as text segments, marks on the words", () => {
  const content = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen";
  const locations = new Map([[0, [1]], [1, [10, 12]]]);
  const passage = R.excerpt(content, locations, 5);
  assert.equal(passage.start, 8);
  // Word 10 is "eleven" (Pagefind counts from 0); the passage starts two words before the first match.
  assert.deepEqual(passage.segments, [{ text: "nine ten ", mark: false }, { text: "eleven", mark: true },
    { text: " twelve ", mark: false }, { text: "thirteen", mark: true }]);
  assert.ok(passage.before && passage.after);
  const whole = R.excerpt("a <b>c</b> d", new Map([[0, [1]]]), 30);
  assert.deepEqual(whole.segments.map((segment) => segment.text).join(""), "a <b>c</b> d");  // text, never markup
  assert.ok(!whole.before && !whole.after);
});
