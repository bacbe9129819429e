//! Labelled examples.

use sha2::{Digest, Sha256};

/// One labelled text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Example {
    pub text: String,
    pub unwanted: bool,
}

/// Problems reading a data file, with the file and line.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "{path}: no labelled rows; expected `label<TAB>text` (0/1, ham/spam) or JSON lines with `text` and `label`"
    )]
    Empty { path: String },
}

/// Read a label: 1/spam/true/unwanted are unwanted; 0/ham/false/innocent are not.
pub fn parse_label(label: &str) -> Option<bool> {
    match label.trim().trim_matches('"').to_ascii_lowercase().as_str() {
        "1" | "spam" | "true" | "unwanted" => Some(true),
        "0" | "ham" | "false" | "innocent" => Some(false),
        _ => None,
    }
}

/// Parse a file's contents: JSON lines where a line starts with `{`, else tab-separated with
/// the label first and the text second (further columns are ignored). Lines without a known
/// label, such as a header, are skipped and counted.
pub fn parse(contents: &str) -> (Vec<Example>, usize) {
    let mut examples = Vec::new();
    let mut skipped = 0;
    for line in contents.lines() {
        let line = line.trim_end_matches('\r');
        let parsed = if line.trim_start().starts_with('{') {
            serde_json::from_str::<serde_json::Value>(line)
                .ok()
                .and_then(|v| {
                    let text = v.get("text")?.as_str()?.to_owned();
                    let label = match v.get("label")? {
                        serde_json::Value::String(s) => parse_label(s)?,
                        other => parse_label(&other.to_string())?,
                    };
                    Some(Example {
                        text,
                        unwanted: label,
                    })
                })
        } else {
            let mut fields = line.split('\t');
            match (fields.next().and_then(parse_label), fields.next()) {
                (Some(unwanted), Some(text)) if !text.trim().is_empty() => Some(Example {
                    text: text.to_owned(),
                    unwanted,
                }),
                _ => None,
            }
        };
        match parsed {
            Some(example) => examples.push(example),
            None if line.trim().is_empty() => {}
            None => skipped += 1,
        }
    }
    (examples, skipped)
}

/// A file read for training, with what provenance records about it.
pub struct Loaded {
    pub path: String,
    pub examples: Vec<Example>,
    pub skipped: usize,
    pub sha256: String,
}

pub fn load(path: &str) -> Result<Loaded, DataError> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Io {
        path: path.to_owned(),
        source,
    })?;
    let contents = String::from_utf8_lossy(&bytes);
    let (examples, skipped) = parse(&contents);
    if examples.is_empty() {
        return Err(DataError::Empty {
            path: path.to_owned(),
        });
    }
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Loaded {
        path: path.to_owned(),
        examples,
        skipped,
        sha256,
    })
}

/// Remove repeated texts (keeping the first label seen) and texts seen with both labels.
pub fn dedup(examples: Vec<Example>) -> Vec<Example> {
    use std::collections::HashMap;
    let mut first: HashMap<String, (usize, bool, bool)> = HashMap::new();
    for (i, e) in examples.iter().enumerate() {
        let entry = first
            .entry(e.text.clone())
            .or_insert((i, e.unwanted, false));
        if entry.1 != e.unwanted {
            entry.2 = true;
        }
    }
    examples
        .into_iter()
        .enumerate()
        .filter(|(i, e)| {
            first
                .get(&e.text)
                .is_some_and(|&(f, _, conflict)| f == *i && !conflict)
        })
        .map(|(_, e)| e)
        .collect()
}

/// A deterministic split by a hash of the text: the same text always lands on the same side,
/// so duplicates cannot leak across. Returns (train, held) with about `held_percent` held.
///
/// The hash is salted: a file that was itself cut from a larger set by an unsalted hash of the
/// text (as `scripts/make_splits.py` does) would otherwise hold back nothing at all.
pub fn split(examples: Vec<Example>, held_percent: u64) -> (Vec<Example>, Vec<Example>) {
    examples.into_iter().partition(|e| {
        let digest = Sha256::new()
            .chain_update(b"menshen-held:")
            .chain_update(e.text.as_bytes())
            .finalize();
        u64::from_le_bytes(digest[..8].try_into().unwrap_or([0; 8])) % 100 >= held_percent
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_tsv_and_jsonl_and_skips_headers() {
        let (examples, skipped) = parse(
            "label\ttext\n1\t加微信买高仿\nham\thello\tseg ment\n{\"text\":\"hi\",\"label\":0}\n{\"text\":\"win\",\"label\":\"spam\"}\n\nbad line\n",
        );
        assert_eq!(examples.len(), 4);
        assert_eq!(skipped, 2, "the header and the bad line");
        assert_eq!(
            (examples[1].text.as_str(), examples[1].unwanted),
            ("hello", false)
        );
        assert!(examples[3].unwanted);
    }

    #[test]
    fn dedup_drops_repeats_and_conflicts() {
        let e = |t: &str, u: bool| Example {
            text: t.into(),
            unwanted: u,
        };
        let out = dedup(vec![
            e("a", true),
            e("a", true),
            e("b", false),
            e("b", true),
            e("c", false),
        ]);
        assert_eq!(out, vec![e("a", true), e("c", false)]);
    }

    #[test]
    fn split_is_deterministic_and_keeps_texts_together() {
        let examples: Vec<Example> = (0..1000)
            .map(|i| Example {
                text: format!("text {i}"),
                unwanted: i % 2 == 0,
            })
            .collect();
        let (train, held) = split(examples.clone(), 20);
        let (train2, held2) = split(examples.clone(), 20);
        assert_eq!((train.len(), held.len()), (train2.len(), held2.len()));
        assert!((150..250).contains(&held.len()), "{}", held.len());
        // A set already cut by an unsalted hash of the text still splits.
        let cut: Vec<Example> = examples
            .into_iter()
            .filter(|e| {
                u64::from_le_bytes(Sha256::digest(e.text.as_bytes())[..8].try_into().unwrap()) % 100
                    >= 20
            })
            .collect();
        let cut_len = cut.len();
        let (_, held) = split(cut, 10);
        assert!(!held.is_empty(), "{cut_len} cut, none held");
    }
}
