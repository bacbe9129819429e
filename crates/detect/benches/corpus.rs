//! The benchmark corpus, shared by the analysis and decision benchmarks: texts of 30–200
//! characters from `../shared/datasets` (Chinese game chat, Chinese SMS, English SMS),
//! interleaved, plus the share-code fixtures. Set `MENSHEN_SHARED` to point elsewhere.

use std::path::PathBuf;

fn shared() -> PathBuf {
    std::env::var_os("MENSHEN_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"))
}

/// Up to `limit` texts from the last column of a tab-separated file, 30–200 characters long.
fn texts(path: &str, column: usize, limit: usize) -> Vec<String> {
    let path = shared().join(path);
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (the benchmark corpus lives in ../shared)",
            path.display()
        )
    });
    source
        .lines()
        .filter_map(|line| line.split('\t').nth(column))
        .filter(|t| (30..=200).contains(&t.chars().count()))
        .take(limit)
        .map(str::to_owned)
        .collect()
}

/// Game chat, Chinese SMS and English SMS interleaved, then the share-code fixtures.
pub fn corpus() -> Vec<String> {
    let sets = [
        texts("datasets/zh_game_chat_ads/train.txt", 1, 4000),
        texts("datasets/zh_sms_mudou/mudou_spam.train", 1, 4000),
        texts("datasets/en_sms_uci/SMSSpamCollection", 1, 2000),
    ];
    let mut corpus = Vec::new();
    for i in 0..sets.iter().map(Vec::len).max().unwrap_or(0) {
        corpus.extend(sets.iter().filter_map(|set| set.get(i).cloned()));
    }
    corpus.extend(texts("fixtures/share_codes.tsv", 2, 100));
    corpus
}
