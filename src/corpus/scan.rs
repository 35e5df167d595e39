//! Byte scans shared by the cleaning and segmenting passes that look for a few three-byte
//! characters on nearly every line.

/// Positions tested per block.
pub(crate) const LANES: usize = 16;

/// From `from` on, the start of the first block of sixteen positions where `is_mark` holds for
/// some three bytes, or where fewer than a block's bytes are left: the caller then looks for the
/// mark position by position from there. Blocks are tested without branching, so the test
/// vectorises; most lines have no mark at all and are passed over a block at a time.
#[inline]
pub(crate) fn first_block(b: &[u8], from: usize, is_mark: impl Fn(u8, u8, u8) -> bool) -> usize {
    let mut at = from;
    while let Some(block) = b.get(at..at + LANES + 2) {
        let mut any = false;
        for j in 0..LANES {
            any |= is_mark(block[j], block[j + 1], block[j + 2]);
        }
        if any {
            break;
        }
        at += LANES;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_found_holds_the_first_mark_or_is_the_tail() {
        let is_x = |a: u8, _: u8, _: u8| a == b'x';
        let text = b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaxaaaaaaaaaaaaaaaaaaaaaaaaa";
        let at = first_block(text, 0, is_x);
        let mark = text.iter().position(|&c| c == b'x').unwrap_or(0);
        assert!(at <= mark && mark < at + LANES);
        assert_eq!(first_block(b"short", 0, is_x), 0);
        let none = [b'a'; 40];
        assert!(first_block(&none, 0, is_x) + LANES + 2 > none.len(), "only the tail is left");
    }
}
