//! Cases: the reviewers' queue. Reviewers take the next case or are assigned one, escalate to
//! an admin, and resolve: verify (a sanction through the ladder, which they may override with
//! a reason) or dismiss. The operations here serve both the JSON API and the console.

use std::{collections::HashMap, sync::Arc};

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use menshen_policy::Verdict;
use menshen_state::{
    audit::{AuditRecord, Subject, SubjectKind},
    ladder::Step,
    report::{Case, CaseAction, CaseState, Reason, Report, reporters_in_order},
    sanction::{LadderName, Offence, Sanction},
    token::Role,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    app::App,
    auth::{Authorized, Caller, ReviewerRole},
    enforce::{StandingView, analyze_reported},
    error::{ApiError, Body, ErrorBody, PathParams, QueryParams},
    routes::sanctions::{TargetSpec, check_function_and_step, target_of},
};

/// Parse a case state from a query or form.
pub fn case_state(name: &str, field: &str) -> Result<CaseState, ApiError> {
    CaseState::parse(name).ok_or_else(|| {
        ApiError::field(
            field,
            format!("`{name}` is not a case state; use open, assigned, escalated or resolved"),
        )
    })
}

/// Parse a report reason from a query or form.
pub fn reason(name: &str, field: &str) -> Result<Reason, ApiError> {
    Reason::parse(name).ok_or_else(|| {
        let names: Vec<&str> = Reason::ALL.iter().map(|r| r.as_str()).collect();
        ApiError::field(
            field,
            format!("`{name}` is not a reason; use one of {}", names.join(", ")),
        )
    })
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CaseQuery {
    /// `open`, `assigned`, `escalated` or `resolved`; every unresolved case when absent.
    #[param(schema_with = crate::schema::case_state)]
    pub state: Option<String>,
    /// One reason's queue.
    #[param(schema_with = crate::schema::report_reason)]
    pub reason: Option<String>,
    /// Most rows to return. Default 100, at most 1000.
    #[param(minimum = 0, maximum = 1000)]
    pub limit: Option<usize>,
}

/// The queue: cases by priority.
pub async fn list_cases(
    app: &Arc<App>,
    caller: &Caller,
    state: Option<CaseState>,
    reason: Option<Reason>,
    limit: usize,
) -> Result<Vec<Case>, ApiError> {
    caller.require(&[Role::Reviewer])?;
    let states = match state {
        Some(state) => vec![state],
        None => vec![CaseState::Open, CaseState::Assigned, CaseState::Escalated],
    };
    let limit = limit.min(1000);
    let now = app.now();
    app.read(move |store| store.cases(&states, reason, limit, now))
        .await
}

/// Cases by priority, highest first (reviewers).
#[utoipa::path(get, operation_id = "cases_list", path = "/v1/cases", params(CaseQuery),
    responses((status = 200, description = "the answer", body = Vec<Object>), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    QueryParams(query): QueryParams<CaseQuery>,
) -> Result<Json<Vec<Case>>, ApiError> {
    let state = query
        .state
        .as_deref()
        .map(|s| case_state(s, "state"))
        .transpose()?;
    let reason = query
        .reason
        .as_deref()
        .map(|r| reason(r, "reason"))
        .transpose()?;
    Ok(Json(
        list_cases(
            &app,
            &caller,
            state,
            reason,
            super::page_limit(query.limit)?,
        )
        .await?,
    ))
}

/// A report as a reviewer sees it. Reviewers see how far to trust a reporter, not who they
/// are (no retaliation, no favouritism); admins also see the reporter's id, device and IP.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportView {
    pub id: u64,
    /// "reporter 1", "reporter 2", … in filing order for reviewers; the account id for admins.
    pub reporter: String,
    /// The chance this reporter's reports are upheld (0.5 for a newcomer).
    pub reporter_reliability: f64,
    pub reporter_account_age_days: Option<u32>,
    pub reporter_device: Option<String>,
    pub reporter_ip: Option<String>,
    pub reason: String,
    pub statement: String,
    #[schema(value_type = Object)]
    pub evidence: menshen_state::report::Evidence,
    pub at: i64,
}

/// Everything a reviewer needs to decide a case.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CaseDetail {
    #[schema(value_type = Object)]
    pub case: Case,
    pub reports: Vec<ReportView>,
    /// The engine's analysis of the reported text: facts with their spans, and the verdict
    /// a group message would get.
    #[schema(value_type = Option<Object>)]
    pub analysis: Option<Verdict>,
    /// Who a verification sanctions by default: the answerable account, else the subject.
    #[schema(value_type = Option<Object>)]
    pub target: Option<Subject>,
    pub standing: Option<StandingView>,
    /// The target's sanctions, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub sanctions: Vec<Sanction>,
    /// The audit log about the reported subject and the target, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<AuditRecord>,
}

/// Who a verified case sanctions unless the reviewer says otherwise.
pub fn default_target(case: &Case) -> Option<Subject> {
    if let Some(account) = &case.account {
        return Some(Subject {
            kind: SubjectKind::Account,
            id: account.clone(),
        });
    }
    matches!(
        case.subject.kind,
        SubjectKind::Account | SubjectKind::Domain | SubjectKind::App
    )
    .then(|| case.subject.clone())
}

/// Reviewers do not see who reported, in the history either: a report's record names its
/// reporter by number (`order` lists reporters by first report), or as "a reporter". Admins see
/// the records as stored. The records' hashes are left as stored; verify the chain with
/// `menshen audit verify`, not from this view.
pub fn mask_reporters(
    history: &mut [AuditRecord],
    caller: &Caller,
    numbers: &HashMap<String, usize>,
) {
    if caller.role == Role::Admin {
        return;
    }
    for record in history.iter_mut().filter(|r| {
        r.event.actor.kind == menshen_state::audit::ActorKind::User
            && r.event.action.starts_with("report.")
    }) {
        record.event.actor.id = match numbers.get(&record.event.actor.id) {
            Some(number) => format!("reporter {number}"),
            None => "a reporter".into(),
        };
    }
}

/// "reporter N" for each reporter, numbered by their first report in the case.
fn reporter_numbers(reports: &[Report]) -> HashMap<String, usize> {
    reporters_in_order(reports)
        .into_iter()
        .enumerate()
        .map(|(i, id)| (id.to_owned(), i + 1))
        .collect()
}

fn view_reports(
    reports: Vec<Report>,
    reliabilities: Vec<f64>,
    numbers: &HashMap<String, usize>,
    caller: &Caller,
) -> Vec<ReportView> {
    let admin = caller.role == Role::Admin;
    reports
        .into_iter()
        .zip(reliabilities)
        .map(|(report, reliability)| {
            let number = numbers
                .get(&report.reporter.id)
                .copied()
                .unwrap_or_default();
            ReportView {
                id: report.id,
                reporter: if admin {
                    report.reporter.id.clone()
                } else {
                    format!("reporter {number}")
                },
                reporter_reliability: (reliability * 100.0).round() / 100.0,
                reporter_account_age_days: report.reporter.account_age_days,
                reporter_device: report.reporter.device.filter(|_| admin),
                reporter_ip: report.reporter.ip.filter(|_| admin),
                reason: report.reason.as_str().into(),
                statement: report.statement,
                evidence: report.evidence,
                at: report.at,
            }
        })
        .collect()
}

/// One case with its reports, the engine's analysis, the target's standing and history.
pub async fn case_detail(app: &Arc<App>, caller: &Caller, id: u64) -> Result<CaseDetail, ApiError> {
    caller.require(&[Role::Reviewer])?;
    let now = app.now();
    let ladders = app.engine().ladders.clone();
    let (case, target, reports, reliabilities, standing, sanctions, mut history) = app
        .read(move |store| {
            let Some(case) = store.case(id)? else {
                return Err(menshen_state::store::StoreError::NotFound(format!(
                    "case {id}"
                )));
            };
            let reports = store.case_reports(id)?;
            let mut reliabilities = Vec::with_capacity(reports.len());
            for report in &reports {
                reliabilities.push(store.reporter_record(&report.reporter.id)?.reliability());
            }
            let target = default_target(&case);
            let (standing, sanctions) = match &target {
                Some(target) => (
                    Some(store.standing(target, &ladders, now)?),
                    store.sanctions_of(target)?,
                ),
                None => (None, Vec::new()),
            };
            let mut history = store.history(&case.subject, 200)?;
            if let Some(target) = target.as_ref().filter(|t| *t != &case.subject) {
                history.extend(store.history(target, 200)?);
                history.sort_by_key(|r| r.seq);
                history.dedup_by_key(|r| r.seq);
            }
            Ok((
                case,
                target,
                reports,
                reliabilities,
                standing,
                sanctions,
                history,
            ))
        })
        .await?;
    let numbers = reporter_numbers(&reports);
    mask_reporters(&mut history, caller, &numbers);
    let analysis = case
        .content
        .as_deref()
        .map(|text| analyze_reported(app, text, now))
        .transpose()?;
    Ok(CaseDetail {
        target,
        reports: view_reports(reports, reliabilities, &numbers, caller),
        analysis,
        standing: standing.as_ref().map(StandingView::from),
        sanctions,
        history,
        case,
    })
}

/// A case with its reports, analysis, standing and history (reviewers).
#[utoipa::path(get, operation_id = "cases_get", path = "/v1/cases/{id}", params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = CaseDetail), (status = 404, description = "no such thing", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 400, description = "a path or query parameter, or the body, does not parse", body = ErrorBody), (status = 422, description = "a field or parameter is missing or wrong (`field` names it)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(id): PathParams<u64>,
) -> Result<Json<CaseDetail>, ApiError> {
    Ok(Json(case_detail(&app, &caller, id).await?))
}

/// Take the open case with the highest priority.
pub async fn take_next(
    app: &Arc<App>,
    caller: &Caller,
    reason: Option<Reason>,
) -> Result<Option<Case>, ApiError> {
    caller.require(&[Role::Reviewer])?;
    let actor = caller.actor();
    let now = app.now();
    app.write(move |store, _| store.next_case(actor, reason, now))
        .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Next {
    /// Take from one reason's queue only.
    #[schema(schema_with = crate::schema::optional_report_reason)]
    pub reason: Option<String>,
}

/// Take the next open case, highest priority first (reviewers). 204 when the queue is empty.
#[utoipa::path(post, operation_id = "cases_next", path = "/v1/cases/next", request_body = Next,
    responses((status = 200, description = "the answer", body = Object), (status = 204, description = "the queue is empty"), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn next(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    Body(request): Body<Next>,
) -> Result<axum::response::Response, ApiError> {
    let reason = request
        .reason
        .as_deref()
        .map(|r| reason(r, "reason"))
        .transpose()?;
    Ok(match take_next(&app, &caller, reason).await? {
        Some(case) => Json(case).into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    })
}

/// Assign or escalate.
pub async fn move_case(
    app: &Arc<App>,
    caller: &Caller,
    id: u64,
    action: CaseAction,
) -> Result<Case, ApiError> {
    caller.require(&[Role::Reviewer])?;
    let actor = caller.actor();
    let now = app.now();
    app.write(move |store, _| store.move_case(id, actor, action, now))
        .await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// The reviewer who gets it; the caller when absent (only admins assign others).
    pub to: Option<String>,
    /// Why, when the case is held by another reviewer (required then; audited).
    pub reason: Option<String>,
}

/// Assign a case (reviewers take cases for themselves; admins assign anyone).
#[utoipa::path(post, operation_id = "cases_assign", path = "/v1/cases/{id}/assign", request_body = Assign, params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Object), (status = 409, description = "it conflicts with the state of things", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn assign(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(id): PathParams<u64>,
    Body(request): Body<Assign>,
) -> Result<Json<Case>, ApiError> {
    let to = request.to.unwrap_or_else(|| caller.name.clone());
    Ok(Json(
        move_case(
            &app,
            &caller,
            id,
            CaseAction::Assign {
                to,
                reason: request.reason,
            },
        )
        .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalate {
    /// Why an admin must decide.
    #[schema(schema_with = crate::schema::reason)]
    pub reason: String,
}

/// Escalate a case to the admins (reviewers).
#[utoipa::path(post, operation_id = "cases_escalate", path = "/v1/cases/{id}/escalate", request_body = Escalate, params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Object), (status = 409, description = "it conflicts with the state of things", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn escalate(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(id): PathParams<u64>,
    Body(request): Body<Escalate>,
) -> Result<Json<Case>, ApiError> {
    if request.reason.trim().is_empty() {
        return Err(ApiError::field("reason", "say why the case needs an admin"));
    }
    ApiError::check_text("reason", &request.reason)?;
    Ok(Json(
        move_case(
            &app,
            &caller,
            id,
            CaseAction::Escalate {
                reason: request.reason,
            },
        )
        .await?,
    ))
}

/// The offence a reviewer verifies: the ladder picks the step unless `step` overrides it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OffenceSpec {
    /// Who is sanctioned; by default the answerable account (a message's author), else the
    /// reported account, domain or app.
    #[schema(schema_with = crate::schema::optional_target)]
    pub target: Option<TargetSpec>,
    /// `content` or `automation`; by default the case's reason decides.
    #[schema(schema_with = crate::schema::optional_ladder)]
    pub ladder: Option<LadderName>,
    /// The function a restriction takes away.
    #[schema(schema_with = crate::schema::optional_function)]
    pub function: Option<String>,
    /// Strikes this offence adds: 1 (the default) to 100; larger values count as 100.
    #[schema(minimum = 0, maximum = 4294967295_u64)]
    pub weight: Option<u32>,
    /// Override the ladder's step (`{"kind": "login_ban", "hours": 48}`); the resolution's
    /// reason says why.
    #[schema(schema_with = crate::schema::optional_step)]
    pub step: Option<Step>,
}

/// How a case can end, and whether that outcome verifies the reports.
pub const OUTCOMES: [(&str, bool); 2] = [("verify", true), ("dismiss", false)];

/// A case's resolution. Its schema is written out ([`crate::schema::resolve`]): only `verify`
/// takes an offence, which the derive cannot say.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resolve {
    /// `verify` or `dismiss`.
    pub outcome: String,
    /// Why, in words the reporters and the reported party read.
    pub reason: String,
    /// For `verify`: the offence (defaults as documented).
    #[serde(default)]
    pub offence: Option<OffenceSpec>,
}

impl utoipa::PartialSchema for Resolve {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        crate::schema::resolve(OffenceSpec::schema()).into()
    }
}

impl ToSchema for Resolve {}

#[derive(Serialize, ToSchema)]
pub struct Resolved {
    #[schema(value_type = Object)]
    pub case: Case,
    #[schema(value_type = Option<Object>)]
    pub sanction: Option<Sanction>,
}

/// Verify (with a sanction through the ladder) or dismiss a case.
pub async fn resolve_case(
    app: &Arc<App>,
    caller: &Caller,
    id: u64,
    request: Resolve,
) -> Result<Resolved, ApiError> {
    let now = app.now();
    caller.require(&[Role::Reviewer])?;
    ApiError::check_text("reason", &request.reason)?;
    if request.reason.trim().is_empty() {
        return Err(ApiError::field(
            "reason",
            "say why: the reporters and the reported party read it",
        ));
    }
    let Some(&(_, verify)) = OUTCOMES.iter().find(|(name, _)| *name == request.outcome) else {
        return Err(ApiError::field(
            "outcome",
            format!(
                "`{}` is not an outcome; use verify or dismiss",
                request.outcome
            ),
        ));
    };
    if !verify && request.offence.is_some() {
        return Err(ApiError::field(
            "offence",
            "a dismissal sanctions nobody; leave out the offence",
        ));
    }
    let spec = request.offence.unwrap_or_default();
    let function =
        check_function_and_step(spec.function.as_deref(), spec.step.as_ref(), "offence.")?;
    let chosen = spec
        .target
        .as_ref()
        .map(|t| target_of(t, "offence.target"))
        .transpose()?;
    if let Some(target) = &chosen {
        crate::routes::sanctions::guard_broad_range(target, caller, false, "offence.target.id")?;
    }
    let actor = caller.actor();
    let reason = request.reason;
    let resolved = app
        .write(move |store, ladders| {
            let case = store
                .case(id)?
                .ok_or_else(|| menshen_state::store::StoreError::NotFound(format!("case {id}")))?;
            let offence = if verify {
                let target = chosen.or_else(|| default_target(&case)).ok_or_else(|| {
                    menshen_state::store::StoreError::Refused(
                        "this case has no account to sanction; name one in offence.target".into(),
                    )
                })?;
                Some(Offence {
                    at: now,
                    actor: actor.clone(),
                    target,
                    ladder: spec.ladder.unwrap_or(case.reason.ladder()),
                    weight: spec.weight.unwrap_or(1).clamp(1, 100),
                    function,
                    rule: None,
                    policy_version: None,
                    reason: reason.clone(),
                    evasion: false,
                    evidence: serde_json::Value::Null,
                    step: spec.step,
                })
            } else {
                None
            };
            let (case, sanction) = store.resolve_case(id, actor, &reason, offence, ladders, now)?;
            Ok(Resolved { case, sanction })
        })
        .await?;
    app.metrics
        .case_resolved(if verify { "verified" } else { "dismissed" });
    if let Some(sanction) = &resolved.sanction {
        app.metrics.sanction(sanction.kind);
    }
    Ok(resolved)
}

/// Resolve a case: `verify` sanctions through the ladder, `dismiss` closes it (reviewers;
/// escalated cases: admins).
#[utoipa::path(post, operation_id = "cases_resolve", path = "/v1/cases/{id}/resolve", request_body = Resolve, params(("id" = u64, Path)),
    responses((status = 200, description = "the answer", body = Resolved), (status = 409, description = "it conflicts with the state of things", body = ErrorBody), (status = 422, description = "a field is missing or wrong (`field` names it)", body = ErrorBody), (status = 400, description = "the body is not a JSON object, or not JSON", body = ErrorBody), (status = 413, description = "the body is over the limit", body = ErrorBody), (status = 415, description = "the body is not application/json", body = ErrorBody), (status = 401, description = "no token, or an unknown one", body = ErrorBody), (status = 403, description = "the token's role may not do this", body = ErrorBody), (status = 429, description = "too many failed tokens from this address", body = ErrorBody), (status = 404, description = "no such thing", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn resolve(
    State(app): State<Arc<App>>,
    Authorized(caller, _): Authorized<ReviewerRole>,
    PathParams(id): PathParams<u64>,
    Body(request): Body<Resolve>,
) -> Result<Json<Resolved>, ApiError> {
    Ok(Json(resolve_case(&app, &caller, id, request).await?))
}
