/* The site search's ranking: Pagefind's full-text index, queried the way people describe problems.
 *
 * Pagefind answers a query with the pages that hold every one of its words. People describe a problem
 * in a sentence ("codex mcp server times out at startup on windows"), and one word the page lacks is
 * enough to lose it. So the search box asks Pagefind about each meaningful word of the query on its
 * own, and this file merges the answers:
 *
 * - plan(): the words worth searching. Stop words go; file names, config keys and versions stay whole
 *   (`mcp-needs-auth-cache.json`, `startup_timeout_sec`, `0.101.0`), and a compound's parts are searched
 *   too, to find it inside a longer token such as a path (`rate_limited` in `user_global_rate_limited:pro`); "quoted phrases" are searched as phrases too.
 * - alone(): which words are searched alone. A word on more than half the pages tells little, and
 *   Pagefind's time for a word grows with the square of its pages, so common words are only counted
 *   (cheaply); when every word is common, rarest() picks the words of one all-words search instead.
 * - merge(): a page scores the sum of Pagefind's scores for each word it holds (BM25, with Pagefind's
 *   own IDF and the weights the templates give to titles and signatures), scaled by how much of the
 *   query's information it covers (the IDF of the words it holds over that of all the words found
 *   anywhere), plus a bonus when query words stand together in the page as they do in the query.
 * - adjust(): once the best pages' data is loaded, hand-written guides rank below records.
 * - excerpt(): the passage of a page with the most of the query's words, as text segments to mark. It
 *   reads Pagefind's plain text of the page (`content`) and the places of the words, never Pagefind's
 *   HTML excerpts, so no page text is ever parsed as HTML.
 * - keepsLocal(): whether a query must stay in the browser (a pasted error, a log line, a path, a
 *   secret): then it goes to the lookup only, never to Pagefind and never into a URL.
 *
 * Pure functions, no DOM and no network: site-search.js does the searching and the drawing, and
 * tests/js/search-rank.test.js checks these in node. The tunable numbers are in DEFAULTS; their values
 * come from the dev split of bench/symptoms/queries.yaml (bench/symptom_search.py).
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.ErrorAtlasSearchRank = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var DEFAULTS = {
    maxTerms: 16,        // words searched at most (each may fetch an index chunk)
    coverage: 2,         // exponent on the share of the query's information a page holds
    proximity: 1,        // bonus per pair of neighbouring query words found within `window` words, times their IDF
    window: 8,
    phrase: 1,           // bonus per quoted phrase found, times the IDF of its words
    partWeight: 0.8,     // a compound found as its parts inside a longer token, against 1 found whole
    guide: 0.5,          // a hand-written guide's score, against 1 for a record
    commonShare: 0.5,    // a word on more than this share of the pages is not searched alone: it tells little,
    commonPages: 2500    // nor on more than this many pages: Pagefind's time for one word grows with its pages squared
  };

  // Words that say nothing about which error it is. Kept short on purpose: words such as "not", "no",
  // "failed", "error" or "timeout" are part of error messages, and the IDF already weighs them down.
  var STOP = new Set((
    "a about above after again all also am an and any are as at be because been before being below " +
    "between both but by can could did do does doing done down during each even ever every for from " +
    "further get gets getting got had has have having he her here hers him his how i i'm i've if in into " +
    "is it it's its itself just let me more most my myself now of off on once only or other our ours out " +
    "over own same she should so some such than that the their theirs them then there these they this " +
    "those through to too under until up very was we were what when where which while who whom why will " +
    "with would you your yours yourself " +
    "anyone anybody someone please help thanks hi hello issue issues problem problems question bug " +
    "happen happens happened happening keep keeps kept still again seems seem seemed trying tried try " +
    "using use used uses getting instead since though already really anymore"
  ).split(/\s+/));

  var WORD = /[\p{L}\p{N}_]/u;

  // Marks of a program's output rather than of words a person typed. Text with any of them never leaves
  // the browser, typed or pasted: it is where paths, user names, hosts, ids and secrets are.
  var OUTPUT = [
    /[\r\n]/,                                             // more than one line: a log
    /\b[a-z][a-z0-9+.-]*:\/\/\S/i,                        // a URL
    /[\w.+-]+@[\w-]+\.[\w.-]+/,                            // an e-mail address
    /(?:^|[\s"'`(=:])(?:~?\/(?:home|Users|root|var|tmp|opt|etc|mnt|srv|private)\/|[A-Za-z]:\\|\\\\)/,  // a path
    /\b[0-9a-f]{12,}\b/i,                                   // a hash or a long hex id
    /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-/i,               // a UUID
    /\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d/,                       // a timestamp
    /[\p{L}\p{N}]__[\p{L}\p{N}]/u,                           // a tool id such as mcp__server__tool
    /\b(?:error|err!|fatal|warning|exception|caused by|traceback)\s*(?:\[[^\]]*\])?\s*:/i,  // "Error: ..."
    /\bat \S+ \(.*:\d+:\d+\)|\bFile "[^"]+", line \d+/,    // a stack frame
    /\b[\w.-]+=\S/,                                         // key=value
    /[{}<>]/                                                // JSON, HTML, placeholders
  ];
  var LONGEST_QUERY = 160;  // typed queries are shorter; a longer text is a paste

  /**
   * Why a query must stay in this tab (only the lookup may answer it), or null when the site search may
   * send its words to Pagefind. `how`: {pasted, errorLike, secret} - the text came in by a paste, reads
   * like an error message (lookup-page.js looksLikeError), holds a secret (lookup.js redact).
   */
  function keepsLocal(text, how) {
    how = how || {};
    if (how.secret) return "secret";
    if (how.pasted && how.errorLike) return "paste";
    for (var i = 0; i < OUTPUT.length; i++) if (OUTPUT[i].test(text)) return "output";
    if (text.length > LONGEST_QUERY) return "long";
    return null;
  }

  /** A query's tokens: runs of letters, digits and joining punctuation, trimmed of punctuation at the ends. */
  function tokens(query) {
    var out = [];
    var parts = String(query).normalize("NFC").split(/\s+/);
    for (var i = 0; i < parts.length; i++) {
      var text = parts[i].replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, "");
      if (text) out.push(text);
    }
    return out;
  }

  /** Letters, digits and underscores only, lower case: how Pagefind indexes a word (see generator/site_index.py). */
  function bare(text) {
    return Array.from(text.toLowerCase()).filter(function (c) { return WORD.test(c); }).join("");
  }

  function isCompound(text) {
    return /[\p{L}\p{N}][._\-/:@+#][\p{L}\p{N}]/u.test(text);
  }

  /**
   * The searches to run for a query: {terms: [{query, key, position, weight, partOf}], phrases: [...]}.
   * `query` goes to Pagefind; `key` identifies the term; `position` is the token's place in the query.
   * A compound (`mcp-needs-auth-cache.json`, `~/.codex/config.toml`) is searched whole, and also as its
   * parts (partOf: the compound's index), because Pagefind indexes a longer token that holds it
   * (`~/.claude/mcp-needs-auth-cache.json`) as another word, with its parts at the same place.
   */
  function plan(query, options) {
    var settings = Object.assign({}, DEFAULTS, options || {});
    var terms = [];
    var seen = new Set();
    tokens(query).forEach(function (text, position) {
      var lower = text.toLowerCase();
      if (STOP.has(lower) || STOP.has(lower.replace(/['’].*$/, ""))) return;
      var key = bare(text);
      if (key.length < 2 && !/^\d$/.test(key)) return;
      if (seen.has(key) || terms.length >= settings.maxTerms) return;
      seen.add(key);
      var index = terms.length;
      terms.push({ query: compact(text), key: key, position: position, weight: 1, partOf: null });
      if (!isCompound(text)) return;
      var parts = lower.split(/[^\p{L}\p{N}]+/u).filter(function (part) { return part.length > 1; });
      if (parts.length < 2 || !parts.some(function (part) { return /\p{L}/u.test(part); })) return;
      parts.forEach(function (part) {
        terms.push({ query: part, key: part, position: position, weight: 0, partOf: index });
      });
    });
    var phrases = [];
    var quoted = /["“”]([^"“”]{3,}?)["“”]/g;
    var found;
    while ((found = quoted.exec(query)) !== null) {
      var words = tokens(found[1]).map(compact).filter(Boolean);
      if (words.length > 1) phrases.push({ query: "\"" + words.join(" ") + "\"", words: words.map(bare) });
    }
    return { terms: terms, phrases: phrases };
  }

  /** What Pagefind is sent for a token: letters, digits, `_` and the joining punctuation it drops itself. */
  function compact(text) {
    return text.replace(/[^\p{L}\p{N}_.\-/:@]/gu, "").toLowerCase();
  }

  /**
   * Which terms to search alone, given how many pages hold each (`counts`, from Pagefind's cheap count,
   * see site-search.js). Not a word no page holds, nor one on more than `commonPages` pages (too slow).
   * A word on more than `commonShare` of the pages is left out too when a rarer word of the query is
   * searched: it tells little. A part of a compound is searched to find the compound, not for its meaning.
   */
  function alone(terms, counts, total, options) {
    var settings = Object.assign({}, DEFAULTS, options || {});
    var fast = function (index) { return counts[index] > 0 && counts[index] <= settings.commonPages; };
    var telling = function (index) { return fast(index) && counts[index] <= settings.commonShare * total; };
    var someTelling = terms.some(function (term, index) { return term.partOf === null && telling(index); });
    return terms.map(function (term, index) {
      if (!fast(index)) return false;
      return term.partOf !== null || !someTelling || telling(index);
    });
  }

  /**
   * When every word of a query is on too many pages to be searched alone: the `tried` rarest ones, for
   * one search of the pages that hold them all (site-search.js adds a word while too many pages do).
   */
  function rarest(terms, counts, tried) {
    return terms.map(function (term, index) { return index; })
      .filter(function (index) { return terms[index].partOf === null && counts[index] > 0; })
      .sort(function (a, b) { return counts[a] - counts[b]; })
      .slice(0, tried)
      .map(function (index) { return terms[index].query; });
  }

  /** Pagefind's IDF, from the number of pages that hold a word (pagefind_web/src/search.rs). */
  function idf(total, count) {
    return Math.log(1 + (total - count + 0.5) / (count + 0.5));
  }

  /** How close two words come, in this order: the smallest b - a > 0 within `window`, or 0. */
  function closest(left, right, window) {
    var best = Infinity;
    var j = 0;
    for (var i = 0; i < left.length; i++) {
      while (j < right.length && right[j] <= left[i]) j++;
      if (j < right.length && right[j] - left[i] < best) best = right[j] - left[i];
    }
    return best <= window ? best : 0;
  }

  function sorted(numbers) {
    return (numbers || []).slice().sort(function (a, b) { return a - b; });
  }

  /** The places where every part of a compound stands at once: the compound, inside a longer token. */
  function together(partResults) {
    var common = null;
    partResults.forEach(function (words) {
      var here = new Set(words);
      common = common === null ? here : new Set(Array.from(common).filter(function (place) { return here.has(place); }));
    });
    return common ? sorted(Array.from(common)) : [];
  }

  /**
   * One ranking from Pagefind's answers: answers[i] is {count, results: [{id, score, words}], skipped} for
   * terms[i] (count: the pages that hold the word; skipped: a common word, not searched alone);
   * phraseAnswers[k] likewise for phrases[k]. `total` is
   * the number of pages. Returns [{id, score, share, terms, locations}], best first; `locations` maps a
   * term's index to the places of its words in the page (for the excerpt).
   */
  function merge(terms, answers, phrases, phraseAnswers, total, options) {
    var settings = Object.assign({}, DEFAULTS, options || {});
    var found = terms.map(function (term, index) {
      var byPage = new Map();
      ((answers[index] || {}).results || []).forEach(function (result) { byPage.set(result.id, result); });
      return byPage;
    });
    // A compound's matches: where Pagefind found it whole, and where all its parts stand at one place.
    var matches = terms.map(function (term, index) {
      var pages = new Map();
      if (term.partOf !== null) return pages;
      found[index].forEach(function (result, id) {
        pages.set(id, { score: term.weight * result.score, places: sorted(result.words) });
      });
      var parts = [];
      terms.forEach(function (other, at) { if (other.partOf === index) parts.push(at); });
      if (!parts.length) return pages;
      found[parts[0]].forEach(function (first, id) {
        if (pages.has(id) || !parts.every(function (at) { return found[at].has(id); })) return;
        var places = together(parts.map(function (at) { return found[at].get(id).words || []; }));
        if (!places.length) return;
        var score = parts.reduce(function (sum, at) { return sum + found[at].get(id).score; }, 0) / parts.length;
        pages.set(id, { score: settings.partWeight * score, places: places });
      });
      return pages;
    });
    var information = 0;
    var weights = terms.map(function (term, index) {
      if (term.partOf !== null || (answers[index] || {}).skipped) return 0;  // a common word counts for nothing
      var count = Math.max(matches[index].size, (answers[index] || {}).count || 0);
      if (!count) return 0;  // a word no page holds (a typo, or another tool's)
      var weight = idf(Math.max(total, count), count);
      information += weight;
      return weight;
    });
    var pages = new Map();
    matches.forEach(function (byPage, index) {
      byPage.forEach(function (match, id) {
        var page = pages.get(id);
        if (!page) {
          page = { id: id, base: 0, covered: 0, bonus: 0, terms: [], locations: new Map() };
          pages.set(id, page);
        }
        page.base += match.score;
        page.covered += weights[index];
        page.terms.push(terms[index].key);
        page.locations.set(index, match.places);
      });
    });
    // Query words next to each other in the query, and near each other (in that order) in the page.
    var order = [];
    terms.forEach(function (term, index) { if (term.partOf === null) order.push(index); });
    order.sort(function (a, b) { return terms[a].position - terms[b].position; });
    pages.forEach(function (page) {
      for (var k = 0; k + 1 < order.length; k++) {
        var a = order[k];
        var b = order[k + 1];
        if (!page.locations.has(a) || !page.locations.has(b)) continue;
        var gap = closest(page.locations.get(a), page.locations.get(b), settings.window);
        if (gap) page.bonus += settings.proximity * Math.min(weights[a], weights[b]) * (gap === 1 ? 2 : 1);
      }
    });
    (phrases || []).forEach(function (phrase, index) {
      var answer = phraseAnswers && phraseAnswers[index];
      if (!answer) return;
      var weight = phrase.words.reduce(function (sum, word) {
        var at = terms.findIndex(function (term) { return term.key === word && term.partOf === null; });
        return sum + (at >= 0 ? weights[at] : 0);
      }, 0);
      answer.results.forEach(function (result) {
        var page = pages.get(result.id);
        if (page) page.bonus += settings.phrase * weight;
      });
    });
    var ranked = [];
    pages.forEach(function (page) {
      var share = information > 0 ? Math.min(1, page.covered / information) : 1;
      ranked.push({
        id: page.id,
        score: page.base * Math.pow(share, settings.coverage) + page.bonus,
        share: share,
        terms: page.terms,
        locations: page.locations
      });
    });
    ranked.sort(byScore);
    return ranked;
  }

  function byScore(x, y) {
    return y.score - x.score || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
  }

  /** Records before hand-written guides: `kindOf(id)` is "record" or "guide" once a page's data is in. */
  function adjust(ranked, kindOf, options) {
    var settings = Object.assign({}, DEFAULTS, options || {});
    return ranked.map(function (page) {
      return Object.assign({}, page, { score: kindOf(page.id) === "guide" ? page.score * settings.guide : page.score });
    }).sort(byScore);
  }

  /**
   * The passage of `content` (a page's text, words split by whitespace as Pagefind counts them) with the
   * most of the query's words: {start, segments: [{text, mark}], before, after}. `locations` maps a term
   * to the places of its words; `weights` (optional) maps the same keys to how much each term counts.
   */
  function excerpt(content, locations, length, weights) {
    var words = String(content).split(/[\r\n\s]+/g);
    var marked = new Map();  // word place -> term
    locations.forEach(function (places, term) {
      places.forEach(function (place) { if (!marked.has(place)) marked.set(place, term); });
    });
    var places = Array.from(marked.keys()).sort(function (a, b) { return a - b; });
    var start = 0;
    var bestValue = -1;
    for (var i = 0; i < places.length; i++) {
      var from = Math.max(0, places[i] - 2);
      var seen = new Set();
      var value = 0;
      for (var j = i; j < places.length && places[j] < from + length; j++) {
        var term = marked.get(places[j]);
        if (!seen.has(term)) {
          seen.add(term);
          value += weights && weights.has(term) ? weights.get(term) : 1;
        }
        value += 0.01;
      }
      if (value > bestValue) {
        bestValue = value;
        start = from;
      }
    }
    start = Math.min(start, Math.max(0, words.length - length));
    var segments = [];
    var end = Math.min(words.length, start + length);
    for (var w = start; w < end; w++) {
      var mark = marked.has(w);
      var text = (w > start ? " " : "") + words[w];
      var last = segments[segments.length - 1];
      if (last && !mark && !last.mark) last.text += text;
      else if (mark) {
        if (w > start) segments.push({ text: " ", mark: false });
        segments.push({ text: words[w], mark: true });
      } else segments.push({ text: text, mark: false });
    }
    return { start: start, segments: mergeSpaces(segments), before: start > 0, after: end < words.length };
  }

  function mergeSpaces(segments) {
    var out = [];
    segments.forEach(function (segment) {
      var last = out[out.length - 1];
      if (last && !last.mark && !segment.mark) last.text += segment.text;
      else out.push({ text: segment.text, mark: segment.mark });
    });
    return out;
  }

  return {
    DEFAULTS: DEFAULTS, STOP: STOP, keepsLocal: keepsLocal,
    tokens: tokens, bare: bare, plan: plan, alone: alone, rarest: rarest, idf: idf, closest: closest, merge: merge,
    adjust: adjust, excerpt: excerpt
  };
});
