//! The fitted weights the decisions read, and how a decision turns features into scores.
//!
//! Every decision that weighs evidence is a multinomial logistic regression: a list of named
//! features (each a small function of the text, see [`super::lines`]), one weight per feature
//! and class, and the class with the highest score wins. The weights are not typed in: they
//! are fitted by `scripts/train_segmenter.py` on pages generated from the segbench pool with
//! seeds of its own, and written to `weights.tsv`, which is embedded here. `gongbao export
//! --explain` prints each decision's features and scores, which is also what the trainer
//! reads.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The embedded weights: `decision<TAB>class<TAB>feature<TAB>weight` lines, `#` comments.
const WEIGHTS: &str = include_str!("weights.tsv");

/// One decision's weights: `weights[class][feature]`.
#[derive(Debug, Clone)]
pub struct Model {
    weights: Vec<Vec<f32>>,
}

impl Model {
    /// The weights of `decision` in the embedded table, for the given classes and features;
    /// a class or feature the table lacks weighs nothing.
    ///
    /// # Panics
    /// When the table names a class or feature the decision does not have: the table and the
    /// code were not built together (a unit test reads the embedded table).
    fn load(decision: &str, classes: &'static [&'static str], features: &'static [&'static str]) -> Model {
        let mut weights = vec![vec![0.0; features.len()]; classes.len()];
        let class_at: HashMap<&str, usize> = classes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let feature_at: HashMap<&str, usize> = features.iter().enumerate().map(|(i, f)| (*f, i)).collect();
        for line in WEIGHTS.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [d, class, feature, weight] = cols[..] else { panic!("weights.tsv: not four columns: {line:?}") };
            if d != decision {
                continue;
            }
            let c = *class_at.get(class).unwrap_or_else(|| panic!("weights.tsv: unknown class {class:?} of {d}"));
            let f =
                *feature_at.get(feature).unwrap_or_else(|| panic!("weights.tsv: unknown feature {feature:?} of {d}"));
            weights[c][f] = weight.parse().unwrap_or_else(|_| panic!("weights.tsv: not a number: {line:?}"));
        }
        Model { weights }
    }

    /// The score of each class for a feature vector (higher is likelier; their softmax is the
    /// fitted probability).
    pub fn scores(&self, x: &[f32]) -> Vec<f32> {
        self.weights.iter().map(|w| w.iter().zip(x).map(|(a, b)| a * b).sum()).collect()
    }

    /// Whether the table holds any weight for this decision (an empty table decides nothing:
    /// the callers then keep the shape rules alone).
    /// The weight of `feature` for `class` (indices in the names the model was loaded with).
    pub fn weight(&self, class: usize, feature: usize) -> f32 {
        self.weights.get(class).and_then(|w| w.get(feature)).copied().unwrap_or(0.0)
    }

    pub fn is_fitted(&self) -> bool {
        self.weights.iter().flatten().any(|w| *w != 0.0)
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

/// Under the `hand-section` feature (training builds) it holds no weights: the hand rule decides.
pub static SECTION: LazyLock<Model> = LazyLock::new(|| {
    if cfg!(feature = "hand-section") {
        return Model {
            weights: vec![vec![0.0; super::roles::SECTION_FEATURES.len()]; super::roles::SECTION_CLASSES.len()],
        };
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
}
