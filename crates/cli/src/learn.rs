//! `menshen train` and `menshen eval`.

use std::{path::Path, process::ExitCode};

use anyhow::{Context as _, bail};
use menshen_detect::{
    Analyzer, Scratch,
    score::{InputFile, Model, Provenance},
};
use menshen_learn::{
    data::{self, Example},
    metrics::{Confusion, Scored, roc_auc, threshold_for_precision},
    train::{TrainConfig, train as fit},
};

fn load_all(paths: &[String]) -> anyhow::Result<(Vec<Example>, Vec<InputFile>)> {
    let mut examples = Vec::new();
    let mut inputs = Vec::new();
    for path in paths {
        let loaded = data::load(path)?;
        if loaded.skipped > 0 {
            eprintln!(
                "menshen: {path}: skipped {} lines without a known label",
                loaded.skipped
            );
        }
        inputs.push(InputFile {
            path: path.clone(),
            rows: loaded.examples.len(),
            sha256: loaded.sha256,
        });
        examples.extend(loaded.examples);
    }
    Ok((examples, inputs))
}

/// The messages people labelled in a server's store, with their provenance (the rows and a
/// SHA-256 over `label<TAB>source<TAB>text` lines, so a retrain says what it learnt from).
fn load_store(dir: &Path) -> anyhow::Result<(Vec<Example>, InputFile)> {
    use sha2::Digest as _;
    let url = std::env::var("MENSHEN_DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && !dir.join("menshen.db").exists() {
        bail!(
            "{}: no store here (menshen.db); point --from-store at the folder `menshen serve` uses, or MENSHEN_DATABASE_URL at its database",
            dir.display()
        );
    }
    let store = crate::server::open_store(dir, url.as_deref(), true)
        .with_context(|| format!("opening the store of {}", dir.display()))?;
    let labelled = store
        .examples(usize::MAX >> 1)
        .with_context(|| format!("reading labelled examples from {}", dir.display()))?;
    let mut hash = sha2::Sha256::new();
    let examples: Vec<Example> = labelled
        .into_iter()
        .map(|e| {
            hash.update(format!("{}\t{}\t{}\n", u8::from(e.spam), e.source, e.text));
            Example {
                text: e.text,
                unwanted: e.spam,
            }
        })
        .collect();
    let input = InputFile {
        path: format!("store:{}", dir.display()),
        rows: examples.len(),
        sha256: hex::encode(hash.finalize()),
    };
    Ok((examples, input))
}

pub fn train(args: &crate::TrainArgs) -> anyhow::Result<ExitCode> {
    let crate::TrainArgs {
        data: paths,
        from_store,
        out,
        epochs,
        seed,
        held,
        precision: target,
        model_weight,
        base_rate,
    } = args;
    let (from_store, out, epochs, seed, held, target, model_weight, base_rate) = (
        from_store.as_deref(),
        out.as_path(),
        *epochs,
        *seed,
        *held,
        *target,
        *model_weight,
        *base_rate,
    );
    if let Some(rate) = base_rate
        && !(rate > 0.0 && rate < 1.0)
    {
        bail!("--base-rate {rate}: give the share of unwanted messages, between 0 and 1");
    }
    if !(1..=50).contains(&held) {
        bail!("--held {held}: hold back between 1 and 50 percent to choose the threshold");
    }
    let (mut examples, mut inputs) = load_all(paths)?;
    if let Some(dir) = from_store {
        let (labelled, input) = load_store(dir)?;
        eprintln!(
            "menshen: {} messages labelled by people in {}",
            labelled.len(),
            dir.display()
        );
        // A person's label on a text outranks a data file's.
        let decided: std::collections::HashSet<&str> =
            labelled.iter().map(|e| e.text.as_str()).collect();
        examples.retain(|e| !decided.contains(e.text.as_str()));
        examples.extend(labelled);
        inputs.push(input);
    }
    if examples.is_empty() {
        bail!("nothing to learn from: give --data files or a store with labelled messages");
    }
    let examples = data::dedup(examples);
    let (train_set, held_set) = data::split(examples, held);
    let positives = train_set.iter().filter(|e| e.unwanted).count();
    eprintln!(
        "menshen: training on {} messages ({positives} unwanted), {} held back",
        train_set.len(),
        held_set.len()
    );
    let config = TrainConfig {
        epochs,
        seed,
        ..TrainConfig::default()
    };
    let analyzer = Analyzer::embedded_without_model();
    let total = train_set.len() as u64 * u64::from(epochs);
    let progress = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let weights = fit(&analyzer, &train_set, &config, |seen| {
        progress.set_position(seen)
    });
    progress.finish_and_clear();
    let mut model = Model {
        provenance: Provenance {
            inputs,
            rows: train_set.len(),
            positives,
            epochs,
            learning_rate: config.learning_rate,
            l2: config.l2,
            seed,
            threshold: 0.5,
            signal_weights: None,
            menshen_version: env!("CARGO_PKG_VERSION").into(),
        },
        weights,
    };
    let scored = score_all(&analyzer, &model, &held_set);
    model.provenance.threshold = threshold_for_precision(&scored, target).unwrap_or(0.99);
    let at = Confusion::at(&scored, model.provenance.threshold);
    eprintln!(
        "menshen: threshold {:.3} gives precision {:.3}, recall {:.3} on the held-back messages",
        model.provenance.threshold,
        at.precision(),
        at.recall()
    );
    // The signal weights, with this model's evidence among the signals, are fitted on the
    // held-back messages: the model never saw them, so its evidence there is honest.
    let prior = menshen_detect::signals::SignalWeights {
        corroborate_model: model_weight.is_some(),
        ..menshen_detect::signals::SignalWeights::embedded()
    };
    // The evidence is gathered as the model will be used: corroborated or not.
    let with_model = analyzer
        .with_model(std::sync::Arc::new(model.clone()))
        .with_weights(prior.clone());
    let mut signal_weights =
        menshen_learn::weights::fit(&with_model, &held_set, &prior, model_weight);
    signal_weights.provenance = format!(
        "learnt by menshen train {} on {} held-back messages ({} unwanted) of {}{}; prior: {}",
        env!("CARGO_PKG_VERSION"),
        held_set.len(),
        held_set.iter().filter(|e| e.unwanted).count(),
        model
            .provenance
            .inputs
            .iter()
            .map(|i| i.path.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        model_weight.map_or(String::new(), |w| format!(
            ", the model's weight held at {w}"
        )),
        prior.provenance
    );
    if let Some(rate) = base_rate {
        // Prior shift: the same evidence means less where unwanted messages are rarer.
        let data_rate =
            held_set.iter().filter(|e| e.unwanted).count() as f64 / held_set.len().max(1) as f64;
        let shift =
            menshen_detect::signals::logit(rate) - menshen_detect::signals::logit(data_rate);
        signal_weights.bias = (signal_weights.bias + shift).clamp(-50.0, 50.0);
        signal_weights.provenance += &*format!(
            "; bias shifted by {shift:.3} for a base rate of {rate} unwanted (the data has {data_rate:.3})"
        );
    }
    model.provenance.signal_weights = Some(signal_weights);
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    model
        .write(std::io::BufWriter::new(file))
        .with_context(|| format!("writing {}", out.display()))?;
    out!("model written to {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn score_all(analyzer: &Analyzer, model: &Model, examples: &[Example]) -> Vec<Scored> {
    let (mut scratch, mut features) = (Scratch::default(), Vec::new());
    examples
        .iter()
        .map(|e| {
            analyzer.features(&e.text, &mut scratch, &mut features);
            Scored {
                score: model.probability(&features),
                unwanted: e.unwanted,
            }
        })
        .collect()
}

pub fn eval(
    analysis: &crate::DataArgs,
    paths: &[String],
    threshold: Option<f64>,
    plot: Option<&Path>,
    verdicts: Option<Option<&str>>,
) -> anyhow::Result<ExitCode> {
    let engine = crate::build_engine(analysis)?;
    let analyzer = &engine.analyzer;
    let (examples, _) = load_all(paths)?;
    let examples = data::dedup(examples);
    let positives = examples.iter().filter(|e| e.unwanted).count();
    out!(
        "{} messages after deduplication, {positives} unwanted",
        examples.len()
    );
    if let Some(model) = analyzer.model() {
        let scored = score_all(analyzer, model, &examples);
        let threshold = threshold.unwrap_or(model.provenance.threshold);
        let at = Confusion::at(&scored, threshold);
        out!(
            "model score at threshold {threshold:.3}: precision {:.4}  recall {:.4}  F1 {:.4}  ROC AUC {:.4}",
            at.precision(),
            at.recall(),
            at.f1(),
            roc_auc(&scored)
        );
        out!(
            "confusion: TP {}  FP {}  TN {}  FN {}",
            at.true_positives,
            at.false_positives,
            at.true_negatives,
            at.false_negatives
        );
        out!(
            "\n{:>9} {:>10} {:>8} {:>8}",
            "threshold",
            "precision",
            "recall",
            "FP"
        );
        for t in [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99] {
            let c = Confusion::at(&scored, t);
            out!(
                "{t:>9.2} {:>10.4} {:>8.4} {:>8}",
                c.precision(),
                c.recall(),
                c.false_positives
            );
        }
        if let Some(path) = plot {
            std::fs::write(path, pr_curve_svg(&scored))
                .with_context(|| format!("writing {}", path.display()))?;
            out!("\nprecision-recall curve: {}", path.display());
        }
    } else if plot.is_some() || threshold.is_some() {
        bail!("--plot and --threshold measure a model's score; this run has --no-model");
    }
    if let Some(profile) = verdicts {
        let policy = &engine.policy;
        let profile = policy.select(profile, None).map_err(anyhow::Error::msg)?;
        let table = menshen_policy::quality::measure(
            policy,
            profile,
            analyzer,
            examples.iter().map(|e| (e.text.as_str(), e.unwanted)),
        );
        out!(
            "\nverdicts under {} ({}):\n{table}",
            profile.name,
            profile.version
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The precision-recall curve as a small standalone SVG.
fn pr_curve_svg(scored: &[Scored]) -> String {
    let mut sorted = scored.to_vec();
    sorted.sort_by(|a, b| b.score.total_cmp(&a.score));
    let positives = sorted.iter().filter(|s| s.unwanted).count().max(1) as f64;
    let (mut tp, mut fp) = (0.0, 0.0);
    let (w, h, pad) = (480.0, 360.0, 40.0);
    let mut points = String::new();
    for (i, s) in sorted.iter().enumerate() {
        if s.unwanted {
            tp += 1.0
        } else {
            fp += 1.0
        }
        let last = i + 1 == sorted.len() || sorted[i + 1].score != s.score;
        if last {
            let (recall, precision) = (tp / positives, tp / (tp + fp));
            points.push_str(&format!(
                "{:.1},{:.1} ",
                pad + recall * (w - 2.0 * pad),
                h - pad - precision * (h - 2.0 * pad)
            ));
        }
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" font-family=\"sans-serif\" font-size=\"12\">\
<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\
<line x1=\"{pad}\" y1=\"{b}\" x2=\"{r}\" y2=\"{b}\" stroke=\"black\"/><line x1=\"{pad}\" y1=\"{pad}\" x2=\"{pad}\" y2=\"{b}\" stroke=\"black\"/>\
<text x=\"{cx}\" y=\"{lb}\" text-anchor=\"middle\">recall</text><text x=\"12\" y=\"{cy}\" transform=\"rotate(-90 12 {cy})\" text-anchor=\"middle\">precision</text>\
<text x=\"{pad}\" y=\"{lb}\">0</text><text x=\"{r}\" y=\"{lb}\" text-anchor=\"end\">1</text><text x=\"{tl}\" y=\"{t}\" text-anchor=\"end\">1</text>\
<polyline fill=\"none\" stroke=\"#1c7ed6\" stroke-width=\"2\" points=\"{points}\"/></svg>\n",
        b = h - pad,
        r = w - pad,
        cx = w / 2.0,
        lb = h - pad + 20.0,
        cy = h / 2.0,
        tl = pad - 4.0,
        t = pad + 4.0,
    )
}
