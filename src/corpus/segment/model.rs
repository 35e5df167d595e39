//! The fitted weights the decisions read, and how a decision turns features into scores.
//!
//! Every decision that weighs evidence scores each of its classes from a list of named features
//! (each a small function of the text, see [`super::lines`]), and the class with the highest
//! score wins. A decision's scores are either linear (a multinomial logistic regression: one
//! weight per feature and class) or the sum of small regression trees per class (gradient
//! boosting), which weigh features in combination. Neither is typed in: both are fitted by
//! `scripts/train_segmenter.py` on pages generated from the segbench pool with seeds of its
//! own, and written to `weights.tsv`, which is embedded here. `gongbao export --explain` prints
//! each decision's features and scores, which is also what the trainer reads.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The embedded weights, `#` comments and tab-separated lines of four columns:
/// `decision class feature weight` for a linear decision; `decision class @start value` and
/// `decision class @tree nodes` for a decision fitted as trees, the nodes in pre-order, each a
/// split `feature<=threshold` (its left subtree, where the feature is at most the threshold,
/// comes next, then its right) or a leaf `=value`.
const WEIGHTS: &str = include_str!("weights.tsv");

/// What the table's lines give one decision, by class: a start, linear weights and trees.
struct DecisionRows {
    start: Vec<f32>,
    weights: Vec<Vec<f32>>,
    trees: Vec<Vec<Tree>>,
}

impl DecisionRows {
    fn read(table: &str, decision: &str, classes: &[&str], features: &[&str]) -> Result<DecisionRows, String> {
        let mut weights = vec![vec![0.0; features.len()]; classes.len()];
        let mut start = vec![0.0; classes.len()];
        let mut trees: Vec<Vec<Tree>> = vec![Vec::new(); classes.len()];
        let class_at: HashMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let feature_at: HashMap<&str, usize> = features.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        for line in table.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [d, class, feature, value] = cols[..] else { return Err(format!("not four columns: {line:?}")) };
            if d != decision {
                continue;
            }
            let c = *class_at.get(class).ok_or_else(|| format!("unknown class {class:?} of {d}"))?;
            let number = || value.parse::<f32>().map_err(|_| format!("not a number: {line:?}"));
            match feature {
                "@start" => start[c] = number()?,
                "@tree" => trees[c].push(Tree::parse(value, &feature_at).map_err(|e| format!("{e} in {line:?}"))?),
                _ => {
                    let f = *feature_at.get(feature).ok_or_else(|| format!("unknown feature {feature:?} of {d}"))?;
                    weights[c][f] = number()?;
                }
            }
        }
        Ok(DecisionRows { start, weights, trees })
    }
}

/// One decision's fitted scoring.
#[derive(Debug, Clone)]
pub enum Model {
    /// `weights[class][feature]`.
    Linear { weights: Vec<Vec<f32>> },
    /// Each class's score: its start plus the leaf each of its trees reaches. `mirror[c]` names
    /// an earlier class whose trees are class `c`'s with every leaf negated (the trainer writes a
    /// decision of two classes that way, the log-odds split evenly): their sum is negated rather
    /// than found again, which halves the cost of such a decision and gives the same score bit
    /// for bit (rounding to nearest is symmetric about zero).
    /// `forests[c]` holds class `c`'s trees laid out for evaluation without branches.
    Trees { start: Vec<f32>, forests: Vec<Forest>, mirror: Vec<Option<usize>> },
}

/// A class's trees, each laid out complete to the depth of the deepest: its splits breadth
/// first (the children of split `i` are `2i + 1`, left, and `2i + 2`), then its leaves. A leaf
/// above that depth becomes splits that lead to copies of it whichever way they go.
///
/// Every tree then takes exactly `depth` steps, each an index computed from one comparison,
/// with no branch on the comparison and no check for a leaf. Walking the pre-order nodes
/// instead branched at every split on features that go either way from one line to the next,
/// and the link decision alone (200 trees of depth 5 per call) was 5% of an export.
#[derive(Debug, Clone, PartialEq)]
pub struct Forest {
    depth: u32,
    /// `2^depth - 1` per tree.
    splits: Vec<Split>,
    /// `2^depth` per tree.
    leaves: Vec<f32>,
}

/// A split of a complete tree: go right when `x[feature]` is not at most `threshold`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Split {
    feature: u32,
    threshold: f32,
}

impl Forest {
    fn new(trees: &[Tree]) -> Forest {
        let depth = trees.iter().map(|t| t.depth(0)).max().unwrap_or(0);
        let inner = (1usize << depth) - 1;
        // A split any value goes either way from, for the copies of a shallow leaf: its two
        // sides are the same leaf.
        let either = Split { feature: 0, threshold: f32::INFINITY };
        let mut splits = vec![either; inner * trees.len()];
        let mut leaves = vec![0.0; (inner + 1) * trees.len()];
        for (k, tree) in trees.iter().enumerate() {
            let own_splits = &mut splits[k * inner..(k + 1) * inner];
            let own_leaves = &mut leaves[k * (inner + 1)..(k + 1) * (inner + 1)];
            tree.lay_out(0, 0, inner, own_splits, own_leaves);
        }
        Forest { depth, splits, leaves }
    }

    /// The sum of the trees' leaves for `x`, added in the trees' order.
    fn sum(&self, x: &[f32]) -> f32 {
        let inner = (1usize << self.depth) - 1;
        let mut sum = 0.0;
        for (k, leaves) in self.leaves.chunks_exact(inner + 1).enumerate() {
            let splits = &self.splits[k * inner..(k + 1) * inner];
            let mut i = 0;
            for _ in 0..self.depth {
                let split = splits[i];
                // Left at or below the threshold; right above it, or where the feature is NaN.
                let left = x[split.feature as usize] <= split.threshold;
                i = 2 * i + 2 - usize::from(left);
            }
            sum += leaves[i - inner];
        }
        sum
    }
}

/// A regression tree, its nodes in pre-order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    nodes: Vec<Node>,
}

/// A node, twelve bytes: a split or, where `feature` is [`LEAF`], a leaf.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Node {
    feature: u32,
    /// Where a split goes when the feature is above `value`; the next node holds its left side.
    right: u32,
    /// A split's threshold, or a leaf's value. A threshold is the largest `f32` not above the
    /// trainer's (`f64`) one, so that comparing an `f32` feature with it decides exactly as the
    /// trainer's comparison in `f64` does: no `f32` lies between the two.
    value: f32,
}

/// The `feature` of a leaf.
const LEAF: u32 = u32::MAX;

impl Node {
    fn leaf(value: f32) -> Node {
        Node { feature: LEAF, right: 0, value }
    }

    fn split(feature: u32, threshold: f64) -> Node {
        #[expect(clippy::cast_possible_truncation, reason = "rounded, then stepped down below the threshold")]
        let mut below = threshold as f32;
        if f64::from(below) > threshold {
            below = below.next_down();
        }
        Node { feature, right: 0, value: below }
    }
}

impl Tree {
    /// Reads the pre-order tokens of a tree (see [`WEIGHTS`]); `feature_at` names the features.
    fn parse(text: &str, feature_at: &HashMap<&str, usize>) -> Result<Tree, String> {
        let mut nodes = Vec::new();
        // Splits whose right child is not placed yet, innermost last.
        let mut open: Vec<usize> = Vec::new();
        // Subtrees still to read: a split reads two in place of one, a leaf is one.
        let mut to_read = 1usize;
        for token in text.split_ascii_whitespace() {
            if to_read == 0 {
                return Err(format!("a node after the tree's last leaf: {token:?}"));
            }
            let at = nodes.len();
            if let Some(value) = token.strip_prefix('=') {
                nodes.push(Node::leaf(value.parse().map_err(|_| format!("not a leaf value: {token:?}"))?));
                // A finished left subtree: the innermost open split's right child comes next.
                to_read -= 1;
                if let Some(split) = open.pop() {
                    nodes[split].right = u32::try_from(at + 1).map_err(|_| "a tree too large".to_string())?;
                }
            } else {
                let (name, threshold) = token.split_once("<=").ok_or_else(|| format!("not a node: {token:?}"))?;
                let feature = *feature_at.get(name).ok_or_else(|| format!("unknown feature {name:?}"))?;
                let feature = u32::try_from(feature).map_err(|_| format!("a feature index past u32: {token:?}"))?;
                let threshold = threshold.parse().map_err(|_| format!("not a threshold: {token:?}"))?;
                nodes.push(Node::split(feature, threshold));
                open.push(at);
                to_read += 1;
            }
        }
        if to_read != 0 {
            return Err("an incomplete tree".to_string());
        }
        Ok(Tree { nodes })
    }

    /// The number of splits on the longest path down from node `at`.
    fn depth(&self, at: usize) -> u32 {
        let node = self.nodes[at];
        if node.feature == LEAF { 0 } else { 1 + self.depth(at + 1).max(self.depth(node.right as usize)) }
    }

    /// Places the subtree at node `at` at place `i` of a complete tree of `inner` splits
    /// ([`Forest`]): places below `inner` are splits, the rest leaves.
    fn lay_out(&self, at: usize, i: usize, inner: usize, splits: &mut [Split], leaves: &mut [f32]) {
        let node = self.nodes[at];
        if i >= inner {
            leaves[i - inner] = node.value;
            return;
        }
        if node.feature == LEAF {
            // `splits[i]` keeps the split that goes either way: both sides get this leaf.
            self.lay_out(at, 2 * i + 1, inner, splits, leaves);
            self.lay_out(at, 2 * i + 2, inner, splits, leaves);
        } else {
            splits[i] = Split { feature: node.feature, threshold: node.value };
            self.lay_out(at + 1, 2 * i + 1, inner, splits, leaves);
            self.lay_out(node.right as usize, 2 * i + 2, inner, splits, leaves);
        }
    }

    /// Whether `other` is this tree with every leaf negated.
    fn mirrors(&self, other: &Tree) -> bool {
        self.nodes.len() == other.nodes.len()
            && self.nodes.iter().zip(&other.nodes).all(|(a, b)| {
                if a.feature == LEAF && b.feature == LEAF { a.value.to_bits() == (-b.value).to_bits() } else { a == b }
            })
    }

    /// The leaf `x` reaches, walking the nodes as parsed: what [`Forest::sum`] adds up.
    #[cfg(test)]
    fn value(&self, x: &[f32]) -> f32 {
        let mut at = 0;
        loop {
            let node = self.nodes[at];
            if node.feature == LEAF {
                return node.value;
            }
            at = if x[node.feature as usize] <= node.value { at + 1 } else { node.right as usize };
        }
    }
}

impl Model {
    /// The scoring of `decision` in the embedded table, for the given classes and features; a
    /// class or feature the table lacks weighs nothing.
    ///
    /// # Panics
    /// When the table names a class or feature the decision does not have, or a line does not
    /// parse: the table and the code were not built together (a unit test reads the embedded
    /// table).
    fn load(decision: &str, classes: &'static [&'static str], features: &'static [&'static str]) -> Model {
        Self::parse(WEIGHTS, decision, classes, features).unwrap_or_else(|e| panic!("weights.tsv: {e}"))
    }

    fn parse(table: &str, decision: &str, classes: &[&str], features: &[&str]) -> Result<Model, String> {
        let DecisionRows { start, weights, trees } = DecisionRows::read(table, decision, classes, features)?;
        if trees.iter().any(|t| !t.is_empty()) {
            if weights.iter().flatten().any(|w| *w != 0.0) {
                return Err(format!("{decision} has both trees and linear weights"));
            }
            let mirror = (0..trees.len())
                .map(|c| {
                    (0..c).find(|&m| {
                        trees[m].len() == trees[c].len() && trees[m].iter().zip(&trees[c]).all(|(a, b)| a.mirrors(b))
                    })
                })
                .collect();
            let forests = trees.iter().map(|t| Forest::new(t)).collect();
            return Ok(Model::Trees { start, forests, mirror });
        }
        Ok(Model::Linear { weights })
    }

    /// A decision without weights: its callers keep their shape rules alone.
    fn unfitted(classes: usize, features: usize) -> Model {
        Model::Linear { weights: vec![vec![0.0; features]; classes] }
    }

    /// The score of each class for a feature vector (higher is likelier; their softmax is the
    /// fitted probability).
    pub fn scores(&self, x: &[f32]) -> Vec<f32> {
        match self {
            Model::Linear { weights } => weights.iter().map(|w| w.iter().zip(x).map(|(a, b)| a * b).sum()).collect(),
            Model::Trees { start, forests, mirror, .. } => {
                let mut sums: Vec<f32> = Vec::with_capacity(forests.len());
                for (forest, m) in forests.iter().zip(mirror) {
                    let sum = match m {
                        Some(m) => -sums[*m],
                        None => forest.sum(x),
                    };
                    sums.push(sum);
                }
                start.iter().zip(sums).map(|(s, sum)| s + sum).collect()
            }
        }
    }

    /// The weight of `feature` for `class` (indices in the names the model was loaded with) of a
    /// linear decision; trees have no single weight per feature.
    pub fn weight(&self, class: usize, feature: usize) -> f32 {
        match self {
            Model::Linear { weights } => weights.get(class).and_then(|w| w.get(feature)).copied().unwrap_or(0.0),
            Model::Trees { .. } => 0.0,
        }
    }

    /// Whether the table holds any weight for this decision (an empty table decides nothing:
    /// the callers then keep the shape rules alone).
    pub fn is_fitted(&self) -> bool {
        match self {
            Model::Linear { weights } => weights.iter().flatten().any(|w| *w != 0.0),
            Model::Trees { .. } => true,
        }
    }
}

/// One decision the segmenter took, with the evidence it weighed: what `gongbao export
/// --explain` prints, and what the trainer fits the weights from.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Decision {
    pub decision: &'static str,
    /// 1-based line of the decoded text.
    pub line: usize,
    pub text: String,
    pub features: Vec<(&'static str, f32)>,
    pub scores: Vec<(&'static str, f32)>,
    pub chosen: &'static str,
}

/// How much of a text a record quotes: enough to find the place in the file.
const QUOTED_CHARS: usize = 24;

impl Decision {
    /// A record of a decision about a place (`line`, the start of `text`) that is not weighed by
    /// a fitted model: what the pass weighed there (`features`), each outcome's score and the
    /// outcome taken.
    pub fn weighed(
        decision: &'static str,
        line: usize,
        text: &str,
        features: &[(&'static str, f32)],
        scores: &[(&'static str, f32)],
        chosen: &'static str,
    ) -> Self {
        Decision {
            decision,
            line,
            text: text.chars().take(QUOTED_CHARS).collect(),
            features: features.to_vec(),
            scores: scores.to_vec(),
            chosen,
        }
    }

    #[expect(clippy::too_many_arguments, reason = "one record of a decision, built in one place per decision")]
    pub fn new(
        decision: &'static str,
        line: usize,
        text: &str,
        names: &'static [&'static str],
        x: &[f32],
        classes: &'static [&'static str],
        scores: &[f32],
        chosen: &'static str,
    ) -> Self {
        Decision {
            decision,
            line,
            text: text.to_string(),
            features: names.iter().copied().zip(x.iter().copied()).collect(),
            scores: classes.iter().copied().zip(scores.iter().copied()).collect(),
            chosen,
        }
    }
}

/// A condition as a feature's value: 1 where it holds.
pub(super) fn flag(v: bool) -> f32 {
    if v { 1.0 } else { 0.0 }
}

/// A count as a feature's value: ln(1 + count), as the fitted decisions take sizes.
pub(super) fn ln(n: usize) -> f32 {
    (n as f32).ln_1p()
}

/// The model of a line's role (see [`super::lines`]).
pub static LINE_ROLE: LazyLock<Model> =
    LazyLock::new(|| Model::load("line_role", super::lines::ROLES, super::lines::FEATURES));

/// The model of whether a heading opens a section or a new article (see [`super::roles`]).
/// How much more (or less) likely a role is on a line of a run after the role above it (or at
/// the run's start) than anywhere: log-ratios counted from the training pages, added to the line
/// scores when a run's roles are chosen together.
pub static LINE_TRANSITION: LazyLock<Model> =
    LazyLock::new(|| Model::load("line_transition", super::lines::TRANSITION_FROM, super::lines::ROLES));

/// The model of whether the rest of a finished article hides inside a later piece (see
/// [`super::link::hidden_resumptions`]).
pub static RESUME_CUT: LazyLock<Model> =
    LazyLock::new(|| Model::load("resume_cut", super::link::RESUME_CUT_CLASSES, super::link::RESUME_CUT_FEATURES));

/// Whether the end of a piece opens the article whose title block comes next
/// ([`super::link::hidden_resumptions`]).
pub static LEAD_CUT: LazyLock<Model> =
    LazyLock::new(|| Model::load("lead_cut", super::link::RESUME_CUT_CLASSES, super::link::LEAD_CUT_FEATURES));

/// Whether an untitled piece resumes an earlier article ([`super::roles::resumed`]).
/// Under the `hand-rules` feature (training builds) it holds no weights: the hand rule decides.
pub static RESUME: LazyLock<Model> = LazyLock::new(|| {
    if cfg!(feature = "hand-rules") {
        return Model::unfitted(super::roles::RESUME_CLASSES.len(), super::roles::RESUME_FEATURES.len());
    }
    Model::load("resume", super::roles::RESUME_CLASSES, super::roles::RESUME_FEATURES)
});

/// Whether a piece continues the sentence a dangling piece breaks off ([`super::link::link`]).
pub static LINK: LazyLock<Model> =
    LazyLock::new(|| Model::load("link", super::link::LINK_CLASSES, super::link::LINK_FEATURES));

/// Under the `hand-rules` feature (training builds) it holds no weights: the hand rule decides.
pub static SECTION: LazyLock<Model> = LazyLock::new(|| {
    if cfg!(feature = "hand-rules") {
        return Model::unfitted(super::roles::SECTION_CLASSES.len(), super::roles::SECTION_FEATURES.len());
    }
    Model::load("section", super::roles::SECTION_CLASSES, super::roles::SECTION_FEATURES)
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_names_only_known_classes_and_features() {
        // Loading panics on an unknown name.
        let m = &*LINE_ROLE;
        let roles = super::super::lines::ROLES.len();
        assert_eq!(m.scores(&vec![0.0; super::super::lines::FEATURES.len()]).len(), roles);
        assert!(m.is_fitted(), "weights.tsv holds the line model's weights");
        let _ = &*SECTION;
    }

    const NAMES: &[&str] = &["short", "marked"];

    #[test]
    fn a_threshold_kept_in_f32_decides_as_the_trainers_f64_one() {
        // Thresholds the trainer writes fall between two f32 (the midpoint of two feature
        // values, printed in f64): each f32 on either side, and the threshold's own rounding.
        for t in [0.5, 0.1, 1.0 / 3.0, 0.949_999_988, -0.369_713_843, 1e-9, 3.998_158_69, 1e30, -1e-30] {
            let kept = Node::split(0, t).value;
            let near = f64::from(t as f32);
            for x in [kept, kept.next_up(), kept.next_down(), t as f32, (t as f32).next_up(), (t as f32).next_down()] {
                assert_eq!(x <= kept, f64::from(x) <= t, "x {x:e} against {t:e} (kept {kept:e}, rounded {near:e})");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_threshold_kept_in_f32_decides_as_in_f64(t in proptest::num::f64::NORMAL, x in proptest::num::f32::ANY) {
            let kept = Node::split(0, t).value;
            proptest::prop_assert_eq!(x <= kept, f64::from(x) <= t);
        }
    }

    #[test]
    #[expect(clippy::float_cmp, reason = "leaves and sums of binary fractions are exact")]
    fn a_tree_goes_left_at_or_below_its_threshold_and_right_above_it() {
        let at: HashMap<&str, usize> = NAMES.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        // marked <= 0.5 ? (short <= 3 ? 1 : 2) : 3
        let tree = Tree::parse("marked<=0.5 short<=3 =1 =2 =3", &at).unwrap();
        assert_eq!(tree.value(&[3.0, 0.0]), 1.0);
        assert_eq!(tree.value(&[3.5, 0.0]), 2.0);
        assert_eq!(tree.value(&[0.0, 1.0]), 3.0);
        assert_eq!(Tree::parse("=0.25", &at).unwrap().value(&[9.0, 9.0]), 0.25);
    }

    #[test]
    fn a_class_whose_trees_mirror_another_class_is_scored_from_its_sum() {
        let table = "d\tno\t@start\t-0.125\n\
            d\tno\t@tree\tmarked<=0.5 =-0.3 =0.7\n\
            d\tno\t@tree\tshort<=10 =0.1 =-0.2\n\
            d\tyes\t@start\t0.125\n\
            d\tyes\t@tree\tmarked<=0.5 =0.3 =-0.7\n\
            d\tyes\t@tree\tshort<=10 =-0.1 =0.2\n";
        let m = Model::parse(table, "d", &["no", "yes"], NAMES).unwrap();
        let Model::Trees { mirror, start, .. } = &m else { panic!("trees") };
        let trees = DecisionRows::read(table, "d", &["no", "yes"], NAMES).unwrap().trees;
        assert_eq!(mirror, &[None, Some(0)]);
        for x in [[4.0, 1.0], [40.0, 0.0], [10.0, 0.5]] {
            let each: Vec<f32> =
                start.iter().zip(&trees).map(|(s, ts)| s + ts.iter().map(|t| t.value(&x)).sum::<f32>()).collect();
            assert_eq!(m.scores(&x), each);
        }
        // Trees that differ anywhere but in the sign of their leaves are summed each.
        let other = table.replace("short<=10 =-0.1", "short<=9 =-0.1");
        let Model::Trees { mirror, .. } = Model::parse(&other, "d", &["no", "yes"], NAMES).unwrap() else {
            panic!("trees")
        };
        assert_eq!(mirror, [None, None]);
    }

    proptest::proptest! {
        /// Laid out complete, every fitted decision's trees add up to what walking each as
        /// parsed does, bit for bit and in the same order, whatever the features.
        #[test]
        fn complete_trees_score_as_the_parsed_trees_do(
            values in proptest::collection::vec(proptest::prop_oneof![
                proptest::num::f32::ANY,
                -2.0f32..2.0,
                proptest::sample::select(vec![0.0f32, 1.0, 2.0, 3.0]),
            ], 1..200),
        ) {
            use super::super::{link, roles};
            let decisions: [(&str, &[&str], &[&str], &Model); 5] = [
                ("link", link::LINK_CLASSES, link::LINK_FEATURES, &LINK),
                ("section", roles::SECTION_CLASSES, roles::SECTION_FEATURES, &SECTION),
                ("resume_cut", link::RESUME_CUT_CLASSES, link::RESUME_CUT_FEATURES, &RESUME_CUT),
                ("lead_cut", link::RESUME_CUT_CLASSES, link::LEAD_CUT_FEATURES, &LEAD_CUT),
                ("resume", roles::RESUME_CLASSES, roles::RESUME_FEATURES, &RESUME),
            ];
            for (decision, classes, features, model) in decisions {
                let Model::Trees { forests, .. } = model else { continue };
                let trees = DecisionRows::read(WEIGHTS, decision, classes, features).unwrap().trees;
                let x: Vec<f32> = (0..features.len()).map(|k| values[k % values.len()]).collect();
                for (ts, forest) in trees.iter().zip(forests) {
                    let walked = ts.iter().map(|t| t.value(&x)).sum::<f32>();
                    proptest::prop_assert_eq!(forest.sum(&x).to_bits(), walked.to_bits());
                }
            }
        }
    }

    #[test]
    fn a_tree_shallower_than_its_forest_reaches_its_leaves_through_either_side() {
        let at: HashMap<&str, usize> = NAMES.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        let deep = Tree::parse("marked<=0.5 short<=3 =1 =2 =3", &at).unwrap();
        let leaf = Tree::parse("=0.25", &at).unwrap();
        let forest = Forest::new(&[leaf.clone(), deep.clone(), leaf]);
        assert_eq!(forest.depth, 2);
        for x in [[3.0, 0.0], [3.5, 0.0], [0.0, 1.0], [f32::NAN, f32::NAN], [f32::INFINITY, 0.5]] {
            assert_eq!(forest.sum(&x).to_bits(), (0.25 + deep.value(&x) + 0.25f32).to_bits(), "{x:?}");
        }
    }

    #[test]
    fn a_tree_that_does_not_parse_is_refused() {
        let at: HashMap<&str, usize> = NAMES.iter().enumerate().map(|(i, n)| (*n, i)).collect();
        for bad in ["marked<=0.5 =1", "=1 =2", "", "size<=1 =1 =2", "marked<=x =1 =2", "marked =1 =2"] {
            assert!(Tree::parse(bad, &at).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_decision_of_trees_adds_each_class_trees_to_its_start() {
        let table = "# comment\n\
            d\tyes\t@start\t0.5\n\
            d\tyes\t@tree\tmarked<=0.5 =-1 =2\n\
            d\tyes\t@tree\tshort<=10 =0.25 =0\n\
            d\tno\t@start\t-0.5\n\
            other\tyes\tshort\t9\n";
        let m = Model::parse(table, "d", &["no", "yes"], NAMES).unwrap();
        assert_eq!(m.scores(&[4.0, 1.0]), vec![-0.5, 2.75]);
        assert_eq!(m.scores(&[40.0, 0.0]), vec![-0.5, -0.5]);
        assert!(m.is_fitted());
        let mixed = format!("{table}d\tyes\tshort\t1\n");
        assert!(Model::parse(&mixed, "d", &["no", "yes"], NAMES).is_err(), "trees and weights at once");
        assert!(Model::parse("d\tmaybe\t@start\t1\n", "d", &["no", "yes"], NAMES).is_err());
    }
}
