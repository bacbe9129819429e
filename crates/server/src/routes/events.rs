//! `POST /v1/events`: behaviour events, batched. They feed the detectors; signals feed the
//! senders' standing and, for automation, the automation ladder. Logins are also checked
//! for evasion (a banned device or address under another account).

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_state::{
    audit::{Actor, ActorKind, Subject, SubjectKind},
    behaviour::{BehaviourEvent, Signal},
    sanction::{LadderName, Offence, Sanction, canonical_target_id},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    app::App,
    auth::{Authorized, ServiceRole},
    enforce::{ban_reason, evasion_reason},
    error::{ApiError, Body, ErrorBody},
    locale::RequestLocale,
};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Events {
    /// Behaviour events, each an object with `kind` (`friend_request`, `group_message`,
    /// `forward`, `reply`, `red_packet_grab`, `login`, `group_invite`, `group_kick`), its
    /// fields, and optionally `ts` (RFC 3339; default now).
    #[schema(schema_with = crate::schema::behaviour_events)]
    pub events: Vec<serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct EventsResult {
    pub accepted: usize,
    #[schema(value_type = Vec<Object>)]
    pub signals: Vec<Signal>,
    /// Sanctions the signals and evasion earned.
    #[schema(value_type = Vec<Object>)]
    pub sanctions: Vec<Sanction>,
    /// Logins that must be refused, with the reason to show.
    pub refused_logins: Vec<RefusedLogin>,
    /// Actions the platform must refuse because the account's function is restricted (friend
    /// requests, group posts and forwards, group creation and invitations).
    pub refused: Vec<RefusedAction>,
}

#[derive(Serialize, ToSchema)]
pub struct RefusedAction {
    /// The event's index in the request.
    pub index: usize,
    pub account: String,
    /// The restricted function.
    #[schema(value_type = String)]
    pub function: menshen_policy::Function,
    /// When it may be used again (RFC 3339), or "permanent".
    pub until: String,
    /// What to show the account.
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RefusedLogin {
    pub account: String,
    pub reason: String,
}

/// The banned domain that `host` is or lies under, if any.
fn banned_domain<'a>(banned: &'a std::collections::HashSet<String>, host: &str) -> Option<&'a str> {
    let host = host.trim_end_matches('.').to_lowercase();
    let mut rest = host.as_str();
    loop {
        if let Some(found) = banned.get(rest) {
            return Some(found);
        }
        rest = rest.split_once('.')?.1;
    }
}

/// Parse one event: its `ts` and the event itself, with the index in any error.
fn parse(
    index: usize,
    mut value: serde_json::Value,
    now: i64,
) -> Result<(i64, BehaviourEvent), ApiError> {
    let field = |name: &str| format!("events[{index}]{name}");
    let ts = match value.as_object_mut().and_then(|o| o.remove("ts")) {
        None => now,
        Some(serde_json::Value::String(ts)) => menshen_policy::time::parse_rfc3339(&ts)
            .map_err(|e| ApiError::field(field(".ts"), e))?
            .as_second(),
        Some(other) => {
            return Err(ApiError::field(
                field(".ts"),
                format!("expected an RFC 3339 string, got {other}"),
            ));
        }
    };
    let mut event: BehaviourEvent = crate::error::read_value(&mut value).map_err(|e| {
        ApiError::field(
            field(""),
            format!("{e}; see the kinds and their fields in /v1/openapi.json"),
        )
    })?;
    for (name, id) in event.ids() {
        ApiError::check_id(&field(&format!(".{name}")), id)?;
    }
    match &mut event {
        BehaviourEvent::Login { ip: Some(ip), .. } if ip.parse::<std::net::IpAddr>().is_err() => {
            return Err(ApiError::field(
                field(".ip"),
                format!("`{ip}` is not an IP address"),
            ));
        }
        // Both ends in the form sanctions take, so a banned `to` is found in any spelling.
        BehaviourEvent::Redirect { from, to } => {
            for (name, host) in [(".from", from), (".to", to)] {
                *host = canonical_target_id(SubjectKind::Domain, host)
                    .map_err(|e| ApiError::field(field(name), e))?;
            }
        }
        _ => {}
    }
    Ok((ts, event))
}

/// Send behaviour events.
#[utoipa::path(post, operation_id = "events_events", path = "/v1/events", request_body = Events,
    responses((status = 200, description = "the answer", body = EventsResult), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn events(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceRole>,
    RequestLocale(locale): RequestLocale,
    Body(events): Body<Events>,
) -> Result<Json<EventsResult>, ApiError> {
    if events.events.len() > app.config.max_batch {
        return Err(ApiError::field(
            "events",
            format!("more than {} events; split the batch", app.config.max_batch),
        ));
    }
    let now = app.now();
    let mut parsed = Vec::with_capacity(events.events.len());
    for (index, value) in events.events.into_iter().enumerate() {
        parsed.push(parse(index, value, now)?);
    }
    let mut signals = Vec::new();
    let mut refused_logins = Vec::new();
    let mut offences = Vec::new();
    {
        // Fingerprint group messages before taking the detectors' lock.
        let mut scratch = menshen_detect::Scratch::default();
        let engine = app.engine();
        let analyzer = &engine.analyzer;
        for (_, event) in &mut parsed {
            if let BehaviourEvent::GroupMessage {
                fingerprint,
                text: Some(text),
                ..
            } = event
                && fingerprint.is_none()
            {
                *fingerprint = analyzer.fingerprint(text, &mut scratch);
            }
        }
        let mut detectors = app
            .behaviour
            .detectors
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        for (at, event) in &parsed {
            signals.extend(detectors.observe(event, *at));
        }
    }
    // Signals live in standings for a day of the server's clock, like sanctions.
    app.remember_signals(&signals, now);
    // Logins: a banned account is refused; an account arriving through a banned device or
    // address is evading. Redirects: a new domain in front of a banned one is the banned one.
    // Restricted functions: the event they govern is refused.
    let mut refused = Vec::new();
    {
        let snapshot = app.snapshot(now);
        let cache = app.cache();
        for (index, (_, event)) in parsed.iter().enumerate() {
            if let Some(function) = event.governed_by()
                && let Some(restriction) = cache.account(event.actor()).and_then(|r| {
                    r.standing(&app.engine().ladders, now)
                        .restrictions
                        .into_iter()
                        .find(|x| x.function == function)
                })
            {
                let until = crate::enforce::until(restriction.until);
                refused.push(RefusedAction {
                    index,
                    account: event.actor().to_owned(),
                    function,
                    reason: crate::enforce::refusal_reason(function, &until, locale),
                    until,
                });
            }
            let evidence = || serde_json::to_value(event).unwrap_or_default();
            match event {
                BehaviourEvent::Login {
                    account,
                    device,
                    ip,
                    ..
                } => {
                    if let Some(ban) = cache
                        .account(account)
                        .and_then(|r| r.standing(&app.engine().ladders, now).ban)
                    {
                        refused_logins.push(RefusedLogin {
                            account: account.clone(),
                            reason: ban_reason(&ban, locale),
                        });
                        continue;
                    }
                    let address = ip.as_deref().and_then(|ip| ip.parse().ok());
                    if let Some(ban) = snapshot.ban_covering(Some(device), address) {
                        let reason = evasion_reason(ban, locale);
                        refused_logins.push(RefusedLogin {
                            account: account.clone(),
                            reason: reason.clone(),
                        });
                        let target = Subject {
                            kind: SubjectKind::Account,
                            id: account.clone(),
                        };
                        // The ban's id, so that lifting it can find this evasion.
                        let evidence = serde_json::json!({"event": evidence(), "ban": ban.id});
                        offences.push(Offence::evasion(target, ban.ladder, reason, evidence, now));
                    }
                }
                BehaviourEvent::Redirect { from, to } => {
                    let Some(banned) = banned_domain(&snapshot.sanctions.domains, to) else {
                        continue;
                    };
                    let from = from.clone();
                    if banned_domain(&snapshot.sanctions.domains, &from).is_some() {
                        continue;
                    }
                    let reason = format!("{from} redirects to the banned domain {banned}");
                    let target = Subject {
                        kind: SubjectKind::Domain,
                        id: from,
                    };
                    offences.push(Offence::evasion(
                        target,
                        LadderName::Content,
                        reason,
                        evidence(),
                        now,
                    ));
                }
                _ => {}
            }
        }
    }
    for signal in signals.iter().filter(|s| s.automation) {
        app.metrics
            .signals
            .get_or_create(&crate::metrics::NameLabel {
                name: signal.name.as_str().to_owned(),
            })
            .inc();
        offences.push(Offence {
            at: now,
            actor: Actor {
                kind: ActorKind::Rule,
                id: signal.name.as_str().to_owned(),
            },
            target: signal.subject.clone(),
            ladder: LadderName::Automation,
            weight: 1,
            function: None,
            rule: Some(signal.name.as_str().to_owned()),
            policy_version: None,
            reason: signal.detail.clone(),
            evasion: false,
            evidence: serde_json::json!({ "signal": signal }),
            step: None,
        });
    }
    let accepted = parsed.len();
    app.metrics.events.inc_by(accepted as u64);
    let sanctions = app.record_offences(offences).await?;
    for sanction in &sanctions {
        app.metrics.sanction(sanction.kind);
    }
    Ok(Json(EventsResult {
        accepted,
        signals,
        sanctions,
        refused_logins,
        refused,
    }))
}
