// The sharded index (generator/shards.py, read by site_overrides/assets/lookup-shards.js) gives exactly
// the answers of the whole index, on every vector, whatever the shard sizes.
// Run: node --test tests/js/   (the shards are written by the Python generator, from the vectors' indexes)
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..", "..");
const L = require(path.join(ROOT, "site_overrides", "assets", "lookup.js"));
const S = require(path.join(ROOT, "site_overrides", "assets", "lookup-shards.js"));
const PYTHON = fs.existsSync(path.join(ROOT, ".venv", "bin", "python")) ? path.join(ROOT, ".venv", "bin", "python")
  : "python3";

function vectors(name) {
  return JSON.parse(fs.readFileSync(path.join(ROOT, "tests", "vectors", name), "utf8"));
}

function strip(match) {
  const { specificity, ...rest } = match;
  return JSON.parse(JSON.stringify(rest));
}

/** Shards of a vector file's index, written by the Python generator into a fresh folder. */
function writeShards(name, options) {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "kb-shards-"));
  const args = ["-m", "generator.shards", path.join(ROOT, "tests", "vectors", name), out];
  for (const [flag, value] of Object.entries(options)) args.push(flag, String(value));
  const manifest = JSON.parse(execFileSync(PYTHON, args, { cwd: ROOT, encoding: "utf8" }));
  return { out, manifest };
}

/** A sharded index reading from disk, recording every path it asks for. */
function openShards(out, manifest) {
  const requested = [];
  const index = new S.ShardedIndex(manifest, (file) => {
    requested.push(file);
    return Promise.resolve(JSON.parse(fs.readFileSync(path.join(out, file), "utf8")));
  });
  return { index, requested };
}

const LAYOUTS = [
  // The build's own sizes, then many small shards, then one of each, with tight and loose weight bounds.
  {},
  { "--word-shards": 64, "--template-shard-size": 3, "--weight-scale": 1048576 },
  { "--word-shards": 1, "--template-shard-size": 100000, "--weight-scale": 1 },
];

for (const name of ["corpus.json", "wild.json", "records.json", "synthetic.json"]) {
  LAYOUTS.forEach((layout, number) => {
    test(`${name}, layout ${number}: the sharded lookup answers exactly as the whole index`, async () => {
      const data = vectors(name);
      const { out, manifest } = writeShards(name, layout);
      try {
        const whole = new L.Matcher(data.index);
        const { index, requested } = openShards(out, manifest);
        assert.equal(manifest.total, Math.max(whole.state.sequences.length, 1));
        const failures = [];
        for (const [n, item] of data.cases.entries()) {
          const answer = await index.search(item.text, data.limit, 3);
          const got = answer.matches.map(strip);
          const expected = whole.lookup(item.text, data.limit).map(strip);
          try {
            assert.deepStrictEqual(got, expected);
            assert.deepStrictEqual(got, item.expected);  // and so Python's answers
            assert.deepStrictEqual(answer.weak.map(strip), item.weak, "not sure");
            assert.deepStrictEqual([answer.lines, answer.skipped], [item.lines, item.skipped], "lines read");
          } catch (error) {
            failures.push(`case ${n} (${item.kind}): ${error.message.slice(0, 1200)}`);
          }
        }
        assert.equal(failures.length, 0, `${failures.length} of ${data.cases.length} differ:\n` +
          failures.slice(0, 3).join("\n\n"));
        // Requests name the build and shard numbers, nothing of a paste.
        const shape = new RegExp(`^${manifest.build}/(words|templates)/\\d+\\.json$`);
        for (const file of requested) assert.match(file, shape);
        assert.equal(new Set(requested).size, requested.length, "a shard is fetched once per tab");
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  });
}

test("a one-line paste fetches a few shards, not the whole index", async () => {
  const data = vectors("synthetic.json");
  const { out, manifest } = writeShards("synthetic.json", { "--word-shards": 256, "--template-shard-size": 4 });
  try {
    const { index, requested } = openShards(out, manifest);
    const paste = data.cases.find((item) => item.kind === "cut").text;
    await index.lookup(paste, 5);
    const words = requested.filter((file) => file.includes("/words/")).length;
    const templates = requested.filter((file) => file.includes("/templates/")).length;
    assert.ok(words > 0 && words < 40, `${words} word shards`);
    assert.ok(templates > 0 && templates <= 60 && templates < manifest.template_shards, `${templates} template shards`);
    assert.deepStrictEqual(await index.lookup("   \n  ", 5), []);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
});

test("FNV-1a is the generator's (32 bits over UTF-8)", () => {
  const words = ["", "a", "error", "eresolve", "0x1f", "ünï", "😀"];
  const python = JSON.parse(execFileSync(PYTHON, ["-c",
    "import json,sys; from generator.shards import fnv1a; print(json.dumps([fnv1a(w) for w in json.loads(sys.argv[1])]))",
    JSON.stringify(words)], { cwd: ROOT, encoding: "utf8" }));
  assert.deepStrictEqual(words.map(S.fnv1a), python);
  assert.equal(S.fnv1a("a"), 0xe40c292c);  // the published FNV-1a 32 test vector
});

test("a manifest of another format or version is refused", () => {
  const manifest = { format: S.SHARDS_FORMAT, version: S.SHARDS_VERSION, index_format: L.INDEX_FORMAT, index_version: 1,
    hash: "fnv1a32-utf8" };
  assert.doesNotThrow(() => new S.ShardedIndex(manifest, () => null));
  assert.throws(() => new S.ShardedIndex({ ...manifest, version: S.SHARDS_VERSION + 1 }, () => null));
  assert.throws(() => new S.ShardedIndex({ ...manifest, hash: "md5" }, () => null));
  assert.throws(() => new S.ShardedIndex({ ...manifest, index_version: 9 }, () => null));
});
