/* Error Atlas lookup over the sharded index (generator/shards.py), for a large knowledge base.
 *
 * The whole index (lookup-index.json) is about 5 MB gzipped at 100,000 records.
 * The sharded one lets a paste be answered after fetching only:
 *   1. the manifest (once): counts, cut-offs, shard counts, the hash;
 *   2. the word shards of the paste's words: each word's document frequency
 *      (its IDF), its postings and the templates it anchors;
 *   3. the template shards of the templates those words propose as exact or
 *      fuzzy candidates (and of the error codes the paste prints, which the
 *      word shards hold under "!" + code): text, owner record, exact weight,
 *      df of their words.
 * Then lookup.js's own Matcher runs on that subset, so the answers are those
 * of the whole index (tests/js/shards.test.js checks it on every vector).
 *
 * Requests name shard numbers only, never words: the paste is not sent. A
 * shard number is a hash of a word modulo a few thousand, so a server that
 * logs which shards a tab fetched learns at most "one of these ~50 words".
 * Shards are kept in memory for the tab's life, never in storage.
 *
 * A classic script: window.ErrorAtlasShards in a browser (after lookup.js),
 * module.exports in node. No DOM, and no network of its own: the caller
 * passes load(path) -> Promise of the parsed JSON file under lookup-index/.
 */
(function (root, factory) {
  "use strict";
  if (typeof module === "object" && module.exports) module.exports = factory(require("./lookup.js"));
  else root.ErrorAtlasShards = factory(root.ErrorAtlasLookup);
})(typeof self !== "undefined" ? self : this, function (L) {
  "use strict";

  var SHARDS_FORMAT = "error-atlas-lookup-shards";
  var SHARDS_VERSION = 2;
  var MANIFEST = "manifest.json";
  var CODE_KEY = "!";  // word shards hold error codes under "!" + code: [their template numbers]
  var own = Object.prototype.hasOwnProperty;
  var utf8 = new TextEncoder();

  /** 32-bit FNV-1a over the word's UTF-8 bytes, as generator/shards.py computes it. */
  function fnv1a(word) {
    var bytes = utf8.encode(word);
    var hash = 0x811c9dc5;
    for (var i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193) >>> 0;
    return hash;
  }

  function ShardedIndex(manifest, load) {
    if (!manifest || manifest.format !== SHARDS_FORMAT || manifest.version !== SHARDS_VERSION ||
      manifest.index_format !== L.INDEX_FORMAT || manifest.index_version !== L.INDEX_VERSION ||
      manifest.hash !== "fnv1a32-utf8") {
      throw new Error("not a version " + SHARDS_VERSION + " " + SHARDS_FORMAT);
    }
    this.manifest = manifest;
    this.recordCount = manifest.records;
    this.load = load;
    this.files = new Map();  // path -> Promise of its JSON, for the tab's life
    this.entries = new Map();  // word -> its word shard entry, decoded; null: no signature has it
    // What lookup.js's Matcher reads, filled in as shards arrive. Every value is the whole index's own
    // (a word's IDF, a template's weight), so more of it never changes an answer.
    this.state = {
      total: manifest.total, owners: [], texts: [], sequences: [], starts: [], weights: [], idf: new Map(),
      postings: null, anchors: null, codes: new Map()
    };
    this.codeEntries = new Map();  // code -> its template numbers; null: no record's identifying code
    this.records = [];  // by record number (sparse): {id, title, tool}
    this.templates = new Map();  // the Matcher's parsed templates, shared by every lookup
    this.loadedTemplates = new Set();
  }

  ShardedIndex.prototype.file = function (path) {
    var files = this.files;
    var found = files.get(path);
    if (found === undefined) {
      found = Promise.resolve(this.load(this.manifest.build + "/" + path));
      found.catch(function () { files.delete(path); });  // a later lookup may try again
      files.set(path, found);
    }
    return found;
  };

  /** Fetch the word shards of these words (in parallel) and decode their entries. */
  ShardedIndex.prototype.loadWords = function (words) {
    var self = this;
    var wanted = new Map();  // shard number -> words of it still unknown
    words.forEach(function (word) {
      if (self.entries.has(word)) return;
      var shard = fnv1a(word) % self.manifest.word_shards;
      if (!wanted.has(shard)) wanted.set(shard, []);
      wanted.get(shard).push(word);
    });
    return Promise.all(Array.from(wanted.keys()).map(function (shard) {
      return self.file("words/" + shard + ".json").then(function (content) {
        wanted.get(shard).forEach(function (word) {
          self.entries.set(word, own.call(content, word) ? self.decodeWord(word, content[word]) : null);
        });
      });
    }));
  };

  /** Fetch the word shards that hold these error codes (under "!" + code) and keep their template numbers. */
  ShardedIndex.prototype.loadCodes = function (codes) {
    var self = this;
    var wanted = new Map();
    codes.forEach(function (code) {
      if (self.codeEntries.has(code)) return;
      var shard = fnv1a(CODE_KEY + code) % self.manifest.word_shards;
      if (!wanted.has(shard)) wanted.set(shard, []);
      wanted.get(shard).push(code);
    });
    return Promise.all(Array.from(wanted.keys()).map(function (shard) {
      return self.file("words/" + shard + ".json").then(function (content) {
        wanted.get(shard).forEach(function (code) {
          self.codeEntries.set(code, own.call(content, CODE_KEY + code) ? content[CODE_KEY + code] : null);
        });
      });
    }));
  };

  /** [df, gaps, coarse weights, anchors] -> {postings, coarse, anchors}; the IDF goes into the state. */
  ShardedIndex.prototype.decodeWord = function (word, entry) {
    this.state.idf.set(word, L.log(1 + this.manifest.total / entry[0]));
    var postings = [];
    var number = 0;
    for (var i = 0; i < entry[1].length; i++) postings.push(number += entry[1][i]);
    return { postings: postings, coarse: entry[2], anchors: entry[3] };
  };

  /** Fetch the template shards holding these template numbers and put their templates in the state. */
  ShardedIndex.prototype.loadTemplates = function (numbers) {
    var self = this;
    var size = this.manifest.template_shard_size;
    var shards = new Set();
    numbers.forEach(function (number) {
      if (!self.loadedTemplates.has(number)) shards.add(Math.floor(number / size));
    });
    return Promise.all(Array.from(shards).map(function (shard) {
      return self.file("templates/" + shard + ".json").then(function (content) { self.addTemplates(content); });
    }));
  };

  ShardedIndex.prototype.addTemplates = function (content) {
    var state = this.state;
    var total = this.manifest.total;
    var first = content.first;
    if (this.loadedTemplates.has(first)) return;
    Object.keys(content.records).forEach(function (owner) {
      var record = content.records[owner];
      this.records[Number(owner)] = { id: record[0], title: record[1], tool: record[2] };
    }, this);
    for (var i = 0; i < content.templates.length; i++) {
      var item = content.templates[i];  // [record, text, weight, df of its distinct words, sorted]
      var number = first + i;
      var made = L.templateSequence(item[1]);
      var sequence = made.sequence;
      state.owners[number] = item[0];
      state.texts[number] = item[1];
      state.sequences[number] = sequence;
      state.starts[number] = made.starts;
      state.weights[number] = item[2];
      var words = Array.from(new Set(sequence.filter(function (word) { return word !== L.SLOT; })))
        .sort(L.byString);
      for (var w = 0; w < words.length; w++) {
        if (!state.idf.has(words[w])) state.idf.set(words[w], L.log(1 + total / item[3][w]));
      }
      this.loadedTemplates.add(number);
    }
  };

  /**
   * The fuzzy candidates of search(), without every template's exact weight: the templates that could
   * be among the CANDIDATES best by covered weight / min(weight, cap). Postings carry
   * floor(weight * scale), so each template's weight lies in [q / scale, (q + 1) / scale] and, min and
   * division being monotonic, its key between covered / min(high, cap) and covered / min(low, cap) (as
   * doubles, exactly). A template whose highest possible key is below the CANDIDATES-th best lowest key
   * cannot be a candidate; the others are ranked by Matcher.fuzzyCandidates once their weights are in.
   */
  ShardedIndex.prototype.possibleCandidates = function (sorted) {
    var covered = new Map();
    var coarse = new Map();
    for (var w = 0; w < sorted.length; w++) {
      var entry = this.entries.get(sorted[w]);
      if (!entry || !entry.postings.length) continue;
      var weight = this.state.idf.get(sorted[w]);
      for (var p = 0; p < entry.postings.length; p++) {
        var number = entry.postings[p];
        var previous = covered.get(number);
        covered.set(number, (previous === undefined ? 0.0 : previous) + weight);
        coarse.set(number, entry.coarse[p]);
      }
    }
    var numbers = Array.from(covered.keys());
    if (numbers.length <= L.CANDIDATES) return numbers;
    var scale = this.manifest.weight_scale;
    var cap = L.CANDIDATE_CAP * L.log(1 + this.manifest.total);
    var lows = numbers.map(function (n) { return covered.get(n) / Math.min((coarse.get(n) + 1) / scale, cap); });
    var threshold = lows.slice().sort(function (a, b) { return b - a; })[L.CANDIDATES - 1];
    return numbers.filter(function (n) {
      var q = coarse.get(n);
      return q === 0 || covered.get(n) / Math.min(q / scale, cap) >= threshold;
    });
  };

  /** Ranked matches for a paste, best first, as Matcher.lookup on the whole index: a Promise. */
  ShardedIndex.prototype.lookup = function (text, limit) {
    return this.search(text, limit, 0).then(function (answer) { return answer.matches; });
  };

  /** As Matcher.search on the whole index ({matches, weak, lines, skipped}): a Promise. */
  ShardedIndex.prototype.search = function (text, limit, weak) {
    var self = this;
    var read = L.Matcher.prototype.lines(text);
    var lines = read.lines;
    if (!lines.length) return Promise.resolve({ matches: [], weak: [], lines: read.total, skipped: read.skipped });
    var present = L.presentWords(lines);
    var sorted = Array.from(present).sort(L.byString);
    var pasted = Array.from(L.codes(lines.map(function (line) { return line.text; }).join("\n")));
    return Promise.all([this.loadWords(sorted), this.loadCodes(pasted)]).then(function () {
      // Exact candidates: templates anchored on a paste word whose other words are all in the paste.
      var anchors = new Map();
      var needed = new Set();
      sorted.forEach(function (word) {
        var entry = self.entries.get(word);
        if (!entry) return;
        var passing = entry.anchors.filter(function (anchor) {
          return anchor[1].every(function (other) { return present.has(other); });
        }).map(function (anchor) { return anchor[0]; });
        if (passing.length) anchors.set(word, passing);
        passing.forEach(function (number) { needed.add(number); });
      });
      var possible = new Set(self.possibleCandidates(sorted));
      possible.forEach(function (number) { needed.add(number); });
      var codes = new Map();
      pasted.forEach(function (code) {
        var numbers = self.codeEntries.get(code);
        if (!numbers) return;
        codes.set(code, numbers);
        needed.add(numbers[0]);
      });
      return self.loadTemplates(needed).then(function () {
        // Postings cut down to the possible candidates: their covered weights and order are unchanged.
        var postings = new Map();
        sorted.forEach(function (word) {
          var entry = self.entries.get(word);
          if (entry && entry.postings.length) {
            postings.set(word, entry.postings.filter(function (number) { return possible.has(number); }));
          }
        });
        var state = Object.assign({}, self.state, { postings: postings, anchors: anchors, codes: codes });
        var matcher = new L.Matcher({ format: L.INDEX_FORMAT, version: L.INDEX_VERSION, records: self.records },
          state);
        matcher.templates = self.templates;
        return matcher.search(text, limit, weak);
      });
    });
  };

  /** The sharded index at a base URL (ending in lookup-index/), or null when the site has none (404). */
  function open(base, fetchJson) {
    return fetchJson(base + MANIFEST).then(function (manifest) {
      if (manifest === null) return null;
      return new ShardedIndex(manifest, function (path) { return fetchJson(base + path); });
    });
  }

  return { SHARDS_FORMAT: SHARDS_FORMAT, SHARDS_VERSION: SHARDS_VERSION, MANIFEST: MANIFEST, fnv1a: fnv1a,
    ShardedIndex: ShardedIndex, open: open };
});
