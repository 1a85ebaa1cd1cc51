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
MAX_LINE = 2000  # characters of one paste line that are looked at
MAX_LINES = 5000  # lines of a paste that `lookup` reads (use `scan` for whole logs)
CANDIDATES = 40
WINDOW = 3
FINE_WINDOWS = 3  # windows per template that get the full (alignment) score
PENALTY = 30  # points lost per unique word of disagreement
CUT_OFF = 0.2  # share of a word's cost when a truncated paste stops before it
MIN_INFORMATION = 1.5  # a fuzzy match shows at least this many unique words' worth
SHOWN = 0.3  # a truncated paste shows at least this share of its template's information
SLOT = "\x00"  # a placeholder in a template's word sequence: it accounts for any paste words


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
    return "likely" if score >= LIKELY else "possible"


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
    sequence: list[str]  # the words, with SLOT where a placeholder stands
    weight: float  # total IDF of its words: how much the template says


@dataclass
class _Line:
    number: int
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
    owners, texts, sequences = [], [], []
    for number, record in enumerate(index["records"]):
        for text in record["signatures"]:
            sequence = []
            for part in parse_template(text).parts:
                sequence.extend(normalize.tokens(part) if isinstance(part, str) else [SLOT])
            owners.append(number)
            texts.append(text)
            sequences.append(sequence)
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
        if words:
            # The rarest word: a paste without it cannot match this template exactly.
            anchors[max(words, key=lambda w: (idf[w], w))].append(number)
        for word in words:
            if document_count[word] <= common:
                postings[word].append(number)
    return {"owners": owners, "texts": texts, "sequences": sequences, "weights": weights, "idf": idf,
            "postings": dict(postings), "anchors": dict(anchors)}


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
            template = _Template(state["owners"][number], text, parse_template(text), words, frozenset(words),
                                 sequence, state["weights"][number])
            self._templates[number] = template
        return template

    def weight(self, word: str) -> float:
        return self.idf.get(word, self.unknown_idf)

    def lookup(self, text: str, limit: int = 5) -> list[Match]:
        """Ranked matches for a paste, best first; empty when nothing is credible."""
        return self._search(text)[:limit]

    def first_exact(self, text: str) -> tuple[str, str, int] | None:
        """(record id, signature, line) of the best exact match, ranked as `lookup` ranks exact matches.

        For the validator, which asks this of every example and signature: it
        locates matches with Template.first_match, so no expression is compiled.
        """
        lines = self._lines(text)
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

    def _search(self, text: str) -> list[Match]:
        lines = self._lines(text)
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
        # Equal scores: the error that comes first in the paste, then the more specific signature.
        return sorted(best.values(), key=lambda m: (-m.score, m.line, -m.specificity, m.id))

    # -- stages ------------------------------------------------------------------------

    def _lines(self, text: str) -> list[_Line]:
        lines = []
        for number, raw in enumerate(normalize.clean(text).split("\n")[:MAX_LINES], start=1):
            raw = raw[:MAX_LINE]
            words = normalize.tokens(raw)
            if words:
                lines.append(_Line(number, raw, words))
        return lines

    def _exact_candidates(self, present: set) -> list[int]:
        """Templates whose every word is in the paste (found through their rarest word)."""
        found = []
        for word in sorted(present):
            for number in self.anchors.get(word, ()):
                if self.template(number).word_set <= present:
                    found.append(number)
        return found

    def _fuzzy_candidates(self, present: set) -> list[int]:
        """Templates that share the most of their (rarer) words' weight with the paste."""
        covered = defaultdict(float)
        for word in sorted(present):
            postings = self.postings.get(word)
            if postings:
                weight = self.idf[word]
                for number in postings:
                    covered[number] += weight
        ranked = sorted(covered, key=lambda n: -covered[n] / self.state["weights"][n])
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
        # Cheap first pass: the windows holding most of the template's words by weight.
        windows = []
        for start, line in enumerate(lines):
            if template.word_set.isdisjoint(line.words):
                continue
            words: list[str] = []
            for end in range(start, min(start + WINDOW, len(lines))):
                words = words + lines[end].words
                present = template.word_set.intersection(words)
                windows.append((math.fsum(self.idf[w] for w in present), -len(words), start, words))
        best_score, best_line = 0.0, None
        for _, _, start, words in sorted(windows, reverse=True)[:FINE_WINDOWS]:
            score = self._window_score(template, words)
            if score > best_score:
                best_score, best_line = score, lines[start]
        if best_line is None or best_score < POSSIBLE:
            return None
        record = self.records[template.record]
        score = min(int(round(best_score)), 99)
        return Match(record["id"], record["title"], score, confidence(score, False), template.text, {},
                     best_line.number, best_line.text.strip())

    def _window_score(self, template: _Template, words: list[str]) -> float:
        """0-100 from the information the window and the template disagree on.

        The template's words and placeholders are aligned in order with the
        window's words (longest common subsequence). Each template word the
        window lacks, and each window word inside the aligned span that neither
        a template word nor a placeholder accounts for, costs its IDF weight; a
        word unique to one template costs PENALTY points. A mistyped word (ratio
        >= 80 with the missing one) costs a fifth. When the paste stops where
        the template goes on (a truncated message), the words cut off cost a
        fifth too.
        """
        sequence = template.sequence
        blocks = [b for b in LCSseq.editops(sequence, words).as_matching_blocks() if b.size]
        if not blocks:
            return 0.0
        pairs = [(b.a + k, b.b + k) for b in blocks for k in range(b.size)]
        matched_t = {a for a, _ in pairs}
        head = pairs[0][0]
        tail = len(sequence) - 1 - pairs[-1][0]
        start, stop = max(0, pairs[0][1] - head), min(len(words), pairs[-1][1] + 1 + tail)
        loose_w = [j for j in range(start, stop) if not any(j == b for _, b in pairs)]
        free = {j for j in loose_w if SLOT in self._gap(sequence, pairs, j)}
        rescued = set()
        last_word = len(words) - 1
        if last_word in loose_w and last_word not in free:
            # A paste cut inside a word: "refusing to merge unre" still shows "unrelated".
            following = pairs[-1][0] + 1
            if following < len(sequence) and sequence[following].startswith(words[last_word]):
                rescued.add(last_word)
                matched_t.add(following)
        for j in loose_w:
            if j in free or j in rescued or len(words[j]) < 4:
                continue
            for i in self._gap(sequence, pairs, j, indices=True):
                if i not in matched_t and sequence[i] != SLOT and fuzz.ratio(sequence[i], words[j]) >= 80:
                    rescued.add(j)
                    matched_t.add(i)
                    break
        information = math.fsum(self.idf[sequence[i]] for i in matched_t if sequence[i] != SLOT)
        if information < self.min_information:
            return 0.0  # "not found" alone is not evidence of any particular error
        last_t = max(matched_t)
        # Truncated: the paste ends on the template's words, or on a value of the placeholder
        # that comes right after them ("...satisfies the requirement p").
        truncated = last_word in rescued or pairs[-1][1] == last_word or (
            last_word in free and last_t + 1 < len(sequence) and sequence[last_t + 1] == SLOT)
        if truncated and information < SHOWN * template.weight:
            truncated = False  # too little of the message is shown to call it a cut-off copy
        missing = 0.0
        for i, word in enumerate(sequence):
            if i not in matched_t and word != SLOT:
                missing += self.idf[word] * (CUT_OFF if truncated and i > last_t else 1.0)
        missing += math.fsum(0.2 * self.weight(words[j]) for j in rescued)
        unexplained = math.fsum(self.weight(words[j]) for j in loose_w if j not in free and j not in rescued)
        return 100 - PENALTY * (missing + unexplained) / self.unknown_idf

    @staticmethod
    def _gap(sequence, pairs, j, indices=False):
        """The template positions (or their words) between the aligned pairs around window word j."""
        before = [a for a, b in pairs if b < j]
        after = [a for a, b in pairs if b > j]
        low = before[-1] + 1 if before else 0
        high = after[0] if after else len(sequence)
        return range(low, high) if indices else sequence[low:high]


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
                if not template.word_set <= words:
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
