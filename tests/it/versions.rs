//! Versions: which articles are linked, and what comparing two of them reports.

use gongbao::corpus::{Corpus, load};
use gongbao::search::{SearchIndex, folder};
use gongbao::versions::{self, Comparison, pair_text};

fn samples() -> Corpus {
    Corpus::from_docs(&load::bundled(), None).0
}

fn id(corpus: &Corpus, prefix: &str, clauses: usize) -> usize {
    corpus
        .articles
        .iter()
        .position(|a| a.id.starts_with(prefix) && (clauses == 0 || a.clauses.len() >= clauses))
        .unwrap_or_else(|| panic!("no article {prefix}"))
}

/// Every difference as (kind, clause, [(left, right)] changes, or the whole text for a
/// paragraph in one version only).
/// (kind, clause label, changes as (left, right) texts).
type Difference = (String, Option<String>, Vec<(String, String)>);

fn listed(corpus: &Corpus, c: &Comparison) -> Vec<Difference> {
    let (left, right) = (&corpus.articles[c.a], &corpus.articles[c.b]);
    let mut out = Vec::new();
    for unit in &c.units {
        for pair in unit.pairs.iter().filter(|p| p.differs()) {
            let lt = pair.left.as_ref().map(|r| pair_text(left, r)).unwrap_or_default();
            let rt = pair.right.as_ref().map(|r| pair_text(right, r)).unwrap_or_default();
            let (kind, changes) = match (&pair.left, &pair.right) {
                (Some(_), Some(_)) => (
                    "changed",
                    pair.changes
                        .iter()
                        .map(|ch| (lt[ch.left.clone()].to_string(), rt[ch.right.clone()].to_string()))
                        .collect(),
                ),
                (Some(_), None) => ("missing", vec![(lt, String::new())]),
                _ => ("added", vec![(String::new(), rt)]),
            };
            let kind = if unit.moved { format!("{kind}, moved") } else { kind.to_string() };
            out.push((kind, unit.label.clone(), changes));
        }
    }
    out
}

fn s(x: &str) -> String {
    x.to_string()
}

#[test]
fn the_samples_link_the_two_communiques_and_the_fragment_to_its_report_only() {
    let corpus = samples();
    let index = SearchIndex::build(&corpus, folder());
    let links: Vec<(usize, usize)> = versions::link(&corpus, &index).iter().map(|l| (l.a, l.b)).collect();
    let communique = (id(&corpus, "000", 20), id(&corpus, "001", 20));
    let fragment = corpus
        .articles
        .iter()
        .position(|a| a.id.starts_with("000") && a.paragraphs[0].text.starts_with("二是坚持互利合作"))
        .expect("the Wang Yi fragment");
    let report = corpus
        .articles
        .iter()
        .position(|a| a.title.as_deref() == Some("中國—中亞外長舉行第六次會晤"))
        .expect("the report");
    let mut expected = vec![communique, (fragment.min(report), fragment.max(report))];
    expected.sort_unstable();
    assert_eq!(links, expected);
}

/// The real differences between the Simplified (000) and Traditional (001) communiqués,
/// written down by reading both texts side by side. Script differences (國/国, 關係/关系) and
/// punctuation (中国—中亚 / 中國-中亞) are not among them.
#[test]
fn the_two_communiques_differ_exactly_where_their_wording_does() {
    let corpus = samples();
    let c = versions::compare(&corpus, id(&corpus, "000", 20), id(&corpus, "001", 20), folder()).expect("compares");
    let mut got = listed(&corpus, &c);
    // The Traditional text is garbled in clause 九 (mojibake, flagged by the cleaner): checked
    // apart, by its readable side.
    let garbled = got.iter().position(|d| d.1.as_deref() == Some("九、")).expect("clause 九 differs");
    let nine = got.remove(garbled);
    assert_eq!(nine.2.len(), 1);
    assert_eq!(nine.2[0].0, "实施互利合作项");
    assert!(nine.2[0].1.starts_with("qū)"), "{:?}", nine.2);
    let expected = vec![
        (s("added"), None, vec![(s(""), s("新華社阿拉木圖4月26日電"))]),
        // 000 writes 中国一中亚 (the numeral 一 for a dash) once, in the opening paragraph.
        (s("changed"), None, vec![(s("一"), s(""))]),
        // 000 numbers the opening statement 二、 out of sequence; 001 does not number it.
        (s("changed"), None, vec![(s("二"), s(""))]),
        (s("changed"), Some(s("三、")), vec![(s("门"), s(""))]),
        (s("changed"), Some(s("八、")), vec![(s(""), s("產")), (s("应"), s(""))]),
        // 001 splits 十三、各方歡迎: from its list; the wording differs in one character.
        (s("changed"), Some(s("十三、")), vec![(s("办"), s("行"))]),
        (s("added"), Some(s("二十三、")), vec![(s(""), s("(完)"))]),
        (s("missing"), Some(s("二十三、")), vec![(s("(新华社阿拉木图4月26日电)"), s(""))]),
    ];
    assert_eq!(got, expected);
    // Every clause of each is aligned: all 23 numbered clauses appear as units.
    let labels: Vec<&str> = c.units.iter().filter_map(|u| u.label.as_deref()).collect();
    assert_eq!(labels.len(), 23, "{labels:?}");
    assert!(c.units.iter().all(|u| !u.moved));
}

#[test]
fn the_fragment_aligns_to_the_matching_part_of_the_report() {
    let corpus = samples();
    let fragment = corpus
        .articles
        .iter()
        .position(|a| a.id.starts_with("000") && a.paragraphs[0].text.starts_with("二是坚持互利合作"))
        .expect("fragment");
    let report =
        corpus.articles.iter().position(|a| a.title.as_deref() == Some("中國—中亞外長舉行第六次會晤")).expect("report");
    let c = versions::compare(&corpus, fragment, report, folder()).expect("compares");
    let pairs: Vec<_> = c.units.iter().flat_map(|u| &u.pairs).collect();
    // Each of the fragment's paragraphs has its counterpart, in order, except its last one
    // (a line the report does not have); the report's opening is added.
    let aligned: Vec<(usize, usize)> =
        pairs.iter().filter_map(|p| Some((p.left.as_ref()?.start, p.right.as_ref()?.start))).collect();
    let n = corpus.articles[fragment].paragraphs.len();
    assert_eq!(aligned.len(), n - 1, "{aligned:?}");
    assert!(aligned.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1));
    assert_eq!(aligned[0], (0, 3), "二是 meets 二是");
}

// ---------------------------------------------------------------------------------------------
// Constructed versions

const BASE: &[&str] = &[
    "一、双方同意加强在贸易和投资领域的务实合作，扩大相互市场准入。",
    "二、双方愿深化在能源和基础设施建设领域的合作，推进重点项目落地。",
    "三、双方将加强人文交流，扩大教育、文化和旅游领域合作规模。",
    "四、双方同意在多边框架内加强沟通协调，共同维护国际公平正义。",
    "五、双方对会谈成果表示满意，同意保持高层交往势头。",
];

fn statement(clauses: &[&str]) -> String {
    let mut text = String::from(
        "中华人民共和国和某国联合声明\n\n应邀请，某国外长于近日访问中国，两国外长举行会谈并发表如下声明：\n\n",
    );
    for c in clauses {
        text.push_str(c);
        text.push_str("\n\n");
    }
    text
}

fn pair_of(left: &str, right: &str) -> (Corpus, Comparison) {
    let docs = vec![
        load::RawDoc { name: "a.txt".into(), path: None, bytes: left.as_bytes().to_vec() },
        load::RawDoc { name: "b.txt".into(), path: None, bytes: right.as_bytes().to_vec() },
    ];
    let corpus = Corpus::from_docs(&docs, None).0;
    let (first, second) = (id(&corpus, "a#", 0), id(&corpus, "b#", 0));
    let comparison = versions::compare(&corpus, first, second, folder()).expect("compares");
    (corpus, comparison)
}

fn renumber(clauses: &[&str]) -> Vec<String> {
    const NUMERALS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "七"];
    clauses
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{}、{}", NUMERALS[i], c.split_once('、').map_or(*c, |x| x.1)))
        .collect()
}

#[test]
fn the_same_text_in_the_other_script_has_no_differences() {
    let base = statement(BASE);
    let traditional = gongbao::convert::Converter::new()
        .convert(&base.replace('，', ","), gongbao::convert::Script::Traditional)
        .expect("s2t")
        .into_owned();
    let (corpus, c) = pair_of(&base, &traditional);
    assert_eq!(listed(&corpus, &c), vec![]);
    let index = SearchIndex::build(&corpus, folder());
    assert_eq!(versions::link(&corpus, &index).len(), 1, "and they are linked");
}

#[test]
fn a_changed_word_is_reported_as_that_word() {
    let changed: Vec<String> = BASE.iter().map(|c| c.replace("务实合作", "全面合作")).collect();
    let changed: Vec<&str> = changed.iter().map(String::as_str).collect();
    let (corpus, c) = pair_of(&statement(BASE), &statement(&changed));
    assert_eq!(listed(&corpus, &c), vec![(s("changed"), Some(s("一、")), vec![(s("务实"), s("全面"))])]);
}

#[test]
fn an_inserted_clause_is_added_and_the_renumbered_rest_is_not_a_change_of_wording() {
    let mut with = BASE.to_vec();
    with.insert(2, "三、双方将加强数字经济和绿色发展合作，共同培育新的增长点。");
    let with = renumber(&with);
    let with: Vec<&str> = with.iter().map(String::as_str).collect();
    let (corpus, c) = pair_of(&statement(BASE), &statement(&with));
    let got = listed(&corpus, &c);
    assert!(got.contains(&(s("added"), Some(s("三、")), vec![(s(""), s(with[2]))])), "{got:?}");
    // The clauses after it are matched by what they say; only their numbers differ.
    for (kind, _, changes) in got.iter().filter(|d| d.0 == "changed") {
        assert_eq!(kind, "changed");
        assert_eq!(changes.len(), 1, "{got:?}");
        assert!(changes[0].0.chars().count() == 1 && changes[0].1.chars().count() == 1, "a numeral: {changes:?}");
    }
}

#[test]
fn a_removed_clause_is_missing() {
    let without = renumber(&[BASE[0], BASE[1], BASE[3], BASE[4]]);
    let without: Vec<&str> = without.iter().map(String::as_str).collect();
    let (corpus, c) = pair_of(&statement(BASE), &statement(&without));
    let got = listed(&corpus, &c);
    assert!(got.contains(&(s("missing"), Some(s("三、")), vec![(s(BASE[2]), s(""))])), "{got:?}");
}

#[test]
fn a_moved_clause_is_paired_where_it_went() {
    let moved = renumber(&[BASE[0], BASE[2], BASE[3], BASE[4], BASE[1]]);
    let moved: Vec<&str> = moved.iter().map(String::as_str).collect();
    let (corpus, c) = pair_of(&statement(BASE), &statement(&moved));
    let unit = c.units.iter().find(|u| u.moved).expect("a moved unit");
    assert_eq!(unit.label.as_deref(), Some("二、"));
    let pair = &unit.pairs[0];
    assert_eq!(pair_text(&corpus.articles[c.b], pair.right.as_ref().expect("paired")), moved[4]);
}
