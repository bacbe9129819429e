//! Prometheus metrics at `GET /metrics`.

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ActionLabel {
    pub action: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NameLabel {
    pub name: String,
}

pub struct Metrics {
    registry: Registry,
    /// Messages checked, by verdict action.
    pub checks: Family<ActionLabel, Counter>,
    /// Behaviour events accepted.
    pub events: Counter,
    /// Behaviour signals raised, by name.
    pub signals: Family<NameLabel, Counter>,
    /// Sanctions issued, by kind.
    pub sanctions: Family<NameLabel, Counter>,
    /// Reports filed, by reason.
    pub reports: Family<NameLabel, Counter>,
    /// Cases resolved, by outcome.
    pub cases: Family<NameLabel, Counter>,
    /// Webhook deliveries that failed (and will be retried).
    pub webhook_failures: Counter,
    /// Rules in shadow mode that matched, by rule: what they would have done live.
    pub shadow: Family<NameLabel, Counter>,
    /// Rules whose condition failed to evaluate, by rule (no match unless `fail_closed`).
    pub rule_errors: Family<NameLabel, Counter>,
    /// Time to check one message, in seconds (single checks only).
    pub check_seconds: Histogram,
    /// The audit chain's head: its last record's number, read at each scrape, so that a
    /// monitor sees it never go down (a truncation).
    pub audit_head: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("menshen");
        let checks = Family::<ActionLabel, Counter>::default();
        let events = Counter::default();
        let signals = Family::<NameLabel, Counter>::default();
        let sanctions = Family::<NameLabel, Counter>::default();
        let reports = Family::<NameLabel, Counter>::default();
        let cases = Family::<NameLabel, Counter>::default();
        let webhook_failures = Counter::default();
        let check_seconds =
            Histogram::new([0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05]);
        registry.register("checks", "Messages checked, by action", checks.clone());
        registry.register("events", "Behaviour events accepted", events.clone());
        registry.register(
            "signals",
            "Behaviour signals raised, by name",
            signals.clone(),
        );
        registry.register("sanctions", "Sanctions issued, by kind", sanctions.clone());
        registry.register("reports", "Reports filed, by reason", reports.clone());
        registry.register("cases", "Cases resolved, by outcome", cases.clone());
        registry.register(
            "webhook_failures",
            "Webhook deliveries that failed and wait for a retry",
            webhook_failures.clone(),
        );
        registry.register(
            "check_seconds",
            "Time to check one message",
            check_seconds.clone(),
        );
        let shadow = Family::<NameLabel, Counter>::default();
        registry.register(
            "shadow_matches",
            "Matches of rules in shadow mode, by rule (no effect)",
            shadow.clone(),
        );
        let rule_errors = Family::<NameLabel, Counter>::default();
        registry.register(
            "rule_errors",
            "Rule conditions that failed to evaluate, by rule",
            rule_errors.clone(),
        );
        let audit_head = Gauge::default();
        registry.register(
            "audit_head_seq",
            "The audit chain's last record number (it never goes down)",
            audit_head.clone(),
        );
        Metrics {
            shadow,
            rule_errors,
            audit_head,
            registry,
            checks,
            events,
            signals,
            sanctions,
            reports,
            cases,
            webhook_failures,
            check_seconds,
        }
    }
}

impl Metrics {
    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode(&mut out, &self.registry);
        out
    }

    /// Count checks by action: one metric update per action, not per message.
    pub fn count_checks(&self, actions: impl Iterator<Item = menshen_policy::Action>) {
        let mut counts = [0u64; 6];
        for action in actions {
            counts[action.index()] += 1;
        }
        for (action, count) in menshen_policy::Action::ALL.into_iter().zip(counts) {
            if count > 0 {
                self.checks
                    .get_or_create(&ActionLabel {
                        action: action.as_str().to_owned(),
                    })
                    .inc_by(count);
            }
        }
    }

    pub fn report(&self, reason: &str) {
        self.reports
            .get_or_create(&NameLabel {
                name: reason.to_owned(),
            })
            .inc();
    }

    pub fn case_resolved(&self, outcome: &str) {
        self.cases
            .get_or_create(&NameLabel {
                name: outcome.to_owned(),
            })
            .inc();
    }

    pub fn sanction(&self, kind: impl serde::Serialize) {
        let name = serde_json::to_value(kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        self.sanctions.get_or_create(&NameLabel { name }).inc();
    }
}
