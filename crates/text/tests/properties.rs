//! Properties of the offset maps: every text-channel and key-channel range maps to a range of
//! the original that lies on character boundaries.

use menshen_text::Normalized;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn every_char_maps_back_onto_boundaries(text in "\\PC{0,120}") {
        let norm = Normalized::new(&text);
        for (start, c) in norm.text().char_indices() {
            let span = norm.original_span(start..start + c.len_utf8());
            prop_assert!(text.get(span.start..span.end).is_some());
        }
        let key = norm.key();
        let boundaries: Vec<usize> = key.char_indices().map(|(i, _)| i).chain([key.len()]).collect();
        for pair in boundaries.windows(2) {
            let m = norm.key_match(pair[0]..pair[1], 3).expect("a single key char always maps");
            prop_assert!(text.get(m.span.start..m.span.end).is_some());
        }
        if boundaries.len() > 1
            && let Some(m) = norm.key_match(0..key.len(), usize::MAX)
        {
            prop_assert!(text.get(m.span.start..m.span.end).is_some());
        }
    }

    #[test]
    fn key_is_a_fixed_point(text in "\\PC{0,60}") {
        let once = Normalized::new(&text).key().to_owned();
        let twice = Normalized::new(&once).key().to_owned();
        prop_assert_eq!(once, twice);
    }
}
