#!/usr/bin/env python3
"""Fit the segmenter's weights from generated pages; write src/corpus/segment/weights.tsv.

The segmenter weighs named evidence (features computed in Rust, `src/corpus/segment/`) with
weights fitted here. Training pages come from the segbench generator with seeds of their own
(never seed 1, which made the dev pages the scores are reported on), through
`scripts/seglabels.py`, which also records which generator block made each line: that is
the truth each decision is fitted to. The features are what `gongbao export --explain`
prints for the same pages, so training sees exactly what the binary computes.

Run through `scripts/train_segmenter` (it builds the binary and provides scikit-learn);
the same seeds and pages give the same weights, rounded so that the file is stable.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

# The same weights on every x86-64 machine: OpenBLAS picks its kernels by CPU, and kernels that
# add in another order moved the line weights in their 4th decimal (seen between the Haswell,
# Sandy Bridge and Skylake-X kernels on one set of rows). Haswell's run on any CPU with AVX2.
# Set before numpy loads OpenBLAS; a caller's own setting wins.
os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402 (after the environment OpenBLAS reads when it loads)
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

# The decisions whose weights are fitted and written. `section` (does a heading open a section
# of the article before it, or a new article) is fitted for the headings the line model weighs;
# the segmenter keeps the hand-set rule (HAND_SECTION in roles.rs) for the others (boxed 【…】
# headings, brief headlines run into their text), which the generator's pages hardly hold, and
# takes the hand rule's margin as one of the fitted features.
FITTED = {"line_role", "line_transition", "section", "resume_cut", "lead_cut", "link", "resume"}

# Entries of a record that say where a decision is, for the truth, and are not weighed.
CONTEXT_LINES = ("from_line", "lead_line")
# The link decision's: the dangling paragraph's line and the candidate paragraph's.
LINK_LINES = ("open_line", "first_line")
# The resume decision's: the article's last paragraph and the untitled piece's first.
RESUME_LINES = ("article_line", "piece_line")
CONTEXT = set(CONTEXT_LINES) | set(LINK_LINES) | set(RESUME_LINES)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The generator's block kinds (scripts/seglabels.py lists them) → the line roles of
# src/corpus/segment/lines.rs. Lines of other kinds are not the line model's to decide.
LINE_ROLE_OF_KIND = {
    "title": "title",
    "ttitle": "title",
    "kicker": "kicker",
    "collabel": "label",
    "label": "label",
    "tlabel": "label",
    "subtitle": "subtitle",
    "byline": "byline",
    "sub": "sub",
    "body": "body",
    "tsum": "body",
    "caption": "body",
    "end": "body",
    "pagehead": "furniture",
    "editor": "furniture",
    "jiucuo": "furniture",
    "numeral": "furniture",
    "marker": "furniture",
    "tsep": "furniture",
}


def own_text(page_lines, i):
    """Whether line `i` is text (a paragraph or a caption) of the article the owned line before
    it belongs to."""
    label = page_lines[i]
    if label["kind"] not in ("body", "caption") or label.get("owner") is None:
        return False
    before = (page_lines[j] for j in range(i - 1, -1, -1))
    prev = next((b for b in before if b is not None and b.get("owner") is not None), None)
    return prev is not None and prev["owner"] == label["owner"]


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def generate(seed, pages, out, settings=(), short_parts=False):
    sets = [a for kv in settings for a in ("--set", kv)] + (["--short-parts"] if short_parts else [])
    run([sys.executable, os.path.join(ROOT, "scripts", "seglabels.py"), "--out", out,
         "--pages", str(pages), "--seed", str(seed), *sets], stdout=subprocess.DEVNULL)
    labels = {}
    with open(os.path.join(out, "labels.jsonl"), encoding="utf-8") as f:
        for line in f:
            page = json.loads(line)
            labels[page["page"]] = page["lines"]
    return labels


def explain(binary, pages_dir):
    out = run([binary, "export", "--explain", pages_dir], stdout=subprocess.PIPE).stdout
    for line in out.decode("utf-8").splitlines():
        yield json.loads(line)


def samples(binary, seeds, pages, work, settings=(), short_parts=False):
    """(decision name → list of (features, class, seed)), the feature and class names, and the
    true roles of the line model's runs (lists of roles, None where a line has no label).
    `settings` are the generator's --set overrides for every page; `short_parts` asks it for
    three-way interleavings with short middle parts (scripts/seglabels.py --short-parts)."""
    data = collections.defaultdict(list)
    names = {}
    runs = []
    for seed in seeds:
        out = os.path.join(work, f"seed{seed}")
        labels = generate(seed, pages, out, settings, short_parts)
        for rec in explain(binary, os.path.join(out, "pages")):
            d = rec["decision"]
            page_lines = labels.get(rec["source"])
            if page_lines is None or not (1 <= d["line"] <= len(page_lines)):
                continue
            label = page_lines[d["line"] - 1]
            if label is None:
                if d["decision"] == "line_role":
                    f = dict(d["features"])
                    if f.get("run_pos_first") or f.get("run_single") or not runs:
                        runs.append((seed, []))
                    runs[-1][1].append(([v for _, v in d["features"]], None))
                continue
            if d["decision"] == "line_role":
                cls = LINE_ROLE_OF_KIND.get(label["kind"])
                # Runs of adjacent candidate lines, in the order --explain prints them.
                f = dict(d["features"])
                if f.get("run_pos_first") or f.get("run_single") or not runs:
                    runs.append((seed, []))
                runs[-1][1].append(([v for _, v in d["features"]], cls))
            elif d["decision"] == "section":
                # A heading opens a section of the article before it when the generator printed
                # it as a sub-heading of that article, or the line is that article's own text
                # (a paragraph the line model raised to a heading: cutting there splits it).
                cls = "section" if label["kind"] == "sub" or own_text(page_lines, d["line"] - 1) else "new"
            elif d["decision"] == "resume_cut":
                # The text after the place resumes the finished piece's article: the paragraph
                # there is that article's, and the piece's lead is not. Where the lead is that
                # article's too (the later piece is a section of it), a cut resumes the article
                # the text is in: no truth to learn.
                f = dict(d["features"])
                owner = [(page_lines[int(f[k]) - 1] or {}).get("owner") for k in CONTEXT_LINES]
                if owner[0] is None or owner[0] == owner[1]:
                    cls = None
                else:
                    cls = "cut" if label.get("owner") == owner[0] else "kept"
            elif d["decision"] == "lead_cut":
                # The text from the place on opens the article under the next piece's title block:
                # the paragraph there is that article's, and the piece's own lead is not. Where
                # both leads are one article's (the next title block is a sub-heading of it),
                # cutting would make the sub-heading a title: kept.
                f = dict(d["features"])
                owner = [(page_lines[int(f[k]) - 1] or {}).get("owner") for k in CONTEXT_LINES]
                here = label.get("owner")
                if here is None or owner[1] is None:
                    cls = None
                else:
                    cls = "cut" if here == owner[1] and owner[0] != owner[1] else "kept"
            elif d["decision"] == "resume":
                # The piece resumes the article when its first paragraph is that article's, as the
                # article's last paragraph is.
                f = dict(d["features"])
                owner = [(page_lines[int(f[k]) - 1] or {}).get("owner") for k in RESUME_LINES]
                cls = None if None in owner else ("resumes" if owner[0] == owner[1] else "new")
            elif d["decision"] == "link":
                f = dict(d["features"])
                cls = link_truth(page_lines, *(int(f[k]) for k in LINK_LINES))
            else:
                cls = None
            if cls is None:
                continue
            kept = [(f, v) for f, v in d["features"] if f not in CONTEXT]
            names[d["decision"]] = ([f for f, _ in kept], [c for c, _ in d["scores"]])
            data[d["decision"]].append(([v for _, v in kept], cls, seed))
    return data, names, runs


def link_truth(page_lines, open_line, first_line):
    """Whether the paragraph at `first_line` goes on with the article of the dangling paragraph at
    `open_line`, with none of that article's text between them: the candidate continues the
    sentence. None where the dangling paragraph has no owner (furniture)."""
    if not (1 <= open_line < first_line <= len(page_lines)):
        return None
    opened, first = page_lines[open_line - 1], page_lines[first_line - 1]
    if not opened or opened.get("owner") is None or not first:
        return None
    owner = opened["owner"]
    if first.get("owner") != owner:
        return "apart"
    between = page_lines[open_line:first_line - 1]
    text_between = any(lab and lab["kind"] == "body" and lab.get("owner") == owner
                       and lab.get("block") != opened.get("block") for lab in between)
    return "apart" if text_between else "linked"


def transitions(runs, roles):
    """The log-ratio of each role after each role (or at a run's start) to the role anywhere
    in a run: log P(next | previous) - log P(next), add-one smoothed. Lines without a label
    break the chain (no pair is counted across them)."""
    k = len(roles)
    pairs = np.ones((k + 1, k))
    anywhere = np.ones(k)
    for _seed, run in runs:
        prev = 0   # the run's start
        for _x, cls in run:
            if cls is None:
                prev = None
                continue
            j = roles.index(cls)
            anywhere[j] += 1
            if prev is not None:
                pairs[prev, j] += 1
            prev = j + 1
    after = np.log(pairs / pairs.sum(axis=1, keepdims=True))
    return after - np.log(anywhere / anywhere.sum())


# The title-block grammar of src/corpus/segment/lines.rs (may_follow, may_end), mirrored to
# choose the weight of the transitions as the binary will use them. Keep the two in step.
def may_follow(prev, nxt):
    over_title = prev in ("kicker", "label")
    if nxt == "subtitle":
        return prev in ("title", "subtitle")
    if nxt in ("title", "kicker", "label", "furniture"):
        return True
    if nxt == "sub":
        return not over_title and prev != "title"
    return not over_title


def may_end(last):
    return last not in ("kicker", "label")


# lines.rs TRANSITION_RUN_MAX: longer runs (tables, lists) are decided without the transitions.
TRANSITION_RUN_MAX = 7


def best_sequence(emissions, T, roles):
    """Viterbi over one run, as lines.rs best_sequence: emissions (lines x roles), T the
    transition weights (start + roles) x roles."""
    k = len(roles)
    neg = float("-inf")
    if len(emissions) > TRANSITION_RUN_MAX:
        T = [[0.0] * k for _ in range(k + 1)]
    total = [emissions[0][j] + T[0][j] if may_follow(None, roles[j]) else neg for j in range(k)]
    back = []
    for e in emissions[1:]:
        nxt, frm = [neg] * k, [0] * k
        for j in range(k):
            for i in range(k):
                v = total[i] + e[j] + T[i + 1][j]
                if may_follow(roles[i], roles[j]) and v > nxt[j]:
                    nxt[j], frm[j] = v, i
        back.append(frm)
        total = nxt
    ends = [j for j in range(k) if may_end(roles[j]) and total[j] > neg]
    if not ends:
        return [int(np.argmax(e)) for e in emissions]
    j = max(ends, key=lambda j: total[j])
    out = [j]
    for frm in reversed(back):
        j = frm[j]
        out.append(j)
    return out[::-1]


def transition_weight(model, T, runs, roles):
    """The multiple of the transition log-ratios that gets most held-out lines right when the
    roles of each run are chosen together (the line scores already weigh the neighbours, so the
    ratios would count some evidence twice at full weight)."""
    best = None
    for lam in (0.0, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0):
        right = total = 0
        for _seed, run in runs:
            X = np.array([x for x, _ in run], dtype=np.float64)
            chosen = best_sequence(model.scores(X).tolist(), (lam * T).tolist(), roles)
            for (_x, cls), j in zip(run, chosen):
                if cls is not None:
                    total += 1
                    right += roles[j] == cls
        acc = right / max(total, 1)
        print(f"line_transition x{lam}: {acc:.4f} of {total} held-out lines right")
        if best is None or acc > best[1] + 1e-9:
            best = (lam, acc)
    return best[0]


# The decisions fitted as small gradient-boosted trees instead of a logistic regression: trees
# weigh evidence in combination (the line model's verdict means more or less depending on how
# the heading is marked and what follows it). Section decisions right on held-out seeds 104,
# 105, 106: 0.885/0.861/0.901 as a regression, 0.906/0.877/0.913 as trees; depth 3 and 100
# rounds, as deeper or longer trees scored no better there. The line model stays a regression:
# as trees it got more held-out generated lines right (0.886 -> 0.911) but lost articles on
# every hand-written fixture set (heldout3 30/44 -> 26/44, 28 spurious), pages of layouts the
# generator does not make.
# The generator's settings for the link decision's extra pages (see --link-seeds).
INTERRUPTED = ("interrupt=1", "interleave3=0.35")

TREE_DECISIONS = {"section", "resume_cut", "lead_cut", "link", "resume"}
TREES = {"n_estimators": 100, "max_depth": 3, "learning_rate": 0.1}
# Per decision, on top of TREES. Section leaves keep at least ten headings: with single-heading
# leaves the trees split on the training pages' accidents, and headings of layouts the generator
# does not make (the fixture sets) fell either side of them from one retraining to the next.
# Link trees see each round a random 80% of the pairs (stochastic gradient boosting, seeded, so
# the fit stays reproducible): fitted on all of them, the decision on a short three-way
# interleaving (fixture heldout2/k03) swung from one refit to the next as the training pages'
# pieces moved, and every full-sample refit after the fixes of stop 33 lost it. Subsampling
# held it for the pieces of stop 33 only: every refit after a later change to the pieces lost it
# again, bagged over four seeds, as monotone trees and with pages of short parts too (the
# --short-link-seeds pages teach the pattern in part: 46 of 90 such pairs right on held-out
# pages, against 26). Since stop 36 the page is listed as lost in tests/it/pipeline.rs rather
# than holding every other change back.
TREES_OF = {"section": {"min_samples_leaf": 10}, "resume": {"min_samples_leaf": 10}, "link": {"max_depth": 5, "n_estimators": 200, "subsample": 0.8}}


class Linear:
    """A fitted logistic regression: weights[class][feature]."""

    def __init__(self, W):
        self.W = W

    def scores(self, X):
        return X @ self.W.T

    def lines(self, decision, features, classes):
        for i, cls in enumerate(classes):
            for j, feat in enumerate(features):
                w = round(float(self.W[i, j]), 4)
                if w != 0.0:
                    yield f"{decision}\t{cls}\t{feat}\t{w:.4f}"


class Trees:
    """Fitted gradient-boosted trees. Each class's score is its starting value plus the leaf each
    of its trees reaches (learning rate included); with two classes the log-odds are split
    evenly between them, as the logistic regression's scores are."""

    def __init__(self, model, classes):
        self.model = model
        self.k = len(classes)
        self.present = [int(c) for c in model.classes_]

    def scores(self, X):
        raw = self.model.decision_function(X)
        out = np.zeros((len(X), self.k))
        if raw.ndim == 1:
            out[:, self.present[1]] = raw / 2
            out[:, self.present[0]] = -raw / 2
        else:
            for col, cls in enumerate(self.present):
                out[:, cls] = raw[:, col]
        return out

    def per_class(self):
        """(class index, sign, trees) for each class that has trees of its own."""
        est = self.model.estimators_
        if est.shape[1] == 1:
            return [(self.present[1], 0.5, est[:, 0]), (self.present[0], -0.5, est[:, 0])]
        return [(cls, 1.0, est[:, col]) for col, cls in enumerate(self.present)]

    def lines(self, decision, features, classes):
        lr = self.model.learning_rate
        x0 = np.zeros((1, len(features)))
        start = self.scores(x0)[0]
        for cls, sign, trees in self.per_class():
            # The starting value: the score of an all-zero row less what its trees add.
            reached = sum(t.predict(x0)[0] for t in trees) * lr * sign
            yield f"{decision}\t{classes[cls]}\t@start\t{start[cls] - reached:.6f}"
            for t in trees:
                yield f"{decision}\t{classes[cls]}\t@tree\t{preorder(t.tree_, features, lr * sign)}"


def preorder(tree, features, scale):
    """A tree as tokens in pre-order: `feature<=threshold` for a split (its left subtree, where
    the feature is at most the threshold, then its right), `=value` for a leaf."""
    out = []
    stack = [0]
    while stack:
        node = stack.pop()
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            out.append(f"={tree.value[node][0][0] * scale:.6g}")
        else:
            out.append(f"{features[tree.feature[node]]}<={tree.threshold[node]:.9g}")
            stack.append(right)
            stack.append(left)
    return " ".join(out)


def tree_settings(decision):
    return {**TREES, **TREES_OF.get(decision, {})}


def fit_trees(decision, rows, classes):
    X = np.array([r[0] for r in rows], dtype=np.float64)
    y = np.array([classes.index(r[1]) for r in rows])
    return Trees(GradientBoostingClassifier(random_state=0, **tree_settings(decision)).fit(X, y), classes)


def fit_decision(decision, rows, features, classes, c):
    if decision in TREE_DECISIONS:
        return fit_trees(decision, rows, classes)
    return Linear(fit(rows, features, classes, c))


def fit(rows, features, classes, c):
    X = np.array([r[0] for r in rows], dtype=np.float64)
    y = np.array([classes.index(r[1]) for r in rows])
    present = sorted(set(y))
    # Fitted to the optimum far below the 4 decimals written, so that the file does not depend
    # on the machine: with tol=1e-6 lbfgs stopped early, at a point that moved with the BLAS
    # kernels the CPU chose (a retrain on another machine changed line weights by 1e-4).
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=50000, tol=1e-10)
    model.fit(X, y)
    W = np.zeros((len(classes), len(features)))
    if len(present) == 2:   # sklearn fits one vector for two classes
        W[present[1]] = model.coef_[0] / 2
        W[present[0]] = -model.coef_[0] / 2
    else:
        for k, cls in enumerate(model.classes_):
            W[cls] = model.coef_[k]
    return W


def report(name, model, rows, classes):
    X = np.array([r[0] for r in rows], dtype=np.float64)
    y = np.array([classes.index(r[1]) for r in rows])
    p = np.argmax(model.scores(X), axis=1)
    print(f"{name}: {np.mean(p == y):.4f} of {len(y)} held-out decisions right")
    conf = collections.Counter(zip(y, p))
    print("  truth \\ chosen: " + " ".join(f"{c[:6]:>6}" for c in classes))
    for i, c in enumerate(classes):
        print(f"  {c:>14}: " + " ".join(f"{conf[(i, j)]:6d}" for j in range(len(classes))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "gongbao"))
    ap.add_argument("--seeds", default="101,102,103,104,105,106,107,108",
                    help="training seeds (never 1: the dev pages); the last is held out for the report")
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--link-seeds", default="201,202",
                    help="seeds of extra pages, every one interrupted, for the link decision only")
    ap.add_argument("--short-link-seeds", default="203",
                    help="seeds of extra link pages, every one interrupted, whose three-way "
                         "interleavings have short middle parts (scripts/seglabels.py --short-parts)")
    ap.add_argument("--c", type=float, default=1.0, help="inverse L2 strength")
    ap.add_argument("--fit", default=",".join(sorted(FITTED)),
                    help="decisions to fit (default: those whose weights ship)")
    ap.add_argument("--out", default=os.path.join(ROOT, "src", "corpus", "segment", "weights.tsv"))
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    if 1 in seeds:
        sys.exit("seed 1 made the dev pages the segmenter is scored on: train on other seeds")
    with tempfile.TemporaryDirectory() as work:
        data, names, runs = samples(args.bin, seeds, args.pages, work)
        # Two dangling pieces competing for one continuation (an article cut inside a sentence,
        # another inside it cut too, and the first resuming) is rare at the generator's own
        # rates: pages where every article is interrupted, a third of them three ways, give the
        # link decision enough of it. Only its rows are taken, so that the other decisions keep
        # the generator's mix of layouts.
        link_seeds = [int(s) for s in args.link_seeds.split(",") if s]
        if 1 in link_seeds:
            sys.exit("seed 1 made the dev pages the segmenter is scored on: train on other seeds")
        if link_seeds:
            extra, _, _ = samples(args.bin, link_seeds, args.pages, work, INTERRUPTED)
            data["link"].extend(extra["link"])
        # The generator cuts its three-way interleavings at random points, so their middle parts
        # run to hundreds of characters; a part of a sentence or two, whose topic says little
        # (fixture heldout2/k03), is as good as absent from the pages above. These pages have them.
        short_seeds = [int(s) for s in args.short_link_seeds.split(",") if s]
        if 1 in short_seeds:
            sys.exit("seed 1 made the dev pages the segmenter is scored on: train on other seeds")
        if short_seeds:
            extra, _, _ = samples(args.bin, short_seeds, args.pages, work, INTERRUPTED, short_parts=True)
            data["link"].extend(extra["link"])
    lines = ["# Fitted weights of the segmenter: decision, class, feature, weight.",
             f"# Written by scripts/train_segmenter (seeds {args.seeds}, {args.pages} pages each, C={args.c});",
             "# do not edit by hand: retrain."]
    fitted = set(args.fit.split(","))
    for decision in sorted(d for d in data if d in fitted):
        features, classes = names[decision]
        rows = data[decision]
        held = seeds[-1]
        train = [r for r in rows if r[2] != held]
        test = [r for r in rows if r[2] == held]
        if test and train:
            report(decision, fit_decision(decision, train, features, classes, args.c), test, classes)
        model = fit_decision(decision, rows, features, classes, args.c)
        counts = collections.Counter(r[1] for r in rows)
        shape = ("gradient-boosted trees " + ", ".join(f"{k} {v}" for k, v in tree_settings(decision).items())
                 if decision in TREE_DECISIONS else "logistic regression")
        lines.append(f"# {decision}: {len(rows)} decisions; " + ", ".join(f"{c} {counts[c]}" for c in classes)
                     + f"; {shape}")
        lines.extend(model.lines(decision, features, classes))
    if "line_transition" in fitted and "line_role" in names:
        features, roles = names["line_role"]
        held = seeds[-1]
        rows = data["line_role"]
        trained = fit_decision("line_role", [r for r in rows if r[2] != held], features, roles, args.c)
        lam = transition_weight(trained, transitions([r for r in runs if r[0] != held], roles),
                                [r for r in runs if r[0] == held], roles)
        T = lam * transitions(runs, roles)
        lines.append(f"# line_transition: {sum(len(r) for _, r in runs)} lines in {len(runs)} runs, "
                     f"log-ratios times {lam}")
        for i, prev in enumerate(["start"] + roles):
            for j, cls in enumerate(roles):
                w = round(float(T[i, j]), 4)
                if w != 0.0:
                    lines.append(f"line_transition\t{prev}\t{cls}\t{w:.4f}")
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
