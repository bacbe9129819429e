//! The reviewers' console, served by `menshen serve` under `/console`: sign in with a reviewer
//! or admin token, work the queue, read a case (the reported text with every fact marked at
//! its span, the engine's verdict, the reports, the target's standing, sanctions and
//! history), verify, dismiss or escalate, decide appeals, look up subjects, read the policy.
//!
//! Server-rendered (askama templates, escaped by default), no script at all, one stylesheet,
//! nothing loaded from outside the machine. Every action calls the same operation the JSON API
//! calls, so roles and rules are enforced in one place; every form carries a CSRF token.

mod pages;
pub mod session;
pub mod view;

use crate::error::ErrorCode;
use std::sync::Arc;

use askama::Template;
use axum::{
    Form, Router,
    extract::{Query, State, rejection::FormRejection},
    http::{HeaderValue, StatusCode, header},
    middleware::map_response,
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use menshen_state::{
    audit::{Subject, SubjectKind},
    ladder::{SanctionKind, Step},
    report::{CaseAction, CaseState, Outcome},
    sanction::LadderName,
    token::Role,
};
use serde::Deserialize;

use crate::{
    app::App,
    error::ApiError,
    locale::RequestLocale,
    routes::{
        appeals::decide_appeal,
        cases::{self, OffenceSpec, Resolve},
        sanctions::TargetSpec,
        subjects::subject_report,
    },
};
use pages::*;
use session::{Viewer, set_cookie};
use view::{Tr, highlight, visible};

/// The console's routes (state: the app).
pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/queue") }))
        .route("/console/login", get(login_page).post(login))
        .route("/console/logout", post(logout))
        .route("/console/queue", get(queue))
        .route("/console/queue/next", post(take_next))
        .route("/console/cases/{id}", get(case_page))
        .route("/console/cases/{id}/assign", post(assign))
        .route("/console/cases/{id}/escalate", post(escalate))
        .route("/console/cases/{id}/resolve", post(resolve))
        .route("/console/appeals", get(appeals))
        .route("/console/appeals/{id}/decide", post(decide))
        .route("/console/subjects", get(subjects))
        .route("/console/policy", get(policy))
        .route("/console/static/console.css", get(stylesheet))
        .layer(map_response(security_headers))
}

/// No scripts, no frames, no outside resources, forms only to ourselves, no referrer.
async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn stylesheet() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("../../templates/console.css"),
    )
}

/// An error as a console page.
struct ConsoleError {
    error: Box<ApiError>,
    nav: Option<Nav>,
    t: Tr,
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let page = ErrorPage {
            nav: self.nav,
            t: self.t,
            status: self.error.status.as_u16(),
            message: visible(&self.error.body.message),
        };
        let mut response = render(page);
        *response.status_mut() = self.error.status;
        response
    }
}

type PageResult = Result<Response, ConsoleError>;

fn render(page: impl Template) -> Response {
    match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the page failed to render: {error}"),
        )
            .into_response(),
    }
}

fn nav(viewer: &Viewer) -> Nav {
    Nav {
        name: visible(&viewer.session.name),
        role: viewer.session.role.as_str(),
        csrf: viewer.session.csrf.clone(),
        admin: viewer.is_admin(),
    }
}

/// Attach the viewer's header to an error.
fn failed(viewer: &Viewer) -> impl Fn(ApiError) -> ConsoleError + '_ {
    move |error| ConsoleError {
        error: Box::new(error),
        nav: Some(nav(viewer)),
        t: Tr(viewer.locale),
    }
}

/// Fixed notes shown after an action (never text from the URL): the catalogue's
/// `note-<key>` for the keys below, nothing for any other.
fn note(t: Tr, key: Option<&str>) -> String {
    const KEYS: [&str; 7] = [
        "assigned",
        "escalated",
        "verified",
        "dismissed",
        "empty",
        "upheld",
        "reversed",
    ];
    match key {
        Some(key) if KEYS.contains(&key) => t.s(&format!("note-{key}")),
        _ => String::new(),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
}

async fn login_page(RequestLocale(locale): RequestLocale) -> Response {
    render(LoginPage {
        nav: None,
        t: Tr(locale),
        error: None,
    })
}

async fn login(
    State(app): State<Arc<App>>,
    RequestLocale(locale): RequestLocale,
    crate::limit::ClientAddress(address): crate::limit::ClientAddress,
    headers: axum::http::HeaderMap,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Response {
    let t = Tr(locale);
    let refuse = |message: &str| {
        let mut response = render(LoginPage {
            nav: None,
            t,
            error: Some(message.to_owned()),
        });
        *response.status_mut() = StatusCode::UNAUTHORIZED;
        response
    };
    let Ok(Form(form)) = form else {
        return refuse(&t.s("login-paste-token"));
    };
    let token = menshen_state::token::secret_hash(form.token.trim());
    let found = match app.authenticate_from(token.clone(), address).await {
        Ok(found) => found,
        Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => {
            let seconds = error.retry_after.unwrap_or(60);
            let mut response = render(LoginPage {
                nav: None,
                t,
                error: Some(t.a1("login-too-many", "seconds", seconds)),
            });
            *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
            return response;
        }
        Err(error) => return refuse(&error.body.message),
    };
    let Some((role, name)) = found else {
        return refuse(&t.s("login-unknown-token"));
    };
    if role == Role::Service {
        return refuse(&t.s("login-service-token"));
    }
    match app.sessions.start(role, name, token, app.now()) {
        Ok((id, _)) => (
            [(
                header::SET_COOKIE,
                set_cookie(Some(&id), session::secure_cookie(&app, &headers)),
            )],
            Redirect::to("/console/queue"),
        )
            .into_response(),
        Err(error) => refuse(&error),
    }
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> PageResult {
    accept(&viewer, form)?;
    app.sessions.end(&viewer.id);
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(None, session::secure_cookie(&app, &headers)),
        )],
        Redirect::to("/console/login"),
    )
        .into_response())
}

/// A form that carries the session's CSRF token.
trait Csrf {
    fn csrf(&self) -> &str;
}

macro_rules! csrf {
    ($($form:ty),*) => {
        $(impl Csrf for $form {
            fn csrf(&self) -> &str {
                &self.csrf
            }
        })*
    };
}
csrf!(CsrfForm, NextForm, ReasonForm, ResolveForm, DecideForm);

/// A posted form's fields, once its CSRF token is checked; else a console error saying what
/// was wrong.
fn accept<T: Csrf>(
    viewer: &Viewer,
    form: Result<Form<T>, FormRejection>,
) -> Result<T, ConsoleError> {
    let form = form_of(viewer, form)?;
    viewer.check_csrf(form.csrf()).map_err(failed(viewer))?;
    Ok(form)
}

/// A form's fields, or a console error naming what was wrong.
fn form_of<T>(viewer: &Viewer, form: Result<Form<T>, FormRejection>) -> Result<T, ConsoleError> {
    form.map(|Form(form)| form).map_err(|rejection| {
        failed(viewer)(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidField,
            format!("the form is incomplete: {rejection}"),
        ))
    })
}

#[derive(Deserialize)]
struct QueueQuery {
    state: Option<String>,
    reason: Option<String>,
    note: Option<String>,
}

async fn queue(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    Query(query): Query<QueueQuery>,
) -> PageResult {
    let caller = viewer.caller();
    let state = query
        .state
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(|s| cases::case_state(s, "state"))
        .transpose()
        .map_err(failed(&viewer))?;
    let reason = query
        .reason
        .as_deref()
        .filter(|r| !r.is_empty())
        .map(|r| cases::reason(r, "reason"))
        .transpose()
        .map_err(failed(&viewer))?;
    let rows = cases::list_cases(&app, &caller, state, reason, 200)
        .await
        .map_err(failed(&viewer))?;
    Ok(render(QueuePage::new(
        nav(&viewer),
        Tr(viewer.locale),
        note(Tr(viewer.locale), query.note.as_deref()),
        state,
        reason,
        &rows,
    )))
}

#[derive(Deserialize)]
struct NextForm {
    csrf: String,
    #[serde(default)]
    reason: String,
}

async fn take_next(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    form: Result<Form<NextForm>, FormRejection>,
) -> PageResult {
    let form = accept(&viewer, form)?;
    let reason = Some(form.reason.as_str())
        .filter(|r| !r.is_empty())
        .map(|r| cases::reason(r, "reason"))
        .transpose()
        .map_err(failed(&viewer))?;
    let taken = cases::take_next(&app, &viewer.caller(), reason)
        .await
        .map_err(failed(&viewer))?;
    Ok(match taken {
        Some(case) => Redirect::to(&format!("/console/cases/{}?note=assigned", case.id)),
        None => Redirect::to("/console/queue?note=empty"),
    }
    .into_response())
}

#[derive(Deserialize)]
struct NoteQuery {
    note: Option<String>,
}

async fn case_page(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<u64>,
    Query(query): Query<NoteQuery>,
) -> PageResult {
    let detail = cases::case_detail(&app, &viewer.caller(), id)
        .await
        .map_err(failed(&viewer))?;
    let now = app.now();
    let case = &detail.case;
    let (content, facts, verdict, verdict_reasons, spam) = match (&case.content, &detail.analysis) {
        (Some(text), Some(analysis)) => {
            let facts = &analysis.facts;
            let pieces = highlight(text, facts);
            let marked = pieces
                .iter()
                .filter(|p| !p.kind.is_empty())
                .cloned()
                .collect();
            (
                pieces,
                marked,
                analysis.action.as_str().to_owned(),
                analysis
                    .reasons
                    .iter()
                    .map(|r| visible(&format!("{}: {}", r.rule, r.message)))
                    .collect(),
                format!("{:.2}", facts.scores.get("spam").unwrap_or(0.0)),
            )
        }
        _ => (
            Vec::new(),
            Vec::new(),
            String::new(),
            Vec::new(),
            String::new(),
        ),
    };
    let resolution = case
        .resolution
        .as_ref()
        .map(|r| {
            let sanction = r
                .sanction
                .map(|s| format!(" (sanction #{s})"))
                .unwrap_or_default();
            visible(&format!(
                "{} by {} on {}: {}{sanction}",
                r.outcome.as_str(),
                r.by.id,
                view::when(r.at),
                r.reason
            ))
        })
        .unwrap_or_default();
    let can_act = case.state != CaseState::Resolved
        && (case.state != CaseState::Escalated || viewer.is_admin());
    let page = CasePage {
        nav: Some(nav(&viewer)),
        t: Tr(viewer.locale),
        note: note(Tr(viewer.locale), query.note.as_deref()),
        case: CaseRow::from(case),
        content,
        facts,
        verdict,
        verdict_reasons,
        spam,
        reports: detail.reports.iter().map(ReportRow::from).collect(),
        target: detail
            .target
            .as_ref()
            .map(|t| visible(&format!("{} {}", t.kind.as_str(), t.id)))
            .unwrap_or_default(),
        standing: detail.standing.as_ref().map(StandingRow::from),
        sanctions: detail
            .sanctions
            .iter()
            .map(|s| SanctionRow::new(s, now))
            .collect(),
        history: detail.history.iter().map(HistoryRow::from).collect(),
        escalation: case.escalation.as_deref().map(visible).unwrap_or_default(),
        resolution,
        can_act,
        default_ladder: case.reason.ladder().as_str(),
        functions: menshen_policy::Function::ALL
            .iter()
            .map(|f| f.as_str())
            .collect(),
    };
    Ok(render(page))
}

async fn assign(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<u64>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> PageResult {
    accept(&viewer, form)?;
    let to = viewer.session.name.clone();
    cases::move_case(
        &app,
        &viewer.caller(),
        id,
        CaseAction::Assign { to, reason: None },
    )
    .await
    .map_err(failed(&viewer))?;
    Ok(Redirect::to(&format!("/console/cases/{id}?note=assigned")).into_response())
}

#[derive(Deserialize)]
struct ReasonForm {
    csrf: String,
    reason: String,
}

async fn escalate(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<u64>,
    form: Result<Form<ReasonForm>, FormRejection>,
) -> PageResult {
    let form = accept(&viewer, form)?;
    if form.reason.trim().is_empty() {
        return Err(failed(&viewer)(ApiError::field(
            "reason",
            "say why the case needs an admin",
        )));
    }
    cases::move_case(
        &app,
        &viewer.caller(),
        id,
        CaseAction::Escalate {
            reason: form.reason,
        },
    )
    .await
    .map_err(failed(&viewer))?;
    Ok(Redirect::to(&format!("/console/cases/{id}?note=escalated")).into_response())
}

#[derive(Deserialize)]
struct ResolveForm {
    csrf: String,
    outcome: String,
    reason: String,
    #[serde(default)]
    ladder: String,
    #[serde(default)]
    function: String,
    #[serde(default)]
    weight: String,
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    step_kind: String,
    #[serde(default)]
    step_hours: String,
}

impl ResolveForm {
    /// The API's request for this form; empty fields mean "the default".
    fn request(self) -> Result<Resolve, ApiError> {
        let number = |value: &str, field: &str| -> Result<Option<u32>, ApiError> {
            let value = value.trim();
            if value.is_empty() {
                return Ok(None);
            }
            value
                .parse()
                .map(Some)
                .map_err(|_| ApiError::field(field, format!("`{value}` is not a whole number")))
        };
        let offence = (self.outcome == "verify")
            .then(|| -> Result<OffenceSpec, ApiError> {
                Ok(OffenceSpec {
                    target: (!self.target_id.trim().is_empty()).then(|| TargetSpec {
                        kind: self.target_kind.clone(),
                        id: self.target_id.clone(),
                    }),
                    ladder: match self.ladder.as_str() {
                        "automation" => Some(LadderName::Automation),
                        "content" => Some(LadderName::Content),
                        _ => None,
                    },
                    function: Some(self.function.clone()).filter(|f| !f.is_empty()),
                    weight: number(&self.weight, "weight")?,
                    step: match self.step_kind.as_str() {
                        "" => None,
                        kind => Some(Step {
                            kind: SanctionKind::ALL
                                .into_iter()
                                .find(|k| k.as_str() == kind)
                                .ok_or_else(|| {
                                    ApiError::field("step_kind", format!("`{kind}` is not a step"))
                                })?,
                            hours: number(&self.step_hours, "step_hours")?,
                        }),
                    },
                })
            })
            .transpose()?;
        Ok(Resolve {
            outcome: self.outcome,
            reason: self.reason,
            offence,
        })
    }
}

async fn resolve(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<u64>,
    form: Result<Form<ResolveForm>, FormRejection>,
) -> PageResult {
    let form = accept(&viewer, form)?;
    let request = form.request().map_err(failed(&viewer))?;
    let resolved = cases::resolve_case(&app, &viewer.caller(), id, request)
        .await
        .map_err(failed(&viewer))?;
    let outcome = resolved
        .case
        .resolution
        .map_or(Outcome::Dismissed, |r| r.outcome);
    Ok(Redirect::to(&format!("/console/cases/{id}?note={}", outcome.as_str())).into_response())
}

async fn appeals(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    Query(query): Query<NoteQuery>,
) -> PageResult {
    viewer
        .caller()
        .require(&[Role::Reviewer])
        .map_err(failed(&viewer))?;
    let now = app.now();
    let rows = app
        .read(move |store| {
            let mut open = Vec::new();
            let mut decided = Vec::new();
            let mut all = store.appeals(None, 10_000)?;
            all.reverse();
            for appeal in all {
                let Some(sanction) = store.sanction(appeal.sanction)? else {
                    continue;
                };
                let row = AppealRow::new(&appeal, &sanction, now);
                if appeal.state == menshen_state::appeal::AppealState::Open {
                    open.push(row);
                } else if decided.len() < 50 {
                    decided.push(row);
                }
            }
            open.reverse();
            Ok((open, decided))
        })
        .await
        .map_err(failed(&viewer))?;
    Ok(render(AppealsPage {
        nav: Some(nav(&viewer)),
        t: Tr(viewer.locale),
        note: note(Tr(viewer.locale), query.note.as_deref()),
        open: rows.0,
        decided: rows.1,
    }))
}

#[derive(Deserialize)]
struct DecideForm {
    csrf: String,
    reason: String,
    decision: String,
}

async fn decide(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    axum::extract::Path(id): axum::extract::Path<u64>,
    form: Result<Form<DecideForm>, FormRejection>,
) -> PageResult {
    let form = accept(&viewer, form)?;
    let reverse = match form.decision.as_str() {
        "reverse" => true,
        "uphold" => false,
        other => {
            return Err(failed(&viewer)(ApiError::field(
                "decision",
                format!("`{other}` is not uphold or reverse"),
            )));
        }
    };
    let appeal = decide_appeal(&app, &viewer.caller(), id, reverse, form.reason)
        .await
        .map_err(failed(&viewer))?;
    Ok(Redirect::to(&format!("/console/appeals?note={}", appeal.state.as_str())).into_response())
}

#[derive(Deserialize)]
struct SubjectQuery {
    kind: Option<String>,
    id: Option<String>,
}

async fn subjects(
    State(app): State<Arc<App>>,
    viewer: Viewer,
    Query(query): Query<SubjectQuery>,
) -> PageResult {
    let caller = viewer.caller();
    caller.require(&[Role::Reviewer]).map_err(failed(&viewer))?;
    // What can be sanctioned or reported; reports, appeals and cases have their own pages.
    let kinds = SubjectKind::ALL.into_iter().filter(|k| {
        !matches!(
            k,
            SubjectKind::Report | SubjectKind::Appeal | SubjectKind::Case
        )
    });
    let kind_name = query.kind.clone().unwrap_or_else(|| "account".into());
    let mut page = SubjectPage {
        nav: Some(nav(&viewer)),
        t: Tr(viewer.locale),
        kinds: choices(kinds.map(SubjectKind::as_str), &kind_name),
        id: query.id.as_deref().map(visible).unwrap_or_default(),
        searched: false,
        standing: None,
        sanctions: Vec::new(),
        cases: Vec::new(),
        history: Vec::new(),
    };
    let Some(id) = query.id.filter(|id| !id.trim().is_empty()) else {
        return Ok(render(page));
    };
    let kind =
        crate::routes::subjects::subject_kind(&kind_name, "kind").map_err(failed(&viewer))?;
    let id = match kind {
        SubjectKind::Message | SubjectKind::Group => id.trim().to_owned(),
        _ => menshen_state::sanction::canonical_target_id(kind, &id)
            .map_err(|e| failed(&viewer)(ApiError::field("id", e)))?,
    };
    let subject = Subject { kind, id };
    let report = subject_report(&app, &caller, subject.clone(), 200)
        .await
        .map_err(failed(&viewer))?;
    let about = app
        .read(move |store| store.cases_about(&subject))
        .await
        .map_err(failed(&viewer))?;
    let now = app.now();
    page.searched = true;
    page.standing = Some(StandingRow::from(&report.standing));
    page.sanctions = report
        .sanctions
        .iter()
        .map(|s| SanctionRow::new(s, now))
        .collect();
    page.cases = about.iter().map(CaseRow::from).collect();
    page.history = report.history.iter().map(HistoryRow::from).collect();
    Ok(render(page))
}

async fn policy(State(app): State<Arc<App>>, viewer: Viewer) -> PageResult {
    viewer
        .caller()
        .require(&[Role::Reviewer])
        .map_err(failed(&viewer))?;
    let in_force = app
        .engine()
        .policy
        .select(
            app.config.profile.as_deref(),
            jiff::Timestamp::from_second(app.now()).ok(),
        )
        .map(|p| p.name.clone())
        .unwrap_or_default();
    let profiles = app
        .engine()
        .policy
        .profiles()
        .iter()
        .map(|profile| ProfileRow {
            name: profile.name.clone(),
            version: profile.version.clone(),
            effective: profile.effective.to_string(),
            description: profile.description.clone(),
            in_force: profile.name == in_force,
            rules: profile
                .rules
                .iter()
                .map(|rule| RuleRow {
                    id: rule.id.clone(),
                    action: rule.action.as_str(),
                    strikes: rule.strikes,
                    restricts: rule.restricts.map(|f| f.to_string()).unwrap_or_default(),
                    shadow: rule.shadow || profile.shadow,
                    message: rule.message.get(viewer.locale).to_owned(),
                })
                .collect(),
        })
        .collect();
    let dir = app.config.data_dir.join("replays");
    let replays = latest_replays(&dir, 5);
    Ok(render(PolicyPage {
        nav: Some(nav(&viewer)),
        t: Tr(viewer.locale),
        profiles,
        replays,
        replay_dir: dir.display().to_string(),
    }))
}

/// The newest `count` text replay reports saved in `dir` (by `menshen replay --save-to`).
fn latest_replays(dir: &std::path::Path, count: usize) -> Vec<ReplayRow> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(std::time::SystemTime, std::path::PathBuf)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .filter_map(|p| Some((p.metadata().ok()?.modified().ok()?, p)))
        .collect();
    files.sort_by_key(|file| std::cmp::Reverse(file.0));
    files
        .into_iter()
        .take(count)
        .filter_map(|(_, path)| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some(ReplayRow {
                name: visible(&path.file_name()?.to_string_lossy()),
                text: visible(&text),
            })
        })
        .collect()
}
