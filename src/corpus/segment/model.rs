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
    Trees { start: Vec<f32>, trees: Vec<Vec<Tree>>, mirror: Vec<Option<usize>> },
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

    /// Whether `other` is this tree with every leaf negated.
    fn mirrors(&self, other: &Tree) -> bool {
        self.nodes.len() == other.nodes.len()
            && self.nodes.iter().zip(&other.nodes).all(|(a, b)| {
                if a.feature == LEAF && b.feature == LEAF { a.value.to_bits() == (-b.value).to_bits() } else { a == b }
            })
    }

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
            return Ok(Model::Trees { start, trees, mirror });
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
            Model::Trees { start, trees, mirror } => {
                let mut sums: Vec<f32> = Vec::with_capacity(trees.len());
                for (ts, m) in trees.iter().zip(mirror) {
                    let sum = match m {
                        Some(m) => -sums[*m],
                        None => ts.iter().map(|t| t.value(x)).sum::<f32>(),
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

/// Whether a piece continues the sentence a dangling piece breaks off ([`super::link::link`]).
pub static LINK: LazyLock<Model> =
    LazyLock::new(|| Model::load("link", super::link::LINK_CLASSES, super::link::LINK_FEATURES));

/// Under the `hand-section` feature (training builds) it holds no weights: the hand rule decides.
pub static SECTION: LazyLock<Model> = LazyLock::new(|| {
    if cfg!(feature = "hand-section") {
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
        let Model::Trees { mirror, trees, start } = &m else { panic!("trees") };
        assert_eq!(mirror, &[None, Some(0)]);
        for x in [[4.0, 1.0], [40.0, 0.0], [10.0, 0.5]] {
            let each: Vec<f32> =
                start.iter().zip(trees).map(|(s, ts)| s + ts.iter().map(|t| t.value(&x)).sum::<f32>()).collect();
            assert_eq!(m.scores(&x), each);
        }
        // Trees that differ anywhere but in the sign of their leaves are summed each.
        let other = table.replace("short<=10 =-0.1", "short<=9 =-0.1");
        let Model::Trees { mirror, .. } = Model::parse(&other, "d", &["no", "yes"], NAMES).unwrap() else {
            panic!("trees")
        };
        assert_eq!(mirror, [None, None]);
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
