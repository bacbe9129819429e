//! The enforcement core's words: audit actions and outbox topics (restriction functions are
//! the policy's, [`menshen_policy::Function`]). Each is an enum with one list that serde, the
//! store and the API all use.

pub use menshen_policy::Function;
use menshen_policy::vocabulary;

vocabulary! {
    /// What an audit record says happened.
    AuditAction {
        /// A message withheld from its recipients.
        Verdict = "verdict",
        SanctionIssue = "sanction.issue",
        SanctionLift = "sanction.lift",
        /// A sanction recomputed after an earlier strike was reversed.
        SanctionAmend = "sanction.amend",
        AppealFile = "appeal.file",
        AppealUpheld = "appeal.upheld",
        AppealReversed = "appeal.reversed",
        ReportFile = "report.file",
        /// A held message waits for review in a case.
        CaseHold = "case.hold",
        CaseAssign = "case.assign",
        CaseEscalate = "case.escalate",
        CaseResolve = "case.resolve",
        CaseVerified = "case.verified",
        CaseDismissed = "case.dismissed",
        CaseBadFaith = "case.bad_faith",
        TokenCreate = "token.create",
        TokenRevoke = "token.revoke",
    }
}

vocabulary! {
    /// What a webhook notification announces.
    Topic {
        SanctionIssue = "sanction.issue",
        SanctionLift = "sanction.lift",
        SanctionAmend = "sanction.amend",
        AppealDecide = "appeal.decide",
        /// A reporter's report was decided.
        ReportOutcome = "report.outcome",
        /// A case against an account was verified: the account is told how to appeal.
        CaseVerified = "case.verified",
        /// The audit chain's head, so that a truncation can be seen from outside.
        AuditCheckpoint = "audit.checkpoint",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_json_and_parse_back() {
        for a in AuditAction::ALL {
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        for t in Topic::ALL {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
        }
        assert_eq!(AuditAction::parse("sanction.burn"), None);
    }
}
