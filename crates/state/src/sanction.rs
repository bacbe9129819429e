//! Sanctions: what the ladder gave, on which target, until when.

use serde::{Deserialize, Serialize};

use crate::{
    audit::{Actor, Subject},
    ladder::SanctionKind,
};

/// Which ladder an offence climbs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LadderName {
    Content,
    Automation,
}

impl LadderName {
    pub fn as_str(self) -> &'static str {
        match self {
            LadderName::Content => "content",
            LadderName::Automation => "automation",
        }
    }
}

/// An offence to record: it adds a strike and earns the ladder's next step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Offence {
    /// When, in seconds since the Unix epoch (the caller's clock).
    pub at: i64,
    pub actor: Actor,
    /// Who or what is sanctioned: an account, device, domain, IP range or app.
    pub target: Subject,
    pub ladder: LadderName,
    pub weight: u32,
    /// The function a restriction applies to (`share_codes`, `links_in_moments`, …).
    pub function: Option<crate::core::Function>,
    pub rule: Option<String>,
    pub policy_version: Option<String>,
    pub reason: String,
    /// The target came back after a ban (a banned device under a new account, a banned
    /// domain behind a new one): straight to the ladder's evasion step.
    pub evasion: bool,
    pub evidence: serde_json::Value,
    /// A reviewer's or admin's override of the ladder's step, with the reason in `reason`.
    /// Ignored for rules and the system: only people override the ladder.
    #[serde(default)]
    pub step: Option<crate::ladder::Step>,
}

impl Offence {
    /// Evasion found by the system (a banned device, address range or domain back under a
    /// new identity): one strike that goes straight to the ladder's evasion step.
    pub fn evasion(
        target: Subject,
        ladder: LadderName,
        reason: String,
        evidence: serde_json::Value,
        at: i64,
    ) -> Offence {
        Offence {
            at,
            actor: Actor {
                kind: crate::audit::ActorKind::System,
                id: "evasion".into(),
            },
            target,
            ladder,
            weight: 1,
            function: None,
            rule: Some("ban-evasion".into()),
            policy_version: None,
            reason,
            evasion: true,
            evidence,
            step: None,
        }
    }
}

/// A sanction as it stands.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sanction {
    pub id: u64,
    pub target: Subject,
    pub kind: SanctionKind,
    pub function: Option<crate::core::Function>,
    pub ladder: LadderName,
    /// Strikes in force when it was given, itself included.
    pub strikes: u32,
    pub starts: i64,
    /// When it ends; none for warnings (nothing to end) and permanent bans.
    pub ends: Option<i64>,
    pub lifted: bool,
    /// Given by a reviewer or admin rather than a rule.
    pub manual: bool,
    pub reason: String,
    pub rule: Option<String>,
    /// The audit record that gave it.
    pub audit_seq: u64,
    /// Given for evasion (straight to the ladder's top).
    #[serde(default)]
    pub evasion: bool,
    /// A person chose the step rather than the ladder.
    #[serde(default)]
    pub overridden: bool,
}

impl Sanction {
    /// Whether it stops the target from logging in (and so from sending anything).
    pub fn bans(&self) -> bool {
        matches!(self.kind, SanctionKind::LoginBan | SanctionKind::Permanent)
    }

    /// In force at `now`: not lifted, started, and not yet ended. A warning is never "in
    /// force": it restricts nothing.
    pub fn in_force(&self, now: i64) -> bool {
        !self.lifted
            && self.kind != SanctionKind::Warning
            && self.starts <= now
            && self.ends.is_none_or(|end| now < end)
    }
}

/// Whether a sanction's target id covers an address: the same address, or a CIDR range that
/// contains it. Ids that are neither cover nothing.
pub fn ip_target_covers(target_id: &str, address: std::net::IpAddr) -> bool {
    if let Ok(range) = target_id.parse::<ipnet::IpNet>() {
        return range.contains(&address);
    }
    target_id.parse::<std::net::IpAddr>() == Ok(address)
}

/// What a sanction can fall on.
pub const SANCTIONABLE: [crate::audit::SubjectKind; 5] = [
    crate::audit::SubjectKind::Account,
    crate::audit::SubjectKind::Device,
    crate::audit::SubjectKind::Domain,
    crate::audit::SubjectKind::Ip,
    crate::audit::SubjectKind::App,
];

/// The longest id menshen takes, in characters (accounts, devices, groups, messages, apps;
/// at most 1 KiB): longer ones are refused, so that no cache or row grows with what a caller
/// sends. Counted in characters so that the API's schema (`maxLength`) can say it exactly.
pub const MAX_ID_CHARS: usize = 256;

/// Check an id from outside: not blank, at most [`MAX_ID_CHARS`] (spaces around it
/// included), no control characters. Returns it trimmed.
pub fn check_id(id: &str) -> Result<&str, String> {
    let length = id.chars().count();
    if length > MAX_ID_CHARS {
        return Err(format!(
            "the id is {length} characters, over the limit of {MAX_ID_CHARS}; send a shorter id (a hash of a long one will do)"
        ));
    }
    let trimmed = id.trim();
    if trimmed.is_empty() {
        return Err("the id is empty or blank; send the id itself".into());
    }
    if trimmed.chars().any(char::is_control) {
        return Err("the id holds control characters; send printable text".into());
    }
    Ok(trimmed)
}

/// The longest free text menshen keeps with a sanction, an appeal or a case (a reviewer's
/// reason, an appellant's statement), in characters (at most 4 KiB): the people who read it
/// need a paragraph, not a book, and every sanction's reason is held in memory.
pub const MAX_TEXT_CHARS: usize = 1024;

/// IP ranges this broad or broader (fewer prefix bits) cover whole providers or countries:
/// sanctioning one needs an admin and an explicit `broad` (see [`is_broad_ip_target`]).
pub const BROAD_IPV4_PREFIX: u8 = 16;
/// The same for IPv6: a /32 is a whole provider's allocation.
pub const BROAD_IPV6_PREFIX: u8 = 32;

/// Whether an IP target (an address or a canonical CIDR range) is broader than a /16 for
/// IPv4 or a /32 for IPv6.
pub fn is_broad_ip_target(id: &str) -> bool {
    match id.parse::<ipnet::IpNet>() {
        Ok(ipnet::IpNet::V4(range)) => range.prefix_len() < BROAD_IPV4_PREFIX,
        Ok(ipnet::IpNet::V6(range)) => range.prefix_len() < BROAD_IPV6_PREFIX,
        Err(_) => false,
    }
}

/// The longest timed sanction, in hours (one year): anything longer is `permanent`, which
/// says so.
pub const MAX_SANCTION_HOURS: u32 = 24 * 366;

/// Check and canonicalize a sanction target's id: IP targets must be an address or a CIDR
/// range (written in canonical form), domains must be host names with a registrable domain
/// (read the WHATWG way), apps are lower-cased, and every id passes [`check_id`].
pub fn canonical_target_id(kind: crate::audit::SubjectKind, id: &str) -> Result<String, String> {
    use crate::audit::SubjectKind;
    let id = check_id(id)?;
    match kind {
        SubjectKind::Ip => {
            if let Ok(address) = id.parse::<std::net::IpAddr>() {
                Ok(address.to_string())
            } else if let Ok(range) = id.parse::<ipnet::IpNet>() {
                Ok(range.trunc().to_string())
            } else {
                Err(format!(
                    "`{id}` is neither an IP address nor a CIDR range (e.g. 203.0.113.7 or 203.0.113.0/24)"
                ))
            }
        }
        // The WHATWG reading links get: ASCII (IDNA), lower case, no trailing dot, so a
        // sanction on `例子.中国` and one on `xn--fsqu00a.xn--fiqs8s` are the same target.
        SubjectKind::Domain => match menshen_detect::links::host::canonical_host(id) {
            Ok(menshen_detect::links::host::CanonicalHost::Domain(domain))
                if psl::domain_str(&domain).is_some() && domain.contains('.') =>
            {
                Ok(domain)
            }
            Ok(menshen_detect::links::host::CanonicalHost::Domain(domain)) => Err(format!(
                "`{domain}` is not a domain on the public suffix list; write a registrable domain or a host under one (example.com, m.example.com)"
            )),
            Ok(menshen_detect::links::host::CanonicalHost::Ip(address)) => Err(format!(
                "`{address}` is an IP address; sanction it with the kind `ip`, not `domain`"
            )),
            Err(error) => Err(error.to_string()),
        },
        SubjectKind::App => Ok(id.to_lowercase()),
        SubjectKind::Account | SubjectKind::Device => Ok(id.to_owned()),
        SubjectKind::Message
        | SubjectKind::Group
        | SubjectKind::Report
        | SubjectKind::Appeal
        | SubjectKind::Case => Err(format!(
            "a {kind:?} cannot be sanctioned; targets are account, device, domain, ip and app"
        )
        .to_lowercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::SubjectKind;

    #[test]
    fn ip_targets_cover_addresses_and_ranges() {
        let address = "203.0.113.7".parse().unwrap();
        assert!(ip_target_covers("203.0.113.7", address));
        assert!(ip_target_covers("203.0.113.0/24", address));
        assert!(!ip_target_covers("203.0.114.0/24", address));
        assert!(!ip_target_covers("not-an-ip", address));
        assert!(ip_target_covers(
            "2001:db8::/32",
            "2001:db8::1".parse().unwrap()
        ));
    }

    #[test]
    fn target_ids_are_checked_and_canonical() {
        assert_eq!(
            canonical_target_id(SubjectKind::Ip, "203.0.113.9/24").unwrap(),
            "203.0.113.0/24"
        );
        assert!(canonical_target_id(SubjectKind::Ip, "203.0.113/24").is_err());
        assert_eq!(
            canonical_target_id(SubjectKind::Domain, "Scam.Example.").unwrap(),
            "scam.example"
        );
        assert_eq!(
            canonical_target_id(SubjectKind::Domain, "例子.中国").unwrap(),
            canonical_target_id(SubjectKind::Domain, "XN--fsqu00a.xn--fiqs8s").unwrap()
        );
        let ip = canonical_target_id(SubjectKind::Domain, "1.2.3.4").unwrap_err();
        assert!(ip.contains("kind `ip`"), "{ip}");
        assert!(canonical_target_id(SubjectKind::Domain, "a b.com").is_err());
        assert!(canonical_target_id(SubjectKind::Message, "m1").is_err());
        assert!(canonical_target_id(SubjectKind::Account, "  ").is_err());
        assert!(canonical_target_id(SubjectKind::Domain, "localhost").is_err());
        assert!(canonical_target_id(SubjectKind::Domain, "com").is_err());
        let long = "u".repeat(MAX_ID_CHARS + 1);
        let error = canonical_target_id(SubjectKind::Account, &long).unwrap_err();
        assert!(error.contains("over the limit of 256"), "{error}");
        let padded = format!("u{}", " ".repeat(MAX_ID_CHARS));
        assert!(
            canonical_target_id(SubjectKind::Account, &padded).is_err(),
            "spaces count"
        );
        assert!(canonical_target_id(SubjectKind::Device, "d\u{0}1").is_err());
        assert_eq!(
            canonical_target_id(SubjectKind::Account, &"u".repeat(MAX_ID_CHARS)).map(|id| id.len()),
            Ok(MAX_ID_CHARS)
        );
    }

    #[test]
    fn broad_ip_ranges_are_told_apart() {
        for broad in [
            "0.0.0.0/0",
            "10.0.0.0/8",
            "100.64.0.0/15",
            "::/0",
            "2001:db8::/31",
        ] {
            assert!(is_broad_ip_target(broad), "{broad}");
        }
        for narrow in [
            "203.0.113.7",
            "10.1.0.0/16",
            "203.0.113.0/24",
            "2001:db8::/32",
            "::1",
        ] {
            assert!(!is_broad_ip_target(narrow), "{narrow}");
        }
    }
}
