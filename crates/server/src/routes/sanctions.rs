//! Sanctions by people: issue (through the ladder, or overriding it with a reason), lift,
//! read.

use std::sync::Arc;

use axum::{Json, extract::State};
use menshen_policy::Function;
use menshen_state::{
    audit::Subject,
    ladder::Step,
    sanction::{
        LadderName, MAX_SANCTION_HOURS, Offence, Sanction, canonical_target_id, is_broad_ip_target,
    },
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{
    app::App,
    auth::{Authorized, ReviewerRole, ServiceOrReviewer},
    error::{ApiError, Body, ErrorBody, PathParams},
    routes::subjects::subject_kind,
};

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// `account`, `device`, `domain`, `ip` (address or CIDR range) or `app`.
    #[schema(schema_with = crate::schema::target_kind)]
    pub kind: String,
    #[schema(schema_with = crate::schema::id)]
    pub id: String,
}

/// A sanction target from a request, canonicalized (`field` names it in errors).
pub fn target_of(spec: &TargetSpec, field: &str) -> Result<Subject, ApiError> {
    let kind = subject_kind(&spec.kind, &format!("{field}.kind"))?;
    let id = canonical_target_id(kind, &spec.id)
        .map_err(|e| ApiError::field(format!("{field}.id"), e))?;
    Ok(Subject { kind, id })
}

/// A restriction names a known function (returned parsed); a person's step override has
/// hours exactly when it is timed. `prefix` is the JSON path of the object holding them
/// (`offence.`).
pub fn check_function_and_step(
    function: Option<&str>,
    step: Option<&Step>,
    prefix: &str,
) -> Result<Option<Function>, ApiError> {
    let function = match function {
        None => None,
        Some(name) => Some(Function::parse(name).ok_or_else(|| {
            ApiError::field(
                format!("{prefix}function"),
                format!(
                    "`{name}` is not a function; use one of {}",
                    Function::names()
                ),
            )
        })?),
    };
    if let Some(hours) = step.and_then(|s| s.hours)
        && !(1..=MAX_SANCTION_HOURS).contains(&hours)
    {
        return Err(ApiError::field(
            format!("{prefix}step.hours"),
            format!(
                "{hours} hours is out of range; a timed sanction lasts from 1 to {MAX_SANCTION_HOURS} hours (a year); longer is `permanent`"
            ),
        ));
    }
    if let Some(step) = step
        && step.kind.is_timed() != step.hours.is_some()
    {
        return Err(ApiError::field(
            format!("{prefix}step.hours"),
            "restrictions and login bans need `hours`; warnings and permanent bans have none",
        ));
    }
    Ok(function)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueSanction {
    #[schema(schema_with = crate::schema::target)]
    pub target: TargetSpec,
    /// `content` (default) or `automation`.
    #[serde(default)]
    #[schema(schema_with = crate::schema::optional_ladder)]
    pub ladder: Option<LadderName>,
    /// Why, in words the sanctioned party reads.
    #[schema(schema_with = crate::schema::reason)]
    pub reason: String,
    /// The function a restriction takes away.
    #[schema(schema_with = crate::schema::optional_function)]
    pub function: Option<String>,
    /// Strikes this offence adds: 1 (the default) to 100; larger values count as 100.
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub weight: Option<u32>,
    /// Override the ladder: `{"kind": "login_ban", "hours": 48}`.
    #[schema(schema_with = crate::schema::optional_step)]
    pub step: Option<Step>,
    /// A banned party back under a new identity: straight to the ladder's top.
    #[serde(default)]
    pub evasion: bool,
    /// Required, with an admin token, to sanction an IP range broader than a /16 (IPv4) or
    /// a /32 (IPv6): such a range covers whole providers, and every account seen on it would
    /// turn into evasion.
    #[serde(default)]
    pub broad: bool,
    /// What the sanction rests on, kept with it (an object of the reviewer's choosing).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub evidence: serde_json::Map<String, serde_json::Value>,
}

/// Refuse a broad IP range unless an admin asks for it explicitly (`broad`).
pub fn guard_broad_range(
    target: &Subject,
    caller: &crate::auth::Caller,
    broad: bool,
    field: &str,
) -> Result<(), ApiError> {
    if target.kind != menshen_state::audit::SubjectKind::Ip || !is_broad_ip_target(&target.id) {
        return Ok(());
    }
    if caller.role == menshen_state::token::Role::Admin && broad {
        return Ok(());
    }
    Err(ApiError::new(
        axum::http::StatusCode::FORBIDDEN,
        crate::error::ErrorCode::Forbidden,
        format!(
            "`{}` is broader than a /16 (IPv4) or a /32 (IPv6) and would cover whole providers; an admin may issue it through POST /v1/sanctions with `\"broad\": true` and a reason",
            target.id
        ),
    )
    .at_field(field))
}

/// Issue a sanction (reviewers): the ladder picks the step unless `step` overrides it.
#[utoipa::path(post, operation_id = "sanctions_issue", path = "/v1/sanctions", request_body = IssueSanction,
    responses((status = 200, description = "the answer", body = Object), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn issue(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    Body(request): Body<IssueSanction>,
) -> Result<Json<Sanction>, ApiError> {
    let target = target_of(&request.target, "target")?;
    ApiError::check_text("reason", &request.reason)?;
    if request.reason.trim().is_empty() {
        return Err(ApiError::field(
            "reason",
            "say why: the sanctioned party reads it",
        ));
    }
    guard_broad_range(&target, &caller, request.broad, "target.id")?;
    let function = check_function_and_step(request.function.as_deref(), request.step.as_ref(), "")?;
    let offence = Offence {
        at: app.now(),
        actor: caller.actor(),
        target,
        ladder: request.ladder.unwrap_or(LadderName::Content),
        weight: request.weight.unwrap_or(1).clamp(1, 100),
        function,
        rule: None,
        policy_version: None,
        reason: request.reason,
        evasion: request.evasion,
        evidence: serde_json::Value::Object(request.evidence),
        step: request.step,
    };
    let sanction = app
        .write(move |store, ladders| store.record_offence(offence, ladders))
        .await?;
    app.metrics.sanction(sanction.kind);
    Ok(Json(sanction))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Lift {
    #[schema(schema_with = crate::schema::reason)]
    pub reason: String,
    /// Also lift the evasion bans this ban caused (accounts caught on the banned device or
    /// address), each audited with this reason. Without it, the answer lists them.
    #[serde(default)]
    pub reverse_evasion: bool,
}

/// Lift a sanction (reviewers).
#[utoipa::path(post, operation_id = "sanctions_lift", path = "/v1/sanctions/{id}/lift", request_body = Lift, params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Lifted), (status = 404, description = "no such thing", body = ErrorBody), (status = 409, description = "it conflicts with the state of things", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn lift(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(id): PathParams<u64>,
    Body(request): Body<Lift>,
) -> Result<Json<Lifted>, ApiError> {
    if request.reason.trim().is_empty() {
        return Err(ApiError::field("reason", "say why the sanction is lifted"));
    }
    ApiError::check_text("reason", &request.reason)?;
    let actor = caller.actor();
    let now = app.now();
    let lifted = app
        .write(move |store, _| {
            // A ban lifted earlier may be named again to reverse its evasion bans.
            let sanction = match store.sanction(id)? {
                Some(earlier) if earlier.lifted && request.reverse_evasion => earlier,
                _ => store.lift(id, actor.clone(), &request.reason, now)?,
            };
            let evasions: Vec<u64> = store.evasions_of(id)?.iter().map(|s| s.id).collect();
            if !request.reverse_evasion {
                return Ok(Lifted {
                    sanction,
                    evasion_bans: evasions,
                    reversed: Vec::new(),
                });
            }
            let reason = format!(
                "evasion of sanction {id}, which was lifted: {}",
                request.reason
            );
            for evasion in &evasions {
                store.lift(*evasion, actor.clone(), &reason, now)?;
            }
            Ok(Lifted {
                sanction,
                evasion_bans: Vec::new(),
                reversed: evasions,
            })
        })
        .await?;
    Ok(Json(lifted))
}

/// A lifted sanction, and the evasion bans it had caused.
#[derive(Serialize, ToSchema)]
pub struct Lifted {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub sanction: Sanction,
    /// Evasion bans this ban caused that are still in force; lift again with
    /// `reverse_evasion` to reverse them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evasion_bans: Vec<u64>,
    /// The evasion bans lifted with it, each audited.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reversed: Vec<u64>,
}

/// One sanction (reviewers).
#[utoipa::path(get, operation_id = "sanctions_get", path = "/v1/sanctions/{id}", params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Object), (status = 404, description = "no such thing", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    _: Authorized<ServiceOrReviewer>,
    PathParams(id): PathParams<u64>,
) -> Result<Json<Sanction>, ApiError> {
    app.read(move |store| store.sanction(id))
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no sanction {id}")))
}
