//! Each segmentation rule on a hand-written page (tests/fixtures/pages), in
//! text that is not from the samples, so the rules are checked for what they
//! are rather than for the samples' words. Also each page re-encoded, since
//! unseen files arrive in GB18030, Big5, UTF-16 and BOM+CRLF.

use gongbao::corpus::{Article, ArticleKind, Corpus, NoteKind, ParagraphKind, RemovedKind, Source, load};

fn page(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/pages").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn segment_bytes(name: &str, bytes: Vec<u8>) -> (Vec<Article>, Source) {
    let doc = load::RawDoc { name: name.to_string(), path: None, bytes };
    let (corpus, problems) = Corpus::from_docs(&[doc], None);
    assert!(problems.iter().all(|p| !p.fatal), "{problems:?}");
    let source = corpus.sources.into_iter().next().expect("one source");
    (corpus.articles, source)
}

fn segment(name: &str) -> (Vec<Article>, Source) {
    segment_bytes(name, page(name))
}

fn text(a: &Article) -> String {
    a.paragraphs.iter().map(|p| p.text.as_str()).collect()
}

fn titles(arts: &[Article]) -> Vec<Option<&str>> {
    arts.iter().map(|a| a.title.as_deref()).collect()
}

#[test]
fn an_article_cut_mid_word_resumes_after_another_article() {
    let (arts, _) = segment("interleaved.txt");
    assert_eq!(titles(&arts), [Some("西部陆海新通道货运量创新高"), Some("大熊猫国家公园生态持续向好")]);
    let first = text(&arts[0]);
    assert!(first.contains("发挥更大作用，为构建新发展格局提供有力支撑。"), "{first}");
    assert!(!text(&arts[1]).contains("新发展格局"));
    assert!(arts[0].notes.iter().any(|n| n.kind == NoteKind::Stitched));
    assert_eq!(arts[0].dateline.as_deref(), Some("本报重庆3月2日电"));
    assert_eq!(arts[0].author.as_deref(), Some("王晓明"));
    assert_eq!(arts[0].paragraphs[0].kind, ParagraphKind::Dateline);
}

#[test]
fn jump_markers_become_notes_and_clauses_nest() {
    let (arts, source) = segment("jump_and_clauses.txt");
    assert_eq!(titles(&arts), [None, Some("春耕备耕有序推进")]);
    let kinds: Vec<NoteKind> = arts[0].notes.iter().map(|n| n.kind).collect();
    assert!(kinds.contains(&NoteKind::ContinuedFrom) && kinds.contains(&NoteKind::ContinuesOn), "{kinds:?}");
    let clauses: Vec<(u32, &str, u8)> = arts[0].clauses.iter().map(|c| (c.number, c.label.as_str(), c.level)).collect();
    assert_eq!(
        clauses,
        [(1, "（一）", 1), (2, "（二）", 1), (1, "1.", 2), (2, "2.", 2), (3, "（三）", 1), (4, "（四）", 1)]
    );
    assert!(arts[0].clauses.iter().all(|c| c.in_sequence));
    let jumps: Vec<&str> =
        source.removed.iter().filter(|r| r.kind == RemovedKind::JumpMarker).map(|r| r.text).collect();
    assert_eq!(jumps, ["（上接第一版）", "（下转第四版）"]);
    assert!(text(&arts[0]).ends_with("加强协调配合。"));
}

#[test]
fn a_teaser_list_gives_excerpts_with_their_titles() {
    let (arts, source) = segment("teasers.txt");
    assert_eq!(arts.len(), 4);
    let kinds: Vec<ArticleKind> = arts.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [ArticleKind::Article, ArticleKind::Excerpt, ArticleKind::Excerpt, ArticleKind::Excerpt]);
    assert_eq!(arts[2].title.as_deref(), Some("科普｜为什么春天容易犯困？"));
    assert_eq!(source.removed.iter().filter(|r| r.kind == RemovedKind::Separator).count(), 3);
}

#[test]
fn section_numerals_are_clauses_and_a_lone_page_numeral_is_removed() {
    let (arts, source) = segment("numerals.txt");
    assert_eq!(titles(&arts), [Some("两国联合声明"), Some("城市书房成为市民新去处")]);
    let numbers: Vec<u32> = arts[0].clauses.iter().map(|c| c.number).collect();
    assert_eq!(numbers, [1, 2, 3, 4]);
    let pages: Vec<&str> =
        source.removed.iter().filter(|r| r.kind == RemovedKind::PageNumeral).map(|r| r.text).collect();
    assert_eq!(pages, ["二"]);
    assert!(arts[1].paragraphs.iter().all(|p| p.text != "二"));
}

#[test]
fn a_subheading_inside_a_sentence_is_moved_out_of_it() {
    let (arts, _) = segment("subheading.txt");
    assert_eq!(arts.len(), 1, "{:?}", titles(&arts));
    let a = &arts[0];
    assert_eq!(a.title, None, "a single heading line inside the text is a sub-heading");
    assert!(text(a).contains("组委会负责人表示，本届展会"));
    let headings: Vec<&str> =
        a.paragraphs.iter().filter(|p| p.kind == ParagraphKind::Heading).map(|p| p.text.as_str()).collect();
    assert_eq!(headings, ["展会规模持续扩大", "服务保障全面升级"]);
}

#[test]
fn a_title_block_inside_its_own_article_becomes_its_title() {
    let (arts, _) = segment("title_block.txt");
    assert_eq!(arts.len(), 1, "{:?}", titles(&arts));
    let a = &arts[0];
    assert_eq!(a.title.as_deref(), Some("数字贸易激活发展新动能"));
    assert_eq!(a.subtitle.as_deref(), Some("——写在第二届全球数字贸易博览会开幕之际"));
    assert!(text(a).contains("带来更多机遇，帮助当地中小企业"));
    assert_eq!(a.author.as_deref(), Some("周平"));
    assert_eq!(a.paragraphs.last().map(|p| p.kind), Some(ParagraphKind::End));
}

#[test]
fn a_title_inside_a_dateline_opened_article_takes_it_whole_with_its_reporter_line() {
    let (arts, _) = segment("title_inside_byline.txt");
    assert_eq!(
        titles(&arts),
        [Some("沿海港口集装箱吞吐量稳步增长"), Some("广西石漠化治理见成效"), Some("云南加快建设农村公路网")]
    );
    let second = text(&arts[1]);
    // The reporter's line sits under the title, not between the halves of the sentence.
    assert!(second.contains("种下适生树种，累计治理面积较上年扩大近一成"), "{second}");
    assert_eq!(arts[1].paragraphs.first().map(|p| p.text.as_str()), Some("本报记者　陈方"));
    assert!(text(&arts[2]).contains("边境村寨和旅游景区，方便群众出行"));
}

#[test]
fn an_article_cut_between_paragraphs_resumes_inside_the_next_article_without_a_marker() {
    // The rice-planting report stops after a finished paragraph; the rail report follows with
    // its own title, and the rest of the rice report comes after it with nothing to mark the
    // change but the topic.
    let (arts, _) = segment("resumed_between_paragraphs.txt");
    assert_eq!(titles(&arts), [Some("江汉平原早稻插秧进入高峰"), Some("沿江城际铁路新线开通运营")]);
    let (rice, rail) = (text(&arts[0]), text(&arts[1]));
    for rest in ["当地农业部门组织农技人员深入田间", "目前插秧进度已过六成", "农户种粮的积极性持续提高"]
    {
        assert!(rice.contains(rest), "{rest} is missing from the rice report: {rice}");
        assert!(!rail.contains(rest), "{rest} stayed in the rail report: {rail}");
    }
    assert!(rail.ends_with("站台上安排工作人员引导旅客有序乘车。"), "{rail}");
}

#[test]
fn an_untitled_rest_after_a_finished_article_resumes_the_earlier_one_it_goes_on_with() {
    // The tea report stops after a finished paragraph; the park report follows with its own
    // title and ends on an end marker; the rest of the tea report comes after the marker, with
    // no title and nothing but its topic to say whose it is.
    let (arts, _) = segment("resumed_after_closed.txt");
    assert_eq!(titles(&arts), [Some("浙西山区春茶进入采摘旺季"), Some("城区新建三座口袋公园")]);
    let (tea, park) = (text(&arts[0]), text(&arts[1]));
    for rest in ["茶叶合作社今年新建了一条名优茶加工生产线", "一斤明前茶能卖到六百多元"]
    {
        assert!(tea.contains(rest), "{rest} is missing from the tea report: {tea}");
        assert!(!park.contains(rest), "{rest} went to the park report: {park}");
    }
}

#[test]
fn an_article_that_jumps_twice_resumes_twice() {
    // The bus report jumps on (下转), resumes after the school report (上接) and jumps on again
    // from there; its last part comes after a third article. A jump marker answered once must
    // not keep the article from answering the next one.
    let (arts, _) = segment("jump_twice.txt");
    assert_eq!(titles(&arts), [Some("城市公交开通夜间线路"), Some("山区小学新建图书室"), Some("湖畔湿地迎来越冬候鸟")]);
    let bus = text(&arts[0]);
    for part in ["乘客可使用公交卡和手机扫码支付", "城市新区的居民小区", "让市民夜间出行更加便利。"]
    {
        assert!(bus.contains(part), "{part} is missing from the bus report: {bus}");
    }
    assert!(!text(&arts[2]).contains("居民小区"));
}

#[test]
fn an_article_cut_inside_a_sentence_resumes_inside_the_next_article_as_a_new_paragraph() {
    // The library report stops inside a sentence; the road report follows with its own title,
    // and the rest of the broken sentence comes after it set as a paragraph of its own, with
    // no opening that betrays it: only the topic tells where the library report goes on.
    let (arts, _) = segment("resumed_mid_sentence.txt");
    assert_eq!(titles(&arts), [Some("市图书馆夏季延长开放时间"), Some("山区县新修公路通车")]);
    let (library, road) = (text(&arts[0]), text(&arts[1]));
    assert!(library.contains("读者刷证即可办理借书和还书手续"), "the broken sentence is whole again: {library}");
    for rest in ["为少年儿童开设了暑期阅读班", "去年暑期市图书馆接待读者超过十万人次"] {
        assert!(library.contains(rest), "{rest} is missing from the library report: {library}");
        assert!(!road.contains(rest), "{rest} stayed in the road report: {road}");
    }
    assert!(road.ends_with("不少村民计划发展农家乐和乡村旅游，增加收入。"), "{road}");
}

#[test]
fn legal_articles_are_clauses_with_nested_items() {
    let (arts, _) = segment("law.txt");
    assert_eq!(arts.len(), 1);
    let c: Vec<(u32, u8)> = arts[0].clauses.iter().map(|c| (c.number, c.level)).collect();
    assert_eq!(c, [(1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (1, 2), (2, 2), (3, 2), (6, 1)]);
}

#[test]
fn gateway_pinyin_notes_go_and_the_end_marker_is_split_off() {
    let (arts, source) = segment("gateway.txt");
    assert_eq!(arts.len(), 1);
    let a = &arts[0];
    assert_eq!(a.title.as_deref(), Some("兩國外長舉行會談"));
    assert_eq!(a.dateline.as_deref(), Some("新華社北京3月7日電"));
    assert!(text(a).contains("(以下簡稱“備忘錄”)"), "real parentheticals stay");
    assert!(!text(a).contains("(guó)"));
    assert!(source.removed.iter().filter(|r| r.kind == RemovedKind::PinyinNote).count() >= 10);
    let last = a.paragraphs.last().expect("paragraphs");
    assert_eq!((last.kind, last.text.as_str()), (ParagraphKind::End, "(完)"));
}

/// Re-encodes a UTF-8 page the way unseen files arrive.
fn encodings(utf8: &str) -> Vec<(&'static str, Vec<u8>)> {
    let crlf = utf8.replace('\n', "\r\n");
    let mut bom_crlf = vec![0xEF, 0xBB, 0xBF];
    bom_crlf.extend(crlf.as_bytes());
    let utf16le: Vec<u8> = utf8.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut utf16be_bom = vec![0xFE, 0xFF];
    utf16be_bom.extend(utf8.encode_utf16().flat_map(u16::to_be_bytes));
    vec![
        ("gb18030", encoding_rs::GB18030.encode(utf8).0.into_owned()),
        ("utf-8 bom crlf", bom_crlf),
        ("utf-16le without bom", utf16le),
        ("utf-16be with bom", utf16be_bom),
    ]
}

#[test]
fn every_page_segments_the_same_in_every_encoding() {
    for name in [
        "interleaved.txt",
        "jump_and_clauses.txt",
        "jump_twice.txt",
        "numerals.txt",
        "subheading.txt",
        "title_block.txt",
        "title_inside_byline.txt",
        "resumed_between_paragraphs.txt",
        "resumed_mid_sentence.txt",
        "resumed_after_closed.txt",
        "law.txt",
    ] {
        let utf8 = String::from_utf8(page(name)).expect("fixtures are UTF-8");
        let (want, _) = segment(name);
        for (label, bytes) in encodings(&utf8) {
            let (got, _) = segment_bytes(name, bytes);
            let summary = |arts: &[Article]| -> Vec<(Option<String>, String, usize)> {
                arts.iter().map(|a| (a.title.clone(), text(a), a.clauses.len())).collect()
            };
            assert_eq!(summary(&got), summary(&want), "{name} as {label}");
        }
    }
}

#[test]
fn traditional_pages_survive_big5() {
    let utf8 = String::from_utf8(page("gateway.txt")).expect("UTF-8");
    // Big5 has no tone-marked vowels; such a gateway page keeps `?` in their place.
    let mut bytes = Vec::new();
    for c in utf8.chars() {
        let mut buf = [0; 4];
        let (b, _, unmappable) = encoding_rs::BIG5.encode(c.encode_utf8(&mut buf));
        if unmappable { bytes.push(b'?') } else { bytes.extend_from_slice(&b) }
    }
    let (arts, source) = segment_bytes("gateway.txt", bytes);
    assert_eq!(source.encoding, "Big5");
    assert_eq!(arts.len(), 1);
    assert_eq!(arts[0].title.as_deref(), Some("兩國外長舉行會談"));
}

#[test]
fn a_site_dateline_an_ascii_dash_subtitle_and_a_signed_appeal() {
    let (arts, _) = segment("site_news.txt");
    assert_eq!(
        titles(&arts),
        [Some("城市更新的样本"), Some("关于开展社区志愿服务月活动的倡议"), Some("关于做好志愿服务月报名工作的通知")]
    );
    // `本站讯` is a dateline like `本报讯`, with its reporter.
    assert_eq!(arts[0].dateline.as_deref(), Some("本站讯"));
    assert_eq!(arts[0].author.as_deref(), Some("周明远"));
    // `--` typed for `——` still marks the subtitle under the title.
    assert!(arts[0].subtitle.as_deref().is_some_and(|s| s.contains("老旧小区改造一线观察")), "{:?}", arts[0].subtitle);
    // A document title opens a new article even on a related topic; the
    // issuers over the date sign it, and the closing exclamation stays text.
    let kinds: Vec<(ParagraphKind, &str)> = arts[1].paragraphs.iter().map(|p| (p.kind, p.text.as_str())).collect();
    let signed: Vec<&str> = kinds.iter().filter(|(k, _)| *k == ParagraphKind::Signature).map(|(_, t)| *t).collect();
    assert_eq!(signed, ["市文明办", "市民政局", "团市委", "2026年3月5日"]);
    assert!(kinds.iter().any(|(k, t)| *k == ParagraphKind::Body && t.ends_with("共同建设美好家园！")), "{kinds:?}");
    // Two texts signed on the same day repeat the date: a signature, not a
    // running head to remove.
    let last = arts[2].paragraphs.last().expect("paragraphs");
    assert_eq!((last.kind, last.text.as_str()), (ParagraphKind::Signature, "2026年3月5日"));
}

#[test]
fn a_boxed_list_of_link_titles_is_furniture_and_the_story_under_it_keeps_its_title() {
    let (arts, source) = segment("link_list.txt");
    assert_eq!(titles(&arts), [Some("山区小学用上了“空中课堂”"), Some("高原牧区流动图书车开进草场")]);
    assert!(arts.iter().all(|a| a.subtitle.is_none() && !text(a).contains("乡村教师培训计划")));
    let furniture: Vec<&str> =
        source.removed.iter().filter(|r| r.kind == RemovedKind::Furniture).map(|r| r.text).collect();
    assert_eq!(furniture, ["【延伸阅读】", "乡村教师培训计划全面启动", "一块黑板到一块屏幕的变迁"]);
}

/// Titles come at any heading level or none on one page (`##`, a plain line on a page whose
/// other headings are Markdown, a bold line too long for a sub-heading): the line model weighs what follows each (a dateline, a new topic)
/// rather than the markup, so each opens its own article.
#[test]
fn titles_at_any_heading_level_or_none_each_open_an_article() {
    let (arts, _) = segment("title_levels.txt");
    assert_eq!(
        titles(&arts),
        [
            Some("山区小学用上远程课堂"),
            Some("沿海港口集装箱吞吐量稳步增长"),
            Some("科技馆推出青少年天文观测周活动 市民可预约夜间观星并参加专家讲座与互动体验"),
        ]
    );
    assert!(text(&arts[0]).ends_with("配备设备。"), "{}", text(&arts[0]));
    // The `###` line inside the first article is its sub-heading, not a title.
    assert!(arts[0].paragraphs.iter().any(|p| p.kind == ParagraphKind::Heading && p.text == "城乡教师同上一堂课"));
    assert!(!text(&arts[1]).contains("科技馆"), "{}", text(&arts[1]));
}

#[test]
fn a_page_line_or_byline_under_a_title_stays_with_the_dateline_under_it() {
    let (arts, _) = segment("page_line.txt");
    assert_eq!(titles(&arts), [Some("城市公交开通夜间定制线路"), Some("老旧小区加装电梯进度过半")]);
    assert!(text(&arts[0]).contains("记者从江城市交通运输局获悉"), "{}", text(&arts[0]));
    assert!(text(&arts[1]).contains("已完工215部"), "{}", text(&arts[1]));
}

#[test]
fn a_title_line_inside_an_article_a_dateline_opened_becomes_its_title() {
    let (arts, _) = segment("title_inside_line.txt");
    assert_eq!(
        titles(&arts),
        [Some("南河新建三十二座城市书房"), Some("高原铁路隧道全线贯通"), Some("四月份居民消费价格温和上涨")]
    );
    let first = text(&arts[0]);
    assert!(first.contains("步行十五分钟即可借阅图书") && first.contains("借阅图书二十多万册"), "{first}");
    assert!(!first.contains("南河新建三十二座城市书房"), "the title is not text: {first}");
    assert!(text(&arts[2]).contains("其中城市上涨"), "{}", text(&arts[2]));
}

#[test]
fn a_paragraph_opening_with_a_short_enumeration_stays_in_its_article() {
    // `清华、浙大、…` opens like the tail of a word cut after `、`, but nothing before it was
    // left open and it goes on with the article's topic.
    let (arts, _) = segment("enumeration_start.txt");
    assert_eq!(titles(&arts), [Some("高校学生科技创新大赛在江城开幕"), Some("老城区改造新增停车位两千个")]);
    let first = text(&arts[0]);
    assert!(first.contains("小型水下机器人") && first.ends_with("决赛结果将于12日公布。"), "{first}");
}

/// A lone page numeral between two paragraphs of one article, the text after it sharing few
/// words with the paragraph before: the article goes on across it (a new text would bring its
/// own title), and the numeral is not kept in the text.
/// A Hong Kong headline of three short phrases set apart by wide spaces, printed plain on a page
/// whose other titles are Markdown: shaped like a row of a signature block, it is still the
/// next article's title.
#[test]
fn a_plain_headline_of_phrases_opens_an_article() {
    let (arts, _) = segment("phrase_headline.txt");
    assert_eq!(
        titles(&arts),
        [
            Some("海濱長廊周末重開\u{3000}市民趁好天氣散步\u{3000}店舖生意回升"),
            Some("舊區小巴路線改道\u{3000}居民不滿候車時間加長\u{3000}議員促重新諮詢")
        ]
    );
    assert!(text(&arts[1]).contains("並研究在繁忙時間加密班次"), "{}", text(&arts[1]));
}

#[test]
fn a_stray_numeral_between_paragraphs_does_not_cut_the_article() {
    let (arts, _) = segment("numeral_between_paragraphs.txt");
    assert_eq!(titles(&arts), [Some("山区小学用上了新食堂"), Some("老旧小区加装电梯提速")]);
    let first = text(&arts[0]);
    assert!(first.contains("项目总投资约八百万元") && first.contains("家长们也放心多了"), "{first}");
    assert!(arts[0].paragraphs.iter().all(|p| p.text.trim() != "三"), "{first}");
}

/// A page the line model reads as nothing but title blocks (here a column label over a title)
/// would open empty, its every line set aside as furniture: its last line is kept as text.
#[test]
fn a_page_of_nothing_but_headings_still_shows_its_text() {
    let (arts, source) = segment_bytes("headings.txt", b"Title\n\nA\tB and more words\n".to_vec());
    assert_eq!(arts.len(), 1, "{arts:?}");
    assert!(text(&arts[0]).contains("B and more words"), "{arts:?}");
    assert!(source.removed.iter().all(|r| !r.text.contains("B and more")), "{:?}", source.removed);
}
