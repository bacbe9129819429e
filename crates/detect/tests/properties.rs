//! Properties over arbitrary and adversarial input: analysis never panics, and every span it
//! reports slices the original text on character boundaries.

use menshen_detect::{Analyzer, Facts};
use proptest::prelude::*;

/// Characters that exercise every detector's edge cases.
const ALPHABET: &[&str] = &[
    "a",
    "Z",
    "x",
    "0",
    "1",
    "8",
    ".",
    "。",
    "点",
    "/",
    ":",
    "@",
    "艾特",
    "?",
    "=",
    "&",
    "-",
    "_",
    " ",
    "\n",
    "￥",
    "$",
    "€",
    "😆",
    "👈",
    "❤",
    "(",
    ")",
    "【",
    "】",
    "复制",
    "打开",
    "淘宝",
    "復",
    "寳",
    "\u{200B}",
    "\u{202E}",
    "\u{FE0F}",
    "ｗ",
    "．",
    "①",
    "❶",
    "壹",
    "叁",
    "捌",
    "微信",
    "V",
    "vx",
    "扣扣",
    "+",
    "http://",
    "https://",
    "www",
    "com",
    "cn",
    "m.tb.cn/h.",
    "tk=",
    "#小程序://",
    "高仿",
    "原单位",
    "诚",
    "招",
    "e\u{301}",
    "\u{0}",
    "𝟖",
    "🅰",
    "é",
    "Ⓐ",
    "xn--",
    "ا",
    "한",
];

fn assert_spans(text: &str, facts: &Facts) {
    for span in facts.spans() {
        assert!(span.start < span.end, "empty span {span:?} in {text:?}");
        assert!(
            text.get(span.start..span.end).is_some(),
            "span {span:?} does not slice {text:?} on char boundaries"
        );
    }
}

fn texts() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(ALPHABET), 0..80).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn spans_slice_the_original_on_char_boundaries(text in texts()) {
        let analyzer = Analyzer::embedded();
        assert_spans(&text, &analyzer.analyze(&text));
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,200}") {
        let analyzer = Analyzer::embedded();
        assert_spans(&text, &analyzer.analyze(&text));
    }
}

/// Long repetitive inputs built to trip quadratic paths (host chains, digit runs, repeated
/// anchors and terms). Checked for correctness here; their cost is measured in the benches.
#[test]
fn long_adversarial_inputs_complete_with_valid_spans() {
    let analyzer = Analyzer::embedded();
    for unit in [
        "a.",
        "a@",
        "1 ",
        "复制打开淘宝",
        "原单位",
        "点a",
        "http://a.",
        "￥Ab3Cd5Ef7Gh￥",
        "((((",
        "V❤ ",
    ] {
        let text = unit.repeat(200_000 / unit.len());
        assert_spans(&text, &analyzer.analyze(&text));
    }
}
