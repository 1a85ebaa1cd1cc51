/* The lookup page (lookup/) and the lookup's matches in the site's search box (see site-search.js).
 *
 * Everything runs in this tab: the index (lookup-index.json) is fetched once,
 * without the paste, and the paste is matched here by lookup.js. On a large
 * site the sharded index is used instead (lookup-shards.js): the page fetches
 * the shards a paste's words hash to, by number. The paste is never put in
 * the URL, in storage, or in a request. The one exception is the
 * home page's hand-off: it leaves the paste in sessionStorage under "kb-paste",
 * which this page reads and removes at once. Pasted and record text is only
 * ever set as textContent, never parsed as HTML.
 */
(function () {
  "use strict";

  var L = window.ErrorAtlasLookup;
  var HAND_OFF = "kb-paste";
  var RESULTS = 5;
  var SEARCH_RESULTS = 3;
  var WEAK_SHOWN = 3;  // "not sure" records shown below the credible ones (kb lookup shows as many)
  var matcherPromise = null;

  // -- where things are ---------------------------------------------------------------

  /** The site root, as Material computes it (works under /error-atlas/ and at the root). */
  function siteRoot() {
    if (typeof __md_scope !== "undefined" && __md_scope) return new URL(__md_scope.href || __md_scope);
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function pageOf(id) {
    return new URL("errors/" + encodeURIComponent(id) + "/", siteRoot()).href;
  }

  /** The repository, from the header's "Go to repository" link (mkdocs.yml repo_url). */
  function repositoryUrl() {
    var source = document.querySelector("a.md-source[href]");
    return source ? source.href.replace(/\/+$/, "") : "https://github.com/error-atlas/error-atlas";
  }

  // -- the index ----------------------------------------------------------------------
  // A large site has the sharded index (lookup-index/manifest.json, generator/shards.py): the page then
  // fetches only the shards a paste needs (lookup-shards.js, loaded on demand). Otherwise the manifest is
  // missing (404) and the page reads the whole lookup-index.json once. Either way an engine has
  // recordCount, loadMs and lookup(text, limit): an array (whole index) or a Promise of one (shards).

  function fetchJson(url, missingOk) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (missingOk && response.status === 404) return null;
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    });
  }

  function loadScript(path) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = new URL(path, siteRoot()).href;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + path)); };
      document.head.appendChild(script);
    });
  }

  function wholeIndex() {
    return fetchJson(new URL("lookup-index.json", siteRoot()).href).then(function (index) {
      var matcher = new L.Matcher(index);
      return { recordCount: index.records.length,
        lookup: function (text, limit) { return matcher.lookup(text, limit); },
        search: function (text, limit, weak) { return matcher.search(text, limit, weak); } };
    });
  }

  function shardedIndex(manifest) {
    var base = new URL("lookup-index/", siteRoot()).href;
    var ready = window.ErrorAtlasShards ? Promise.resolve() : loadScript("assets/lookup-shards.js");
    return ready.then(function () {
      // Only shard numbers go into these addresses: never a word of the paste.
      var index = new window.ErrorAtlasShards.ShardedIndex(manifest, function (path) {
        return fetchJson(base + path);
      });
      return { recordCount: index.recordCount,
        lookup: function (text, limit) { return index.lookup(text, limit); },
        search: function (text, limit, weak) { return index.search(text, limit, weak); } };
    });
  }

  function loadMatcher() {
    if (matcherPromise === null) {
      var started = performance.now();
      matcherPromise = fetchJson(new URL("lookup-index/manifest.json", siteRoot()).href, true)
        .then(function (manifest) { return manifest === null ? wholeIndex() : shardedIndex(manifest); })
        .then(function (engine) {
          engine.loadMs = performance.now() - started;
          return engine;
        });
      matcherPromise.catch(function () { matcherPromise = null; });  // a later attempt may succeed
    }
    return matcherPromise;
  }

  /** The engine's answer ({matches, weak, lines, skipped}) as a Promise, whichever kind of engine it is. */
  function answer(engine, text, limit) {
    try {
      return Promise.resolve(engine.search(text, limit, WEAK_SHOWN));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** What a reader should know when a long paste was not read whole (lookup reads its start and end). */
  function skippedNote(found) {
    if (!found.skipped) return "";
    return "This paste has " + found.lines.toLocaleString("en") + " lines: lines " +
      found.skipped[0].toLocaleString("en") + " to " + found.skipped[1].toLocaleString("en") +
      " were not read (the lookup reads the first " + L.HEAD_LINES.toLocaleString("en") + " and the last " +
      (L.MAX_LINES - L.HEAD_LINES).toLocaleString("en") + "). Paste the part around the error, or run " +
      "kb scan on the whole log.";
  }

  // -- DOM helpers (text only) -------------------------------------------------------

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  /** The signature with the paste's values in place of its placeholders, values marked. */
  function signatureNode(match) {
    var code = element("code", "kb-result__signature");
    var parts;
    try {
      parts = L.parseTemplate(match.signature);
    } catch (error) {
      code.textContent = match.signature;
      return code;
    }
    parts.forEach(function (part) {
      if (typeof part === "string") {
        code.appendChild(document.createTextNode(part));
      } else if (Object.prototype.hasOwnProperty.call(match.variables, part.name)) {
        var value = element("mark", "kb-value", match.variables[part.name]);
        value.title = part.name;
        code.appendChild(value);
      } else {
        code.appendChild(element("span", "kb-placeholder", "{" + part.name + "}"));
      }
    });
    return code;
  }

  function resultItem(match, rank) {
    var item = element("li", "kb-result kb-result--" + match.confidence);
    item.setAttribute("data-id", match.id);
    var head = element("div", "kb-result__head");
    var link = element("a", "kb-result__title", match.title);
    link.href = pageOf(match.id);
    if (rank === 0) link.setAttribute("aria-keyshortcuts", "Enter");
    head.appendChild(link);
    var badge = element("span", "kb-confidence kb-confidence--" + match.confidence,
      match.confidence === "weak" ? "not sure" : match.confidence);
    badge.title = "score " + match.score + " of 100";
    head.appendChild(badge);
    item.appendChild(head);
    var signature = element("div", "kb-result__row");
    signature.appendChild(element("span", "kb-result__label", "Signature"));
    signature.appendChild(signatureNode(match));
    item.appendChild(signature);
    var line = element("div", "kb-result__row");
    line.appendChild(element("span", "kb-result__label", "Line " + match.line));
    line.appendChild(element("code", "kb-result__line", match.line_text));
    item.appendChild(line);
    return item;
  }

  // -- contribute a new error -------------------------------------------------------

  function today() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  var MAX_URL = 7500;  // GitHub refuses much longer addresses

  /** {href, found, skeleton, filename} for a paste no record explains; secrets redacted first. */
  function contribution(paste, tool) {
    var redacted = L.redact(paste);
    var text = redacted[0];
    var template = L.proposeTemplate(L.errorLine(text));
    var id = L.proposeId(tool, template, null);
    var folder = tool ? L.slugify(tool) : "TODO-tool-folder";
    var filename = folder + "/" + id + ".yaml";
    var base = repositoryUrl() + "/new/main/signatures?filename=" + encodeURIComponent(filename) + "&value=";
    var skeleton = L.skeleton(text, template, tool, "", today());
    var href = base + encodeURIComponent(skeleton);
    var shortened = false;
    if (href.length > MAX_URL) {
      // A long log: keep the error line as the example, so the address stays usable.
      skeleton = L.skeleton(L.errorLine(text), template, tool, "", today());
      href = base + encodeURIComponent(skeleton);
      shortened = true;
    }
    return { href: href, found: redacted[1], skeleton: skeleton, filename: filename, shortened: shortened };
  }

  // -- the lookup page ----------------------------------------------------------------

  function setUpLookupPage(root) {
    if (root.getAttribute("data-ready") === "yes") return;
    root.setAttribute("data-ready", "yes");
    var input = document.getElementById("error-input");
    var results = document.getElementById("lookup-results");
    var status = document.getElementById("lookup-status");
    var empty = document.getElementById("lookup-nomatch");
    var link = document.getElementById("contribute-link");
    var note = document.getElementById("contribute-note");
    var preview = document.getElementById("contribute-preview");
    var tool = document.getElementById("contribute-tool");
    var unsure = document.getElementById("lookup-unsure");
    var weakList = document.getElementById("lookup-weak");
    var skipped = document.getElementById("lookup-skipped");
    var matcher = null;
    var timer = null;
    var lastMs = 0;
    var lookups = 0;
    var best = null;
    var tickets = 0;  // numbers the lookups, so a slow answer for an older paste is dropped
    var pending = false;  // a sharded lookup is waiting for its shards
    var openWhenDone = false;  // Enter was pressed while it waited

    function say(text) {
      if (status.textContent !== text) status.textContent = text;
    }

    function showNoMatch(paste) {
      var made = contribution(paste, pyStrip(tool.value));
      link.href = made.href;
      link.setAttribute("data-filename", made.filename);
      note.textContent = (made.found.length
        ? "Before anything went into the link, these were removed from your paste: " + made.found.join(", ") + "."
        : "Tokens, keys, passwords in URLs and e-mail addresses are removed before anything goes into the link; " +
          "none were found.") +
        " Check the preview below: the link sends it to GitHub only when you open it." +
        (made.shortened ? " The log is long, so only its error line is included." : "");
      preview.textContent = made.skeleton;
      empty.hidden = false;
    }

    function pyStrip(text) {
      return L.pyStrip(text || "");
    }

    function show(paste, answered, started) {
      lastMs = performance.now() - started;
      var found = answered.matches;
      best = found.length ? found[0] : null;
      var list = document.createDocumentFragment();
      found.forEach(function (match, rank) { list.appendChild(resultItem(match, rank)); });
      results.replaceChildren(list);
      var leads = document.createDocumentFragment();
      answered.weak.forEach(function (match) { leads.appendChild(resultItem(match, -1)); });
      weakList.replaceChildren(leads);
      unsure.hidden = !answered.weak.length;
      skipped.textContent = skippedNote(answered);
      skipped.hidden = !answered.skipped;
      var unsureSaid = answered.weak.length ? " Not sure: " + answered.weak.length +
        (answered.weak.length === 1 ? " record comes close" : " records come close") + " (listed below)." : "";
      if (!pyStrip(paste)) {
        empty.hidden = true;
        say("Ready: paste an error above.");
      } else if (found.length) {
        empty.hidden = true;
        say(found.length + (found.length === 1 ? " match" : " matches") + ". Best: " + found[0].title + " (" +
          found[0].confidence + "). Press Enter to open it." + unsureSaid);
      } else {
        showNoMatch(paste);
        say("No match: no record explains this error with confidence." + unsureSaid);
      }
      results.setAttribute("data-lookups", String(++lookups));
      root.setAttribute("data-state", !pyStrip(paste) ? "empty" : found.length ? "results" : "no-match");
      if (openWhenDone) {
        openWhenDone = false;
        var first = results.querySelector("li a.kb-result__title");
        if (first) first.click();
      }
    }

    function run() {
      timer = null;
      if (matcher === null) return;
      var paste = input.value;
      var started = performance.now();
      var ticket = ++tickets;
      var none = { matches: [], weak: [], lines: 0, skipped: null };
      var found = pyStrip(paste) ? matcher.search(paste, RESULTS, WEAK_SHOWN) : none;
      if (typeof found.then !== "function") {  // the whole index answers at once
        pending = false;
        show(paste, found, started);
        return;
      }
      // The sharded index answers once the shards it needs are in; only the latest paste's answer shows.
      pending = true;
      found.then(function (answered) {
        if (ticket !== tickets) return;
        pending = false;
        show(paste, answered, started);
      }, function () {
        if (ticket !== tickets) return;
        pending = false;
        openWhenDone = false;
        say("Part of the error index could not be loaded. Check the connection, then edit the paste to retry.");
      });
    }

    function schedule() {
      if (timer !== null) clearTimeout(timer);
      // Coalesce keystrokes; wait longer when the last lookup was slow (a long log).
      timer = setTimeout(run, lastMs > 40 ? 150 : 0);
    }

    input.addEventListener("input", schedule);
    tool.addEventListener("input", function () { if (root.getAttribute("data-state") === "no-match") run(); });
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey ||
        event.isComposing) return;
      if (timer !== null) { clearTimeout(timer); run(); }
      if (pending) {
        event.preventDefault();
        openWhenDone = true;
      } else if (best) {
        event.preventDefault();
        var first = results.querySelector("li a.kb-result__title");
        if (first) first.click();
      }
    });

    try {
      var handed = sessionStorage.getItem(HAND_OFF);
      sessionStorage.removeItem(HAND_OFF);
      if (handed) input.value = handed;
    } catch (error) {
      // Storage can be disabled: the page simply starts empty.
    }

    say("Loading the error index…");
    root.setAttribute("data-state", "loading");
    loadMatcher().then(function (loaded) {
      matcher = loaded;
      root.setAttribute("data-records", String(loaded.recordCount));
      root.setAttribute("data-load-ms", loaded.loadMs.toFixed(1));
      // Milliseconds from the start of navigation until the lookup can answer (bench/browser_speed.py).
      root.setAttribute("data-ready-at", performance.now().toFixed(1));
      run();
      if (!pyStrip(input.value)) say("Ready: " + loaded.recordCount + " errors indexed. Paste an error above.");
    }, function () {
      root.setAttribute("data-state", "error");
      say("The error index could not be loaded. Reload the page to try again.");
    });
  }

  // -- the search box's lookup part ----------------------------------------------------
  // The search box itself (typing, pastes, keys, Pagefind's full-text results) is site-search.js; it
  // calls renderSearchLookup for a query that looksLikeError, and puts the block above its own results.

  var ERRORISH = /\b(?:error|err!|fatal|exception|failed|failure|cannot|can't|could not|unable|denied|refused|not found|invalid|missing|timed? ?out|panic|traceback|abort|no such|rejected|unauthori[sz]ed|forbidden)\b|\w(?:Error|Exception)\b|\bE[A-Z0-9]{3,}\b/i;

  /** A long query, or one that reads like an error message, gets the lookup's matches. */
  function looksLikeError(query) {
    var text = query.trim();
    return text.length >= 40 || (text.length >= 12 && ERRORISH.test(text));
  }

  /** One of the lookup's matches in the search box: a link with its title, confidence and matched line. */
  function searchLookupItem(match, score, badge, weak) {
    var item = element("li", "kb-search-lookup__item" + (weak ? " kb-search-lookup__item--weak" : ""));
    item.setAttribute("data-id", match.id);
    var link = element("a", "md-search-result__link kb-search-lookup__link");
    link.href = pageOf(match.id);
    link.tabIndex = -1;
    var article = element("article", "md-search-result__article md-typeset");
    article.setAttribute("data-md-score", String(score));
    article.appendChild(element("h2", null, match.title));
    var meta = element("p", "kb-search-lookup__why");
    meta.appendChild(element("span", "kb-confidence kb-confidence--" + match.confidence, badge));
    meta.appendChild(document.createTextNode(" " + match.line_text));
    article.appendChild(meta);
    link.appendChild(article);
    item.appendChild(link);
    return item;
  }

  /**
   * Draw the lookup's matches for `query` into `block` (the search box's .kb-search-lookup element).
   * Returns a Promise that settles once drawn; nothing is drawn if isCurrent() says a newer query came.
   */
  function renderSearchLookup(block, query, isCurrent) {
    return loadMatcher().then(function (engine) {
      return answer(engine, query, SEARCH_RESULTS);
    }).then(function (answered) {
      if (!isCurrent()) return;  // a newer query is on its way
      var found = answered.matches;
      var content = document.createDocumentFragment();
      content.appendChild(element("div", "kb-search-lookup__meta", found.length
        ? "Error lookup: " + found.length + (found.length === 1 ? " record explains" : " records explain") +
          " this error (Enter opens the first)"
        : "Error lookup: no record explains this error with confidence."));
      var list = element("ol", "kb-search-lookup__list");
      found.forEach(function (match, rank) {
        // Enter opens the result with the highest data-md-score: the lookup's best match.
        list.appendChild(searchLookupItem(match, 100000 + match.score * 100 - rank, match.confidence, false));
      });
      content.appendChild(list);
      if (answered.weak.length) {
        content.appendChild(element("div", "kb-search-lookup__meta kb-search-lookup__unsure",
          "Not sure: the closest records, below the confidence threshold"));
        var leads = element("ol", "kb-search-lookup__list kb-search-lookup__list--weak");
        answered.weak.forEach(function (match) {
          // Below every other link, "Open the full lookup" included: Enter never opens a lead.
          leads.appendChild(searchLookupItem(match, -3, "not sure", true));
        });
        content.appendChild(leads);
      }
      if (answered.skipped) content.appendChild(element("div", "kb-search-lookup__meta", skippedNote(answered)));
      var open = element("a", "kb-search-lookup__more");
      // Material's Enter reads data-md-score on the first child of every link in the results.
      var label = element("span", null, "Open the full lookup");
      label.setAttribute("data-md-score", "-1");
      open.appendChild(label);
      open.href = new URL("lookup/", siteRoot()).href;
      open.addEventListener("click", function () {
        try { sessionStorage.setItem(HAND_OFF, query); } catch (error) { /* starts empty */ }
      });
      content.appendChild(open);
      block.replaceChildren(content);
    }, function () {
      if (!isCurrent()) return;
      block.replaceChildren(element("div", "kb-search-lookup__meta", "Error lookup: the index could not be loaded."));
    });
  }

  window.ErrorAtlasLookupPage = {
    looksLikeError: looksLikeError,
    renderSearchLookup: renderSearchLookup,
    /** Start loading the lookup's index (the search box does when it gets the focus). */
    preload: function () { return loadMatcher(); },
  };

  // -- per page (navigation.instant swaps pages without reloading scripts) ------------

  function onPage() {
    var root = document.getElementById("kb-lookup");
    if (root) setUpLookupPage(root);
  }

  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(onPage);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onPage);
  else onPage();
})();
