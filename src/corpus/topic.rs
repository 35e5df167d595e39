//! Topic profiles: the evidence segmentation uses for topic continuity.
//!
//! A stretch of text is profiled by its Han character bigrams (Chinese has no
//! spaces, and bigrams approximate words well enough to tell one news story
//! from another), weighted TF-IDF style by how rare each bigram is within the
//! source. Profiles are sorted vectors so that comparing two is a linear merge.

use std::cell::RefCell;

/// Bigram → weight, sorted by bigram id, with its Euclidean norm.
#[derive(Debug, Clone, Default)]
pub struct Topic {
    terms: Vec<(u32, f32)>,
    norm: f32,
    /// Characters of text profiled (estimated as bytes / 3, exact for Han):
    /// short stretches give weak evidence.
    pub chars: usize,
}

/// The key of a bigram: the six UTF-8 bytes of its two characters.
fn key(a: char, b: char) -> u64 {
    let mut buf = [0u8; 8];
    let la = a.encode_utf8(&mut buf[..4]).len();
    let lb = b.encode_utf8(&mut buf[la..la + 4]).len();
    if la == 3 && lb == 3 { u64::from_le_bytes(buf) } else { u64::MAX }
}

/// Bit `j` set when byte `j` of `bytes` (at most 64) is E4–E9: in valid UTF-8, the lead byte
/// of a character in U+4000–U+9FFF, the range of the unified ideographs that carry nearly
/// all of a Chinese text's topic. (Continuation bytes are 80–BF and four-byte leads F0–F4,
/// so such a byte can only be a lead.) Eight bytes at a time: topic evidence reads every
/// byte of a page, and a branch per character, taken or not at each punctuation mark, cost
/// half as much again.
fn han_leads(bytes: &[u8]) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut padded = [0u8; 64];
    let chunk: &[u8] = if bytes.len() >= 64 {
        &bytes[..64]
    } else {
        // Zero bytes are never leads.
        padded[..bytes.len()].copy_from_slice(bytes);
        &padded
    };
    let mut mask = 0;
    for (w, eight) in chunk.chunks_exact(8).enumerate() {
        let mut word = [0u8; 8];
        word.copy_from_slice(eight);
        let x = u64::from_le_bytes(word);
        // Per byte, with the top bit cleared (no carry can cross a byte): the top bit of
        // `low + 0x1C` is set from 0x64 up, that of `low + 0x16` from 0x6A up.
        let low = x & !HIGH;
        let from_lowest_lead = low + 0x1C1C_1C1C_1C1C_1C1C;
        let past_highest_lead = low + 0x1616_1616_1616_1616;
        let leads = x & from_lowest_lead & !past_highest_lead & HIGH;
        // The eight top bits, gathered into the low byte in order.
        let bits = ((leads >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56;
        mask |= bits << (w * 8);
    }
    mask
}

/// The bigram starts of a 64-byte chunk, from its lead bytes and those of the chunk after:
/// a lead with another lead three bytes on (the next chunk's first three bytes complete the
/// chunk's last three positions).
fn bigram_starts(leads: u64, next: u64) -> u64 {
    leads & ((leads >> 3) | (next << 61))
}

/// The bigrams of adjacent ideographs (U+4000–U+9FFF) in `text`, as keys. Works on the
/// UTF-8 bytes directly, 64 at a time (see [`han_leads`], [`bigram_starts`]).
pub fn bigrams(text: &str) -> impl Iterator<Item = u64> + '_ {
    let b = text.as_bytes();
    let mut base = 0;
    let mut next = han_leads(b.get(64..).unwrap_or_default());
    let mut starts = bigram_starts(han_leads(b), next);
    std::iter::from_fn(move || {
        loop {
            if starts != 0 {
                let at = base + starts.trailing_zeros() as usize;
                starts &= starts - 1;
                // Two whole three-byte characters: the second lead is at `at + 3`, and valid
                // UTF-8 completes its character, so the six bytes are in the text.
                let mut k = [0u8; 8];
                k[..6].copy_from_slice(b.get(at..at + 6)?);
                return Some(u64::from_le_bytes(k));
            }
            base += 64;
            if base >= b.len() {
                return None;
            }
            let leads = next;
            next = han_leads(b.get(base + 64..).unwrap_or_default());
            starts = bigram_starts(leads, next);
        }
    })
}

/// Document frequencies of bigrams over the blocks of one source.
///
/// Bigrams are hashed into a power-of-two table sized from the text (about
/// two buckets per distinct bigram), so counting is an array update rather
/// than a map insertion; the rare collision only blurs a weight a little.
/// A profile's terms are bucket numbers.
pub struct Idf {
    /// (document frequency, last document seen in) by bucket.
    buckets: Vec<(u32, u32)>,
    /// A Bloom filter of the bigrams seen (two bits of one word each), for
    /// [`Idf::contains`]: never a false "no", rarely a false "yes".
    seen: Vec<u64>,
    mask: u64,
    /// Inverse document frequency by document frequency (index 0 unused).
    by_df: Vec<f32>,
    /// The bucket of every bigram of every text counted, kept so that
    /// profiles of those texts need not read the text again; text `i`'s are
    /// `grams[starts[i]..starts[i + 1]]`.
    grams: Vec<u32>,
    starts: Vec<usize>,
    /// Characters of every text counted.
    chars: Vec<usize>,
    /// Scratch space for counting a profile's bigrams (see [`Tally`]).
    tally: RefCell<Tally>,
    /// Scratch space for [`Idf::spread`], sized on first use; all zero between uses.
    spread: RefCell<Vec<f32>>,
}

/// A count per bucket and a two-level bitmap of the buckets counted, so that
/// a profile's distinct bigrams come out in bucket order without sorting.
/// Segmentation profiles the text near every break, several times over;
/// sorting each profile's bigrams was the largest single cost of it. Left
/// all zero after each use.
#[derive(Default)]
struct Tally {
    counts: Vec<u32>,
    /// Bit `g` set when bucket `g` has a count.
    words: Vec<u64>,
    /// Bit `w` set when `words[w]` is not zero.
    summary: Vec<u64>,
}

impl Tally {
    /// A tally over `size` buckets (a power of two, at least 4,096, as [`Idf::new`] sizes its
    /// table), all zero: the one the last [`Idf`] on this thread gave back when there is one.
    fn new(size: usize) -> Self {
        let words = size.div_ceil(64);
        let mut tally = CLEAN.with(|s| s.borrow_mut().tally.take()).unwrap_or_default();
        refit(&mut tally.counts, size);
        refit(&mut tally.words, words);
        refit(&mut tally.summary, words.div_ceil(64));
        tally
    }
}

/// The scratch tables of the last [`Idf`] dropped on this thread, for the next one. Unlike the
/// tables in [`Spare`], each use of these leaves them all zero, so they are taken as they are:
/// zeroing them again for every page was a memset of up to a few hundred KB per page (about
/// 2% of the instructions of `bench --sizes 10`).
#[derive(Default)]
struct Clean {
    tally: Option<Tally>,
    spread: Vec<f32>,
}

thread_local! {
    static CLEAN: RefCell<Clean> = RefCell::new(Clean::default());
}

/// Makes `v`, which is all zero, `len` long: only the part it grows by is written.
fn refit<T: Copy + Default>(v: &mut Vec<T>, len: usize) {
    v.truncate(len);
    v.resize(len, T::default());
}

/// Tables an [`Idf`] gave back when dropped, for the next one on this thread.
///
/// Every page needs a few zeroed tables of up to a few hundred KB. Fresh ones come from the
/// system as untouched pages, and the first write to each page faults; with several loading
/// threads each fault also interrupts the other cores to flush their TLBs, which cost more than
/// the counting itself. Zeroing a table this thread used before costs a memset instead.
#[derive(Default)]
struct Spare {
    buckets: Vec<Vec<(u32, u32)>>,
    words: Vec<Vec<u64>>,
}

thread_local! {
    static SPARE: RefCell<Spare> = RefCell::new(Spare::default());
}

/// A table of `len` zeros, reusing one this thread gave back if there is one.
fn zeroed<T: Copy + Default + 'static>(len: usize) -> Vec<T>
where
    Spare: Pool<T>,
{
    let mut v = SPARE.with(|s| Spare::take(&mut s.borrow_mut())).unwrap_or_default();
    v.clear();
    v.resize(len, T::default());
    v
}

/// Gives `v` back for reuse on this thread (only a few are kept).
fn give_back<T: 'static>(v: Vec<T>)
where
    Spare: Pool<T>,
{
    SPARE.with(|s| Spare::put(&mut s.borrow_mut(), v));
}

/// The spare tables of one element type.
trait Pool<T> {
    fn list(&mut self) -> &mut Vec<Vec<T>>;
    fn take(&mut self) -> Option<Vec<T>> {
        self.list().pop()
    }
    fn put(&mut self, v: Vec<T>) {
        let list = self.list();
        if list.len() < 4 {
            list.push(v);
        }
    }
}

impl Pool<(u32, u32)> for Spare {
    fn list(&mut self) -> &mut Vec<Vec<(u32, u32)>> {
        &mut self.buckets
    }
}

impl Pool<u64> for Spare {
    fn list(&mut self) -> &mut Vec<Vec<u64>> {
        &mut self.words
    }
}

impl Drop for Idf {
    fn drop(&mut self) {
        give_back(std::mem::take(&mut self.buckets));
        give_back(std::mem::take(&mut self.seen));
        // A panic may have left a profile or a spread half done, the tables not all zero: those
        // are not kept.
        if std::thread::panicking() {
            return;
        }
        let tally = std::mem::take(self.tally.get_mut());
        let spread = std::mem::take(self.spread.get_mut());
        CLEAN.with(|s| *s.borrow_mut() = Clean { tally: Some(tally), spread });
    }
}

fn hash(g: u64) -> u64 {
    // Fibonacci hashing spreads the (mostly CJK-range) keys over the table.
    g.wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The bucket of a bigram. Bits 20 and up of the hash: a product's bit `k` depends only on
/// the key's bits up to `k`, so the key's last byte (bits 40-47) does not reach these, and
/// a bucket holds a first ideograph with a block of 64 neighbouring second ones (国 and 图
/// share one). The similarity thresholds were tuned on these coarser terms: buckets from the
/// top bits instead (exact bigrams) lose six articles on four held-out pages of
/// `tests/it/pipeline.rs`, so a change here needs the thresholds tuned again.
fn bucket(g: u64, mask: u64) -> u32 {
    ((hash(g) >> 20) & mask) as u32
}

/// The word of the filter a bigram sets (of words `0..=word_mask`) and the two bits it sets
/// there: one word, so that adding a bigram is one update. From a second hash, the first's
/// top half moved to the bottom and mixed again, so that every part of it depends on the
/// whole key.
fn filter_word(g: u64, word_mask: usize) -> (usize, u64) {
    let h = hash(hash(g).rotate_left(32));
    ((h >> 44) as usize & word_mask, (1 << ((h >> 20) & 63)) | (1 << ((h >> 26) & 63)))
}

/// Text from which an [`Idf`] is counted on two cores.
const PARALLEL_BYTES: usize = 8 << 20;

/// The sizes of an [`Idf`]'s tables, as masks.
#[derive(Clone, Copy)]
struct Tables {
    mask: u64,
    seen_mask: u64,
}

/// What counting some of a source's texts gives (see [`Idf::new`]).
struct Counts {
    buckets: Vec<(u32, u32)>,
    seen: Vec<u64>,
    grams: Vec<u32>,
    starts: Vec<usize>,
}

impl Tables {
    /// Counts `texts`, numbered from `offset` on.
    fn count(self, texts: &[&str], offset: u32) -> Counts {
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let mut buckets: Vec<(u32, u32)> = zeroed((self.mask + 1) as usize);
        let mut seen: Vec<u64> = zeroed((self.seen_mask + 1) as usize / 64);
        let mut grams = Vec::with_capacity(bytes / 3);
        let mut starts = Vec::with_capacity(texts.len() + 1);
        // Text numbers start at 1: a bucket's "last text seen in" starts at 0.
        let mut doc = offset;
        // Both tables have a power-of-two length, so an index masked with the length less one
        // is in range without a check, and the loop keeps fewer values in registers (it kept
        // its lengths and masks on the stack). (Neither is ever empty: see `Idf::new`.)
        let (Some(bucket_mask), Some(word_mask)) = (buckets.len().checked_sub(1), seen.len().checked_sub(1)) else {
            return Counts { buckets, seen, grams, starts };
        };
        for t in texts {
            doc += 1;
            starts.push(grams.len());
            for g in bigrams(t) {
                let id = bucket(g, bucket_mask as u64);
                grams.push(id);
                // Counted once per text; branch-free, since a bigram repeats
                // within a text unpredictably.
                let b = &mut buckets[id as usize & bucket_mask];
                b.0 += u32::from(b.1 != doc);
                b.1 = doc;
                let (w, bits) = filter_word(g, word_mask);
                seen[w] |= bits;
            }
        }
        Counts { buckets, seen, grams, starts }
    }
}

impl Counts {
    /// Adds the counts of the texts right after these.
    fn add(&mut self, next: Counts) {
        for (b, n) in self.buckets.iter_mut().zip(&next.buckets) {
            b.0 += n.0;
        }
        for (w, n) in self.seen.iter_mut().zip(&next.seen) {
            *w |= n;
        }
        let offset = self.grams.len();
        self.grams.extend_from_slice(&next.grams);
        self.starts.extend(next.starts.into_iter().map(|s| s + offset));
    }
}

impl Idf {
    /// Counts, for each bigram, how many of `texts` contain it.
    pub fn new<'a>(texts: impl Iterator<Item = &'a str>) -> Self {
        let texts: Vec<&str> = texts.collect();
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        // About one distinct bigram per six bytes: a table of twice that keeps
        // collisions rare and fits in cache for a page.
        let size = (bytes / 3).next_power_of_two().clamp(1 << 12, 1 << 20);
        // About sixteen filter bits per distinct bigram: a Bloom filter setting two bits
        // of one word then answers "yes" wrongly less than once in a hundred (tested).
        let seen_bits = (bytes * 3).next_power_of_two().clamp(1 << 14, 1 << 26);
        let tables = Tables { mask: size as u64 - 1, seen_mask: seen_bits as u64 - 1 };
        // A large source (one big file) is counted in two halves on two cores: counts per
        // text add up, so the halves' tables simply add.
        let split = if bytes >= PARALLEL_BYTES {
            let mut done = 0;
            texts
                .iter()
                .take_while(|t| {
                    done += t.len();
                    done * 2 < bytes
                })
                .count()
        } else {
            texts.len()
        };
        Self::counted(&texts, size, tables, split)
    }

    /// [`Idf::new`], counting `texts[split..]` on a second thread when there are any.
    fn counted(texts: &[&str], size: usize, tables: Tables, split: usize) -> Self {
        let (front, back) = texts.split_at(split.min(texts.len()));
        let mut counts = if back.is_empty() {
            tables.count(front, 0)
        } else {
            let offset = u32::try_from(front.len()).unwrap_or(u32::MAX);
            let (mut counts, rest) = std::thread::scope(|scope| {
                let second = scope.spawn(|| tables.count(back, offset));
                let first = tables.count(front, 0);
                (first, second.join().unwrap_or_else(|_| tables.count(back, offset)))
            });
            counts.add(rest);
            counts
        };
        counts.starts.push(counts.grams.len());
        let docs = texts.len();
        let chars = texts.iter().map(|t| t.len() / 3).collect();
        let n = docs as f32;
        let by_df = (0..=docs).map(|df| (1.0 + n / df.max(1) as f32).ln()).collect();
        let Counts { buckets, seen, grams, starts } = counts;
        Idf {
            buckets,
            seen,
            mask: tables.mask,
            by_df,
            grams,
            starts,
            chars,
            tally: RefCell::new(Tally::new(size)),
            spread: RefCell::new(CLEAN.with(|s| std::mem::take(&mut s.borrow_mut().spread))),
        }
    }

    /// Whether the two characters occur side by side somewhere in the source.
    pub fn contains(&self, a: char, b: char) -> bool {
        let (w, bits) = filter_word(key(a, b), self.seen.len().saturating_sub(1));
        self.seen.get(w).is_some_and(|word| word & bits == bits)
    }

    fn weight(&self, id: u32) -> f32 {
        let df = self.buckets.get(id as usize).map_or(0, |b| b.0).max(1) as usize;
        self.by_df.get(df).or(self.by_df.last()).copied().unwrap_or(0.0)
    }

    /// The profile of the concatenation of `texts`, which need not be among
    /// the texts counted.
    pub fn topic<'a>(&self, texts: impl Iterator<Item = &'a str>) -> Topic {
        let mut grams: Vec<u32> = Vec::new();
        let mut chars = 0;
        for t in texts {
            chars += t.len() / 3;
            grams.extend(bigrams(t).map(|g| bucket(g, self.mask)));
        }
        self.profile(std::iter::once(grams.as_slice()), chars)
    }

    /// The profile of counted texts, by their position in the counting order.
    pub fn topic_of(&self, texts: impl Iterator<Item = usize>) -> Topic {
        let mut chars = 0;
        let slices = texts.filter_map(|i| {
            let (&a, &b, c) = (self.starts.get(i)?, self.starts.get(i + 1)?, self.chars.get(i)?);
            chars += c;
            Some(&self.grams[a..b])
        });
        let mut topic = self.profile(slices, 0);
        topic.chars = chars;
        topic
    }

    /// Calls `f` with `topic` spread over a table by bucket, so that comparing it with each of
    /// many others costs only the other's length (segmentation compares the text before a
    /// break with every candidate after it). The table is cleared again afterwards.
    pub fn spread<R>(&self, topic: &Topic, f: impl FnOnce(&Spread) -> R) -> R {
        let size = (self.mask + 1) as usize;
        let mut own = Vec::new();
        // Nested use (never needed so far) gets a table of its own rather than a panic.
        let mut shared = self.spread.try_borrow_mut();
        let weights = match shared.as_deref_mut() {
            Ok(table) => table,
            Err(_) => &mut own,
        };
        refit(weights, size);
        for &(g, w) in &topic.terms {
            if let Some(slot) = weights.get_mut(g as usize) {
                *slot = w;
            }
        }
        let result = f(&Spread { weights, norm: topic.norm });
        for &(g, _) in &topic.terms {
            if let Some(slot) = weights.get_mut(g as usize) {
                *slot = 0.0;
            }
        }
        result
    }

    /// [`Topic::similarity`] of `a` and `b`, bit for bit, by way of [`Idf::spread`]: the
    /// merge of two sorted lists waits at every step for the comparison before, while
    /// spreading the shorter profile and looking the longer one's terms up does not (three
    /// times faster for profiles of a few hundred terms). A profile many times shorter than
    /// the other is still looked up in it directly.
    pub fn similarity(&self, a: &Topic, b: &Topic) -> f32 {
        let (short, long) = if a.terms.len() <= b.terms.len() { (a, b) } else { (b, a) };
        if much_shorter(short.terms.len(), long.terms.len()) {
            return a.similarity(b);
        }
        self.spread(short, |spread| spread.similarity(long))
    }

    /// Characters of counted text `i`.
    pub fn chars_of(&self, i: usize) -> usize {
        self.chars.get(i).copied().unwrap_or(0)
    }

    /// The profile of the bigram buckets in `slices`, weighed by term
    /// frequency and rarity, in bucket order.
    fn profile<'g>(&self, slices: impl Iterator<Item = &'g [u32]>, chars: usize) -> Topic {
        let mut tally = self.tally.borrow_mut();
        let Tally { counts, words, summary } = &mut *tally;
        let mut total = 0;
        for grams in slices {
            total += grams.len();
            for &g in grams {
                // The bits are set whether or not the bucket was counted before (setting a set
                // bit changes nothing), so that they need not wait for the count to be read.
                let g = g as usize;
                words[g / 64] |= 1 << (g % 64);
                summary[g / 4096] |= 1 << ((g / 64) % 64);
                counts[g] += 1;
            }
        }
        // Read the buckets back in increasing order, clearing as we go. Room for every
        // bigram read, a third more than the distinct ones: counting those first (a pass over
        // the bitmap) or growing the list cost what the branch-free loop above saves.
        let mut terms = Vec::with_capacity(total);
        for (s, summary_word) in summary.iter_mut().enumerate() {
            let mut nonzero = std::mem::take(summary_word);
            while nonzero != 0 {
                let w = s * 64 + nonzero.trailing_zeros() as usize;
                nonzero &= nonzero - 1;
                let mut bits = std::mem::take(&mut words[w]);
                while bits != 0 {
                    let g = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let run = std::mem::take(&mut counts[g]) as usize;
                    terms.push((g as u32, tf_weight(run) * self.weight(g as u32)));
                }
            }
        }
        Topic::from_terms(terms, chars)
    }
}

/// Whether a profile of `short` terms is compared with one of `long` terms faster by looking
/// each of its terms up in the other than by walking both.
fn much_shorter(short: usize, long: usize) -> bool {
    short * 16 < long
}

/// Sub-linear term frequency, 1 + ln(n), without a logarithm for small n.
fn tf_weight(n: usize) -> f32 {
    const SMALL: [f32; 8] = [0.0, 1.0, 1.693_147_2, 2.098_612_3, 2.386_294_4, 2.609_438, 2.791_759_4, 2.945_910_2];
    SMALL.get(n).copied().unwrap_or_else(|| 1.0 + (n as f32).ln())
}

impl Topic {
    fn from_terms(terms: Vec<(u32, f32)>, chars: usize) -> Topic {
        let norm = terms.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
        Topic { terms, norm, chars }
    }

    /// Bigram weights, sorted by bigram.
    pub fn terms(&self) -> &[(u32, f32)] {
        &self.terms
    }

    /// Euclidean norm of the weights.
    pub fn norm(&self) -> f32 {
        self.norm
    }

    /// Cosine similarity, 0 for unrelated text and 1 for the same text.
    pub fn similarity(&self, other: &Topic) -> f32 {
        if self.norm == 0.0 || other.norm == 0.0 {
            return 0.0;
        }
        let (a, b) = (&self.terms, &other.terms);
        // A paragraph against a whole article: look each of the few terms up in the long
        // list instead of walking all of it. Matches are added in the same (increasing)
        // order as by the merge below, so the result is bit for bit the same.
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        if much_shorter(short.len(), long.len()) {
            let mut dot = 0.0f32;
            let mut rest = long.as_slice();
            for &(g, w) in short {
                let at = rest.partition_point(|&(h, _)| h < g);
                if let Some(&(h, v)) = rest.get(at)
                    && h == g
                {
                    dot += w * v;
                }
                rest = rest.get(at..).unwrap_or_default();
            }
            return dot / (self.norm * other.norm);
        }
        let (mut i, mut j, mut dot) = (0, 0, 0.0f32);
        // A merge of the two sorted lists without a branch on the comparison,
        // which no predictor gets right: step whichever side is behind (both
        // on a match), and add the product only on a match. Weights are
        // positive, so adding +0.0 otherwise leaves the sum exactly as it was.
        while let (Some(&(x, wa)), Some(&(y, wb))) = (a.get(i), b.get(j)) {
            dot += if x == y { wa * wb } else { 0.0 };
            i += usize::from(x <= y);
            j += usize::from(y <= x);
        }
        dot / (self.norm * other.norm)
    }

    /// How far a similarity between these two stretches can be trusted: short
    /// stretches share few bigrams by chance.
    pub fn confidence(&self, other: &Topic) -> f32 {
        (self.chars.min(other.chars) as f32 / 150.0).clamp(0.2, 1.0)
    }
}

/// A profile spread over a table by bucket (see [`Idf::spread`]).
pub struct Spread<'a> {
    weights: &'a [f32],
    norm: f32,
}

impl Spread<'_> {
    /// Exactly [`Topic::similarity`] of the spread profile and `other`: the products are
    /// added in the same (bucket) order, and a bucket the spread profile lacks adds +0.0.
    pub fn similarity(&self, other: &Topic) -> f32 {
        if self.norm == 0.0 || other.norm == 0.0 {
            return 0.0;
        }
        let mut dot = 0.0f32;
        for &(g, w) in &other.terms {
            dot += self.weights.get(g as usize).copied().unwrap_or(0.0) * w;
        }
        dot / (self.norm * other.norm)
    }
}

/// The profile of several stretches taken together (weights add up).
pub fn merge_topics<'a>(parts: impl Iterator<Item = &'a Topic>) -> Topic {
    let mut all: Vec<(u32, f32)> = Vec::new();
    let mut chars = 0;
    for t in parts {
        chars += t.chars;
        all.extend_from_slice(&t.terms);
    }
    all.sort_unstable_by_key(|&(g, _)| g);
    let mut terms: Vec<(u32, f32)> = Vec::with_capacity(all.len());
    for (g, w) in all {
        match terms.last_mut() {
            Some((last, sum)) if *last == g => *sum += w,
            _ => terms.push((g, w)),
        }
    }
    Topic::from_terms(terms, chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRADE: &str = "广东外贸企业坚持创新发展，跨境电商规模稳居全国第一，外贸新业态增长迅速。";
    const TRADE2: &str = "今年广东将推动跨境电商与产业带融合发展，扩大外贸规模，稳住外贸基本盘。";
    const DRUGS: &str = "美国芬太尼危机的根源在于自身，滥用过量致死人数逐年上升，禁毒执法亟待加强。";

    fn idf() -> Idf {
        Idf::new([TRADE, TRADE2, DRUGS].into_iter())
    }

    #[test]
    fn counting_in_two_halves_is_counting_at_once() {
        let texts = [TRADE, TRADE2, DRUGS, "", TRADE, "中国中国中国", DRUGS];
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let size = (bytes / 3).next_power_of_two().clamp(1 << 12, 1 << 20);
        let tables = Tables { mask: size as u64 - 1, seen_mask: (1 << 14) - 1 };
        let whole = Idf::counted(&texts, size, tables, texts.len());
        let df = |idf: &Idf| idf.buckets.iter().map(|b| b.0).collect::<Vec<_>>();
        for split in 0..texts.len() {
            let halves = Idf::counted(&texts, size, tables, split);
            assert_eq!(df(&halves), df(&whole), "split at {split}");
            assert_eq!(halves.seen, whole.seen, "split at {split}");
            assert_eq!((&halves.grams, &halves.starts), (&whole.grams, &whole.starts), "split at {split}");
            let topic = |idf: &Idf| idf.topic_of(0..texts.len()).terms().to_vec();
            assert_eq!(topic(&halves), topic(&whole), "split at {split}");
        }
    }

    /// Two profiles' terms and two comparisons' bits.
    type Readings = (Vec<(u32, f32)>, Vec<(u32, f32)>, u32, u32);

    /// What one page's profiles and comparisons come to, on a thread that may have counted
    /// other pages before.
    fn page_readings() -> Readings {
        let idf = idf();
        let (a, b) = (idf.topic_of(0..2), idf.topic_of(2..3));
        let spread = idf.spread(&a, |s| s.similarity(&b)).to_bits();
        (a.terms().to_vec(), b.terms().to_vec(), spread, idf.similarity(&b, &a).to_bits())
    }

    #[test]
    fn a_page_reads_the_same_after_other_pages_on_its_thread() {
        // An Idf hands its scratch tables to the next one on its thread as it leaves them,
        // without zeroing them again: a table left dirty, or sized for another page, would
        // change the next page's profiles.
        let fresh = std::thread::spawn(page_readings).join().expect("first page");
        let after_others = std::thread::spawn(|| {
            let long: String = [TRADE, TRADE2, DRUGS].concat().repeat(400);
            for texts in [vec![long.as_str(), DRUGS], vec!["中国中国中国"], vec![TRADE2, DRUGS]] {
                let other = Idf::new(texts.iter().copied());
                let whole = other.topic_of(0..texts.len());
                let first = other.topic_of(0..1);
                assert!(other.spread(&whole, |s| s.similarity(&first)) >= 0.0);
            }
            page_readings()
        })
        .join()
        .expect("later page");
        assert_eq!(fresh, after_others);
    }

    #[test]
    fn text_is_most_similar_to_itself() {
        let idf = idf();
        let t = idf.topic(std::iter::once(TRADE));
        assert!((t.similarity(&t) - 1.0).abs() < 1e-5);
    }

    /// The cosine by the plain definition: the sum, in term order, of the products of the
    /// weights of the terms both have.
    fn reference_similarity(a: &Topic, b: &Topic) -> f32 {
        let mut dot = 0.0f32;
        for &(g, w) in &a.terms {
            if let Some(&(_, v)) = b.terms.iter().find(|&&(h, _)| h == g) {
                dot += w * v;
            }
        }
        if a.norm == 0.0 || b.norm == 0.0 { 0.0 } else { dot / (a.norm * b.norm) }
    }

    proptest::proptest! {
        /// Every way of comparing (the merge, the lookups used when one profile is much
        /// longer, a spread profile, and `Idf::similarity`) gives exactly the definition's
        /// value, whichever side is longer.
        #[test]
        fn similarity_is_exactly_the_definition(
            short in proptest::collection::btree_map(0u32..4096, 0.01f32..4.0, 0..40),
            long in proptest::collection::btree_map(0u32..4096, 0.01f32..4.0, 0..1500),
        ) {
            let topic = |m: &std::collections::BTreeMap<u32, f32>| Topic::from_terms(m.iter().map(|(&g, &w)| (g, w)).collect(), 0);
            let (a, b) = (topic(&short), topic(&long));
            let expected = reference_similarity(&a, &b).to_bits();
            proptest::prop_assert_eq!(a.similarity(&b).to_bits(), expected);
            proptest::prop_assert_eq!(b.similarity(&a).to_bits(), reference_similarity(&b, &a).to_bits());
            proptest::prop_assert_eq!(a.similarity(&a).to_bits(), reference_similarity(&a, &a).to_bits());
            // Spread either one (a table of 4,096 buckets), twice: the table is left clean.
            let idf = idf();
            for _ in 0..2 {
                proptest::prop_assert_eq!(idf.spread(&a, |a| a.similarity(&b)).to_bits(), expected);
                proptest::prop_assert_eq!(idf.spread(&b, |b| b.similarity(&a)).to_bits(), expected);
                // And the comparison that picks one of the two ways by the lengths.
                proptest::prop_assert_eq!(idf.similarity(&a, &b).to_bits(), expected);
                proptest::prop_assert_eq!(idf.similarity(&b, &a).to_bits(), expected);
            }
        }
    }

    #[test]
    fn same_topic_scores_above_another_topic() {
        let idf = idf();
        let (a, b, c) =
            (idf.topic([TRADE].into_iter()), idf.topic([TRADE2].into_iter()), idf.topic([DRUGS].into_iter()));
        assert!(a.similarity(&b) > a.similarity(&c) + 0.05, "{} vs {}", a.similarity(&b), a.similarity(&c));
        assert!((a.similarity(&b) - b.similarity(&a)).abs() < 1e-6);
    }

    #[test]
    fn merged_profiles_compare_like_the_parts() {
        let idf = idf();
        let parts = [idf.topic([TRADE].into_iter()), idf.topic([TRADE2].into_iter())];
        let merged = merge_topics(parts.iter());
        assert_eq!(merged.chars, (TRADE.len() + TRADE2.len()) / 3);
        assert!(merged.similarity(&parts[0]) > 0.3);
    }

    #[test]
    fn term_frequency_weights_match_the_logarithm() {
        for n in 1..40 {
            assert!((tf_weight(n) - (1.0 + (n as f32).ln())).abs() < 1e-5, "{n}");
        }
    }

    #[test]
    fn rarer_bigrams_weigh_more() {
        let idf = idf();
        // 外贸 is in two of the three texts, 芬太 in one.
        let common = idf.topic(["外贸"].into_iter());
        let rare = idf.topic(["芬太"].into_iter());
        assert!(rare.norm() > common.norm());
    }

    #[test]
    fn profiles_of_counted_texts_equal_profiles_of_their_strings() {
        let idf = idf();
        let by_index = idf.topic_of([0, 2].into_iter());
        let by_text = idf.topic([TRADE, DRUGS].into_iter());
        assert_eq!(by_index.terms(), by_text.terms());
        assert_eq!(by_index.chars, by_text.chars);
    }

    #[test]
    fn profiles_of_several_texts_add_up_their_bigrams() {
        let texts = [TRADE, TRADE2, DRUGS, "外贸外贸外贸", TRADE];
        let idf = Idf::new(texts.into_iter());
        for picks in [vec![0], vec![0, 1], vec![1, 3, 0], vec![4, 0, 3, 3], vec![], vec![2, 9]] {
            let by_index = idf.topic_of(picks.iter().copied());
            let by_text = idf.topic(picks.iter().filter_map(|&i| texts.get(i).copied()));
            assert_eq!(by_index.terms(), by_text.terms(), "{picks:?}");
            assert_eq!(by_index.chars, by_text.chars, "{picks:?}");
            assert!(by_index.terms().windows(2).all(|w| w[0].0 < w[1].0), "sorted, distinct");
        }
        // 外贸 three times in one text: 1 + ln 3.
        let repeated = idf.topic_of(std::iter::once(3));
        let idf_only = idf.topic(std::iter::once("外贸"));
        let (g, once) = idf_only.terms()[0];
        let thrice = repeated.terms().iter().find(|t| t.0 == g).map(|t| t.1);
        assert!(thrice.is_some_and(|w| (w / once - tf_weight(3)).abs() < 1e-5), "{thrice:?} {once}");
    }

    proptest::proptest! {
        /// The byte scan gives exactly the pairs of adjacent characters with a lead byte
        /// E4–E9 (U+4000–U+9FFF), in order.
        #[test]
        fn bigrams_are_the_adjacent_pairs_of_the_lead_byte_range(
            text in "[a-z，。\u{3400}-\u{4DFF}\u{4E00}-\u{4E10}\u{9FF0}-\u{A010}\u{0100}-\u{0110}\u{20000}-\u{20003}]{0,120}"
        ) {
            let chars: Vec<char> = text.chars().collect();
            let want: Vec<u64> = chars
                .windows(2)
                .filter(|w| w.iter().all(|c| ('\u{4000}'..='\u{9FFF}').contains(c)))
                .map(|w| key(w[0], w[1]))
                .collect();
            proptest::prop_assert_eq!(bigrams(&text).collect::<Vec<_>>(), want);
        }
    }

    proptest::proptest! {
        /// The word-at-a-time lead mask is the byte-by-byte definition, for chunks of any
        /// length up to 64 and longer slices (of which it reads the first 64 bytes).
        #[test]
        fn han_leads_marks_exactly_the_bytes_e4_to_e9(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..80)) {
            let want = bytes.iter().take(64).enumerate().fold(0u64, |m, (j, &b)| m | (u64::from((0xE4..=0xE9).contains(&b)) << j));
            proptest::prop_assert_eq!(han_leads(&bytes), want);
        }
    }

    #[test]
    fn bigrams_are_found_across_the_scan_s_64_byte_chunks() {
        // Bigrams that start in one chunk and end in the next, at every offset.
        for pad in 0..70 {
            let text = format!("{}中国外交部", "a".repeat(pad));
            let keys: Vec<u64> = bigrams(&text).collect();
            assert_eq!(keys, [key('中', '国'), key('国', '外'), key('外', '交'), key('交', '部')], "pad {pad}");
        }
    }

    #[test]
    fn bigrams_are_pairs_of_adjacent_ideographs() {
        let keys: Vec<u64> = bigrams("中国a外交部，长").collect();
        assert_eq!(keys, [key('中', '国'), key('外', '交'), key('交', '部')]);
        assert_eq!(bigrams("abc，。“”").count(), 0);
        assert_eq!(bigrams("𠀀中国").count(), 1, "a four-byte character is skipped whole");
    }

    #[test]
    fn text_without_han_has_an_empty_profile() {
        let idf = idf();
        let t = idf.topic(["abc 123"].into_iter());
        assert!(t.similarity(&idf.topic([TRADE].into_iter())).abs() < f32::EPSILON);
    }

    #[test]
    fn adjacent_characters_are_known_to_the_source() {
        let idf = idf();
        assert!(idf.contains('外', '贸'));
        assert!(!idf.contains('贸', '芬'));
    }

    /// Over a whole page: never a false "no", and a false "yes" about once in a hundred for
    /// pairs of the page's own ideographs that never stand side by side in it (0.4%; the
    /// filter that took one bit from the hash's weak low end said a wrong "yes" to 2.9%).
    #[test]
    fn the_filter_is_seldom_wrong_about_a_page() {
        let page = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/004_beff7861e42a5cfd.txt"));
        let idf = Idf::new(page.lines());
        let han = |c: &char| ('\u{4000}'..='\u{9FFF}').contains(c);
        let mut adjacent = std::collections::HashSet::new();
        for line in page.lines() {
            let chars: Vec<char> = line.chars().collect();
            adjacent.extend(chars.windows(2).filter(|w| w.iter().all(han)).map(|w| (w[0], w[1])));
        }
        assert!(adjacent.iter().all(|&(a, b)| idf.contains(a, b)), "a false no");
        let mut distinct: Vec<char> = page.chars().filter(han).collect();
        distinct.sort_unstable();
        distinct.dedup();
        let (mut asked, mut wrong) = (0usize, 0usize);
        for &a in distinct.iter().take(300) {
            for &b in distinct.iter().rev().take(300) {
                if !adjacent.contains(&(a, b)) {
                    asked += 1;
                    wrong += usize::from(idf.contains(a, b));
                }
            }
        }
        let rate = wrong as f64 / asked as f64;
        assert!(asked > 50_000 && rate < 0.01, "{wrong} of {asked} pairs wrongly found ({rate:.4})");
    }
}
