//! Where each byte of a folded channel came from, stored as runs.
//!
//! A map with one entry per byte costs eight bytes for every byte of the channel, and most
//! characters fold to a character of the same length at the next place (ASCII stays ASCII,
//! a traditional character becomes a simplified one of three bytes). So the map is a list of
//! runs: in an *identity* run each character maps to the source character of the same length
//! at the same distance from the run's start; in an *explicit* run every byte maps to one
//! source range (a full-width letter folded to ASCII, a collapsed repeat, a break). A run
//! starts where the correspondence changes, and a lookup is a binary search.

/// The runs of one channel.
#[derive(Clone, Debug, Default)]
pub(crate) struct OffsetMap {
    runs: Vec<Run>,
    /// Bytes of the channel mapped so far.
    len: u32,
}

#[derive(Clone, Copy, Debug)]
struct Run {
    /// The channel byte the run starts at; it ends where the next one starts.
    at: u32,
    /// The source start of the run's first character.
    source: u32,
    /// [`IDENTITY`], or the end of the one source range every byte of the run maps to.
    end: u32,
}

const IDENTITY: u32 = u32::MAX;

impl OffsetMap {
    pub(crate) fn clear(&mut self) {
        self.runs.clear();
        self.len = 0;
    }

    /// Map the next character of the channel, `len` bytes long, to `source`.
    pub(crate) fn push(&mut self, len: usize, (start, end): (u32, u32)) {
        let len = len as u32;
        let same_length = end - start == len;
        match self.runs.last_mut() {
            Some(last) if last.end == IDENTITY && same_length => {
                if last.source + (self.len - last.at) != start {
                    self.runs.push(Run {
                        at: self.len,
                        source: start,
                        end: IDENTITY,
                    });
                }
            }
            // The characters an expansion folded one character into share its range.
            Some(last) if last.end != IDENTITY && last.source == start && last.end == end => {}
            _ => self.runs.push(Run {
                at: self.len,
                source: start,
                end: if same_length { IDENTITY } else { end },
            }),
        }
        self.len += len;
    }

    /// Widen the last character, `len` bytes long, to end at `end` in the source (a repeat
    /// collapsed into it).
    pub(crate) fn widen_last(&mut self, len: usize, end: u32, channel: &str) {
        let at = self.len - len as u32;
        let (start, _) = self.get(at as usize, channel);
        match self.runs.last_mut() {
            Some(last) if last.at == at => {
                last.source = start;
                last.end = end;
            }
            _ => self.runs.push(Run {
                at,
                source: start,
                end,
            }),
        }
    }

    /// Forget the channel from byte `len` on.
    pub(crate) fn truncate(&mut self, len: usize) {
        let len = len as u32;
        while self.runs.last().is_some_and(|r| r.at >= len) {
            self.runs.pop();
        }
        self.len = len;
    }

    /// The source range of the character holding byte `at` of `channel`.
    pub(crate) fn get(&self, at: usize, channel: &str) -> (u32, u32) {
        let i = self.runs.partition_point(|r| r.at as usize <= at);
        let run = self.runs[i - 1];
        if run.end != IDENTITY {
            return (run.source, run.end);
        }
        let bytes = channel.as_bytes();
        let is_start = |i: usize| i >= bytes.len() || (bytes[i] as i8) >= -0x40;
        let mut start = at;
        while !is_start(start) {
            start -= 1;
        }
        let mut end = at + 1;
        while !is_start(end) {
            end += 1;
        }
        let offset = start as u32 - run.at;
        (
            run.source + offset,
            run.source + offset + (end - start) as u32,
        )
    }

    /// Bytes of memory the runs hold.
    pub(crate) fn capacity_bytes(&self) -> usize {
        self.runs.capacity() * std::mem::size_of::<Run>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map built from per-character sources, against the per-byte table it replaces.
    fn check(channel: &str, sources: &[(u32, u32)]) {
        let mut map = OffsetMap::default();
        let mut table = Vec::new();
        for ((_, c), &source) in channel.char_indices().zip(sources) {
            map.push(c.len_utf8(), source);
            table.extend(std::iter::repeat_n(source, c.len_utf8()));
        }
        for (at, expected) in table.iter().enumerate() {
            assert_eq!(map.get(at, channel), *expected, "byte {at} of {channel:?}");
        }
    }

    #[test]
    fn runs_answer_as_a_table_would() {
        // Identity: ASCII and a same-length fold.
        check("ab诚", &[(0, 1), (1, 2), (2, 5)]);
        // A dropped source character between two, and a fold that shortens (Ｖ → V).
        check("aVb", &[(0, 1), (4, 7), (7, 8)]);
        // An expansion: two channel characters from one source character.
        check(
            "aﬁb".replace('ﬁ', "fi").as_str(),
            &[(0, 1), (1, 4), (1, 4), (4, 5)],
        );
        // A break standing for a wider source character.
        check("a,b", &[(0, 1), (1, 4), (4, 5)]);
    }

    proptest::proptest! {
        /// Any sequence of pushes, widenings and truncations answers as a per-byte table.
        #[test]
        fn any_history_answers_as_a_table_would(
            steps in proptest::collection::vec((0u8..4, 0u8..4, 0u32..3, 0u8..8), 0..64)
        ) {
            let widths = ['a', 'é', '诚', '😀'];
            let mut channel = String::new();
            let mut map = OffsetMap::default();
            let mut table: Vec<(u32, u32)> = Vec::new();
            let mut source = 0u32;
            for (op, width, skip, source_len) in steps {
                match op {
                    // Widen the last character to the current source end.
                    0 if !channel.is_empty() => {
                        let n = channel.chars().next_back().map_or(0, char::len_utf8);
                        map.widen_last(n, source, &channel);
                        let len = table.len();
                        let start = table[len - n].0;
                        for entry in &mut table[len - n..] {
                            *entry = (start, source);
                        }
                    }
                    // Drop the last character.
                    1 if !channel.is_empty() => {
                        channel.pop();
                        map.truncate(channel.len());
                        table.truncate(channel.len());
                    }
                    _ => {
                        let c = widths[usize::from(width)];
                        // Sometimes the source length equals the character's, sometimes not.
                        let len = if source_len < 4 { c.len_utf8() as u32 } else { u32::from(source_len) };
                        source += skip;
                        let range = (source, source + len);
                        source += len;
                        map.push(c.len_utf8(), range);
                        channel.push(c);
                        table.extend(std::iter::repeat_n(range, c.len_utf8()));
                    }
                }
            }
            for (at, expected) in table.iter().enumerate() {
                proptest::prop_assert_eq!(map.get(at, &channel), *expected, "byte {} of {:?}", at, channel);
            }
        }
    }

    #[test]
    fn widening_and_truncating_keep_the_rest() {
        let channel = "诚招";
        let mut map = OffsetMap::default();
        map.push(3, (0, 3));
        map.widen_last(3, 9, "诚");
        map.push(3, (9, 12));
        assert_eq!(map.get(1, channel), (0, 9));
        assert_eq!(map.get(3, channel), (9, 12));
        map.truncate(3);
        map.push(1, (12, 15));
        assert_eq!(map.get(3, "诚,"), (12, 15));
        assert_eq!(map.get(0, "诚,"), (0, 9));
    }
}
