/* The site's search box (in the header of every page) and the search results page (search/?q=...).
 *
 * One box answers two kinds of question:
 * - A pasted error or log: the lookup's matches (lookup-page.js, renderSearchLookup), computed in this
 *   tab. Such text never goes into a request or a URL: it is not sent to Pagefind at all, whose index
 *   is fetched in chunks by word prefix, so a request would tell the server which words were searched.
 *   What counts as such text is search-rank.js keepsLocal(): a paste that reads like an error, and any
 *   text with the marks of a program's output (several lines, a path, a URL, an address, an id, a
 *   timestamp, "Error: ...") or a secret.
 * - Words: after a short pause in typing, Pagefind (pagefind/, written by `kb build`) searches every
 *   record and guide for each meaningful word, and search-rank.js merges the answers into one ranking
 *   suited to descriptions of problems. Results show the passage with the query's words marked, built
 *   from text nodes (never HTML), and can be filtered by tool and category.
 *
 * The box keeps Material's markup, look and keys: `/`, `s` or `f` focus it, the arrows move through the
 * results, Enter opens the best one (the lookup's, when it has one), Escape closes it. A query of words
 * can be opened as a results page, search/?q=..., to share; a paste never can.
 */
(function () {
  "use strict";

  var Rank = window.ErrorAtlasSearchRank;
  var L = window.ErrorAtlasLookup;
  var LookupPage = window.ErrorAtlasLookupPage;
  var BOX_RESULTS = 8;
  var PAGE_RESULTS = 20;
  var TYPING_PAUSE = 200;  // ms without a keystroke before typed words go to Pagefind
  var EXCERPT_WORDS = 26;
  var SLACK = 2;  // extra pages loaded, so that a guide can drop below records
  var FILTERS = [["tool", "Tool", "All tools"], ["category", "Category", "All categories"]];

  // -- where things are ---------------------------------------------------------------

  /** The site root, as Material computes it (works under /error-atlas/ and at the root). */
  function siteRoot() {
    if (typeof __md_scope !== "undefined" && __md_scope) return new URL(__md_scope.href || __md_scope);
    var config = document.getElementById("__config");
    var base = config ? JSON.parse(config.textContent).base : ".";
    return new URL(base.replace(/\/?$/, "/"), location.href);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  // -- Pagefind -----------------------------------------------------------------------

  var enginePromise = null;

  /** Pagefind's search API and the number of pages it indexed; rejects with .missing when there is no index. */
  function loadEngine() {
    if (enginePromise === null) {
      var bundle = new URL("pagefind/", siteRoot()).href;
      var entry = fetch(bundle + "pagefind-entry.json", { credentials: "same-origin" }).then(function (response) {
        if (response.status === 404) {
          var missing = new Error("no search index");
          missing.missing = true;
          throw missing;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      });
      enginePromise = entry.then(function (data) {
        return import(bundle + "pagefind.js").then(function (pagefind) {
          return pagefind.options({ excerptLength: EXCERPT_WORDS }).then(function () {
            return pagefind.init();
          }).then(function () {
            var total = 0;
            Object.keys(data.languages || {}).forEach(function (language) { total += data.languages[language].page_count || 0; });
            return { pagefind: pagefind, total: total };
          });
        });
      });
      enginePromise.catch(function () { enginePromise = null; });  // a later attempt may succeed
    }
    return enginePromise;
  }

  // A filter that no page has: a search with it returns no page, only how many pages hold the words
  // (Pagefind counts them before it filters), which costs next to nothing. See search-rank.js alone().
  var COUNT_ONLY = { "kb-count-only": "none" };

  /** How many pages hold a word (or all the words of a query), without searching them. */
  function count(engine, query, counted) {
    if (!counted.has(query)) {
      counted.set(query, engine.pagefind.search(query, { filters: COUNT_ONLY }).then(function (found) {
        return found ? found.unfilteredResultCount : 0;
      }));
    }
    return counted.get(query);
  }

  /** Pagefind's answer for one term, as search-rank.js reads it; remembers each page's result for data(). */
  function ask(engine, query, filters, handles, asked) {
    if (!asked.has(query)) {  // a word can be a term and a part of a compound: one search
      asked.set(query, engine.pagefind.search(query, { filters: filters }).then(function (found) {
        if (!found) return { count: 0, results: [] };
        found.results.forEach(function (result) { if (!handles.has(result.id)) handles.set(result.id, result); });
        return {
          count: found.unfilteredResultCount,
          results: found.results.map(function (result) { return { id: result.id, score: result.score, words: result.words }; })
        };
      }));
    }
    return asked.get(query);
  }

  /**
   * When every word is on too many pages to be searched alone: the pages that hold all of the rarest
   * ones, adding a word at a time while too many pages hold them all. Resolves to a term and its
   * answer, or null (then the query is too common to answer: the count says so).
   */
  function allOf(engine, plan, counts, filters, handles, asked, counted) {
    var pagesOf = new Map();
    plan.terms.forEach(function (term, index) { pagesOf.set(term.query, counts[index]); });
    var budget = Rank.DEFAULTS.commonPages * Rank.DEFAULTS.commonPages;
    var tried = 1;
    var step = function () {
      var words = Rank.rarest(plan.terms, counts, ++tried);
      if (words.length < tried) return Promise.resolve(null);  // no more words to add
      var query = words.join(" ");
      return count(engine, query, counted).then(function (pages) {
        // Pagefind's time grows with the pages found times the pages that each word is on.
        var postings = words.reduce(function (sum, word) { return sum + pagesOf.get(word); }, 0);
        if (pages * postings > budget) return step();
        var term = { query: query, key: query, position: 0, weight: 1, partOf: null };
        return ask(engine, query, filters, handles, asked).then(function (answer) { return { term: term, answer: answer }; });
      });
    };
    return step();
  }

  /** The address of a page Pagefind found, under this site's root (Pagefind's own URLs start at /). */
  function pageUrl(data) {
    return new URL(String(data.raw_url || data.url).replace(/^\/+/, ""), siteRoot()).href;
  }

  /** The heading above a passage: the section where the words were found. */
  function sectionOf(data, start) {
    var best = null;
    (data.anchors || []).forEach(function (anchor) {
      if (/^h[23]$/i.test(anchor.element) && anchor.location <= start + 3 && anchor.text &&
          (!best || anchor.location >= best.location)) best = anchor;
    });
    return best ? best.text : "";
  }

  /**
   * The ranked results for a query of words: Promise of {items, matched}, where each item is
   * {id, url, kind, title, tool, category, section, excerpt}.
   */
  function fullText(query, filters, limit) {
    return loadEngine().then(function (engine) {
      var plan = Rank.plan(query);
      if (!plan.terms.length) return { items: [], matched: 0 };
      var handles = new Map();
      var asked = new Map();
      var counted = new Map();
      var phrases = Promise.all(plan.phrases.map(function (phrase) { return ask(engine, phrase.query, filters, handles, asked); }));
      return Promise.all(plan.terms.map(function (term) { return count(engine, term.query, counted); })).then(function (counts) {
        var searched = Rank.alone(plan.terms, counts, engine.total);
        var answers = Promise.all(plan.terms.map(function (term, index) {
          return searched[index] ? ask(engine, term.query, filters, handles, asked)
            : Promise.resolve({ count: counts[index], results: [], skipped: true });
        }));
        var anyAlone = plan.terms.some(function (term, index) { return searched[index] && term.partOf === null; });
        var together = anyAlone ? Promise.resolve(null) : allOf(engine, plan, counts, filters, handles, asked, counted);
        return Promise.all([answers, together, phrases]);
      }).then(function (got) {
        var terms = plan.terms.slice();
        var answers = got[0];
        var tooCommon = !got[1] && answers.every(function (answer) { return !answer.results.length; }) &&
          answers.some(function (answer) { return answer.skipped && answer.count > 0; });
        if (got[1]) {
          terms.push(got[1].term);
          answers = answers.concat([got[1].answer]);
        }
        var ranked = Rank.merge(terms, answers, plan.phrases, got[2], engine.total);
        var top = ranked.slice(0, limit + SLACK);
        return Promise.all(top.map(function (page) { return handles.get(page.id).data(); })).then(function (loaded) {
          var data = new Map();
          top.forEach(function (page, index) { data.set(page.id, loaded[index]); });
          var ordered = Rank.adjust(top, function (id) { return (data.get(id).meta || {}).kind; });
          return {
            matched: ranked.length,
            tooCommon: tooCommon,
            items: ordered.slice(0, limit).map(function (page) { return describe(page, data.get(page.id)); })
          };
        });
      });
    });
  }

  function describe(page, data) {
    var meta = data.meta || {};
    var url = pageUrl(data);
    var record = /\/errors\/([^/]+)\/$/.exec(new URL(url).pathname);
    var passage = Rank.excerpt(data.content || "", page.locations, EXCERPT_WORDS);
    return {
      id: record && meta.kind === "record" ? decodeURIComponent(record[1]) : "",
      url: url,
      kind: meta.kind || "page",
      title: meta.title || url,
      tool: meta.tool || "",
      category: meta.category || "",
      section: sectionOf(data, passage.start),
      excerpt: passage
    };
  }

  // -- drawing results (text nodes only) --------------------------------------------

  function excerptNode(passage) {
    var text = element("p", "kb-search-result__excerpt");
    if (passage.before) text.appendChild(document.createTextNode("… "));
    passage.segments.forEach(function (segment) {
      text.appendChild(segment.mark ? element("mark", null, segment.text) : document.createTextNode(segment.text));
    });
    if (passage.after) text.appendChild(document.createTextNode(" …"));
    return text;
  }

  function resultItem(item, rank) {
    var entry = element("li", "md-search-result__item kb-search-result");
    if (item.id) entry.setAttribute("data-id", item.id);
    entry.setAttribute("data-kind", item.kind);
    var link = element("a", "md-search-result__link");
    link.href = item.url;
    link.tabIndex = -1;
    var article = element("article", "md-search-result__article md-typeset");
    // Enter opens the result with the highest data-md-score; the lookup's matches score above 100000.
    article.setAttribute("data-md-score", String(1000 - rank));
    article.appendChild(element("div", "md-search-result__icon md-icon"));
    article.appendChild(element("h1", null, item.title));
    var where = item.kind === "record" ? [item.tool, item.category].filter(Boolean).join(" · ") : "Guide";
    if (item.section) where += " › " + item.section;
    article.appendChild(element("p", "kb-search-result__where", where));
    article.appendChild(excerptNode(item.excerpt));
    link.appendChild(article);
    entry.appendChild(link);
    return entry;
  }

  function countText(shown, matched, tooCommon) {
    if (tooCommon) {
      return "These words are on too many pages to search them here: add a more telling one " +
        "(an error code, a config key, a file name, the tool's name).";
    }
    if (!matched) return "No page holds these words.";
    return matched + (matched === 1 ? " page holds" : " pages hold") + " some of these words" +
      (matched > shown ? "; the best " + shown + " are shown" : "") + ".";
  }

  var LOCAL_NOTES = {
    paste: "Pasted errors stay in this tab: only the error lookup answers them. Type a few words to search the text of every page.",
    output: "This looks like a program's output (a path, an address, an id or an error line), so it stays in this tab: only the error lookup answers it. Type a few words to search the text of every page.",
    secret: "This holds what looks like a secret, so it stays in this tab and is not searched.",
    long: "Long text stays in this tab: only the error lookup answers it. Type a few words to search the text of every page."
  };

  function failureText(error) {
    return error && error.missing
      ? "The full-text index is missing from this build of the site: `kb build` writes it (pagefind/). The error lookup still works."
      : "The full-text index could not be loaded. Check the connection, then edit the query to retry.";
  }

  /** The tool and category filters: <select>s filled from Pagefind's filter index (loaded when first needed). */
  function filterControls(current, onChange) {
    var box = element("div", "kb-search-filters");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Filter the results");
    var selects = {};
    FILTERS.forEach(function (spec) {
      var label = element("label", "kb-search-filters__label");
      label.appendChild(element("span", null, spec[1]));
      var select = element("select", "kb-search-filters__select");
      select.name = spec[0];
      select.setAttribute("data-filter", spec[0]);
      var all = element("option", null, spec[2]);
      all.value = "";
      select.appendChild(all);
      if (current[spec[0]]) {
        var chosen = element("option", null, current[spec[0]]);
        chosen.value = current[spec[0]];
        select.appendChild(chosen);
        select.value = current[spec[0]];
      }
      select.addEventListener("change", function () { onChange(spec[0], select.value); });
      label.appendChild(select);
      box.appendChild(label);
      selects[spec[0]] = select;
    });
    var filled = false;
    function fill() {
      if (filled) return Promise.resolve();
      filled = true;
      return loadEngine().then(function (engine) { return engine.pagefind.filters(); }).then(function (counts) {
        FILTERS.forEach(function (spec) {
          var select = selects[spec[0]];
          var values = Object.keys(counts[spec[0]] || {}).sort(function (a, b) { return a.localeCompare(b); });
          var keep = select.value;
          select.replaceChildren(select.options[0]);
          values.forEach(function (value) {
            var option = element("option", null, value + " (" + counts[spec[0]][value] + ")");
            option.value = value;
            select.appendChild(option);
          });
          select.value = keep;
        });
        box.setAttribute("data-ready", "yes");
      }, function () { filled = false; });
    }
    box.addEventListener("focusin", fill);
    box.addEventListener("pointerdown", fill);
    return { node: box, fill: fill };
  }

  // -- the search box -----------------------------------------------------------------

  var box = {
    pasted: null,       // the last paste: {text, flat}; an <input> drops line breaks, the lookup wants them
    timer: null,        // the pause before typed words go to Pagefind
    ticket: 0,          // numbers the queries, so a slow answer for an older one is dropped
    pending: 0,         // answers still on their way
    openWhenDone: false,  // Enter came before the answers
    filters: {}
  };

  function parts() {
    var input = document.querySelector('.md-search__input[data-md-component="search-query"]');
    var container = document.querySelector('[data-md-component="search-result"]');
    if (!input || !container) return null;
    return {
      input: input,
      container: container,
      meta: container.querySelector(".md-search-result__meta"),
      list: container.querySelector(".md-search-result__list")
    };
  }

  function isSearchInput(target) {
    return target instanceof Element && target.matches('[data-md-component="search-query"]');
  }

  /** The box's text, with the line breaks of a multi-line paste put back. */
  function boxQuery(input) {
    var value = input.value;
    if (box.pasted !== null && box.pasted.flat && value.indexOf(box.pasted.flat) >= 0) {
      return value.replace(box.pasted.flat, box.pasted.text);
    }
    return value;
  }

  function classify(query, input) {
    var errorLike = LookupPage.looksLikeError(query);
    var pasted = box.pasted !== null && box.pasted.flat.trim() !== "" && input.value.indexOf(box.pasted.flat) >= 0;
    var secret = L.redact(query)[1].length > 0;
    return { errorLike: errorLike, local: Rank.keepsLocal(query, { pasted: pasted, errorLike: errorLike, secret: secret }) };
  }

  function setToggle(open) {
    var toggle = document.getElementById("__search");
    if (toggle && toggle.checked !== open) {
      toggle.checked = open;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function lookupBlock(container, create) {
    var block = container.querySelector(":scope > .kb-search-lookup");
    if (!block && create) {
      block = element("div", "kb-search-lookup");
      block.setAttribute("role", "region");
      block.setAttribute("aria-label", "Error lookup");
    }
    if (block && container.firstElementChild !== block) container.insertBefore(block, container.firstChild);
    return block;
  }

  function clearFullText(view) {
    view.list.replaceChildren();
    var filters = view.container.querySelector(":scope > .kb-search-filters");
    if (filters) filters.remove();
    var more = view.container.querySelector(":scope > .kb-search-more");
    if (more) more.remove();
  }

  /** The box's answers for a query are all in (the tests and bench/symptom_search.py wait for data-busy="no"). */
  function busy(container, yes) {
    container.setAttribute("data-busy", yes ? "yes" : "no");
  }

  function finished(ticket) {
    if (ticket !== box.ticket) return;
    box.pending -= 1;
    var view = parts();
    if (view && box.pending <= 0) busy(view.container, false);
    if (box.pending <= 0 && box.openWhenDone) {
      box.openWhenDone = false;
      openBest();
    }
  }

  function update() {
    var view = parts();
    if (!view) return;
    if (box.timer !== null) {
      clearTimeout(box.timer);
      box.timer = null;
    }
    var ticket = ++box.ticket;
    var query = boxQuery(view.input);
    var current = function () { return ticket === box.ticket; };
    box.pending = 0;
    view.container.setAttribute("data-ticket", String(ticket));
    if (!query.trim()) {
      var old = lookupBlock(view.container, false);
      if (old) old.remove();
      clearFullText(view);
      view.meta.textContent = "Type words to search every page, or paste an error";
      view.container.setAttribute("data-state", "empty");
      busy(view.container, false);
      return;
    }
    busy(view.container, true);
    var kind = classify(query, view.input);
    if (kind.errorLike) {
      box.pending += 1;
      LookupPage.renderSearchLookup(lookupBlock(view.container, true), query, current)
        .then(function () { finished(ticket); });
    } else {
      var stale = lookupBlock(view.container, false);
      if (stale) stale.remove();
    }
    if (kind.local) {
      clearFullText(view);
      view.meta.textContent = LOCAL_NOTES[kind.local];
      view.container.setAttribute("data-state", "local");
      if (box.pending === 0) busy(view.container, false);
      return;
    }
    view.container.setAttribute("data-state", "waiting");
    box.pending += 1;
    box.timer = setTimeout(function () {
      box.timer = null;
      runFullText(view, query, ticket);
    }, TYPING_PAUSE);
  }

  function runFullText(view, query, ticket) {
    var filters = Object.assign({}, box.filters);
    view.container.setAttribute("data-state", "searching");
    fullText(query, filters, BOX_RESULTS).then(function (answer) {
      if (ticket !== box.ticket) return;
      clearFullText(view);
      var controls = filterControls(box.filters, function (name, value) {
        if (value) box.filters[name] = value;
        else delete box.filters[name];
        update();
      });
      view.container.insertBefore(controls.node, view.list);
      var list = document.createDocumentFragment();
      answer.items.forEach(function (item, rank) { list.appendChild(resultItem(item, rank)); });
      view.list.replaceChildren(list);
      var filtered = Object.keys(filters).length ? " (filtered)" : "";
      view.meta.textContent = countText(answer.items.length, answer.matched, answer.tooCommon) + filtered;
      if (answer.items.length) {
        var more = element("a", "kb-search-more");
        var label = element("span", null, "Open these results as a page (to share the link)");
        label.setAttribute("data-md-score", "-2");
        more.appendChild(label);
        more.href = resultsPageUrl(query, filters);
        view.container.appendChild(more);
      }
      view.container.setAttribute("data-state", "results");
      view.container.setAttribute("data-answered", String(ticket));
      finished(ticket);
    }, function (error) {
      if (ticket !== box.ticket) return;
      clearFullText(view);
      view.meta.textContent = failureText(error);
      view.container.setAttribute("data-state", error && error.missing ? "missing" : "error");
      finished(ticket);
    });
  }

  function resultsPageUrl(query, filters) {
    var url = new URL("search/", siteRoot());
    url.searchParams.set("q", query.trim());
    FILTERS.forEach(function (spec) { if (filters[spec[0]]) url.searchParams.set(spec[0], filters[spec[0]]); });
    return url.href;
  }

  /**
   * Material's rule: Enter opens the link whose first element has the highest data-md-score: the lookup's
   * best match (above 100000), else the best full-text result (1000 down), else "Open the full lookup" (-1).
   */
  function openBest() {
    var view = parts();
    if (!view) return;
    var best = null;
    var bestScore = -Infinity;
    view.container.querySelectorAll("a[href]").forEach(function (link) {
      var first = link.firstElementChild;
      var score = first ? parseFloat(first.getAttribute("data-md-score")) : NaN;
      if (!isNaN(score) && score > bestScore) {
        best = link;
        bestScore = score;
      }
    });
    if (best) best.click();
  }

  function focusables(view) {
    return [view.input].concat(Array.prototype.slice.call(view.container.querySelectorAll("a[href]")));
  }

  function isEditable(target) {
    if (!(target instanceof Element)) return false;
    if (target instanceof HTMLInputElement) return target.type !== "radio" && target.type !== "checkbox";
    return target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement || target.isContentEditable;
  }

  function searchOpen() {
    var toggle = document.getElementById("__search");
    return !!(toggle && toggle.checked);
  }

  document.addEventListener("keydown", function (event) {
    var view = parts();
    if (!view || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    var active = document.activeElement;
    if (!searchOpen() || !view.input.closest(".md-search").contains(active)) {
      // Anywhere on the page: `/`, `s` or `f` go to the search box, as in Material.
      if (/^[/sf]$/.test(event.key) && !isEditable(active)) {
        event.preventDefault();
        view.input.focus();
        view.input.select();
      }
      return;
    }
    if (event.key === "Enter" && active === view.input) {
      event.preventDefault();
      if (box.timer !== null) {  // still within the typing pause: search now
        clearTimeout(box.timer);
        box.timer = null;
        runFullText(view, boxQuery(view.input), box.ticket);
      }
      var lookupFound = view.container.querySelector(".kb-search-lookup a[href] [data-md-score]");
      if (box.pending > 0 && !lookupFound) box.openWhenDone = true;
      else openBest();
    } else if (event.key === "Escape") {
      event.preventDefault();
      setToggle(false);
      view.input.blur();
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (active instanceof HTMLSelectElement) return;
      var items = focusables(view);
      var at = Math.max(0, items.indexOf(active));
      var next = (at + items.length + (event.key === "ArrowUp" ? -1 : 1)) % items.length;
      event.preventDefault();
      items[next].focus();
    } else if (event.key.length === 1 && active !== view.input && active && active.matches && active.matches("a[href]")) {
      view.input.focus();  // typing on a result goes on in the box
    }
  });

  // Enter is handled above; a native submit would put the query in the URL.
  document.addEventListener("submit", function (event) {
    if (event.target instanceof Element && event.target.matches("form[name=search]")) event.preventDefault();
  }, true);

  document.addEventListener("focusin", function (event) {
    if (!isSearchInput(event.target)) return;
    setToggle(true);
    // Start loading the indexes, so the first answer comes sooner (no query in any of these requests):
    // Pagefind first, then the lookup's, which only pastes need (a paste loads it at once if needed).
    var preloadLookup = function () { LookupPage.preload().catch(function () { /* shown when used */ }); };
    loadEngine().then(preloadLookup, function (error) {
      preloadLookup();
      var view = parts();
      if (view && !view.input.value.trim()) view.meta.textContent = failureText(error);
    });
  });
  document.addEventListener("focusout", function (event) {
    var search = event.target instanceof Element ? event.target.closest(".md-search") : null;
    if (search && event.relatedTarget instanceof Element && !search.contains(event.relatedTarget) &&
        !event.relatedTarget.matches("label[for=__search]")) setToggle(false);
  });
  document.addEventListener("change", function (event) {
    // The header's magnifier (a label for #__search) opens the box: put the cursor in it.
    if (event.target instanceof Element && event.target.id === "__search" && event.target.checked) {
      var view = parts();
      if (view && document.activeElement !== view.input) view.input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (link && link.closest('[data-md-component="search-result"]')) setToggle(false);
  });
  document.addEventListener("paste", function (event) {
    if (!isSearchInput(event.target) || !event.clipboardData) return;
    var text = event.clipboardData.getData("text/plain");
    box.pasted = { text: text, flat: text.replace(/[\r\n]/g, "") };
  });
  document.addEventListener("drop", function (event) {
    if (!isSearchInput(event.target) || !event.dataTransfer) return;
    var text = event.dataTransfer.getData("text/plain");
    box.pasted = { text: text, flat: text.replace(/[\r\n]/g, "") };
  });
  document.addEventListener("input", function (event) {
    if (isSearchInput(event.target)) update();
  });
  document.addEventListener("reset", function (event) {
    if (!(event.target instanceof Element) || !event.target.matches("form[name=search]")) return;
    box.pasted = null;
    setTimeout(function () {
      update();
      var view = parts();
      if (view) view.input.focus();
    }, 0);
  });

  // -- the results page (search/) -----------------------------------------------------

  function setUpResultsPage(root) {
    if (root.getAttribute("data-ready") === "yes") return;
    root.setAttribute("data-ready", "yes");
    var form = root.querySelector("form");
    var input = root.querySelector("#kb-search-page-input");
    var status = root.querySelector("#kb-search-page-status");
    var results = root.querySelector("#kb-search-page-results");
    var params = new URL(location.href).searchParams;
    var filters = {};
    FILTERS.forEach(function (spec) { if (params.get(spec[0])) filters[spec[0]] = params.get(spec[0]); });
    var ticket = 0;
    var controls = filterControls(filters, function (name, value) {
      if (value) filters[name] = value;
      else delete filters[name];
      run(true);
    });
    form.insertBefore(controls.node, form.querySelector("button"));
    controls.fill();

    function run(remember) {
      var query = input.value;
      var mine = ++ticket;
      results.replaceChildren();
      var local = Rank.keepsLocal(query, { secret: L.redact(query)[1].length > 0 });
      if (!query.trim()) {
        status.textContent = "Type a few words: a symptom, a config key, a file name, a command.";
        root.setAttribute("data-state", "empty");
        history.replaceState(history.state, "", new URL("search/", siteRoot()).href);
        return;
      }
      if (local) {
        // Never searched, never kept in the address: paste errors into the lookup instead.
        status.textContent = "This looks like a pasted error or a log line, so it is not searched or kept in the address. " +
          "Paste it into the error lookup instead.";
        root.setAttribute("data-state", "local");
        history.replaceState(history.state, "", new URL("search/", siteRoot()).href);
        return;
      }
      if (remember) history.replaceState(history.state, "", resultsPageUrl(query, filters));
      status.textContent = "Searching…";
      root.setAttribute("data-state", "searching");
      fullText(query, filters, PAGE_RESULTS).then(function (answer) {
        if (mine !== ticket) return;
        var list = document.createDocumentFragment();
        answer.items.forEach(function (item, rank) {
          var entry = resultItem(item, rank);
          entry.querySelector("a").tabIndex = 0;
          list.appendChild(entry);
        });
        results.replaceChildren(list);
        status.textContent = countText(answer.items.length, answer.matched, answer.tooCommon);
        root.setAttribute("data-state", "results");
      }, function (error) {
        if (mine !== ticket) return;
        status.textContent = failureText(error);
        root.setAttribute("data-state", error && error.missing ? "missing" : "error");
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      run(true);
    });
    input.value = params.get("q") || "";
    run(false);
  }

  // -- per page (navigation.instant swaps pages without reloading scripts) ------------

  function onPage() {
    var root = document.getElementById("kb-search-page");
    if (root) setUpResultsPage(root);
  }

  if (typeof document$ !== "undefined" && document$.subscribe) document$.subscribe(onPage);
  else if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", onPage);
  else onPage();
})();
