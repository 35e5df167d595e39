#!/usr/bin/env python3
"""Line-level training labels for segbench pages.

    python3 scripts/seglabels.py --out DIR --seed S [--pages N] [--pool POOL]
                                 [--segbench DIR] [--set KEY=VALUE ...] [--verify]

segbench's generator (../shared/segbench/make_pages.py, read-only, not ours to
copy) lays real articles out into messy pages and writes *article-level* gold
(gold.json).  To fit a line-level segmentation model we also need to know, for
every physical line of every page, which piece of the layout produced it.  The
generator knows that while it renders a page but never writes it down; this
script runs the generator itself and records it.

How (and why this way):

* make_pages.py is imported as a module (importlib, from --segbench, default
  ../shared/segbench relative to the repo root) and its own ``main()`` is run
  with the same arguments the command line would give it.  The generator class
  it uses is swapped (``mp.Generator = LabellingGenerator``) for a subclass
  whose overrides only *observe*: each calls the original method and returns
  its result unchanged, consuming the page's random stream exactly as before.
  So DIR/pages/*.txt and DIR/gold.json are the very bytes
  ``make_pages.py --pool POOL --out DIR --pages N --seed S`` writes (the page
  loop, file naming, gold and its "about" text are all the original code, not
  a copy that could drift when the generator changes).
* ``render`` joins the rendered blocks with "\\n" or "\\n\\n" (depending on
  layout, ``tight`` and a local hard-wrap choice), may prepend "\\n"/"\\n\\n" and
  append "\\n" at random, and hard-wraps body blocks into several lines.  Rather
  than re-implement that (and risk drifting from it), the overrides capture
  what render builds from: ``render_block`` -> the string of each block,
  ``wrap``/``wrap_width`` -> the lines a hard-wrapped body block became.  After
  the original ``render`` returns the page text, the blocks are aligned with
  ``text.split("\\n")``: optional leading blank lines, then per block its lines
  (the first may carry the layout's indent prefix), with zero or one blank line
  between blocks, and at most one trailing empty string.  Every line is checked
  against the captured strings, and the blank-or-not separator against the
  layout's rule, so a change in the generator's rendering fails loudly here
  instead of producing silently wrong labels.
* ``piece_blocks`` is observed to know which article's run emitted an ownerless
  block (its section label, a jump marker at its cut, a stray numeral inside
  it) -> the extra "host" field; ``seg_blocks`` to know which paragraph and
  offset a body block starts at -> "dateline"; ``gold_for`` to get the gold
  entry order (owner indices) and names exactly as written to gold.json.

Encoding and CRLF are applied by ``encode`` after render; they do not change
the line structure (CRLF only adds a "\\r" before each "\\n"), so the labels index
the lines of the decoded page: ``raw.decode(codec).split("\\n")`` with codec
utf-8 / utf-8-sig / gbk / gb18030 / cp950 (big5) / utf-16 from
gold["pages"][NAME]["encoding"] (the BOM stripped), a trailing "\\r" on CRLF
pages being part of the line end, not text.

Output: DIR/labels.jsonl, one JSON object per page in page order:

    {"page": "NAME.txt", "lines": [null | LABEL, ...]}

with exactly one entry per element of the decoded text's split("\\n") (so a
page ending in "\\n" has a final null for the empty string after it).  Blank
lines are null.  LABEL:

    kind        block kind (see below)
    style       block style: h1 h2 h3 plain bold (headings, labels, kickers,
                subtitles, page head; body is always plain), quote (byline as a
                "> " line), dash / dashbold (teaser title as "- t" / "- **t**"),
                indent (teaser summary with two leading spaces)
    owner       index of the owning article/teaser in gold.json
                sources[NAME] (== gold_for order), or null for page furniture
    owner_name  that gold entry's "name", or null
    first       true on the first physical line of the block (a hard-wrapped
                body block spans several lines; only its first is "first")
    cont        the block's cont flag: body text that starts mid-paragraph
                (after a cut, a moved sub-heading, a mid-word paragraph break,
                or the start of an untitled continuation)
    seg         for owned lines: 0 for the owner's first visible part, +1 each
                time the owner's blocks resume after another owner's block
                (ownerless furniture in between does not count); null if no owner
    block       index of the block in the page's block list (groups the lines
                of one block; consecutive blocks of one paragraph differ here)
    host        (ownerless blocks only) index of the article whose run emitted
                the block: its section label, a jump marker at its cut or
                edge, a stray numeral inside its text; null for furniture
                between articles (page head, numeral between articles,
                teaser label and separators)
    dateline    true when the block begins with the article's dateline
                (本报北京8月13日电 ..., 央视网消息（新闻联播）：, 本報訊 ...);
                omitted otherwise
    marker      inline jump markers printed on the block's line(s):
                {"pre": "（上接第二版）"} before the text, {"suf": "（下转第七版）"}
                after it (a 下转 marker is printed on the block's last line);
                for an own-line marker block (kind "marker"):
                {"line": text, "dir": "up"|"down"}.  Texts are as the generator
                made them (on pinyin pages the printed line may carry notes)
    end_suf     an end marker printed inline after the last body block
                (（完）, （记者 某某）): the generator's "inline-end"; omitted
                otherwise

Block kinds (make_pages.Block.kind; every kind the generator emits):

    body      a paragraph of article text, or a piece of one between cuts
    sub       a sub-heading (the source's own, an added one, or one moved into
              the middle of a neighbouring paragraph's sentence)
    title     the article's title (# / ## / ### / plain / **bold**)
    kicker    引题, the line above the title
    subtitle  副题, the line below the title (often "——…")
    byline    author line (本报记者 某某; People's Daily page line 《人民日报》（… 版）)
    collabel  a People's Daily article's own column label above its title
              (人民论坛, 【国际论坛】): owned by the article
    label     a section label above an article's title (版名 / 要闻 / 國際):
              page furniture, owner null, host = the article below it
    caption   a photo caption (图为…。新华社记者 某某 摄), owned
    end       an end marker on its own line (（完）, （新华社北京3月5日电）)
    editor    责任编辑：…, 版式设计：…/制图：… end lines, a real page's 本版责编：… line
    jiucuo    【纠错】 (possibly with 【责任编辑：…】 on the same line)
    numeral   a stray page numeral line (一…十, 2, 第3版): owner null
    marker    a jump marker on its own line (（下转第七版）, (上接第4版)): owner null
    pagehead  a People's Daily 版次 line at the top (第05版：评论): owner null
    tlabel    the teaser list's label (相关新闻, 延伸阅读): owner null
    ttitle    a teaser's title, owned by that teaser's gold entry
    tsum      a teaser's summary, ending in "...": owned by the teaser
    tsep      a "-" separator line of a teaser list: owner null

(``inline-end`` is never a line: it is the kind the generator gives an end
marker it glued onto the last body line; see "end_suf".)

Options: --pool (default ../shared/segbench/pool-dev.jsonl), --out DIR,
--pages N (default 300), --seed S (required; a string, passed on unchanged:
"5" and "05" are different seeds), --segbench DIR (default ../shared/segbench,
both relative to the repo root), --set KEY=VALUE (passed on to the generator,
see make_pages.py --list-probs), --verify (passed on: the generator re-reads
its pages and checks the gold), --check (re-read every written page, decode it
and check the labels line for line against it).

Standard library only (Python 3.11).  The pool's texts are read from
../shared; nothing of it is copied into the repository.
"""
import argparse
import importlib.util
import json
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SEGBENCH = os.path.join(REPO, "..", "shared", "segbench")

# the page's encoding name in gold["pages"] -> Python codec (as make_pages.verify_page)
CODECS = {"utf8": "utf-8", "utf8-bom": "utf-8-sig", "gbk": "gbk", "gb18030": "gb18030",
          "big5": "cp950", "utf16": "utf-16"}
# what render may put before a block's first line: the indent layout's indent
# (two U+3000 or two spaces) or the hard-wrap layout's U+3000 U+3000 paragraph indent
INDENTS = ("", "\u3000\u3000", "  ")


# --short-parts: how far (characters of text) a short part reaches, at least and at most.
SHORT_PART = (20, 120)


def load_make_pages(segbench_dir):
    """Import make_pages.py from segbench_dir as a module (its __main__ guard keeps
    it from running); it finds pinyin_table.tsv beside its own file."""
    path = os.path.join(segbench_dir, "make_pages.py")
    if not os.path.exists(path):
        sys.exit(f"seglabels: no make_pages.py in {segbench_dir} (see --segbench)")
    spec = importlib.util.spec_from_file_location("segbench_make_pages", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_labelling_generator(mp, records, short_parts=False):
    """A subclass of mp.Generator that records, per page, what produced each line.
    Every override calls the original and returns its result untouched, except the
    interruption plan under `short_parts` (see there)."""

    class LabellingGenerator(mp.Generator):
        def plan_interrupt(self, rng, A, B, three, *rest):
            # --short-parts: in a three-way interleaving (A1 B1 A2 B2 A3) the generator cuts
            # A twice and B once at random breakpoints, so the middle part A2 and B's rest B2
            # are mostly hundreds of characters long; a page that interleaves a sentence or
            # two (hand-written fixture heldout2/k03) is then far out in the tail. Here the
            # second cut of A falls a short way after the first, and B's cut, every other
            # time, a short way before its end. The cut kinds and the rest of the plan are
            # the generator's own.
            if not (short_parts and three):
                return super().plan_interrupt(rng, A, B, three, *rest)
            calls = {A: 0, B: 0}
            firsts = {}
            short_b = rng.random() < 0.5

            def near(inst, original):
                def pick(rng_, kinds, lo=None, hi=None, margin=26):
                    calls[inst] += 1
                    reach = rng_.randint(*SHORT_PART)
                    if inst is A and calls[inst] == 2 and A in firsts:
                        got = original(rng_, kinds, firsts[A] + 16, firsts[A] + reach, margin)
                    elif inst is B and short_b:
                        end = B.text_end()
                        got = original(rng_, kinds, end - reach, end, margin)
                    else:
                        got = None
                    got = got or original(rng_, kinds, lo, hi, margin)
                    if got and inst is A and calls[inst] == 1:
                        firsts[A] = got[0]
                    return got
                return pick

            A.pick_bp, B.pick_bp = near(A, A.pick_bp), near(B, B.pick_bp)
            try:
                return super().plan_interrupt(rng, A, B, three, *rest)
            finally:
                del A.pick_bp, B.pick_bp

        # ---- one page's bookkeeping, started by make_page
        def make_page(self, idx):
            self._cur = {"idx": idx, "host": {}, "start": {}, "owners": [], "names": [],
                         "fname": None, "lines": None}
            self._cap = None
            rng, page, insts, blocks = super().make_page(idx)
            self._cur["blocks"] = blocks
            records.append(self._cur)
            return rng, page, insts, blocks

        def piece_blocks(self, rng, piece, trad):
            # the article whose run emitted an ownerless block (label, marker, numeral)
            out = super().piece_blocks(rng, piece, trad)
            for b in out:
                if b.owner is None:
                    self._cur["host"].setdefault(b, piece[0])
            return out

        def seg_blocks(self, inst, g0, g1):
            # where each body block starts: (paragraph index, offset in it).  The body
            # blocks come out in paragraph order, one per non-sub-heading paragraph
            # overlapping [g0, g1) (the same walk seg_blocks makes).
            out = super().seg_blocks(inst, g0, g1)
            starts = []
            for pi, p in enumerate(inst.paras):
                lo, hi = inst.cum[pi], inst.cum[pi + 1]
                a, b = max(lo, g0), min(hi, g1)
                if a < b and not p["sub"]:
                    starts.append((pi, a - lo))
            body = [b for b in out if b.kind == "body"]
            assert len(body) == len(starts), "seg_blocks walk changed"
            for blk, st in zip(body, starts):
                self._cur["start"][blk] = st
            return out

        # ---- rendering: capture each block's string and wrapped lines
        def render_block(self, rng, b, conv, use_pinyin, moj_method):
            s = super().render_block(rng, b, conv, use_pinyin, moj_method)
            if self._cap is not None:
                self._cap["strings"].append((b, s))
            return s

        def _wrapped(self, lines):
            if self._cap is not None:
                # copy: render then prefixes the first line with an indent in place
                self._cap["wrapped"][len(self._cap["strings"]) - 1] = list(lines)
            return lines

        def wrap(self, s, width):
            return self._wrapped(super().wrap(s, width))

        def wrap_width(self, s, cols):
            return self._wrapped(super().wrap_width(s, cols))

        def render(self, rng, page, blocks):
            self._cap = {"strings": [], "wrapped": {}}
            try:
                text = super().render(rng, page, blocks)
                self._cur["spans"] = align(self._cap, page, blocks, text)
                self._cur["n_lines"] = len(text.split("\n"))
                self._cur["layout"] = page["layout"]
            finally:
                self._cap = None
            return text

        # ---- gold: owner order and names exactly as written to gold.json
        def gold_for(self, page, inst, blocks, fname):
            entry = super().gold_for(page, inst, blocks, fname)
            cur = self._cur
            assert cur["fname"] in (None, fname)
            cur["fname"] = fname
            cur["owners"].append(inst)
            cur["names"].append(entry["name"])
            return entry

    return LabellingGenerator


def align(cap, page, blocks, text):
    """[(first line index, number of lines)] per block: where render put each block
    in text.split("\\n").  Checks every line against the captured block strings."""
    strings, wrapped = cap["strings"], cap["wrapped"]
    if len(strings) != len(blocks) or any(b is not s[0] for b, s in zip(blocks, strings)):
        raise AssertionError("render_block was not called once per block, in order")
    lines = text.split("\n")
    layout = page["layout"]
    pos = 0
    # render may prepend "\n" or "\n\n"
    while pos < len(lines) and lines[pos] == "" and pos < 2:
        pos += 1
    spans = []
    for i, (b, s) in enumerate(strings):
        expect = wrapped.get(i) or s.split("\n")
        if any(e == "" for e in expect):
            raise AssertionError(f"block {i} ({b.kind}) renders an empty line: alignment ambiguous")
        if i > 0:
            blank = pos < len(lines) and lines[pos] == ""
            # the separator rule of render: a single newline when tight or in the
            # lines / indent layouts; a blank line in the blank layout otherwise;
            # hardwrap pages use one or the other for every non-tight boundary
            if blank and (b.tight or layout in ("lines", "indent")):
                raise AssertionError(f"block {i}: blank line before a tight / {layout} block")
            if not blank and not b.tight and layout == "blank":
                raise AssertionError(f"block {i}: no blank line before it on a blank-layout page")
            pos += blank
        for k, e in enumerate(expect):
            if pos + k >= len(lines):
                raise AssertionError(f"block {i} runs past the end of the page")
            act = lines[pos + k]
            ok = act == e if k else (act.endswith(e) and act[:len(act) - len(e)] in INDENTS)
            if not ok:
                raise AssertionError(f"block {i} line {k}: {act[:40]!r} is not {e[:40]!r}")
        spans.append((pos, len(expect)))
        pos += len(expect)
    # render may append one "\n"
    if lines[pos:] not in ([], [""]):
        raise AssertionError(f"unaccounted lines after the last block: {lines[pos:pos + 3]!r}")
    return spans


def jump_texts(inst):
    """the jump markers the generator made for an article: (text, direction)."""
    out = {}
    if inst.start_marker:
        out[inst.start_marker[0]] = "up"
    if inst.end_marker:
        out[inst.end_marker[0]] = "down"
    for bp in inst.bps.values():
        if bp.get("markers"):
            if "up" in bp:
                out[bp["up"][0]] = "up"
            if "down" in bp:
                out[bp["down"][0]] = "down"
    return out


def page_labels(rec):
    """The "lines" list of one page from its record."""
    blocks, owners, names = rec["blocks"], rec["owners"], rec["names"]
    oidx = {id(o): i for i, o in enumerate(owners)}
    # seg: count the owner's resumptions after another owner's block
    segs, last = {}, None
    seg_of = []
    for b in blocks:
        o = b.owner
        if o is None:
            seg_of.append(None)
            continue
        if id(o) not in segs:
            segs[id(o)] = 0
        elif last is not o:
            segs[id(o)] += 1
        last = o
        seg_of.append(segs[id(o)])
    lines = [None] * rec["n_lines"]
    for bi, (b, (start, n)) in enumerate(zip(blocks, rec["spans"])):
        o = b.owner
        if o is not None and id(o) not in oidx:
            raise AssertionError(f"{rec['fname']}: block {bi} owned by an article without a gold entry")
        lab = {"kind": b.kind, "style": b.style,
               "owner": oidx[id(o)] if o is not None else None,
               "owner_name": names[oidx[id(o)]] if o is not None else None,
               "first": True, "cont": b.cont, "seg": seg_of[bi], "block": bi}
        if o is None:
            h = rec["host"].get(b)
            lab["host"] = oidx.get(id(h)) if h is not None else None
        st = rec["start"].get(b)
        if st == (0, 0) and o is not None and o.dateline:
            lab["dateline"] = True
        marker = {}
        if b.kind == "marker":
            h = rec["host"].get(b)
            marker = {"line": b.text, "dir": jump_texts(h).get(b.text) if h is not None else None}
        else:
            jumps = jump_texts(o) if o is not None else {}
            if b.pre:
                marker["pre"] = b.pre
            if b.suf and b.suf != "...":      # "..." ends every teaser summary
                if b.suf in jumps:
                    marker["suf"] = b.suf
                else:
                    lab["end_suf"] = b.suf  # an end marker glued on (kind inline-end)
        if marker:
            lab["marker"] = marker
        for k in range(n):
            lines[start + k] = dict(lab, first=(k == 0))
    return lines


def check_pages(out_dir, labels):
    """Re-read every written page, decode it as its gold says, and check that the
    labels have one entry per split("\\n") line, null exactly on blank lines."""
    with open(os.path.join(out_dir, "gold.json"), encoding="utf-8") as f:
        gold = json.load(f)
    bad = 0
    if list(gold["sources"]) != [r["page"] for r in labels]:
        print("CHECK page list differs from gold.json")
        bad += 1
    for r in labels:
        name = r["page"]
        meta = gold["pages"][name]
        raw = open(os.path.join(out_dir, "pages", name), "rb").read()
        text = raw.decode(CODECS[meta["encoding"]])
        if text.startswith("\ufeff"):
            text = text[1:]
        phys = text.split("\n")
        if meta["crlf"]:
            # every line end is \r\n; the \r belongs to the line end
            assert all(ln.endswith("\r") for ln in phys[:-1]), name
            phys = [ln[:-1] if ln.endswith("\r") else ln for ln in phys]
        if len(phys) != len(r["lines"]):
            print(f"CHECK {name}: {len(phys)} lines, {len(r['lines'])} labels")
            bad += 1
            continue
        n_entries = len(gold["sources"][name])
        for i, (ln, lab) in enumerate(zip(phys, r["lines"]), 1):
            if (ln == "") != (lab is None):
                print(f"CHECK {name}:{i}: blank={ln == ''} label={lab is not None}")
                bad += 1
            elif lab is not None:
                if ln.strip() == "":
                    print(f"CHECK {name}:{i}: white-space-only line with a label")
                    bad += 1
                if lab["owner"] is not None and not (
                        0 <= lab["owner"] < n_entries
                        and gold["sources"][name][lab["owner"]]["name"] == lab["owner_name"]):
                    print(f"CHECK {name}:{i}: owner {lab['owner']} does not match gold")
                    bad += 1
        owned = {lab["owner"] for lab in r["lines"] if lab and lab["owner"] is not None}
        if owned != set(range(n_entries)):
            print(f"CHECK {name}: gold entries without a line: {set(range(n_entries)) - owned}")
            bad += 1
    print(f"check: {len(labels)} pages, {bad} problems")
    return bad


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pool", help="article pool (default: SEGBENCH/pool-dev.jsonl)")
    ap.add_argument("--out", required=True, help="output directory (pages/, gold.json, labels.jsonl)")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--seed", required=True, help="generator seed (a string, passed on unchanged)")
    ap.add_argument("--segbench", default=DEFAULT_SEGBENCH,
                    help="folder holding make_pages.py (default: ../shared/segbench from the repo root)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="generator probability override, passed on (make_pages.py --list-probs)")
    ap.add_argument("--verify", action="store_true", help="pass --verify on to the generator")
    ap.add_argument("--short-parts", action="store_true",
                    help="three-way interleavings with short middle parts (not the generator's own "
                         "pages: a training set of its own)")
    ap.add_argument("--check", action="store_true",
                    help="re-read the written pages and check the labels against them")
    args = ap.parse_args()
    pool = args.pool or os.path.join(args.segbench, "pool-dev.jsonl")

    t0 = time.time()
    mp = load_make_pages(args.segbench)
    records = []
    # main() builds its generator from the module global Generator: point it at ours
    mp.Generator = make_labelling_generator(mp, records, args.short_parts)
    argv = [mp.__file__, "--pool", pool, "--out", args.out, "--pages", str(args.pages),
            "--seed", args.seed]
    for kv in args.set:
        argv += ["--set", kv]
    if args.verify:
        argv.append("--verify")
    saved, sys.argv = sys.argv, argv
    try:
        rc = mp.main()
    finally:
        sys.argv = saved
    if len(records) != args.pages:
        sys.exit(f"seglabels: {len(records)} pages recorded, {args.pages} expected")

    labels = [{"page": rec["fname"], "lines": page_labels(rec)} for rec in records]
    path = os.path.join(args.out, "labels.jsonl")
    with open(path, "w", encoding="utf-8") as f:
        for r in labels:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    n_lines = sum(1 for r in labels for lab in r["lines"] if lab)
    print(f"labels: {len(labels)} pages, {n_lines} labelled lines -> {path} "
          f"({time.time() - t0:.1f} s)")
    if args.check and check_pages(args.out, labels):
        return 1
    return rc or 0


if __name__ == "__main__":
    sys.exit(main())
