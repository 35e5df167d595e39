#!/usr/bin/env python3
"""Where segmentation goes wrong, beyond the score: a developer's tool for issue 18.

    python3 scripts/segdiag.py kinds GOLD EXPORT [--list]
    python3 scripts/segdiag.py compare GOLD BEFORE AFTER
    python3 scripts/segdiag.py decisions PAGE [--bin BIN] [--only NAME,...] [--features]
    python3 scripts/segdiag.py selftest

GOLD is a gold.json (segbench's or a fixture set's), EXPORT a `gongbao export --format json`
of the same pages. Each command reads ../shared/tools/score_segmentation.py's verdicts, so an
entry is right or wrong exactly as the scorer says.

kinds      what each wrong gold entry's text became: `merge-after` (its article runs on into
           text after it), `merge-before` (text before it leads into it), `merge-both`, `split`
           (its head and tail are in different articles), `lost` (neither is in any article),
           `title` (located, but titled otherwise), `other` (located, something else wrong:
           kind, clauses, contained text). Counts, and with --list one line per entry.
compare    the entries right in AFTER and not in BEFORE (won) and the reverse (lost): a change
           is judged on what it costs as well as what it gains.
decisions  `gongbao export --explain PAGE`, one line per decision (line, choice, scores, text),
           with --features each feature's value under it; --only keeps the named decisions.
selftest   checks `kinds` and `compare` on a page made up here (run by .ci/run).
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCORER = os.path.join(ROOT, "..", "shared", "tools", "score_segmentation.py")


def squeeze(s):
    return re.sub(r"\s+", "", s or "")


def article_text(a):
    paragraphs = a.get("paragraphs")
    if paragraphs is not None:
        return squeeze("".join(p.get("text", "") for p in paragraphs))
    return squeeze(a.get("text", ""))


def verdicts(gold_path, export_path, scorer=SCORER):
    """{(source, index of the entry in the source's gold): (status, scorer's line)}, status one
    of ok, WRONG, MISSING. The scorer prints, with -v, one line per entry in gold order."""
    out = subprocess.run([sys.executable, scorer, gold_path, "--export", export_path, "-v"],
                         capture_output=True, text=True, check=False).stdout
    gold = json.load(open(gold_path, encoding="utf-8"))
    result = {}
    source, index = None, 0
    for line in out.splitlines():
        m = re.match(r"(\S.*?): \d+ gold, \d+ exported$", line)
        if m:
            source, index = m.group(1), 0
            continue
        m = re.match(r"\s+(ok|WRONG|MISSING)\s+(.*)$", line)
        if m and source is not None:
            entries = gold["sources"].get(source, [])
            if index < len(entries) and m.group(2).startswith(entries[index]["name"]):
                result[(source, index)] = (m.group(1), m.group(2))
            index += 1
    return gold, result


def kind_of(entry, status, line, articles, defaults):
    """What a wrong entry's text became (see the module's help)."""
    if status == "WRONG":
        reasons = line[len(entry["name"]) + 2:]
        return "title" if reasons.startswith("title") else "other"
    head, tail = squeeze(entry["head"]), squeeze(entry["tail"])
    head_within = entry.get("head_within", defaults.get("head_within", 60))
    tail_within = entry.get("tail_within", defaults.get("tail_within", 40))
    texts = [article_text(a) for a in articles]
    with_head = [t for t in texts if head in t]
    with_tail = [t for t in texts if tail in t]
    if not with_head and not with_tail:
        return "lost"
    if with_head and with_tail and with_head[0] is with_tail[0]:
        t = with_head[0]
        before = t.find(head) > head_within
        after = len(t) - (t.rfind(tail) + len(tail)) > tail_within
        return {(True, True): "merge-both", (True, False): "merge-before",
                (False, True): "merge-after"}.get((before, after), "other")
    return "split"


def kinds(gold_path, export_path, listing=False, scorer=SCORER, out=sys.stdout):
    gold, result = verdicts(gold_path, export_path, scorer)
    export = json.load(open(export_path, encoding="utf-8"))["articles"]
    by_source = collections.defaultdict(list)
    for a in export:
        by_source[os.path.basename(str(a.get("source", "")))].append(a)
    counts = collections.Counter()
    for (source, index), (status, line) in sorted(result.items()):
        if status == "ok":
            continue
        entry = gold["sources"][source][index]
        kind = kind_of(entry, status, line, by_source[source], gold["defaults"])
        counts[kind] += 1
        if listing:
            print(f"{kind:12} {source} {line[:160]}", file=out)
    print(" ".join(f"{k} {counts[k]}" for k in sorted(counts)) or "nothing wrong", file=out)
    return counts


def compare(gold_path, before_path, after_path, scorer=SCORER, out=sys.stdout):
    gold, before = verdicts(gold_path, before_path, scorer)
    _, after = verdicts(gold_path, after_path, scorer)
    right = lambda v: {k for k, (status, _) in v.items() if status == "ok"}
    won, lost = sorted(right(after) - right(before)), sorted(right(before) - right(after))
    for label, keys in (("WON ", won), ("LOST", lost)):
        for source, index in keys:
            print(f"{label} {source} {gold['sources'][source][index]['name'][:100]}", file=out)
    print(f"won {len(won)}, lost {len(lost)}", file=out)
    return won, lost


def decisions(page, binary, only=None, features=False):
    out = subprocess.run([binary, "export", "--explain", page], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        d = json.loads(line)["decision"]
        if only and d["decision"] not in only:
            continue
        scores = " ".join(f"{k}={v:.2f}" if v is not None else f"{k}=-" for k, v in d.get("scores", []))
        print(f"{d['decision']:18} L{d['line']:<5} {d['chosen']:13} [{scores}] {d['text'][:40]}")
        if features:
            print("    " + " ".join(f"{k}={v:.3g}" for k, v in d["features"]))


def selftest():
    """A page of three articles: the second merged into the first, the third split in two."""
    entry = lambda name, head, tail: {"name": name, "title": name, "head": head, "tail": tail,
                                      "contains": [], "not_contains": [], "clauses": None, "tags": []}
    gold = {"defaults": {"head_within": 10, "tail_within": 10, "kind": "article"},
            "sources": {"p.txt": [entry("甲", "甲文开头", "甲文结尾。"), entry("乙", "乙文开头", "乙文结尾。"),
                                  entry("丙", "丙文开头", "丙文结尾。"), entry("丁", "丁文开头", "丁文结尾。")]}}
    art = lambda title, text: {"source": "p.txt", "title": title, "kind": "article",
                               "paragraphs": [{"kind": "body", "text": text}], "clauses": []}
    filler = "这是一段足够长的正文内容用来隔开两篇文章。"
    before = {"articles": [art("甲", "甲文开头" + filler + "甲文结尾。" + filler + "乙文开头乙文结尾。"),
                           art("丙", "丙文开头" + filler), art(None, filler + "丙文结尾。"),
                           art("丁", "丁文开头" + filler + "丁文结尾。")]}
    after = {"articles": [art("甲", "甲文开头" + filler + "甲文结尾。"), art("乙", "乙文开头乙文结尾。"),
                          art("丙", "丙文开头" + filler), art(None, filler + "丙文结尾。"),
                          art("戊", "丁文开头" + filler + "丁文结尾。")]}
    with tempfile.TemporaryDirectory() as work:
        paths = {}
        for name, data in (("gold", gold), ("before", before), ("after", after)):
            paths[name] = os.path.join(work, name + ".json")
            with open(paths[name], "w", encoding="utf-8") as f:
                json.dump(data, f, ensure_ascii=False)
        sink = open(os.devnull, "w")
        got = kinds(paths["gold"], paths["before"], out=sink)
        # 甲 runs on into 乙, which is then led into by 甲; 丙 is cut in two; 丁 is right.
        assert got["merge-after"] == 1 and got["split"] == 1 and got["merge-before"] == 1, got
        assert sum(got.values()) == 3, got
        got = kinds(paths["gold"], paths["after"], out=sink)
        # 甲 and 乙 apart and right now; 丁 mis-titled.
        assert dict(got) == {"split": 1, "title": 1}, got
        won, lost = compare(paths["gold"], paths["before"], paths["after"], out=sink)
        assert won == [("p.txt", 0), ("p.txt", 1)] and lost == [("p.txt", 3)], (won, lost)
    print("segdiag selftest: ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    k = sub.add_parser("kinds")
    k.add_argument("gold")
    k.add_argument("export")
    k.add_argument("--list", action="store_true")
    c = sub.add_parser("compare")
    c.add_argument("gold")
    c.add_argument("before")
    c.add_argument("after")
    d = sub.add_parser("decisions")
    d.add_argument("page")
    d.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "gongbao"))
    d.add_argument("--only", help="decision names, comma-separated")
    d.add_argument("--features", action="store_true")
    sub.add_parser("selftest")
    args = ap.parse_args()
    if args.command == "kinds":
        kinds(args.gold, args.export, args.list)
    elif args.command == "compare":
        compare(args.gold, args.before, args.after)
    elif args.command == "decisions":
        decisions(args.page, args.bin, set(args.only.split(",")) if args.only else None, args.features)
    else:
        selftest()


if __name__ == "__main__":
    main()
