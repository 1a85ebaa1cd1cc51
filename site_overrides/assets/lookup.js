/* Error Atlas lookup engine, for the browser and for node (tests, benchmarks).
 *
 * A line-for-line port of the Python engine: generator/normalize.py,
 * generator/signature.py (templates to regular expressions), generator/lookup.py
 * (candidates, ordering, scores), generator/portable_math.py (the logarithm),
 * generator/redact.py and the proposal part of generator/scaffold.py (kb new),
 * plus what lookup.py borrows from RapidFuzz (LCSseq.editops(...).as_matching_blocks()
 * and fuzz.ratio) and Python itself (math.fsum, round, str.strip, re.IGNORECASE).
 * The Python engine is the source of truth: tests/vectors holds its answers and
 * tests/js checks that this file gives the same, to the last bit of every score.
 *
 * No dependencies and no build step: a classic script that defines
 * window.ErrorAtlasLookup in a browser and module.exports in node. Nothing here
 * touches the DOM or the network; the page script (lookup-page.js) does that.
 */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.ErrorAtlasLookup = api;
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var INDEX_FORMAT = "error-atlas-lookup-index";
  var INDEX_VERSION = 1;
  // The constants of generator/lookup.py, which explains each.
  var LIKELY = 80;
  var POSSIBLE = 65;
  var WEAK = 40;
  var MAX_LINE = 2000;
  var MAX_LINES = 5000;
  var HEAD_LINES = 1000;
  var CANDIDATES = 40;
  var CANDIDATE_CAP = 4.0;
  var WINDOW = 3;
  var MAX_WINDOW = 30;
  var FINE_WINDOWS = 3;
  var PENALTY = 30;
  var CUT_OFF = 0.2;
  var CUT_CAP = 0.8;
  var MIN_INFORMATION = 1.5;
  var SHOWN = 0.3;
  var FRAGMENT = 3.0;
  var RELIEF = 4.0;
  var DROP = 0.5;
  var DROP_SHARE = 0.34;
  var SLOT = "\x00";
  var VALUE_WORDS = 4;
  var CODE_SCORE = 70;
  var DROPPED = -1;
  var MAX_VALUE = 200;

  // ---------------------------------------------------------------------------
  // Python's str semantics
  // ---------------------------------------------------------------------------

  // The characters for which Python's str.isspace() is true: what \s means in a
  // Python str pattern, and what str.strip() and str.split() remove.
  var PY_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var PY_STRIP = new RegExp("^[" + PY_SPACE + "]+|[" + PY_SPACE + "]+$", "g");
  var PY_SPACES = new RegExp("[" + PY_SPACE + "]+");
  // lookup.BOUNDARY: where a message's parts meet (Python's \s is Unicode whitespace).
  var BOUNDARY = new RegExp("[.,:;!?](?=[" + PY_SPACE + "])|\\n|[" + PY_SPACE + "][-\\u2013\\u2014][" + PY_SPACE + "]");

  function pyStrip(text) {
    return text.replace(PY_STRIP, "");
  }

  /** text[:n] in Python: n code points, not UTF-16 units. */
  function codePointSlice(text, n) {
    if (text.length <= n) return text;
    var index = 0;
    for (var count = 0; count < n && index < text.length; count++) {
      var unit = text.charCodeAt(index);
      index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < text.length &&
        (text.charCodeAt(index + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
    }
    return text.slice(0, index);
  }

  function codePointLength(text) {
    var count = 0;
    for (var i = 0; i < text.length; i++) {
      var unit = text.charCodeAt(i);
      if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
      count++;
    }
    return count;
  }

  /** Python's round() to an integer: halves go to the even neighbour. */
  function pyRound(x) {
    var floor = Math.floor(x);
    var rest = x - floor;
    if (rest < 0.5) return floor;
    if (rest > 0.5) return floor + 1;
    return floor % 2 === 0 ? floor : floor + 1;
  }

  /** math.fsum, as CPython computes it: the correctly rounded sum, whatever the order. */
  function fsum(values) {
    var partials = [];
    for (var v = 0; v < values.length; v++) {
      var x = values[v];
      var i = 0;
      for (var j = 0; j < partials.length; j++) {
        var y = partials[j];
        if (Math.abs(x) < Math.abs(y)) {
          var t = x; x = y; y = t;
        }
        var high = x + y;
        var low = y - (high - x);
        if (low !== 0) partials[i++] = low;
        x = high;
      }
      partials.length = i;
      if (x !== 0) partials.push(x);
    }
    var n = partials.length;
    var hi = 0;
    if (n > 0) {
      hi = partials[--n];
      var lo = 0;
      while (n > 0) {
        var a = hi;
        var b = partials[--n];
        hi = a + b;
        lo = b - (hi - a);
        if (lo !== 0) break;
      }
      if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
        var twice = lo * 2;
        var sum = hi + twice;
        if (twice === sum - hi) hi = sum;
      }
    }
    return hi;
  }

  // ---------------------------------------------------------------------------
  // The logarithm: fdlibm's __ieee754_log, as generator/portable_math.py has it
  // ---------------------------------------------------------------------------

  var F64 = new Float64Array(1);
  var U32 = new Uint32Array(F64.buffer);
  var HIGH = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
  var LOW = 1 - HIGH;
  var LN2_HI = 6.93147180369123816490e-01;
  var LN2_LO = 1.90821492927058770002e-10;
  var TWO54 = 1.80143985094819840000e+16;
  var LG1 = 6.666666666666735130e-01;
  var LG2 = 3.999999999940941908e-01;
  var LG3 = 2.857142874366239149e-01;
  var LG4 = 2.222219843214978396e-01;
  var LG5 = 1.818357216161805012e-01;
  var LG6 = 1.531383769920937332e-01;
  var LG7 = 1.479819860511658591e-01;

  function log(x) {
    F64[0] = x;
    var hx = U32[HIGH] | 0;
    var lx = U32[LOW];
    var k = 0;
    if (hx < 0x00100000) {
      if (((hx & 0x7fffffff) | lx) === 0) return -Infinity;
      if (hx < 0) return NaN;
      k -= 54;
      x *= TWO54;
      F64[0] = x;
      hx = U32[HIGH] | 0;
    }
    if (hx >= 0x7ff00000) return x + x;
    k += (hx >> 20) - 1023;
    hx &= 0x000fffff;
    var i = (hx + 0x95f64) & 0x100000;
    F64[0] = x;
    U32[HIGH] = hx | (i ^ 0x3ff00000);
    x = F64[0];
    k += i >> 20;
    var f = x - 1.0;
    var dk, r;
    if ((0x000fffff & (2 + hx)) < 3) {
      if (f === 0) {
        if (k === 0) return 0;
        dk = k;
        return dk * LN2_HI + dk * LN2_LO;
      }
      r = f * f * (0.5 - 0.33333333333333333 * f);
      if (k === 0) return f - r;
      dk = k;
      return dk * LN2_HI - ((r - dk * LN2_LO) - f);
    }
    var s = f / (2.0 + f);
    dk = k;
    var z = s * s;
    i = hx - 0x6147a;
    var w = z * z;
    var j = 0x6b851 - hx;
    var t1 = w * (LG2 + w * (LG4 + w * LG6));
    var t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    i |= j;
    r = t2 + t1;
    if (i > 0) {
      var hfsq = 0.5 * f * f;
      if (k === 0) return f - (hfsq - s * (hfsq + r));
      return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    }
    if (k === 0) return f - s * (f - r);
    return dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
  }

  // ---------------------------------------------------------------------------
  // re.IGNORECASE as Python's sre does it
  // ---------------------------------------------------------------------------
  // sre compares the simple lowercase of each character (_sre.unicode_tolower)
  // and, for a few letters, a set of equivalents (re._casefix._EXTRA_CASES:
  // i and dotless i, s and long s...). JavaScript's /i folds differently, so the
  // templates run without /i on text lowered with Python's own table; the
  // placeholder values are then taken from the original text. No lowercase
  // mapping changes a character's UTF-16 length, so positions line up. Both
  // tables come from Python 3.11 (Unicode 14); tests/vectors/unicode.json
  // holds them as Python has them, and the node tests compare.

  // Runs of (first code point, count, delta, step): code point first + n*step
  // lowers to itself + delta.
  var LOWER_RUNS = [
    65,26,32,1,192,23,32,1,216,7,32,1,256,24,1,2,304,1,-199,1,306,3,1,2,313,8,1,2,330,23,1,2,376,1,-121,1,377,3,1,2,
    385,1,210,1,386,2,1,2,390,1,206,1,391,1,1,1,393,2,205,1,395,1,1,1,398,1,79,1,399,1,202,1,400,1,203,1,401,1,1,1,
    403,1,205,1,404,1,207,1,406,1,211,1,407,1,209,1,408,1,1,1,412,1,211,1,413,1,213,1,415,1,214,1,416,3,1,2,422,1,
    218,1,423,1,1,1,425,1,218,1,428,1,1,1,430,1,218,1,431,1,1,1,433,2,217,1,435,2,1,2,439,1,219,1,440,1,1,1,444,1,1,
    1,452,1,2,1,453,1,1,1,455,1,2,1,456,1,1,1,458,1,2,1,459,9,1,2,478,9,1,2,497,1,2,1,498,2,1,2,502,1,-97,1,503,1,
    -56,1,504,20,1,2,544,1,-130,1,546,9,1,2,570,1,10795,1,571,1,1,1,573,1,-163,1,574,1,10792,1,577,1,1,1,579,1,-195,
    1,580,1,69,1,581,1,71,1,582,5,1,2,880,2,1,2,886,1,1,1,895,1,116,1,902,1,38,1,904,3,37,1,908,1,64,1,910,2,63,1,
    913,17,32,1,931,9,32,1,975,1,8,1,984,12,1,2,1012,1,-60,1,1015,1,1,1,1017,1,-7,1,1018,1,1,1,1021,3,-130,1,1024,
    16,80,1,1040,32,32,1,1120,17,1,2,1162,27,1,2,1216,1,15,1,1217,7,1,2,1232,48,1,2,1329,38,48,1,4256,38,7264,1,
    4295,1,7264,1,4301,1,7264,1,5024,80,38864,1,5104,6,8,1,7312,43,-3008,1,7357,3,-3008,1,7680,75,1,2,7838,1,-7615,
    1,7840,48,1,2,7944,8,-8,1,7960,6,-8,1,7976,8,-8,1,7992,8,-8,1,8008,6,-8,1,8025,4,-8,2,8040,8,-8,1,8072,8,-8,1,
    8088,8,-8,1,8104,8,-8,1,8120,2,-8,1,8122,2,-74,1,8124,1,-9,1,8136,4,-86,1,8140,1,-9,1,8152,2,-8,1,8154,2,-100,1,
    8168,2,-8,1,8170,2,-112,1,8172,1,-7,1,8184,2,-128,1,8186,2,-126,1,8188,1,-9,1,8486,1,-7517,1,8490,1,-8383,1,
    8491,1,-8262,1,8498,1,28,1,8544,16,16,1,8579,1,1,1,9398,26,26,1,11264,48,48,1,11360,1,1,1,11362,1,-10743,1,
    11363,1,-3814,1,11364,1,-10727,1,11367,3,1,2,11373,1,-10780,1,11374,1,-10749,1,11375,1,-10783,1,11376,1,-10782,
    1,11378,1,1,1,11381,1,1,1,11390,2,-10815,1,11392,50,1,2,11499,2,1,2,11506,1,1,1,42560,23,1,2,42624,14,1,2,42786,
    7,1,2,42802,31,1,2,42873,2,1,2,42877,1,-35332,1,42878,5,1,2,42891,1,1,1,42893,1,-42280,1,42896,2,1,2,42902,10,1,
    2,42922,1,-42308,1,42923,1,-42319,1,42924,1,-42315,1,42925,1,-42305,1,42926,1,-42308,1,42928,1,-42258,1,42929,1,
    -42282,1,42930,1,-42261,1,42931,1,928,1,42932,8,1,2,42948,1,-48,1,42949,1,-42307,1,42950,1,-35384,1,42951,2,1,2,
    42960,1,1,1,42966,2,1,2,42997,1,1,1,65313,26,32,1,66560,40,40,1,66736,36,40,1,66928,11,39,1,66940,15,39,1,66956,
    7,39,1,66964,2,39,1,68736,51,64,1,71840,32,32,1,93760,32,32,1,125184,34,34,1
  ];
  // re._casefix._EXTRA_CASES: lowercase code point -> the others it matches under re.IGNORECASE.
  var EXTRA_CASES = {
    105:[305],115:[383],181:[956],305:[105],383:[115],837:[953,8126],912:[8147],944:[8163],946:[976],949:[1013],
    952:[977],953:[837,8126],954:[1008],956:[181],960:[982],961:[1009],962:[963],963:[962],966:[981],976:[946],
    977:[952],981:[966],982:[960],1008:[954],1009:[961],1013:[949],1074:[7296],1076:[7297],1086:[7298],1089:[7299],
    1090:[7300,7301],1098:[7302],1123:[7303],7296:[1074],7297:[1076],7298:[1086],7299:[1089],7300:[1090,7301],
    7301:[1090,7300],7302:[1098],7303:[1123],7304:[42571],7777:[7835],7835:[7777],8126:[837,953],8147:[912],
    8163:[944],42571:[7304],64261:[64262],64262:[64261]
  };

  var lowerMap = null;

  function lowerTable() {
    if (lowerMap === null) {
      lowerMap = new Map();
      for (var r = 0; r < LOWER_RUNS.length; r += 4) {
        for (var n = 0; n < LOWER_RUNS[r + 1]; n++) {
          var cp = LOWER_RUNS[r] + n * LOWER_RUNS[r + 3];
          lowerMap.set(cp, cp + LOWER_RUNS[r + 2]);
        }
      }
    }
    return lowerMap;
  }

  /** _sre.unicode_tolower for one code point. */
  function simpleLower(cp) {
    if (cp < 0x80) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
    var lower = lowerTable().get(cp);
    return lower === undefined ? cp : lower;
  }

  var ASCII_ONLY = /^[\x00-\x7f]*$/;

  /** The text with every code point replaced by its simple lowercase (same UTF-16 length). */
  function foldCase(text) {
    if (ASCII_ONLY.test(text)) return text.toLowerCase();
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var cp = text.codePointAt(i);
      if (cp > 0xffff) i++;
      out.push(String.fromCodePoint(simpleLower(cp)));
    }
    return out.join("");
  }

  var SYNTAX = /[\\^$.*+?()[\]{}|\/]/;

  function escapeChar(ch) {
    return SYNTAX.test(ch) ? "\\" + ch : ch;
  }

  /** A literal piece of a template, as a pattern for case-folded text. */
  function foldedLiteral(piece) {
    var out = "";
    for (var i = 0; i < piece.length; i++) {
      var cp = piece.codePointAt(i);
      if (cp > 0xffff) i++;
      var lower = simpleLower(cp);
      var extra = EXTRA_CASES[lower];
      if (extra) {
        out += "[" + escapeChar(String.fromCodePoint(lower));
        for (var e = 0; e < extra.length; e++) out += escapeChar(String.fromCodePoint(extra[e]));
        out += "]";
      } else {
        out += escapeChar(String.fromCodePoint(lower));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------
  // normalize.py
  // ---------------------------------------------------------------------------

  var ANSI = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
  var CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
  // Python's re.ASCII: \w, \d and \b are ASCII (as in JavaScript without /u), \s is [ \t\n\r\f\v].
  var VARIABLE_KINDS = [
    ["url", /\b[a-z][a-z0-9+.-]*:\/\/[^ \t\n\r\f\v'"<>()\[\]{}]+/g],
    ["uuid", /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g],
    ["email", /\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b/g],
    ["path", /(?:\b[a-z]:|~|\.{1,2})?(?:[\\\/][\w.@+-]+){2,}[\\\/]?/g],
    ["hex", /\b(?:0x[0-9a-f]+|(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,})\b/g],
    ["num", /\b(?:\d+(?:[.:_-]\d+)+|\d{1,2}|\d{6,})\b/g]
  ];
  var WORD = /[a-z0-9]+/g;

  function clean(text) {
    text = text.replace(/\r\n/g, "\n").replace(/\r/g, "\n");
    return text.replace(ANSI, "").replace(CONTROL, " ");
  }

  // normalize.CODE: error codes that name one error (ERR_REQUIRE_ESM, ETARGET, E404, NU1101, CS0246).
  var CODE = /(?<![A-Za-z0-9_])(?:[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|E[A-Z]{4,}|E[0-9]{3}|[A-Z]{1,10}-?[0-9]{4,6})(?![A-Za-z0-9_])/g;
  var NOT_CODES = new Set(["ERROR", "ERRORS", "EXCEPTION", "EXPECTED", "EXITED", "EMPTY", "ENABLED", "EXPIRED",
    "ENTRY", "EVENT", "EXPORT", "EXTERNAL"]);

  /** The error codes in a text, lowercased (normalize.codes). */
  function codes(text) {
    var found = new Set();
    var all = text.match(CODE) || [];
    for (var i = 0; i < all.length; i++) if (!NOT_CODES.has(all[i])) found.add(all[i].toLowerCase());
    return found;
  }

  function tokens(text) {
    text = text.toLowerCase();
    for (var k = 0; k < VARIABLE_KINDS.length; k++) {
      text = text.replace(VARIABLE_KINDS[k][1], " " + VARIABLE_KINDS[k][0] + " ");
    }
    return text.match(WORD) || [];
  }

  // ---------------------------------------------------------------------------
  // signature.py
  // ---------------------------------------------------------------------------

  var NAME = /^[a-z_][a-z0-9_]*$/;

  function TemplateError(message, offset) {
    var error = new Error(message);
    error.name = "TemplateError";
    error.offset = offset;
    return error;
  }

  /** A template's parts: strings (literal text) and {name} objects (placeholders). */
  function parseTemplate(text) {
    var parts = [];
    var literal = "";
    var position = 0;
    var token = /\{\{|\}\}|\{([^{}]*)\}|[{}]/g;
    var found;
    while ((found = token.exec(text)) !== null) {
      literal += text.slice(position, found.index);
      position = token.lastIndex;
      var value = found[0];
      if (value === "{{") {
        literal += "{";
      } else if (value === "}}") {
        literal += "}";
      } else if (value === "{" || value === "}") {
        throw TemplateError("unbalanced '" + value + "' at character " + (found.index + 1), found.index);
      } else {
        var name = found[1];
        if (!NAME.test(name)) {
          throw TemplateError("placeholder {" + name + "} must be a lowercase name", found.index);
        }
        if (parts.length && typeof parts[parts.length - 1] !== "string" && !literal) {
          throw TemplateError("placeholders {" + parts[parts.length - 1].name + "} and {" + name + "} touch",
            found.index);
        }
        if (literal) parts.push(literal);
        literal = "";
        parts.push({ name: name });
      }
    }
    literal += text.slice(position);
    if (literal) parts.push(literal);
    if (!parts.some(function (part) { return typeof part === "string" && pyStrip(part); })) {
      throw TemplateError("a template needs some literal text, not only placeholders", 0);
    }
    return parts;
  }

  /** Template.literal_text: the words every match shares. */
  function literalText(parts) {
    return pyStrip(parts.filter(function (part) { return typeof part === "string"; }).join(" "));
  }

  /** Template.fill */
  function fill(parts, values) {
    return parts.map(function (part) {
      if (typeof part === "string") return part;
      return Object.prototype.hasOwnProperty.call(values, part.name) ? values[part.name] : "{" + part.name + "}";
    }).join("");
  }

  /**
   * compile_parts(parts, re.IGNORECASE), for text that went through foldCase:
   * named groups, \k<name> for a repeated name, Python's \s, code points (/u),
   * and group positions (/d) so values come from the original text.
   */
  function compileParts(parts) {
    var pattern = "";
    var seen = new Set();
    var last = parts.length - 1;
    var space = "[" + PY_SPACE + "]";
    var nonSpace = "[^" + PY_SPACE + "]";
    for (var index = 0; index < parts.length; index++) {
      var part = parts[index];
      if (typeof part === "string") {
        pattern += part.split(PY_SPACES).map(foldedLiteral).join(space + "+");
      } else if (seen.has(part.name)) {
        pattern += "\\k<" + part.name + ">";
      } else {
        seen.add(part.name);
        if (index === last) {
          pattern += "(?<" + part.name + ">" + nonSpace + "(?:[^\\n]{0," + (MAX_VALUE - 2) + "}" + nonSpace + ")?)";
        } else {
          pattern += "(?<" + part.name + ">[^\\n]{1," + MAX_VALUE + "}?)";
        }
      }
    }
    return new RegExp(pattern, "ud");
  }

  /** Template.search(text): the placeholder values where the template occurs, else null. */
  function searchTemplate(parts, text) {
    var regex = compileParts(parts);
    var found = regex.exec(foldCase(text));
    return found === null ? null : groupValues(found, text);
  }

  function groupValues(found, text) {
    var values = {};
    var groups = found.indices && found.indices.groups;
    if (groups) {
      Object.keys(groups).forEach(function (name) {
        Object.defineProperty(values, name, {
          value: text.slice(groups[name][0], groups[name][1]), enumerable: true, writable: true, configurable: true
        });
      });
    }
    return values;
  }

  // ---------------------------------------------------------------------------
  // RapidFuzz: LCSseq.editops(s1, s2).as_matching_blocks() and fuzz.ratio
  // ---------------------------------------------------------------------------

  /** [{a, b, size}], as RapidFuzz returns them (the last one has size 0). */
  function matchingBlocks(s1, s2) {
    var len1 = s1.length;
    var len2 = s2.length;
    var prefix = 0;
    while (prefix < len1 && prefix < len2 && s1[prefix] === s2[prefix]) prefix++;
    var suffix = 0;
    while (suffix < len1 - prefix && suffix < len2 - prefix &&
      s1[len1 - 1 - suffix] === s2[len2 - 1 - suffix]) suffix++;
    var n1 = len1 - prefix - suffix;
    var n2 = len2 - prefix - suffix;
    var ops = [];
    if (n1 > 0 && n2 > 0) {
      // lcs[col * (n2 + 1) + row]: longest common subsequence of s1's first col and s2's first row items.
      // RapidFuzz's bit matrix has bit col-1 of row row-1 set exactly when lcs(col, row) == lcs(col-1, row).
      var width = n2 + 1;
      var lcs = new Int32Array((n1 + 1) * width);
      for (var c = 1; c <= n1; c++) {
        var item = s1[prefix + c - 1];
        for (var r = 1; r <= n2; r++) {
          var here = c * width + r;
          if (item === s2[prefix + r - 1]) lcs[here] = lcs[here - width - 1] + 1;
          else lcs[here] = Math.max(lcs[here - width], lcs[here - 1]);
        }
      }
      var sim = lcs[n1 * width + n2];
      var dist = n1 + n2 - 2 * sim;
      ops = new Array(dist);
      var col = n1;
      var row = n2;
      var same = function (cc, rr) { return lcs[cc * width + rr] === lcs[(cc - 1) * width + rr]; };
      while (row !== 0 && col !== 0) {
        if (same(col, row)) {
          dist--; col--;
          ops[dist] = [1, col + prefix, row + prefix];  // delete
        } else {
          row--;
          if (row && !same(col, row)) {
            dist--;
            ops[dist] = [0, col + prefix, row + prefix];  // insert
          } else {
            col--;
          }
        }
      }
      while (col !== 0) {
        dist--; col--;
        ops[dist] = [1, col + prefix, row + prefix];
      }
      while (row !== 0) {
        dist--; row--;
        ops[dist] = [0, col + prefix, row + prefix];
      }
    } else if (n1 > 0 || n2 > 0) {
      var k;
      for (k = 0; k < n1; k++) ops.push([1, prefix + k, prefix]);
      for (k = 0; k < n2; k++) ops.push([0, prefix + n1, prefix + k]);
    }
    var blocks = [];
    var src = 0;
    var dest = 0;
    for (var o = 0; o < ops.length; o++) {
      var op = ops[o];
      if (src < op[1] || dest < op[2]) {
        var size = Math.min(op[1] - src, op[2] - dest);
        if (size > 0) blocks.push({ a: src, b: dest, size: size });
        src = op[1];
        dest = op[2];
      }
      if (op[0] === 1) src++;
      else dest++;
    }
    if (src < len1 || dest < len2) {
      var rest = Math.min(len1 - src, len2 - dest);
      if (rest > 0) blocks.push({ a: src, b: dest, size: rest });
    }
    blocks.push({ a: len1, b: len2, size: 0 });
    return blocks;
  }

  /** fuzz.ratio: the normalised Indel similarity of two strings, 0-100. */
  function ratio(s1, s2) {
    var a = Array.from(s1);
    var b = Array.from(s2);
    var total = a.length + b.length;
    if (total === 0) return 100;
    var previous = new Int32Array(b.length + 1);
    var current = new Int32Array(b.length + 1);
    for (var i = 1; i <= a.length; i++) {
      for (var j = 1; j <= b.length; j++) {
        current[j] = a[i - 1] === b[j - 1] ? previous[j - 1] + 1 : Math.max(previous[j], current[j - 1]);
      }
      var swap = previous; previous = current; current = swap;
    }
    var distance = total - 2 * previous[b.length];
    return (1.0 - distance / total) * 100;
  }

  // ---------------------------------------------------------------------------
  // lookup.py
  // ---------------------------------------------------------------------------

  function confidence(score, exact) {
    if (exact) return "exact";
    if (score >= LIKELY) return "likely";
    return score >= POSSIBLE ? "possible" : "weak";
  }

  function allWords(text, words) {
    var result = new Set(words);
    var raw = text.toLowerCase().match(WORD);
    if (raw) for (var i = 0; i < raw.length; i++) result.add(raw[i]);
    return result;
  }

  function byString(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
  }

  /** Python's str.isalnum() for one character (letters and numbers of any script). */
  var ALNUM = /^[\p{L}\p{N}]$/u;

  /**
   * A template's normalised words in order, SLOT where a placeholder stands, and where each part of the
   * message after the first starts (lookup.template_sequence): {sequence, starts}.
   */
  function templateSequence(text) {
    var sequence = [];
    var starts = [];
    parseTemplate(text).forEach(function (part) {
      if (typeof part !== "string") {
        sequence.push(SLOT);
        return;
      }
      var pieces = part.split(BOUNDARY);
      for (var p = 0; p < pieces.length; p++) {
        if (p && sequence.length && (!starts.length || starts[starts.length - 1] !== sequence.length)) {
          starts.push(sequence.length);
        }
        var words = tokens(pieces[p]);
        for (var w = 0; w < words.length; w++) sequence.push(words[w]);
      }
    });
    return { sequence: sequence, starts: starts.filter(function (start) { return start < sequence.length; }) };
  }

  /** The words a paste must hold for an exact match (lookup.required_words): not those glued to a value. */
  function requiredWords(text) {
    var parts = parseTemplate(text);
    var required = new Set();
    parts.forEach(function (part, index) {
      if (typeof part !== "string") return;
      var words = tokens(part);
      var chars = Array.from(part);
      if (words.length && index > 0 && chars.length && ALNUM.test(chars[0])) words = words.slice(1);
      if (words.length && index < parts.length - 1 && chars.length && ALNUM.test(chars[chars.length - 1])) {
        words = words.slice(0, -1);
      }
      words.forEach(function (word) { required.add(word); });
    });
    return required;
  }

  /** Every word of a paste's lines, normalised and raw (what search() calls present). */
  function presentWords(lines) {
    var present = new Set();
    lines.forEach(function (line) {
      allWords(line.text, line.words).forEach(function (word) { present.add(word); });
    });
    return present;
  }

  /** Everything the matcher derives from an index (lookup.prepare). */
  function prepare(index) {
    var owners = [];
    var texts = [];
    var sequences = [];
    var starts = [];
    index.records.forEach(function (record, number) {
      record.signatures.forEach(function (text) {
        var made = templateSequence(text);
        owners.push(number);
        texts.push(text);
        sequences.push(made.sequence);
        starts.push(made.starts);
      });
    });
    var wordSets = sequences.map(function (sequence) {
      var words = new Set(sequence);
      words.delete(SLOT);
      return words;
    });
    var documentCount = new Map();
    wordSets.forEach(function (words) {
      words.forEach(function (word) { documentCount.set(word, (documentCount.get(word) || 0) + 1); });
    });
    var total = Math.max(sequences.length, 1);
    var idf = new Map();
    documentCount.forEach(function (count, word) { idf.set(word, log(1 + total / count)); });
    var common = Math.max(50, Math.floor(total / 10));
    var postings = new Map();
    var anchors = new Map();
    var weights = [];
    wordSets.forEach(function (words, number) {
      var values = [];
      words.forEach(function (word) {
        values.push(idf.get(word));
        if (documentCount.get(word) <= common) {
          var list = postings.get(word);
          if (list === undefined) postings.set(word, list = []);
          list.push(number);
        }
      });
      weights.push(fsum(values) || 1.0);
      var required = requiredWords(texts[number]);
      if (!required.size) required = words;
      var anchor = null;
      var anchorWeight = -Infinity;
      required.forEach(function (word) {
        var weight = idf.get(word);
        if (weight > anchorWeight || (weight === anchorWeight && word > anchor)) {
          anchor = word;
          anchorWeight = weight;
        }
      });
      if (anchor !== null) {
        var anchored = anchors.get(anchor);
        if (anchored === undefined) anchors.set(anchor, anchored = []);
        anchored.push(number);
      }
    });
    return { owners: owners, texts: texts, sequences: sequences, starts: starts, weights: weights, idf: idf,
      postings: postings, anchors: anchors, codes: identifyingCodes(texts, owners) };
  }

  /** Error codes that only one record's templates print: code -> its template numbers (lookup.prepare). */
  function identifyingCodes(texts, owners) {
    var records = new Map();
    var templates = new Map();
    texts.forEach(function (text, number) {
      Array.from(codes(text)).sort(byString).forEach(function (code) {
        if (!records.has(code)) { records.set(code, new Set()); templates.set(code, []); }
        records.get(code).add(owners[number]);
        templates.get(code).push(number);
      });
    });
    var identifying = new Map();
    templates.forEach(function (numbers, code) {
      if (records.get(code).size === 1) identifying.set(code, numbers);
    });
    return identifying;
  }

  function Matcher(index, state) {
    if (!index || index.format !== INDEX_FORMAT || index.version !== INDEX_VERSION) {
      throw new Error("not a version " + INDEX_VERSION + " " + INDEX_FORMAT);
    }
    this.records = index.records;
    this.state = state || prepare(index);
    this.idf = this.state.idf;
    this.postings = this.state.postings;
    this.anchors = this.state.anchors;
    // A partial state (lookup-shards.js: only the templates a paste needs) says how many there are in all.
    var total = this.state.total !== undefined ? this.state.total : Math.max(this.state.sequences.length, 1);
    this.unknownIdf = log(1 + total);
    this.minInformation = MIN_INFORMATION * this.unknownIdf;
    this.templates = new Map();
  }

  Matcher.prototype.template = function (number) {
    var template = this.templates.get(number);
    if (template === undefined) {
      var sequence = this.state.sequences[number];
      var words = sequence.filter(function (word) { return word !== SLOT; });
      var text = this.state.texts[number];
      var slots = [0];
      for (var s = 0; s < sequence.length; s++) slots.push(slots[s] + (sequence[s] === SLOT ? 1 : 0));
      var required = requiredWords(text);
      template = {
        record: this.state.owners[number], text: text, parts: parseTemplate(text), words: words,
        wordSet: new Set(words), required: required.size ? required : new Set(words), sequence: sequence,
        weight: this.state.weights[number], starts: new Set(this.state.starts[number]),
        startList: this.state.starts[number].slice().sort(function (a, b) { return a - b; }), slots: slots,
        regex: null
      };
      this.templates.set(number, template);
    }
    return template;
  };

  Matcher.prototype.weight = function (word) {
    var value = this.idf.get(word);
    return value === undefined ? this.unknownIdf : value;
  };

  /** Ranked matches for a paste, best first; empty when nothing is credible. */
  Matcher.prototype.lookup = function (text, limit) {
    return this.search(text, limit).matches;
  };

  /**
   * {matches, weak, lines, skipped}: the credible matches (at most `limit`), up to `weak` "not sure" ones
   * (scores WEAK to POSSIBLE - 1), the paste's line count and the [first, last] lines not read, or null.
   */
  Matcher.prototype.search = function (text, limit, weak) {
    var read = this.lines(text);
    var ranked = this.rank(read.lines);
    var credible = ranked.filter(function (match) { return match.score >= POSSIBLE; });
    var unsure = ranked.filter(function (match) { return match.score >= WEAK && match.score < POSSIBLE; });
    return { matches: credible.slice(0, limit === undefined ? 5 : limit), weak: unsure.slice(0, weak || 0),
      lines: read.total, skipped: read.skipped };
  };

  Matcher.prototype.rank = function (lines) {
    if (!lines.length) return [];
    var present = presentWords(lines);
    var sorted = Array.from(present).sort(byString);
    var cleaned = lines.map(function (line) { return line.text; }).join("\n");
    var folded = null;
    var starts = [0];
    for (var i = 0; i < cleaned.length; i++) if (cleaned.charCodeAt(i) === 10) starts.push(i + 1);
    var best = new Map();
    var exact = this.exactCandidates(sorted, present);
    for (var e = 0; e < exact.length; e++) {
      if (folded === null) folded = foldCase(cleaned);
      var found = this.exact(this.template(exact[e]), cleaned, folded, starts, lines);
      if (found) this.keep(best, this.template(exact[e]), found);
    }
    var fuzzyCandidates = this.fuzzyCandidates(sorted);
    for (var f = 0; f < fuzzyCandidates.length; f++) {
      var template = this.template(fuzzyCandidates[f]);
      var current = best.get(template.record);
      if (current !== undefined && current.confidence === "exact") continue;
      var match = this.fuzzy(template, lines);
      if (match) this.keep(best, template, match);
    }
    var known = this.state.codes;
    var pasted = Array.from(codes(cleaned)).filter(function (code) { return known.has(code); }).sort(byString);
    for (var c = 0; c < pasted.length; c++) {
      var coded = this.template(known.get(pasted[c])[0]);
      var held = best.get(coded.record);
      if (held === undefined || held.score < CODE_SCORE) {
        var line = lines.filter(function (each) { return codes(each.text).has(pasted[c]); })[0];
        this.keep(best, coded, this.match(coded, CODE_SCORE, confidence(CODE_SCORE, false), {}, line));
      }
    }
    // Equal scores: the error that comes first in the paste, then the more specific signature.
    return Array.from(best.values()).sort(function (a, b) {
      return (b.score - a.score) || (a.line - b.line) ||
        (a.specificity > b.specificity ? -1 : a.specificity < b.specificity ? 1 : 0) || byString(a.id, b.id);
    });
  };

  /**
   * The paste's lines with words (long lines in pieces of MAX_LINE code points, cut at a space when one
   * is in the second half), read at the start and the end when there are more than MAX_LINES pieces.
   */
  Matcher.prototype.lines = function (text) {
    var raw = clean(text).split("\n");
    if (raw.length > 1 && !raw[raw.length - 1]) raw.pop();
    var pieces = [];
    for (var i = 0; i < raw.length; i++) {
      var line = raw[i];
      if (line.length > MAX_LINE) {
        var chars = Array.from(line);
        while (chars.length > MAX_LINE) {
          var cut = -1;
          for (var at = MAX_LINE; at >= MAX_LINE / 2; at--) if (chars[at] === " ") { cut = at; break; }
          if (cut <= 0) cut = MAX_LINE;
          pieces.push([i + 1, chars.slice(0, cut).join("")]);
          chars = chars.slice(cut);
        }
        line = chars.join("");
      }
      pieces.push([i + 1, line]);
    }
    var skipped = null;
    if (pieces.length > MAX_LINES) {
      var tail = pieces.slice(pieces.length - (MAX_LINES - HEAD_LINES));
      var first = pieces[HEAD_LINES][0];
      skipped = [first, Math.max(first, tail[0][0] - 1)];
      pieces = pieces.slice(0, HEAD_LINES).concat(tail);
    }
    var lines = [];
    for (var p = 0; p < pieces.length; p++) {
      var words = tokens(pieces[p][1]);
      if (words.length) lines.push({ number: pieces[p][0], text: pieces[p][1], words: words });
    }
    return { lines: lines, total: raw.length, skipped: skipped };
  };

  Matcher.prototype.exactCandidates = function (sorted, present) {
    var found = [];
    for (var w = 0; w < sorted.length; w++) {
      var anchored = this.anchors.get(sorted[w]);
      if (anchored === undefined) continue;
      for (var a = 0; a < anchored.length; a++) {
        var all = true;
        this.template(anchored[a]).required.forEach(function (word) { if (!present.has(word)) all = false; });
        if (all) found.push(anchored[a]);
      }
    }
    return found;
  };

  /** The key fuzzyCandidates ranks a template by: covered weight over its weight, CANDIDATE_CAP at most. */
  Matcher.prototype.candidateKey = function (covered, weight) {
    return -covered / Math.min(weight, CANDIDATE_CAP * this.unknownIdf);
  };

  Matcher.prototype.fuzzyCandidates = function (sorted) {
    var covered = new Map();
    for (var w = 0; w < sorted.length; w++) {
      var postings = this.postings.get(sorted[w]);
      if (postings === undefined || !postings.length) continue;
      var weight = this.idf.get(sorted[w]);
      for (var p = 0; p < postings.length; p++) {
        var previous = covered.get(postings[p]);
        covered.set(postings[p], (previous === undefined ? 0.0 : previous) + weight);
      }
    }
    var weights = this.state.weights;
    var self = this;
    var ranked = Array.from(covered.keys()).map(function (number) {
      return { number: number, key: self.candidateKey(covered.get(number), weights[number]) };
    });
    ranked.sort(function (a, b) { return a.key < b.key ? -1 : a.key > b.key ? 1 : 0; });
    return ranked.slice(0, CANDIDATES).map(function (item) { return item.number; });
  };

  Matcher.prototype.keep = function (best, template, match) {
    match.specificity = template.weight;
    var current = best.get(template.record);
    if (current === undefined || match.score > current.score ||
      (match.score === current.score && (match.specificity > current.specificity ||
        (match.specificity === current.specificity && -match.line > -current.line)))) {
      best.set(template.record, match);
    }
  };

  Matcher.prototype.match = function (template, score, conf, variables, line) {
    var record = this.records[template.record];
    return { id: record.id, title: record.title, score: score, confidence: conf, signature: template.text,
      variables: variables, line: line.number, line_text: pyStrip(line.text), specificity: 0 };
  };

  Matcher.prototype.exact = function (template, cleaned, folded, starts, lines) {
    if (template.regex === null) template.regex = compileParts(template.parts);
    template.regex.lastIndex = 0;
    var found = template.regex.exec(folded);
    if (found === null) return null;
    var low = 0;
    var high = starts.length;
    while (low < high) {  // bisect_right(starts, found.index) - 1
      var middle = (low + high) >> 1;
      if (found.index < starts[middle]) high = middle;
      else low = middle + 1;
    }
    return this.match(template, 100, "exact", groupValues(found, cleaned), lines[low - 1]);
  };

  Matcher.prototype.fuzzy = function (template, lines) {
    // The windows of consecutive lines holding most of the template's words by weight; a window grows
    // past WINDOW lines while it holds fewer words than the template (pretty-printed JSON).
    var windows = [];
    var idf = this.idf;
    var size = template.sequence.length;
    for (var start = 0; start < lines.length; start++) {
      var touches = false;
      for (var t = 0; t < lines[start].words.length; t++) {
        if (template.wordSet.has(lines[start].words[t])) { touches = true; break; }
      }
      if (!touches) continue;
      var words = [];
      var breaks = [];
      for (var end = start; end < Math.min(start + MAX_WINDOW, lines.length); end++) {
        if (end - start >= WINDOW && words.length >= size) break;
        if (words.length) breaks = breaks.concat([words.length]);
        words = words.concat(lines[end].words);
        var present = new Set();
        for (var w = 0; w < words.length; w++) if (template.wordSet.has(words[w])) present.add(words[w]);
        var values = [];
        present.forEach(function (word) { values.push(idf.get(word)); });
        windows.push({ information: fsum(values), length: words.length, start: start, words: words, breaks: breaks });
      }
    }
    // sorted(windows, key=(information, -len(words), start), reverse=True)
    windows.sort(function (a, b) {
      if (a.information !== b.information) return a.information > b.information ? -1 : 1;
      if (a.length !== b.length) return a.length - b.length;
      return b.start - a.start;
    });
    var bestScore = 0.0;
    var bestLine = null;
    for (var i = 0; i < Math.min(FINE_WINDOWS, windows.length); i++) {
      var score = this.windowScore(template, windows[i].words, windows[i].breaks);
      if (score > bestScore) {
        bestScore = score;
        bestLine = lines[windows[i].start];
      }
    }
    if (bestLine === null || bestScore < WEAK) return null;
    var rounded = Math.min(pyRound(bestScore), 99);
    return this.match(template, rounded, confidence(rounded, false), {}, bestLine);
  };

  /** 0-100 from the information the window and the template disagree on (lookup.Matcher._window_score). */
  Matcher.prototype.windowScore = function (template, words, breaks) {
    var sequence = template.sequence;
    var blocks = matchingBlocks(sequence, words).filter(function (block) { return block.size; });
    if (!blocks.length) return 0.0;
    var pairs = [];
    blocks.forEach(function (block) {
      for (var k = 0; k < block.size; k++) pairs.push([block.a + k, block.b + k]);
    });
    var best = this.cutScore(template, words, breaks, pairs, null, null);
    if (best >= 100) return best;
    // Other alignments: without stray words aligned at either end past a gap, and cut at a part's edge.
    var variants = [];
    for (var k = 0; k < pairs.length - 1; k++) {
      if (pairs[k + 1][0] - pairs[k][0] > 1 || pairs[k + 1][1] - pairs[k][1] > 1) {
        variants.push([pairs.slice(0, k + 1), null, DROPPED]);
        variants.push([pairs.slice(k + 1), DROPPED, null]);
      }
    }
    var firstA = pairs[0][0];
    var lastA = pairs[pairs.length - 1][0];
    var edges = template.startList.filter(function (s) { return firstA < s && s <= lastA; });
    var drop = DROP * this.unknownIdf;
    var idf = this.idf;
    var heads = [null].concat(edges);
    var tails = [null].concat(edges);
    heads.forEach(function (head) {
      tails.forEach(function (tail) {
        if ((head === null && tail === null) || (head !== null && tail !== null && tail <= head)) return;
        var isOutside = function (a) {
          return sequence[a] !== SLOT && ((head !== null && a < head) || (tail !== null && a >= tail));
        };
        var kept = pairs.filter(function (p) { return (head === null || p[0] >= head) && (tail === null || p[0] < tail); });
        var dropped = [];
        pairs.forEach(function (p) { if (isOutside(p[0])) dropped.push(idf.get(sequence[p[0]])); });
        var outside = [];
        for (var a = 0; a < sequence.length; a++) if (isOutside(a)) outside.push(idf.get(sequence[a]));
        var allowed = Math.max(drop, DROP_SHARE * fsum(outside));
        if (kept.length && fsum(dropped) <= allowed) variants.push([kept, head, tail]);
      });
    });
    for (var v = 0; v < variants.length; v++) {
      best = Math.max(best, this.cutScore(template, words, breaks, variants[v][0], variants[v][1], variants[v][2]));
    }
    return best;
  };

  /** The score of one alignment, the template's parts before `head` and from `tail` left out (_cut_score). */
  Matcher.prototype.cutScore = function (template, words, breaks, pairs, head, tail) {
    var sequence = template.sequence;
    var starts = template.starts;
    var firstA = pairs[0][0];
    var firstB = pairs[0][1];
    var lastA = pairs[pairs.length - 1][0];
    var lastB = pairs[pairs.length - 1][1];
    var lastWord = words.length - 1;
    var matchedT = new Set(pairs.map(function (pair) { return pair[0]; }));
    var pairedW = new Set(pairs.map(function (pair) { return pair[1]; }));
    var headOpen = head === null || head === DROPPED;
    var tailOpen = tail === null || tail === DROPPED;
    var partial = null;
    if (lastB + 1 === lastWord && lastA + 1 < sequence.length && (tailOpen || lastA + 1 < tail)) {
      // A paste cut inside a word: "refusing to merge unre" still shows "unrelated".
      var following = sequence[lastA + 1];
      if (following !== SLOT && following.startsWith(words[lastWord])) {
        partial = lastWord;
        matchedT.add(lastA + 1);
        pairedW.add(lastWord);
        lastA = lastA + 1;
        lastB = lastWord;
      }
    }
    var headAtPart = starts.has(firstA) && head === null;
    var tailAtPart = starts.has(lastA + 1) && tail === null;
    var headEdge = !headOpen ? head : (headAtPart || firstB === 0) ? firstA : 0;
    var tailEdge = !tailOpen ? tail : (tailAtPart || lastB === lastWord) ? lastA + 1 : sequence.length;
    var stopsInside = tailOpen && lastB === lastWord && !tailAtPart;  // a copy cut short
    var start = Math.max(0, firstB - (firstA - headEdge));
    var stop = Math.min(words.length, lastB + 1 + (tailEdge - lastA - 1));
    var loose = [];
    var gaps = new Map();
    var free = new Set();
    var slots = template.slots;
    var k = 0;
    for (var j = start; j < stop; j++) {
      while (k < pairs.length && pairs[k][1] < j) k++;
      if (pairedW.has(j)) continue;
      var low = k ? pairs[k - 1][0] + 1 : 0;
      var high = k < pairs.length ? pairs[k][0] : sequence.length;
      loose.push(j);
      gaps.set(j, [low, high]);
      if (slots[high] > slots[low]) free.add(j);
    }
    var rescued = new Set();
    for (var l = 0; l < loose.length; l++) {
      var jj = loose[l];
      if (free.has(jj) || words[jj].length < 4 || !/^[a-z]+$/.test(words[jj])) continue;
      var span = gaps.get(jj);
      for (var ii = span[0]; ii < span[1]; ii++) {
        if (!matchedT.has(ii) && sequence[ii] !== SLOT && ratio(sequence[ii], words[jj]) >= 80) {
          rescued.add(jj);
          matchedT.add(ii);
          break;
        }
      }
    }
    var idf = this.idf;
    var informationValues = [];
    matchedT.forEach(function (i) { if (sequence[i] !== SLOT) informationValues.push(idf.get(sequence[i])); });
    var information = fsum(informationValues);
    if (information < this.minInformation) return 0.0;
    // A value cut short: the paste ends inside the placeholder that follows the template's last words.
    if (tailEdge === sequence.length && free.has(lastWord) && lastA + 1 < sequence.length &&
      sequence[lastA + 1] === SLOT && lastWord - lastB <= VALUE_WORDS &&
      !breaks.some(function (b) { return lastB < b && b <= lastWord; })) {
      tailEdge = lastA + 1;
      stopsInside = true;
    }
    var U = this.unknownIdf;
    // Leaving parts out is cheap only when what is shown says enough (see _cut_score).
    var fragment = FRAGMENT * U;
    var cutHead = headEdge > 0 && information >= fragment;
    var cutTail = tailEdge < sequence.length && information >= (stopsInside ? SHOWN * template.weight : fragment);
    var cut = [];
    var costs = [];
    for (var s = 0; s < sequence.length; s++) {
      if (!matchedT.has(s) && sequence[s] !== SLOT) {
        var leftOut = (cutHead && s < headEdge) || (cutTail && s >= tailEdge);
        (leftOut ? cut : costs).push(idf.get(sequence[s]));
      }
    }
    var self = this;
    loose.forEach(function (j) { if (!free.has(j) && !rescued.has(j)) costs.push(self.weight(words[j])); });
    costs.push(Math.min(CUT_OFF * fsum(cut), CUT_CAP * U));
    rescued.forEach(function (j) { costs.push(0.2 * self.weight(words[j])); });
    if (partial !== null) costs.push(0.2 * this.weight(words[partial]));
    if (cutTail && stop <= lastWord && sequence[tailEdge] !== SLOT) {
      costs.push(this.goesOn(template, words, breaks, tailEdge, stop));
    }
    var relief = RELIEF ? Math.min(1.0, RELIEF * U / information) : 1.0;
    return 100 - PENALTY * relief * fsum(costs) / U;
  };

  /** How much a paste disagrees with a template by going on, on the same line, where it stops (_goes_on). */
  Matcher.prototype.goesOn = function (template, words, breaks, tailEdge, stop) {
    var lineEnd = words.length;
    for (var b = 0; b < breaks.length; b++) if (breaks[b] >= stop) { lineEnd = breaks[b]; break; }
    var partEnd = template.sequence.length;
    for (var s = 0; s < template.startList.length; s++) {
      if (template.startList[s] > tailEdge) { partEnd = template.startList[s]; break; }
    }
    var part = template.sequence.slice(tailEdge, partEnd).filter(function (word) { return word !== SLOT; });
    var goesOn = words.slice(stop, Math.min(lineEnd, stop + part.length));
    if (!goesOn.length || !part.length) return 0.0;
    var idf = this.idf;
    var self = this;
    return Math.min(fsum(part.map(function (word) { return idf.get(word); })),
      fsum(goesOn.map(function (word) { return self.weight(word); })));
  };

  // ---------------------------------------------------------------------------
  // redact.py: secrets out of a paste before it goes anywhere
  // ---------------------------------------------------------------------------
  // Python's \b, \w and \d are Unicode in these patterns (no re.ASCII):
  // JavaScript's are ASCII even with /u, so they are spelled out.

  var PY_W = "[\\p{L}\\p{N}_]";
  var PY_B = "(?:(?<=" + PY_W + ")(?!" + PY_W + ")|(?<!" + PY_W + ")(?=" + PY_W + "))";

  function pyRegex(source, flags) {
    var out = "";
    var inClass = false;
    for (var i = 0; i < source.length; i++) {
      var ch = source[i];
      if (ch === "\\") {
        var next = source[i + 1];
        i++;
        if (next === "b" && !inClass) out += PY_B;
        else if (next === "w") out += inClass ? "\\p{L}\\p{N}_" : PY_W;
        else if (next === "d") out += "\\p{Nd}";
        else if (next === "s") out += inClass ? PY_SPACE : "[" + PY_SPACE + "]";
        else out += "\\" + next;
        continue;
      }
      if (ch === "[" && !inClass) inClass = true;
      else if (ch === "]" && inClass) inClass = false;
      out += ch;
    }
    return new RegExp(out, "u" + (flags || ""));
  }

  var REDACT_RULES = [
    ["private key", pyRegex("-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", "gs"),
      "[REDACTED private key]"],
    ["GitHub token", pyRegex("\\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})", "g"),
      "[REDACTED token]"],
    ["API key", pyRegex("\\bsk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}", "g"), "[REDACTED key]"],
    ["Slack token", pyRegex("\\bxox[abposr]-[A-Za-z0-9-]{10,}", "g"), "[REDACTED token]"],
    ["AWS key", pyRegex("\\b(?:AKIA|ASIA)[A-Z0-9]{16}\\b", "g"), "[REDACTED key]"],
    ["Google key", pyRegex("\\bAIza[0-9A-Za-z_-]{35}\\b", "g"), "[REDACTED key]"],
    ["JWT", pyRegex("\\beyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{8,}", "g"), "[REDACTED token]"],
    ["bearer token", pyRegex("\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{12,}", "gi"), "$1 [REDACTED]"],
    ["password in URL", pyRegex("\\b([a-z][a-z0-9+.-]*://[^\\s:/@]+):[^\\s@/]+@", "gi"), "$1:[REDACTED]@"],
    ["secret value", pyRegex(
      "\\b((?:api[_-]?key|access[_-]?token|auth[_-]?token|token|secret|client[_-]?secret|password|passwd|pwd)" +
      "[\"']?\\s*[:=]\\s*[\"']?)(?!\\[REDACTED)[^\\s\"',;&]{6,}", "gi"), "$1[REDACTED]"],
    ["e-mail address", pyRegex(
      "\\b(?!git@)[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}\\b", "g"), "[REDACTED e-mail]"]
  ];

  /** [text with secrets replaced, what was found ("2 GitHub tokens")]. */
  function redact(text) {
    var found = [];
    REDACT_RULES.forEach(function (rule) {
      var count = 0;
      text = text.replace(rule[1], function () {
        count++;
        var group = arguments[1];
        return rule[2].replace("$1", function () { return typeof group === "string" ? group : ""; });
      });
      if (count) found.push(count + " " + rule[0] + (count > 1 ? "s" : ""));
    });
    return [text, found];
  }

  // ---------------------------------------------------------------------------
  // scaffold.py: a record skeleton from a paste (what `kb new` proposes)
  // ---------------------------------------------------------------------------

  var ERROR_WORDS = pyRegex(
    "\\b(?:error|err!|fatal|exception|failed|failure|cannot|can't|could not|couldn't|unable|denied|refused|" +
    "not found|invalid|missing|timed? ?out|panic|traceback|abort|no such|rejected|unauthori[sz]ed|forbidden)", "i");
  var LOG_PREFIX = pyRegex(
    "^\\s*(?:\\[?\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(?::\\d{2})?(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?(?: UTC)?\\]?\\s*" +
    "|\\[?\\d{2}:\\d{2}:\\d{2}(?:[.,]\\d+)?\\]?\\s*)?" +
    "(?:\\[(?:error|err|warn|warning|info|debug|trace|fatal|critical)\\]:?\\s*" +
    "|(?:ERROR|WARN|WARNING|INFO|DEBUG|TRACE|FATAL|CRITICAL):?\\s+)?");
  var VARIABLE_SOURCES = [
    ["secret", "\\[REDACTED[^\\]\\n]*\\]", ""],
    ["url", "\\b[a-z][a-z0-9+.-]*://(?:[^\\s'\"<>()\\[\\]{}]|\\[(?:REDACTED[^\\]\\n]*|[^\\s\\[\\]'\"<>]*)\\])*" +
      "(?:[^\\s'\"<>()\\[\\]{}.,;:]|\\[(?:REDACTED[^\\]\\n]*|[^\\s\\[\\]'\"<>]*)\\])", "i"],
    ["uuid", "\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b", "i"],
    ["path", "(?:\\b[A-Za-z]:|~|\\.{1,2})?(?:[\\\\/][\\w.@+-]+){2,}[\\\\/]?", ""],
    ["host", "\\b(?:localhost|\\d{1,3}(?:\\.\\d{1,3}){3}|[a-z0-9-]+(?:\\.[a-z0-9-]+)+\\.[a-z]{2,})(?=:\\d)", "i"],
    ["host", "\\b(?:[a-z0-9-]+\\.)+(?:com|org|net|io|dev|ai|app|co|cloud|sh|me|us|uk|de|fr|jp|cn|edu|" +
      "gov|info|xyz|tech|site|run|so|gg|tv|ly|to|in)\\b(?!\\.\\w)", "i"],
    ["name", "(?<!\\w)(?:'[^'\\n]{1,120}'|\"[^\"\\n]{1,120}\"|`[^`\\n]{1,120}`)(?!\\w)", ""],
    ["version", "\\bv?\\d+\\.\\d+(?:\\.\\d+)*(?:[-+][\\w.]+)?\\b", ""],
    ["id", "\\b(?=[0-9a-f]*\\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,}\\b", "i"],
    ["id", "\\b(?=\\w*\\d)(?=\\w*[a-z])\\w{12,}\\b", "i"],
    ["port", "(?<=:)\\d{2,5}\\b", ""],
    ["number", "\\b\\d+\\b", ""]
  ];
  var VARIABLES = VARIABLE_SOURCES.map(function (item) {
    return [item[0], pyRegex(item[1], "y" + item[2]), pyRegex("^(?:" + item[1] + ")$", item[2])];
  });
  var STOP = new Set(["the", "a", "an", "to", "of", "in", "for", "is", "at", "on", "and", "or", "with", "by", "from",
    "be"]);
  var LINE_BREAKS = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/;

  /** str.splitlines() */
  function splitLines(text) {
    var lines = text.split(LINE_BREAKS);
    if (lines.length && lines[lines.length - 1] === "") lines.pop();
    return lines;
  }

  /** The line of a paste most likely to be the error, without its timestamp and log level. */
  function errorLine(paste) {
    var lines = splitLines(paste).map(function (line) { return pyStrip(line.replace(LOG_PREFIX, "")); })
      .filter(function (line) { return line; });
    for (var i = 0; i < lines.length; i++) if (ERROR_WORDS.test(lines[i])) return lines[i];
    return lines.length ? lines[0] : "";
  }

  function placeholder(value, kind, values, counts) {
    if (!values.has(value)) {
      counts.set(kind, (counts.get(kind) || 0) + 1);
      values.set(value, counts.get(kind) === 1 ? kind : kind + "_" + counts.get(kind));
    }
    return { name: values.get(value) };
  }

  /** The line as a signature template: variable parts become {placeholders}. */
  function proposeTemplate(line) {
    var pieces = [];
    var position = 0;
    var values = new Map();
    var counts = new Map();
    while (position < line.length) {
      var found = null;
      for (var v = 0; v < VARIABLES.length; v++) {
        VARIABLES[v][1].lastIndex = position;
        var match = VARIABLES[v][1].exec(line);
        if (match && codePointLength(match[0]) <= MAX_VALUE) {
          found = [VARIABLES[v][0], match];
          break;
        }
      }
      if (found === null) {
        var cp = line.codePointAt(position);
        var ch = String.fromCodePoint(cp);
        pieces.push(ch);
        position += ch.length;
        continue;
      }
      var value = found[1][0];
      if (found[0] === "name") {
        var quote = value[0];
        var inner = value.slice(1, -1);
        var kind = "name";
        for (var k = 0; k < VARIABLES.length; k++) {
          if (VARIABLES[k][0] !== "name" && VARIABLES[k][2].test(inner)) { kind = VARIABLES[k][0]; break; }
        }
        pieces.push(quote, placeholder(inner, kind, values, counts), quote);
      } else {
        pieces.push(placeholder(value, found[0], values, counts));
      }
      position += value.length;
    }
    var parts = [];
    pieces.forEach(function (piece) {
      if (typeof piece !== "string") {
        if (parts.length && typeof parts[parts.length - 1] !== "string") return;
        parts.push(piece);
      } else {
        parts.push(piece.replace(/\{/g, "{{").replace(/\}/g, "}}"));
      }
    });
    return parts.map(function (part) { return typeof part === "string" ? part : "{" + part.name + "}"; }).join("");
  }

  /** records.slugify */
  function slugify(text) {
    text = text.normalize("NFKD").replace(/[^\x00-\x7f]/g, "");
    return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "other";
  }

  function proposeId(tool, template, taken) {
    var literal = template ? literalText(parseTemplate(template)) : "";
    var words = (literal.toLowerCase().replace(/'/g, "").match(/[a-z0-9]+/g) || [])
      .filter(function (w) { return !STOP.has(w); }).slice(0, 6);
    var base = tool ? slugify(tool) : "";
    for (var w = 0; w < words.length; w++) {  // whole words only, up to 60 characters
      if (base.length + words[w].length + 1 > 60) break;
      base = base ? base + "-" + words[w] : words[w];
    }
    base = base || "new-error";
    var candidate = base;
    var number = 2;
    while (taken && taken.has(candidate)) candidate = base + "-" + number++;
    return candidate;
  }

  /** json.dumps: a YAML double-quoted scalar, ASCII only. */
  function quoted(text) {
    return JSON.stringify(text).replace(/[\u007f-\uffff]/g, function (ch) {
      return ch === "\u007f" ? ch : "\\u" + ("000" + ch.charCodeAt(0).toString(16)).slice(-4);
    });
  }

  /** The paste under `examples:`: a block scalar when it can hold the text unchanged, else quoted. */
  function exampleBlock(paste) {
    var lines = paste.split("\n");
    var firstText = lines.filter(function (line) { return line; })[0] || "";
    var plain = paste && !/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029\t]/.test(paste) &&
      !/^ /.test(firstText) && !/\n$/.test(paste) &&
      lines.every(function (line) { return !/ $/.test(line); });
    if (!plain) return "  - " + quoted(paste);
    return "  - |-\n" + lines.map(function (line) { return line ? "    " + line : ""; }).join("\n");
  }

  /** A record skeleton, as `kb new` writes it, for a paste that no record explains. */
  function skeleton(paste, template, tool, category, today) {
    var title = "TODO";
    if (template) {
      var parts = parseTemplate(template);
      var values = {};
      parts.forEach(function (part) { if (typeof part !== "string") values[part.name] = "\u2026"; });
      title = fill(parts, values).split(PY_SPACES).filter(Boolean).join(" ").replace(/[<>]/g, "");
      if (codePointLength(title) > 90) {
        var cut = codePointSlice(title, 89);
        var space = cut.lastIndexOf(" ");
        title = (space >= 0 ? cut.slice(0, space) : cut) + " \u2026";
      }
    }
    return [
      "# yaml-language-server: $schema=../../schema/record.schema.json",
      "# Written by the Error Atlas lookup page on " + today + ". Replace every TODO (kb validate refuses them),",
      "# check the signature against the real output, and cite a source for every statement.",
      "title: " + quoted(title),
      "tool: " + quoted(tool || "TODO: the tool that prints this error"),
      "category: " + quoted(category || "TODO: the category, e.g. AI Coding Tools"),
      "signatures:",
      "  - text: " + quoted(template),
      "    source: https://github.com/TODO",
      "examples:",
      exampleBlock(paste),
      "meaning: |",
      "  TODO: what the error means, in your own words, from the sources below.",
      "causes:",
      "  - title: \"TODO: the most common cause\"",
      "    detail: |",
      "      TODO: how it happens, and who says so: reported by users, or confirmed by a maintainer,",
      "      with a link to the thread.",
      "fixes:",
      "  - title: \"TODO: the fix\"",
      "    steps:",
      "      - \"TODO: the first step, with the exact command in backticks.\"",
      "faq:",
      "  - q: \"TODO: a question users asked in a thread you cite\"",
      "    a: \"TODO: the answer from the sources, with the link\"",
      "  - q: \"TODO: a second question from the threads\"",
      "    a: \"TODO: its answer, with the link\"",
      "sources:",
      "  - url: https://github.com/TODO",
      "    title: \"TODO: the source's own title\"",
      "    note: \"TODO: what this source supports\"",
      "status: \"TODO: open, fixed, workaround or wontfix\"",
      "verified:",
      "  date: " + today,
      "  version: \"TODO: the newest version of the tool you checked the record against\"",
      "updated: " + today
    ].join("\n") + "\n";
  }

  return {
    INDEX_FORMAT: INDEX_FORMAT, INDEX_VERSION: INDEX_VERSION, LIKELY: LIKELY, POSSIBLE: POSSIBLE, WEAK: WEAK,
    CANDIDATES: CANDIDATES, CANDIDATE_CAP: CANDIDATE_CAP, SLOT: SLOT, MAX_LINES: MAX_LINES, HEAD_LINES: HEAD_LINES,
    Matcher: Matcher, prepare: prepare, templateSequence: templateSequence, requiredWords: requiredWords,
    identifyingCodes: identifyingCodes, presentWords: presentWords, byString: byString,
    clean: clean, tokens: tokens, codes: codes, parseTemplate: parseTemplate, compileParts: compileParts,
    searchTemplate: searchTemplate, fill: fill, literalText: literalText, foldCase: foldCase,
    simpleLower: simpleLower, lowerRuns: function () { return LOWER_RUNS.slice(); },
    extraCases: function () { return EXTRA_CASES; },
    log: log, fsum: fsum, pyRound: pyRound, pyStrip: pyStrip, matchingBlocks: matchingBlocks, ratio: ratio,
    redact: redact, errorLine: errorLine, proposeTemplate: proposeTemplate, proposeId: proposeId,
    slugify: slugify, skeleton: skeleton, quoted: quoted
  };
});
