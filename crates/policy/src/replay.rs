//! Replay: a candidate policy beside the current one over a recorded event stream, before
//! anything goes live.
//!
//! [`Replay`] accumulates in constant memory: counts per action and per rule for both sides,
//! the from→to change matrix with a few sample messages per changed pair, and, where events
//! carry a label, each side's confusion matrix and the innocent senders the candidate would
//! newly act on ("accidental injury"). "Acting on" a message means any action but `allow`.
//! [`Replay::text_report`] and [`Replay::html_report`] render it.

use std::{
    collections::{BTreeMap, HashSet},
    fmt::Write as _,
};

use crate::{Action, Decision};

/// Sample messages kept per changed (from, to) pair.
pub const SAMPLES_PER_CHANGE: usize = 3;
/// Innocent senders counted exactly up to this many; past it the report says "at least".
pub const SENDER_CAP: usize = 100_000;

const ACTIONS: [Action; 6] = Action::ALL;

fn index(action: Action) -> usize {
    action.index()
}

/// A label carried by an event: unwanted (spam, fraud, ads) or innocent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Unwanted,
    Innocent,
}

impl Label {
    /// Read `spam`/`ham`, `1`/`0`, `true`/`false`.
    pub fn parse(label: &str) -> Option<Label> {
        match label.trim().to_ascii_lowercase().as_str() {
            "spam" | "1" | "true" | "unwanted" | "fraud" | "ad" => Some(Label::Unwanted),
            "ham" | "0" | "false" | "innocent" => Some(Label::Innocent),
            _ => None,
        }
    }
}

/// Counts for one side of a replay.
#[derive(Clone, Debug, Default)]
pub struct Side {
    pub name: String,
    pub actions: [u64; 6],
    pub rules: BTreeMap<String, u64>,
    pub shadow_rules: BTreeMap<String, u64>,
    /// Labelled events: acted on unwanted, acted on innocent, missed unwanted, left innocent.
    pub true_positives: u64,
    pub false_positives: u64,
    pub false_negatives: u64,
    pub true_negatives: u64,
}

impl Side {
    fn add(&mut self, decision: &Decision, label: Option<Label>) {
        self.actions[index(decision.action)] += 1;
        for reason in &decision.reasons {
            *self.rules.entry(reason.rule.clone()).or_default() += 1;
        }
        for reason in &decision.shadow {
            *self.shadow_rules.entry(reason.rule.clone()).or_default() += 1;
        }
        let acted = decision.action != Action::Allow;
        match (label, acted) {
            (Some(Label::Unwanted), true) => self.true_positives += 1,
            (Some(Label::Innocent), true) => self.false_positives += 1,
            (Some(Label::Unwanted), false) => self.false_negatives += 1,
            (Some(Label::Innocent), false) => self.true_negatives += 1,
            (None, _) => {}
        }
    }

    pub fn labelled(&self) -> u64 {
        self.true_positives + self.false_positives + self.false_negatives + self.true_negatives
    }

    /// Of the labelled messages acted on, the share that was unwanted.
    pub fn precision(&self) -> Option<f64> {
        let acted = self.true_positives + self.false_positives;
        (acted > 0).then(|| self.true_positives as f64 / acted as f64)
    }

    /// Of the unwanted labelled messages, the share acted on.
    pub fn recall(&self) -> Option<f64> {
        let unwanted = self.true_positives + self.false_negatives;
        (unwanted > 0).then(|| self.true_positives as f64 / unwanted as f64)
    }
}

/// A replay in progress.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    pub baseline: Side,
    pub candidate: Side,
    pub events: u64,
    /// `changes[from][to]`: events whose action went from `from` (baseline) to `to`.
    pub changes: [[u64; 6]; 6],
    /// A few messages per changed pair, in arrival order.
    pub samples: BTreeMap<(usize, usize), Vec<String>>,
    /// Innocent events the candidate acts on and the baseline did not.
    pub newly_injured_events: u64,
    newly_injured_senders: HashSet<String>,
    senders_capped: bool,
}

impl Replay {
    pub fn new(baseline: &str, candidate: &str) -> Self {
        let side = |name: &str| Side {
            name: name.to_owned(),
            ..Side::default()
        };
        Replay {
            baseline: side(baseline),
            candidate: side(candidate),
            ..Replay::default()
        }
    }

    /// Add one event's two decisions.
    pub fn add(
        &mut self,
        text: &str,
        sender: Option<&str>,
        label: Option<Label>,
        baseline: &Decision,
        candidate: &Decision,
    ) {
        self.events += 1;
        self.baseline.add(baseline, label);
        self.candidate.add(candidate, label);
        let (from, to) = (index(baseline.action), index(candidate.action));
        self.changes[from][to] += 1;
        if from != to {
            let samples = self.samples.entry((from, to)).or_default();
            if samples.len() < SAMPLES_PER_CHANGE {
                samples.push(text.chars().take(200).collect());
            }
        }
        if label == Some(Label::Innocent)
            && baseline.action == Action::Allow
            && candidate.action != Action::Allow
        {
            self.newly_injured_events += 1;
            if let Some(sender) = sender {
                if self.newly_injured_senders.len() < SENDER_CAP {
                    self.newly_injured_senders.insert(sender.to_owned());
                } else if !self.newly_injured_senders.contains(sender) {
                    self.senders_capped = true;
                }
            }
        }
    }

    /// Distinct innocent senders the candidate newly acts on, and whether that is a lower bound.
    pub fn newly_injured_senders(&self) -> (usize, bool) {
        (self.newly_injured_senders.len(), self.senders_capped)
    }

    /// Events whose action differs.
    pub fn changed(&self) -> u64 {
        (0..6)
            .flat_map(|f| (0..6).map(move |t| (f, t)))
            .filter(|(f, t)| f != t)
            .map(|(f, t)| self.changes[f][t])
            .sum()
    }

    /// A plain-text report for a terminal.
    pub fn text_report(&self) -> String {
        let mut out = String::new();
        let (b, c) = (&self.baseline, &self.candidate);
        let _ = writeln!(
            out,
            "replay: {} events, baseline `{}`, candidate `{}`",
            self.events, b.name, c.name
        );
        let actions: Vec<Vec<String>> = ACTIONS
            .iter()
            .enumerate()
            .map(|(i, action)| {
                let delta = c.actions[i] as i64 - b.actions[i] as i64;
                vec![
                    name(*action).to_owned(),
                    b.actions[i].to_string(),
                    c.actions[i].to_string(),
                    format!("{delta:+}"),
                ]
            })
            .collect();
        out.push('\n');
        table(
            &mut out,
            &["actions", "baseline", "candidate", "change"],
            &actions,
        );
        let rules: std::collections::BTreeSet<&String> =
            b.rules.keys().chain(c.rules.keys()).collect();
        let mut rows: Vec<Vec<String>> = rules
            .into_iter()
            .map(|rule| {
                vec![
                    rule.clone(),
                    b.rules.get(rule).unwrap_or(&0).to_string(),
                    c.rules.get(rule).unwrap_or(&0).to_string(),
                ]
            })
            .collect();
        for (index, side) in [b, c].into_iter().enumerate() {
            for (rule, count) in &side.shadow_rules {
                let mut row = vec![format!("{rule} (shadow)"), String::new(), String::new()];
                row[1 + index] = count.to_string();
                rows.push(row);
            }
        }
        out.push('\n');
        table(&mut out, &["rules", "baseline", "candidate"], &rows);
        let _ = writeln!(
            out,
            "\nchanged: {} events (from -> to: count; samples)",
            self.changed()
        );
        for ((from, to), samples) in &self.samples {
            let _ = writeln!(
                out,
                "  {} -> {}: {}",
                name(ACTIONS[*from]),
                name(ACTIONS[*to]),
                self.changes[*from][*to]
            );
            for sample in samples {
                let _ = writeln!(out, "      {sample}");
            }
        }
        if b.labelled() > 0 {
            let pct = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{:.3}", v));
            let _ = writeln!(out, "\nlabelled: {} events", b.labelled());
            let rows: Vec<Vec<String>> = [b, c]
                .into_iter()
                .map(|side| {
                    vec![
                        side.name.clone(),
                        pct(side.precision()),
                        pct(side.recall()),
                        side.false_positives.to_string(),
                        side.false_negatives.to_string(),
                    ]
                })
                .collect();
            table(
                &mut out,
                &["side", "precision", "recall", "FP", "FN"],
                &rows,
            );
            let (senders, capped) = self.newly_injured_senders();
            let _ = writeln!(
                out,
                "  accidental injury: the candidate newly acts on {} innocent events from {}{} distinct senders",
                self.newly_injured_events,
                if capped { "at least " } else { "" },
                senders
            );
        }
        out
    }

    /// A self-contained HTML report: inline SVG charts, no scripts, no outside resources.
    pub fn html_report(&self) -> String {
        let (b, c) = (&self.baseline, &self.candidate);
        let mut out = String::new();
        let _ = write!(
            out,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>menshen replay: {} → {}</title><style>{STYLE}</style></head><body>",
            escape(&b.name),
            escape(&c.name)
        );
        let _ = write!(
            out,
            "<h1>Replay: <code>{}</code> → <code>{}</code></h1><p>{} events; {} change action ({:.2}%).</p>",
            escape(&b.name),
            escape(&c.name),
            self.events,
            self.changed(),
            100.0 * self.changed() as f64 / self.events.max(1) as f64
        );
        // Action distribution: paired bars.
        out.push_str("<h2>Actions</h2>");
        let max = ACTIONS
            .iter()
            .enumerate()
            .map(|(i, _)| b.actions[i].max(c.actions[i]))
            .max()
            .unwrap_or(1)
            .max(1);
        let _ = write!(
            out,
            "<svg role=\"img\" aria-label=\"actions per side\" width=\"640\" height=\"{}\">",
            ACTIONS.len() * 44 + 10
        );
        for (i, action) in ACTIONS.iter().enumerate() {
            let y = i * 44 + 5;
            let w = |v: u64| 1 + (v as f64 / max as f64 * 420.0) as u64;
            let _ = write!(
                out,
                "<text x=\"0\" y=\"{}\">{}</text><rect class=\"base\" x=\"110\" y=\"{}\" width=\"{}\" height=\"16\"/><text x=\"{}\" y=\"{}\">{}</text><rect class=\"cand\" x=\"110\" y=\"{}\" width=\"{}\" height=\"16\"/><text x=\"{}\" y=\"{}\">{}</text>",
                y + 22,
                name(*action),
                y,
                w(b.actions[i]),
                118 + w(b.actions[i]),
                y + 13,
                b.actions[i],
                y + 18,
                w(c.actions[i]),
                118 + w(c.actions[i]),
                y + 31,
                c.actions[i]
            );
        }
        out.push_str("</svg><p class=\"legend\"><span class=\"base-key\"></span> baseline <span class=\"cand-key\"></span> candidate</p>");
        // Change matrix as a heat table.
        out.push_str("<h2>Changes (rows: baseline, columns: candidate)</h2><table><tr><th></th>");
        for action in ACTIONS {
            let _ = write!(out, "<th>{}</th>", name(action));
        }
        out.push_str("</tr>");
        // Changed and unchanged cells are shaded against their own maximum: the unchanged
        // diagonal would otherwise wash every change out.
        let max_where = |changed: bool| {
            (0..6)
                .flat_map(|f| (0..6).map(move |t| (f, t)))
                .filter(|(f, t)| (f != t) == changed)
                .map(|(f, t)| self.changes[f][t])
                .max()
                .unwrap_or(0)
                .max(1)
        };
        let (most_changed, most_same) = (max_where(true), max_where(false));
        for (f, from) in ACTIONS.iter().enumerate() {
            let _ = write!(out, "<tr><th>{}</th>", name(*from));
            for t in 0..6 {
                let count = self.changes[f][t];
                let most = if f == t { most_same } else { most_changed };
                let shade = (count as f64 / most as f64 * 0.85 * 100.0).round();
                let class = if f == t { "same" } else { "diff" };
                let _ = write!(
                    out,
                    "<td class=\"{class}\" style=\"--shade:{shade}%\">{count}</td>"
                );
            }
            out.push_str("</tr>");
        }
        out.push_str("</table>");
        // Rules.
        out.push_str(
            "<h2>Rules</h2><table><tr><th>rule</th><th>baseline</th><th>candidate</th></tr>",
        );
        let rules: std::collections::BTreeSet<&String> =
            b.rules.keys().chain(c.rules.keys()).collect();
        for rule in rules {
            let _ = write!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(rule),
                b.rules.get(rule).unwrap_or(&0),
                c.rules.get(rule).unwrap_or(&0)
            );
        }
        for side in [b, c] {
            for (rule, count) in &side.shadow_rules {
                let _ = write!(
                    out,
                    "<tr><td><code>{}</code> (shadow in {})</td><td colspan=\"2\">{count}</td></tr>",
                    escape(rule),
                    escape(&side.name)
                );
            }
        }
        out.push_str("</table>");
        if b.labelled() > 0 {
            let fmt = |v: Option<f64>| v.map_or("–".to_owned(), |v| format!("{v:.3}"));
            out.push_str("<h2>Quality on labelled events</h2><table><tr><th>side</th><th>precision</th><th>recall</th><th>false positives</th><th>false negatives</th></tr>");
            for side in [b, c] {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&side.name),
                    fmt(side.precision()),
                    fmt(side.recall()),
                    side.false_positives,
                    side.false_negatives
                );
            }
            let (senders, capped) = self.newly_injured_senders();
            let _ = write!(
                out,
                "</table><p class=\"injury\">Accidental injury: the candidate newly acts on <strong>{}</strong> innocent events from <strong>{}{}</strong> distinct senders.</p>",
                self.newly_injured_events,
                if capped { "at least " } else { "" },
                senders
            );
        }
        out.push_str("<h2>Samples of changed messages</h2>");
        for ((from, to), samples) in &self.samples {
            let _ = write!(
                out,
                "<h3>{} → {} ({})</h3><ul>",
                name(ACTIONS[*from]),
                name(ACTIONS[*to]),
                self.changes[*from][*to]
            );
            for sample in samples {
                let _ = write!(out, "<li><bdi>{}</bdi></li>", escape(sample));
            }
            out.push_str("</ul>");
        }
        out.push_str("</body></html>\n");
        out
    }
}

/// A plain-text table: the first column left-aligned, the others right-aligned, every column
/// as wide as its widest cell (counted in characters; rule ids and names are ASCII).
fn table(out: &mut String, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |cells: &mut dyn Iterator<Item = &str>| {
        let mut text = String::from(" ");
        for (column, (cell, width)) in cells.zip(&widths).enumerate() {
            text.push(' ');
            if column == 0 {
                let _ = write!(text, "{cell:<width$}");
            } else {
                let _ = write!(text, " {cell:>width$}");
            }
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&mut header.iter().copied());
    for row in rows {
        line(&mut row.iter().map(String::as_str));
    }
}

fn name(action: Action) -> &'static str {
    crate::testing::action_name(action)
}

/// Escape text for HTML element content and attribute values. Sample messages are hostile by
/// definition; bidi controls are kept inert by `<bdi>` around them.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font-family:system-ui,'Noto Sans CJK SC','PingFang SC','Microsoft YaHei','WenQuanYi Zen Hei',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}\
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:right}\
td:first-child,th:first-child{text-align:left}td.diff{background:color-mix(in srgb,#d9480f var(--shade),white)}\
td.same{background:color-mix(in srgb,#1c7ed6 var(--shade),white)}svg text{font-size:12px}rect.base{fill:#1c7ed6}rect.cand{fill:#d9480f}\
.legend span{display:inline-block;width:1em;height:1em;vertical-align:middle}.base-key{background:#1c7ed6}.cand-key{background:#d9480f}\
.injury{font-size:1.1rem}li{margin:.2rem 0}";
