//! The n-gram sampler behind linking versions ([`crate::versions`]): the search index runs
//! every article's folded characters through a [`Shingler`] while it reads them, so linking
//! needs no second pass over the text. It lives here, below `versions`, because the index
//! ([`super::index`]) feeds it.

/// Length of the character n-grams compared.
const SHINGLE: usize = 5;
/// One in this many n-grams is sampled (by hash).
const SAMPLE: u64 = 16;

/// Whether `c` counts when comparing versions (after folding): letters, digits and Han
/// characters; not punctuation, symbols or space. The common blocks are decided by range, as
/// the general Unicode test is slow for Han characters and this runs on every character.
#[inline]
pub fn counts(c: char) -> bool {
    counts_code(u32::from(c))
}

/// [`counts`] for a code point (the index passes folded characters as code points).
#[inline]
fn counts_code(code: u32) -> bool {
    match code {
        0..=0x7F => (code as u8).is_ascii_alphanumeric(),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x2_0000..=0x3_134F => true,
        0x2000..=0x206F | 0x3000..=0x303F | 0xFF00..=0xFF0F | 0xFF1A..=0xFF20 | 0xFE30..=0xFE4F => false,
        _ => char::from_u32(code).is_some_and(char::is_alphanumeric),
    }
}

/// Samples the n-grams of one article's folded characters as they are fed in (the search
/// index feeds it while it reads each article, so linking needs no second pass over the text).
/// Each window's hash is rolled from the previous one (a polynomial hash: add the new
/// character, take out the one leaving), so hashing costs the same whatever [`SHINGLE`] is.
#[derive(Debug, Default)]
pub struct Shingler {
    ring: [u64; SHINGLE],
    seen: usize,
    hash: u64,
    /// Sampled hashes so far.
    sampled: Vec<u32>,
}

impl Shingler {
    const BASE: u64 = 0x0100_0000_01b3;
    /// BASE^SHINGLE, the weight of the character leaving the window.
    const OUTGOING: u64 = {
        let mut w = 1u64;
        let mut k = 0;
        while k < SHINGLE {
            w = w.wrapping_mul(Self::BASE);
            k += 1;
        }
        w
    };

    /// Feeds the next folded character, as a code point (those that do not [`counts`] are
    /// passed over).
    #[inline]
    pub fn push(&mut self, c: u32) {
        if !counts_code(c) {
            return;
        }
        let slot = self.seen % SHINGLE;
        let c = u64::from(c) + 1;
        self.hash = self
            .hash
            .wrapping_mul(Self::BASE)
            .wrapping_add(c)
            .wrapping_sub(self.ring[slot].wrapping_mul(Self::OUTGOING));
        self.ring[slot] = c;
        self.seen += 1;
        if self.seen >= SHINGLE {
            let mixed = (self.hash ^ (self.hash >> 31)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mixed = mixed ^ (mixed >> 29);
            if mixed.is_multiple_of(SAMPLE) {
                // The low bits chose the sample; the high half tells samples apart. 32 bits
                // halve the memory, and two different n-grams meeting by chance in a pair of
                // articles cannot reach the fewest shared samples a link takes on their own
                // (`MIN_SHARED` in `versions`).
                self.sampled.push((mixed >> 32) as u32);
            }
        }
    }

    /// The article's samples, sorted and without duplicates, appended to `out`; the sampler
    /// is ready for the next article.
    pub fn finish_into(&mut self, out: &mut Vec<u32>) {
        self.sampled.sort_unstable();
        self.sampled.dedup();
        out.extend_from_slice(&self.sampled);
        self.sampled.clear();
        (self.ring, self.seen, self.hash) = ([0; SHINGLE], 0, 0);
    }
}
