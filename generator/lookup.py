"""Find the record that explains a pasted error (one line or a whole log).

Two stages, both driven by the index that `build_index` writes as JSON:

1. Exact: each signature template compiles to a regular expression with
   bounded placeholders. Candidates are chosen first by the template's words
   (an inverted index), so only a handful of expressions run per paste.
   An exact match scores 100 and yields the placeholder values.
2. Fuzzy: for truncated, re-worded, mistyped or noisy pastes. Words are
   normalised (normalize.py), weighted by rarity across the knowledge base
   (IDF), and each candidate is scored on the best window of one to three
   paste lines: how much of the signature's information the window holds
   (recall), how much of the window the signature explains (precision) and
   the character-level similarity of the two (rapidfuzz).

A rare word that only one signature has weighs far more than "error", so two
signatures that share most words are told apart by the words they don't
share. Results below POSSIBLE are dropped: no answer beats a wrong one.
"""
from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq

from . import normalize, portable_math
from .signature import Template
from .signature import parse as parse_template

INDEX_FORMAT = "error-atlas-lookup-index"
INDEX_VERSION = 1

# Score thresholds (0-100). Documented in docs/lookup.md; tuned on bench/corpus.
LIKELY = 80
POSSIBLE = 65
WEAK = 40  # "not sure": the closest records below POSSIBLE, shown apart and only on request
MAX_LINE = 2000  # characters in one piece of a paste line; longer lines are read in pieces
MAX_LINES = 5000  # pieces of a paste that `lookup` reads: the first HEAD_LINES and the last ones
HEAD_LINES = 1000  # (an error usually ends a log; `scan` reads every line)
CANDIDATES = 40
CANDIDATE_CAP = 4.0  # a template that shows this many unique words' worth is a candidate, however long
WINDOW = 3  # lines in a window, or more while the window holds fewer words than the template
MAX_WINDOW = 30  # lines in the longest window (a pretty-printed JSON body has a word or two a line)
FINE_WINDOWS = 3  # windows per template that get the full (alignment) score
PENALTY = 30  # points lost per unique word of disagreement
CUT_OFF = 0.2  # share of a word's cost when the paste leaves out a whole part of the message
CUT_CAP = 0.8  # ...and the most that leaving out parts can cost, in unique words
MIN_INFORMATION = 1.5  # a fuzzy match shows at least this many unique words' worth
SHOWN = 0.3  # a part left out is cheap when the paste shows this share of the template's information,
FRAGMENT = 3.0  # ...or this many unique words' worth (a fragment of a long message)
RELIEF = 4.0  # disagreement weighs less past this many unique words of information in common
DROP = 0.5  # an alignment cut at a part's edge may drop this many unique words' worth of stray words,
DROP_SHARE = 0.34  # ...or this share of the information of the parts it leaves out
SLOT = "\x00"  # a placeholder in a template's word sequence: it accounts for any paste words
VALUE_WORDS = 4  # a paste that ends at most this many words into a placeholder's value was cut short there
CODE_SCORE = 70  # a paste that prints an error code that only one record has
DROPPED = -1  # an alignment's end where stray words were dropped: no cut at a part's edge there
# Where a message's parts meet: a paste may hold some of the parts without the others (a wrapper
# prints the cause without its context, a fragment stops at a clause). Lines, "context: cause", sentences.
BOUNDARY = re.compile(r"[.,:;!?](?=\s)|\n|\s[-\u2013\u2014]\s")


@dataclass
class Match:
    id: str
    title: str
    score: int
    confidence: str
    signature: str
    variables: dict
    line: int  # 1-based line of the paste where the match starts
    line_text: str
    specificity: float = field(default=0.0, compare=False)  # information in the signature's words

    def as_json(self) -> dict:
        return {
            "id": self.id, "title": self.title, "score": self.score, "confidence": self.confidence,
            "signature": self.signature, "variables": self.variables, "line": self.line,
            "line_text": self.line_text,
        }


def confidence(score: float, exact: bool) -> str:
    if exact:
        return "exact"
    if score >= LIKELY:
        return "likely"
    return "possible" if score >= POSSIBLE else "weak"


@dataclass
class Answer:
    """What `Matcher.search` found: credible matches, the "not sure" ones, and what it did not read."""
    matches: list[Match]
    weak: list[Match]  # below POSSIBLE (confidence "weak"): the closest records, not answers
    lines: int  # lines in the paste
    skipped: tuple[int, int] | None = None  # first and last line not read, when the paste was too long


def build_index(records) -> dict:
    """The JSON-ready index: what both matchers (Python and browser) need, nothing more."""
    return {
        "format": INDEX_FORMAT,
        "version": INDEX_VERSION,
        "records": [
            {"id": r.id, "title": r.title, "tool": r.tool, "signatures": list(r.signatures)}
            for r in sorted(records, key=lambda r: r.id)
        ],
    }


def index_json(records) -> str:
    """The index as the build writes it (lookup-index.json): compact, stable order."""
    return json.dumps(build_index(records), ensure_ascii=False, separators=(",", ":"))


@dataclass
class _Template:
    record: int
    text: str
    template: Template
    words: list[str]  # normalised literal words, in order
    word_set: frozenset
    required: frozenset  # the words an exact match needs (required_words)
    sequence: list[str]  # the words, with SLOT where a placeholder stands
    weight: float  # total IDF of its words: how much the template says
    starts: frozenset  # positions in `sequence` where a part of the message starts (after the first)
    slots: list  # slots[i]: how many placeholders come before position i (so a gap's count is a difference)


@dataclass
class _Line:
    number: int  # 1-based line of the paste (pieces of a long line share it)
    text: str
    words: list[str]  # normalised: variable parts replaced by their kind


def _all_words(text: str, words: list[str]) -> set:
    """Normalised words plus the raw ones, so a literal word inside a path still counts as present."""
    return set(words).union(normalize.WORD.findall(text.lower()))


def prepare(index: dict) -> dict:
    """Everything the matcher derives from an index, as plain lists and dicts.

    Kept with the on-disk cache (marshal), so a `kb lookup` process does not
    tokenise every signature again.
    """
    owners, texts, sequences, starts = [], [], [], []
    for number, record in enumerate(index["records"]):
        for text in record["signatures"]:
            sequence, parts_start = template_sequence(text)
            owners.append(number)
            texts.append(text)
            sequences.append(sequence)
            starts.append(parts_start)
    word_sets = [set(sequence) - {SLOT} for sequence in sequences]
    document_count: dict[str, int] = defaultdict(int)
    for words in word_sets:
        for word in words:
            document_count[word] += 1
    total = max(len(sequences), 1)
    idf = {word: portable_math.log(1 + total / count) for word, count in document_count.items()}
    # Words in more than this many templates say too little to propose fuzzy candidates.
    common = max(50, total // 10)
    postings: dict[str, list[int]] = defaultdict(list)
    anchors: dict[str, list[int]] = defaultdict(list)
    weights = []
    for number, words in enumerate(word_sets):
        weights.append(math.fsum(idf[word] for word in words) or 1.0)
        required = required_words(texts[number]) or words
        if required:
            # The rarest word: a paste without it cannot match this template exactly.
            anchors[max(required, key=lambda w: (idf[w], w))].append(number)
        for word in words:
            if document_count[word] <= common:
                postings[word].append(number)
    # Error codes that name one record's error (ETARGET, CS0246): a paste that prints one is that error.
    code_records: dict[str, set] = defaultdict(set)
    code_templates: dict[str, list[int]] = defaultdict(list)
    for number, text in enumerate(texts):
        for code in sorted(normalize.codes(text)):
            code_records[code].add(owners[number])
            code_templates[code].append(number)
    codes = {code: numbers for code, numbers in code_templates.items() if len(code_records[code]) == 1}
    return {"owners": owners, "texts": texts, "sequences": sequences, "starts": starts, "weights": weights,
            "idf": idf, "postings": dict(postings), "anchors": dict(anchors), "codes": codes}


def required_words(text: str) -> set[str]:
    """The words a paste must hold for the template to match it exactly.

    A literal word glued to a placeholder ("after {ms}ms") is left out: in the
    paste it is part of one word with the value ("60031ms").
    """
    parts = parse_template(text).parts
    required = set()
    for index, part in enumerate(parts):
        if not isinstance(part, str):
            continue
        words = normalize.tokens(part)
        if words and index > 0 and part[:1].isalnum():
            words = words[1:]
        if words and index < len(parts) - 1 and part[-1:].isalnum():
            words = words[:-1]
        required.update(words)
    return required


def template_sequence(text: str) -> tuple[list[str], list[int]]:
    """A template's normalised words, SLOT for each placeholder, and where each part after the first starts."""
    sequence: list[str] = []
    starts: list[int] = []
    for part in parse_template(text).parts:
        if not isinstance(part, str):
            sequence.append(SLOT)
            continue
        for number, piece in enumerate(BOUNDARY.split(part)):
            if number and sequence and (not starts or starts[-1] != len(sequence)):
                starts.append(len(sequence))
            sequence.extend(normalize.tokens(piece))
    return sequence, [start for start in starts if start < len(sequence)]


class Matcher:
    """Matches pastes against an index. Build once per process; `state` makes that cheap."""

    def __init__(self, index: dict, state: dict | None = None):
        if index.get("format") != INDEX_FORMAT or index.get("version") != INDEX_VERSION:
            raise ValueError(f"not a version {INDEX_VERSION} {INDEX_FORMAT}")
        self.records = index["records"]
        self.state = state or prepare(index)
        self.idf: dict[str, float] = self.state["idf"]
        self.postings: dict[str, list[int]] = self.state["postings"]
        self.anchors: dict[str, list[int]] = self.state["anchors"]
        total = max(len(self.state["sequences"]), 1)
        self.unknown_idf = portable_math.log(1 + total)  # a word that no signature has
        # A fuzzy match must show some information: "not found" alone points to no error in particular.
        self.min_information = MIN_INFORMATION * self.unknown_idf
        self._templates: dict[int, _Template] = {}

    def template(self, number: int) -> _Template:
        """Template `number`, parsed on first use: a lookup touches only a few of them."""
        template = self._templates.get(number)
        if template is None:
            state = self.state
            sequence = state["sequences"][number]
            words = [word for word in sequence if word != SLOT]
            text = state["texts"][number]
            slots = [0]
            for word in sequence:
                slots.append(slots[-1] + (word == SLOT))
            template = _Template(state["owners"][number], text, parse_template(text), words, frozenset(words),
                                 frozenset(required_words(text) or words), sequence, state["weights"][number],
                                 frozenset(state["starts"][number]), slots)
            self._templates[number] = template
        return template

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.unknown_idf)

    def lookup(self, text: str, limit: int = 5) -> list[Match]:
        """Ranked matches for a paste, best first; empty when nothing is credible."""
        return self.search(text, limit).matches

    def search(self, text: str, limit: int = 5, weak: int = 0) -> Answer:
        """The credible matches (at most `limit`), up to `weak` "not sure" ones, and what was not read."""
        lines, total, skipped = self._lines(text)
        ranked = self._rank(lines)
        credible = [match for match in ranked if match.score >= POSSIBLE]
        unsure = [match for match in ranked if WEAK <= match.score < POSSIBLE]
        return Answer(credible[:limit], unsure[:weak], total, skipped)

    def first_exact(self, text: str) -> tuple[str, str, int] | None:
        """(record id, signature, line) of the best exact match, ranked as `lookup` ranks exact matches.

        For the validator, which asks this of every example and signature: it
        locates matches with Template.first_match, so no expression is compiled.
        """
        lines = self._lines(text)[0]
        present = set()
        for line in lines:
            present |= _all_words(line.text, line.words)
        cleaned = "\n".join(line.text for line in lines)
        starts = [0] + [found.end() for found in re.finditer("\n", cleaned)]
        best = None
        for number in self._exact_candidates(present):
            template = self.template(number)
            start = template.template.first_match(cleaned)
            if start is None:
                continue
            line = lines[bisect_right(starts, start) - 1].number
            key = (line, -template.weight, self.records[template.record]["id"])
            if best is None or key < best[0]:
                best = (key, self.records[template.record]["id"], template.text, line)
        return None if best is None else best[1:]

    def _rank(self, lines: list[_Line]) -> list[Match]:
        """Every record with a match scoring WEAK or more, best first."""
        if not lines:
            return []
        present = set()
        for line in lines:
            present |= _all_words(line.text, line.words)
        cleaned = "\n".join(line.text for line in lines)
        starts = [0] + [found.end() for found in re.finditer("\n", cleaned)]
        best: dict[int, Match] = {}
        for number in self._exact_candidates(present):
            match = self._exact(self.template(number), cleaned, starts, lines)
            if match:
                self._keep(best, self.template(number), match)
        for number in self._fuzzy_candidates(present):
            template = self.template(number)
            if template.record in best and best[template.record].confidence == "exact":
                continue
            match = self._fuzzy(template, lines)
            if match:
                self._keep(best, template, match)
        for code in sorted(normalize.codes(cleaned) & self.state["codes"].keys()):
            template = self.template(self.state["codes"][code][0])
            current = best.get(template.record)
            if current is None or current.score < CODE_SCORE:
                line = next(line for line in lines if code in normalize.codes(line.text))
                record = self.records[template.record]
                self._keep(best, template, Match(record["id"], record["title"], CODE_SCORE,
                                                 confidence(CODE_SCORE, False), template.text, {}, line.number,
                                                 line.text.strip()))
        # Equal scores: the error that comes first in the paste, then the more specific signature.
        return sorted(best.values(), key=lambda m: (-m.score, m.line, -m.specificity, m.id))

    # -- stages ------------------------------------------------------------------------

    def _lines(self, text: str) -> tuple[list[_Line], int, tuple[int, int] | None]:
        """The paste's lines with words (long lines in pieces), how many lines it has, and which it skipped.

        A paste of more than MAX_LINES pieces is read at its start and its end, where a log's
        errors usually are; the caller says which lines were skipped and points to `scan`.
        """
        raw = normalize.clean(text).split("\n")
        if len(raw) > 1 and not raw[-1]:
            raw.pop()  # the newline that ends the last line starts no line of its own
        pieces = []
        for number, line in enumerate(raw, start=1):
            while len(line) > MAX_LINE:
                cut = line.rfind(" ", MAX_LINE // 2, MAX_LINE + 1)
                cut = cut if cut > 0 else MAX_LINE
                pieces.append((number, line[:cut]))
                line = line[cut:]
            pieces.append((number, line))
        skipped = None
        if len(pieces) > MAX_LINES:
            tail = pieces[len(pieces) - (MAX_LINES - HEAD_LINES):]
            first = pieces[HEAD_LINES][0]
            skipped = (first, max(first, tail[0][0] - 1))  # within one line when a huge line was cut
            pieces = pieces[:HEAD_LINES] + tail
        lines = []
        for number, piece in pieces:
            words = normalize.tokens(piece)
            if words:
                lines.append(_Line(number, piece, words))
        return lines, len(raw), skipped

    def _exact_candidates(self, present: set) -> list[int]:
        """Templates whose every word is in the paste (found through their rarest word)."""
        found = []
        for word in sorted(present):
            for number in self.anchors.get(word, ()):
                if self.template(number).required <= present:
                    found.append(number)
        return found

    def _fuzzy_candidates(self, present: set) -> list[int]:
        """Templates that share the most of their (rarer) words' weight with the paste.

        Ranked by the share of the template's information the paste holds, where
        a long template counts as CANDIDATE_CAP unique words at most: a paste that
        quotes a distinctive part of a long message proposes it too.
        """
        covered = defaultdict(float)
        for word in sorted(present):
            postings = self.postings.get(word)
            if postings:
                weight = self.idf[word]
                for number in postings:
                    covered[number] += weight
        cap = CANDIDATE_CAP * self.unknown_idf
        weights = self.state["weights"]
        ranked = sorted(covered, key=lambda n: -covered[n] / min(weights[n], cap))
        return ranked[:CANDIDATES]

    def _keep(self, best: dict, template: _Template, match: Match) -> None:
        match.specificity = template.weight
        current = best.get(template.record)
        if current is None or (match.score, match.specificity, -match.line) > (
                current.score, current.specificity, -current.line):
            best[template.record] = match

    def _exact(self, template: _Template, cleaned: str, starts: list[int], lines) -> Match | None:
        found = template.template.regex.search(cleaned)
        if found is None:
            return None
        line = lines[bisect_right(starts, found.start()) - 1]
        record = self.records[template.record]
        return Match(record["id"], record["title"], 100, "exact", template.text, found.groupdict(),
                     line.number, line.text.strip())

    def _fuzzy(self, template: _Template, lines: list[_Line]) -> Match | None:
        # Cheap first pass: the windows of consecutive lines holding most of the template's words by
        # weight. A window grows past WINDOW lines while it holds fewer words than the template, so a
        # message spread over many short lines (pretty-printed JSON) fits in one.
        windows = []
        size = len(template.sequence)
        for start, line in enumerate(lines):
            if template.word_set.isdisjoint(line.words):
                continue
            words: list[str] = []
            breaks: list[int] = []
            for end in range(start, min(start + MAX_WINDOW, len(lines))):
                if end - start >= WINDOW and len(words) >= size:
                    break
                if words:
                    breaks = breaks + [len(words)]  # where each line after the first starts
                words = words + lines[end].words
                present = template.word_set.intersection(words)
                windows.append((math.fsum(self.idf[w] for w in present), -len(words), start, words, breaks))
        best_score, best_line = 0.0, None
        for _, _, start, words, breaks in sorted(windows, key=lambda w: w[:3], reverse=True)[:FINE_WINDOWS]:
            score = self._window_score(template, words, breaks)
            if score > best_score:
                best_score, best_line = score, lines[start]
        if best_line is None or best_score < WEAK:
            return None
        record = self.records[template.record]
        score = min(int(round(best_score)), 99)
        return Match(record["id"], record["title"], score, confidence(score, False), template.text, {},
                     best_line.number, best_line.text.strip())

    def _window_score(self, template: _Template, words: list[str], breaks: list[int]) -> float:
        """0-100 from the information the window and the template disagree on.

        The template's words and placeholders are aligned in order with the
        window's words (longest common subsequence). Each template word the
        window lacks, and each window word inside the aligned span that neither
        a template word nor a placeholder accounts for, costs its IDF weight; a
        word unique to one template costs PENALTY points. A mistyped word (ratio
        >= 80 with the missing one) costs a fifth.

        A paste may hold only some parts of a message (BOUNDARY): the cause
        without the context a wrapper replaced, a fragment that stops at a
        clause, a copy cut short. When what it shows is informative enough,
        the parts it leaves out cost CUT_OFF of their weight, CUT_CAP unique
        words at most; but a paste that goes on, on the same line, with other
        words where the message goes on with its next part disagrees with it
        (`... OutOfMemoryError: Metaspace` is not `... OutOfMemoryError: Java
        heap space`). The alignment may also be cut at a part's edge, dropping
        stray words aligned outside it (at most DROP unique words' worth);
        each such cut is scored, and the best counts.
        """
        sequence = template.sequence
        blocks = [b for b in LCSseq.editops(sequence, words).as_matching_blocks() if b.size]
        if not blocks:
            return 0.0
        pairs = [(b.a + k, b.b + k) for b in blocks for k in range(b.size)]
        best = self._cut_score(template, words, breaks, pairs, None, None)
        if best >= 100:
            return best
        # Other alignments: without stray words aligned at either end, past a gap (". NET 7.0" aligned
        # with the second "NET" of a long .NET message), and cut at a part's edge.
        variants = []
        for k in range(len(pairs) - 1):
            if pairs[k + 1][0] - pairs[k][0] > 1 or pairs[k + 1][1] - pairs[k][1] > 1:
                variants.append((pairs[:k + 1], None, DROPPED))
                variants.append((pairs[k + 1:], DROPPED, None))
        first_a, last_a = pairs[0][0], pairs[-1][0]
        edges = sorted(s for s in template.starts if first_a < s <= last_a)
        drop = DROP * self.unknown_idf
        for head in [None] + edges:
            for tail in [None] + edges:
                if (head is None and tail is None) or (head is not None and tail is not None and tail <= head):
                    continue
                kept = [p for p in pairs if (head is None or p[0] >= head) and (tail is None or p[0] < tail)]
                outside = [a for a in range(len(sequence)) if sequence[a] != SLOT and (
                    head is not None and a < head or tail is not None and a >= tail)]
                dropped = math.fsum(self.idf[sequence[a]] for a, _ in pairs if a in outside)
                # Stray words aligned in a part the paste does not show may go; a part it shows may not.
                allowed = max(drop, DROP_SHARE * math.fsum(self.idf[sequence[a]] for a in outside))
                if kept and dropped <= allowed:
                    variants.append((kept, head, tail))
        for kept, head, tail in variants:
            best = max(best, self._cut_score(template, words, breaks, kept, head, tail))
        return best

    def _cut_score(self, template, words, breaks, pairs, head, tail) -> float:
        """The score of one alignment, with the template's parts before `head` and from `tail` left out."""
        sequence = template.sequence
        first_a, first_b = pairs[0]
        last_a, last_b = pairs[-1]
        last_word = len(words) - 1
        matched_t = {a for a, _ in pairs}
        paired_w = {b for _, b in pairs}
        partial = None
        if last_b + 1 == last_word and last_a + 1 < len(sequence) and (tail in (None, DROPPED) or last_a + 1 < tail):
            # A paste cut inside a word: "refusing to merge unre" still shows "unrelated".
            following = sequence[last_a + 1]
            if following != SLOT and following.startswith(words[last_word]):
                partial = last_word
                matched_t.add(last_a + 1)
                paired_w.add(last_word)
                last_a, last_b = last_a + 1, last_word
        # Where the paste leaves out parts of the message: before head_edge and from tail_edge. At a
        # part's edge (a wrapper, a fragment), or where the paste itself starts or stops (a copy cut short).
        # After dropping stray words on a side (DROPPED), only the paste's own edge allows a cut there.
        head_edge = head if head not in (None, DROPPED) else first_a if (
            first_a in template.starts and head is None) or first_b == 0 else 0
        tail_edge = tail if tail not in (None, DROPPED) else last_a + 1 if (
            last_a + 1 in template.starts and tail is None) or last_b == last_word else len(sequence)
        stops_inside = tail in (None, DROPPED) and last_b == last_word and not (
            last_a + 1 in template.starts and tail is None)  # the paste stops inside a part: a copy cut short
        start = max(0, first_b - (first_a - head_edge))
        stop = min(len(words), last_b + 1 + (tail_edge - last_a - 1))
        # The window's words inside the span that no template word is aligned with, each with the
        # template positions between the aligned words around it (its gap). A placeholder in the gap
        # accounts for them ("free"); a mistyped template word in the gap may (ratio >= 80).
        loose_w, gaps, free = [], {}, set()
        slots = template.slots
        k = 0
        for j in range(start, stop):
            while k < len(pairs) and pairs[k][1] < j:
                k += 1
            if j in paired_w:
                continue
            low = pairs[k - 1][0] + 1 if k else 0
            high = pairs[k][0] if k < len(pairs) else len(sequence)
            loose_w.append(j)
            gaps[j] = (low, high)
            if slots[high] > slots[low]:
                free.add(j)
        rescued = set()
        for j in loose_w:
            if j in free or len(words[j]) < 4 or not words[j].isalpha():
                continue  # a code that differs by a digit (NU1101, NU1102) is another error, not a typo
            for i in range(*gaps[j]):
                if i not in matched_t and sequence[i] != SLOT and fuzz.ratio(sequence[i], words[j]) >= 80:
                    rescued.add(j)
                    matched_t.add(i)
                    break
        information = math.fsum(self.idf[sequence[i]] for i in matched_t if sequence[i] != SLOT)
        if information < self.min_information:
            return 0.0  # "not found" alone is not evidence of any particular error
        # A value cut short: the paste ends inside the placeholder that follows the template's last words.
        if tail_edge == len(sequence) and last_word in free and last_a + 1 < len(sequence) \
                and sequence[last_a + 1] == SLOT and last_word - last_b <= VALUE_WORDS \
                and not any(last_b < b <= last_word for b in breaks):
            tail_edge = last_a + 1
            stops_inside = True
        # Leaving parts out is cheap only when what is shown says enough: a share of the template
        # where the paste itself stops (a copy cut short), FRAGMENT unique words otherwise (a line that
        # starts inside a message is rarely a copy: the window that holds the line before reads it whole).
        fragment = FRAGMENT * self.unknown_idf
        cut_head = head_edge > 0 and information >= fragment
        cut_tail = tail_edge < len(sequence) and information >= (
            SHOWN * template.weight if stops_inside else fragment)
        # What the template says that the paste does not (each word's weight; a fifth for a part left
        # out, CUT_CAP at most), and what the paste says inside the aligned span that the template does not.
        cut = []
        costs = []
        for i, word in enumerate(sequence):
            if i not in matched_t and word != SLOT:
                left_out = (cut_head and i < head_edge) or (cut_tail and i >= tail_edge)
                (cut if left_out else costs).append(self.idf[word])
        costs.extend(self.weight(words[j]) for j in loose_w if j not in free and j not in rescued)
        costs.append(min(CUT_OFF * math.fsum(cut), CUT_CAP * self.unknown_idf))
        costs.extend(0.2 * self.weight(words[j]) for j in rescued)
        if partial is not None:
            costs.append(0.2 * self.weight(words[partial]))
        if cut_tail and stop <= last_word and sequence[tail_edge] != SLOT:
            costs.append(self._goes_on(template, words, breaks, tail_edge, stop))
        # A long message shown nearly whole says more than the few words it disagrees on: past RELIEF
        # unique words of information in common, disagreement weighs less.
        relief = min(1.0, RELIEF * self.unknown_idf / information) if RELIEF else 1.0
        return 100 - PENALTY * relief * math.fsum(costs) / self.unknown_idf

    def _goes_on(self, template, words, breaks, tail_edge, stop) -> float:
        """How much a paste disagrees with a template by going on, on the same line, where it stops.

        The template's next part against as many of the paste's next words: the
        smaller information of the two (a fragment quoted in a sentence goes on
        with common words; another error goes on with its own, rare ones).
        """
        line_end = next((b for b in breaks if b >= stop), len(words))
        part_end = next((s for s in sorted(template.starts) if s > tail_edge), len(template.sequence))
        part = [word for word in template.sequence[tail_edge:part_end] if word != SLOT]
        goes_on = words[stop:min(line_end, stop + len(part))]
        if not goes_on or not part:
            return 0.0
        return min(math.fsum(self.idf[word] for word in part), math.fsum(self.weight(word) for word in goes_on))


@dataclass
class Finding:
    id: str
    title: str
    line: int  # first line where it appears
    count: int
    signature: str
    variables: dict
    line_text: str

    def as_json(self) -> dict:
        return {"id": self.id, "title": self.title, "line": self.line, "count": self.count,
                "signature": self.signature, "variables": self.variables, "line_text": self.line_text}


def scan(matcher: Matcher, lines) -> list[Finding]:
    """Every record whose signature appears exactly in a line of a (long) log, once each.

    Line by line, so memory stays flat whatever the log's size; a template is
    tried on a line only when the line has all of its words.
    """
    found: dict[int, Finding] = {}
    last_line: dict[int, int] = {}  # record -> last line counted, so a line counts once
    for number, raw in enumerate(lines, start=1):
        text = normalize.clean(raw.rstrip("\n"))[:MAX_LINE]
        words = _all_words(text, normalize.tokens(text))
        for word in sorted(words):  # a stable order, so a line matching two templates reports the same one
            for template_number in matcher.anchors.get(word, ()):
                template = matcher.template(template_number)
                if not template.required <= words:
                    continue
                hit = template.template.regex.search(text)
                if hit is None:
                    continue
                if last_line.get(template.record) == number:
                    continue
                last_line[template.record] = number
                if template.record in found:
                    found[template.record].count += 1
                    continue
                record = matcher.records[template.record]
                found[template.record] = Finding(record["id"], record["title"], number, 1, template.text,
                                                 hit.groupdict(), text.strip())
    return sorted(found.values(), key=lambda f: f.line)
