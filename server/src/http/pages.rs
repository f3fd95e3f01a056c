//! Glue between the server and the Leptos app's server functions: the one
//! module that implements the app's service traits (`StudyService`,
//! `SessionService`, `ParticipantService`, `DiaryService`, `InboxService`,
//! `ReviewService`), each a thin call into the use cases.

use std::{any::Any, collections::HashMap, sync::Arc};

use app::{
    diary::{
        DiaryOwner, DiaryProfile, Emergency,
        ssr::{DiaryService, DiaryServices},
    },
    error::AppError,
    inbox::{
        FailedDelivery, InboxAlert,
        ssr::{InboxService, InboxServices},
    },
    participants::{
        NewEnrolment, SiteChoice,
        ssr::{ParticipantService, ParticipantServices},
    },
    session::{
        DeviceSession, MfaSetupView, SignedIn,
        ssr::{SessionService, SessionServices},
    },
    study::{StudyInfo, ssr::StudyServices},
};
use axum::{
    body::Body,
    http::{HeaderValue, Response, StatusCode, header, request::Parts},
};
use leptos::prelude::provide_context;
use secrecy::SecretString;

use chrono::NaiveDate;
use uuid::Uuid;

use super::forwarded::ClientInfo;
use super::{auth::AuthUser, cookies, error::ApiError};
use crate::{
    auth::{self, AuthError, Grant},
    policy,
    service::{
        self,
        participants::{IssuedCode, NewParticipant, create_participant, guardian_invitation},
    },
    state::AppState,
    store::{AlertRecord, AlertStatus, Participant, Store, User},
};

struct WebStudy(Arc<dyn Store>);

#[async_trait::async_trait]
impl app::study::ssr::StudyService for WebStudy {
    async fn study_info(&self) -> Result<Option<StudyInfo>, String> {
        let study = self.0.study().await.map_err(|e| e.to_string())?;
        Ok(study.map(|s| StudyInfo {
            name: s.name,
            is_demo: s.is_demo,
        }))
    }
}

/// The web app's sign-in, on the same service as the API's.
struct WebSessions(AppState);

fn app_error(error: AuthError) -> AppError {
    match error {
        AuthError::InvalidCredentials => AppError::InvalidCredentials,
        AuthError::MfaRequired => AppError::MfaRequired,
        AuthError::Throttled { retry_after_secs } => AppError::Throttled(retry_after_secs),
        AuthError::Invalid(fields) => AppError::Invalid(fields.into_iter().collect()),
        AuthError::NotStaff => AppError::NotAllowed,
        AuthError::MfaAlreadySetUp => AppError::Invalid(vec![(
            "mfa".into(),
            "Two-factor sign-in is set up already. Ask an admin to reset it if the phone is lost."
                .into(),
        )]),
        other => {
            tracing::error!(error = %other, "web sign-in failed");
            AppError::Unavailable
        }
    }
}

/// The page's view of a new session, and the cookies that hold it.
fn web_session(request: &Parts, grant: &Grant) -> (SignedIn, Vec<HeaderValue>) {
    let user = SignedIn {
        display_name: grant.user.display_name.clone(),
        role: grant.user.role,
    };
    let csrf = cookies::new_csrf_token();
    (
        user,
        cookies::set_session(ClientInfo::from_parts(request).https, grant, &csrf),
    )
}

fn signed_in(user: &User) -> SignedIn {
    SignedIn {
        display_name: user.display_name.clone(),
        role: user.role,
    }
}

#[async_trait::async_trait]
impl SessionService for WebSessions {
    async fn sign_in(
        &self,
        request: &Parts,
        username: String,
        password: String,
        totp: Option<String>,
    ) -> Result<(SignedIn, Vec<HeaderValue>), AppError> {
        let context = super::auth::request_context(&request.headers, super::auth::peer(request));
        let store = self.0.store.as_ref();
        let grant = auth::login(
            &self.0.auth,
            store,
            &username,
            SecretString::from(password),
            totp.as_deref(),
            &context,
        )
        .await
        .map_err(app_error)?;
        Ok(web_session(request, &grant))
    }

    async fn enroll(
        &self,
        request: &Parts,
        code: String,
        display_name: String,
        username: String,
        password: String,
    ) -> Result<(SignedIn, Vec<HeaderValue>), AppError> {
        let context = super::auth::request_context(&request.headers, super::auth::peer(request));
        let form = auth::EnrollForm {
            code,
            username,
            password: SecretString::from(password),
            display_name,
        };
        let grant = auth::enroll(&self.0.auth, self.0.store.as_ref(), form, &context)
            .await
            .map_err(app_error)?;
        Ok(web_session(request, &grant))
    }

    async fn set_up_mfa(
        &self,
        request: &Parts,
        username: String,
        password: String,
        setup_code: Option<String>,
    ) -> Result<MfaSetupView, AppError> {
        let context = super::auth::request_context(&request.headers, super::auth::peer(request));
        let setup = auth::setup_mfa(
            self.0.store.as_ref(),
            &username,
            SecretString::from(password),
            setup_code.as_deref(),
            &context,
        )
        .await
        .map_err(app_error)?;
        Ok(MfaSetupView {
            secret: setup.secret_base32,
            qr_svg: setup.qr_svg.unwrap_or_default(),
            recovery_codes: setup.recovery_codes,
        })
    }

    async fn sessions(&self, request: &Parts) -> Result<Vec<DeviceSession>, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let sessions = self
            .0
            .store
            .sessions_of(user.user.id)
            .await
            .map_err(AppError::from)?;
        let when = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
        Ok(sessions
            .into_iter()
            .filter(|s| s.revoked_at.is_none())
            .map(|s| DeviceSession {
                id: s.id,
                signed_in_at: when(s.created_at),
                last_used_at: when(s.last_used_at),
                user_agent: s.user_agent,
                current: s.id == user.session_id,
            })
            .collect())
    }

    async fn end_session(&self, request: &Parts, id: Uuid) -> Result<(), AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        match self.0.store.session(id).await.map_err(AppError::from)? {
            Some(session) if session.user_id == user.user.id => self
                .0
                .store
                .revoke_session(id, "ended by the user", &user.context)
                .await
                .map_err(AppError::from),
            _ => Err(AppError::NotAllowed),
        }
    }

    async fn sign_out(&self, request: &Parts) -> Result<Vec<HeaderValue>, AppError> {
        if let Some(token) = cookies::get(&request.headers, cookies::ACCESS) {
            let store = self.0.store.as_ref();
            if let Ok((user, session)) = auth::session_user(&self.0.auth, store, &token).await {
                let mut context =
                    super::auth::request_context(&request.headers, super::auth::peer(request));
                context.actor_id = Some(user.id);
                context.actor_role = user.role.to_string();
                store
                    .revoke_session(session, "signed out", &context)
                    .await
                    .map_err(|e| app_error(e.into()))?;
            }
        }
        Ok(cookies::clear_session(
            ClientInfo::from_parts(request).https,
        ))
    }

    async fn nav_info(&self, request: &Parts) -> Result<Option<app::session::NavInfo>, AppError> {
        if cookies::get(&request.headers, cookies::ACCESS).is_none_or(|t| t.is_empty()) {
            return Ok(None);
        }
        let user = match AuthUser::from_cookie(&self.0, request).await {
            Ok(user) => user,
            Err(ApiError::Unauthorized { .. }) => return Ok(None),
            Err(other) => return Err(AppError::from(other)),
        };
        let open_alerts = match policy::alert_scope(&user.actor()) {
            None => None,
            Some(scope) => {
                let sites = match scope {
                    policy::SiteScope::Sites(sites) => sites,
                    policy::SiteScope::All => self
                        .0
                        .store
                        .sites()
                        .await
                        .map_err(AppError::from)?
                        .into_iter()
                        .map(|s| s.id)
                        .collect(),
                };
                let counts = self
                    .0
                    .store
                    .open_alert_counts(&sites)
                    .await
                    .map_err(AppError::from)?;
                Some(counts.iter().map(|(_, n)| n).sum())
            }
        };
        Ok(Some(app::session::NavInfo {
            display_name: user.user.display_name.clone(),
            role: user.user.role,
            open_alerts,
        }))
    }

    async fn set_language(
        &self,
        request: &Parts,
        language: app::domain::language::Language,
    ) -> Result<Vec<HeaderValue>, AppError> {
        if cookies::get(&request.headers, cookies::ACCESS).is_some_and(|t| !t.is_empty()) {
            // Signed in: the choice follows the person to every device.
            let user = AuthUser::from_cookie(&self.0, request)
                .await
                .map_err(AppError::from)?;
            self.0
                .store
                .set_user_language(user.user.id, language, &user.context)
                .await
                .map_err(AppError::from)?;
        }
        Ok(
            cookies::set_language(ClientInfo::from_parts(request).https, language)
                .into_iter()
                .collect(),
        )
    }

    async fn who_am_i(&self, request: &Parts) -> Result<Option<SignedIn>, AppError> {
        let Some(token) = cookies::get(&request.headers, cookies::ACCESS).filter(|t| !t.is_empty())
        else {
            return Ok(None);
        };
        match auth::session_user(&self.0.auth, self.0.store.as_ref(), &token).await {
            Ok((user, _)) => Ok(Some(signed_in(&user))),
            Err(AuthError::Store(e)) => Err(app_error(AuthError::Store(e))),
            Err(_) => Ok(None),
        }
    }
}

/// The investigator's server functions, on the same services as the API's.
struct WebParticipants(AppState);

#[async_trait::async_trait]
impl ParticipantService for WebParticipants {
    async fn sites(&self, request: &Parts) -> Result<Vec<SiteChoice>, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let mut sites = Vec::new();
        for id in &user.links.site_ids {
            if let Some(site) = self.0.store.site(*id).await.map_err(AppError::from)? {
                sites.push(SiteChoice {
                    id: site.id,
                    code: site.code,
                    name: site.name,
                });
            }
        }
        Ok(sites)
    }

    async fn add_participant(
        &self,
        request: &Parts,
        site_id: Uuid,
        study_id: String,
        birth_year: i32,
        diagnosis_date: String,
        weight_kg: Option<f64>,
    ) -> Result<NewEnrolment, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let diagnosis_date =
            NaiveDate::parse_from_str(&diagnosis_date, "%Y-%m-%d").map_err(|_| {
                AppError::Invalid(vec![(
                    "diagnosis_date".into(),
                    "Enter the date of diagnosis.".into(),
                )])
            })?;
        let body = NewParticipant {
            site_id,
            study_id,
            birth_year,
            diagnosis_date,
            weight_kg,
        };
        let (participant, shown) = create_participant(
            self.0.store.as_ref(),
            user.caller(),
            &self.0.public_url,
            body,
        )
        .await?;
        enrolment(&self.0, participant, shown, false).await
    }

    async fn invite_guardian(
        &self,
        request: &Parts,
        participant_id: Uuid,
    ) -> Result<NewEnrolment, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let (participant, shown) = guardian_invitation(
            self.0.store.as_ref(),
            user.caller(),
            &self.0.public_url,
            participant_id,
        )
        .await?;
        enrolment(&self.0, participant, shown, true).await
    }
}

/// What the web app shows of a new code.
async fn enrolment(
    state: &AppState,
    participant: Participant,
    shown: IssuedCode,
    for_guardian: bool,
) -> Result<NewEnrolment, AppError> {
    let site = state
        .store
        .site(participant.site_id)
        .await
        .map_err(AppError::from)?;
    let expires = shown.enrollment_expires_at;
    // On the site's clock, with its offset: the code is handed over on paper.
    let expires_at = match site.and_then(|s| s.timezone.parse::<chrono_tz::Tz>().ok()) {
        Some(tz) => expires.with_timezone(&tz).fixed_offset(),
        None => expires.fixed_offset(),
    };
    Ok(NewEnrolment {
        participant_id: participant.id,
        study_id: participant.study_id,
        for_guardian,
        code: shown.enrollment_code,
        link: shown.enrollment_link,
        qr_svg: shown.enrollment_qr_svg.unwrap_or_default(),
        expires_at,
    })
}

/// What the phone app needs besides the sync: the user and whose diaries
/// they keep, with each site's emergency number.
struct WebDiary(AppState);

#[async_trait::async_trait]
impl DiaryService for WebDiary {
    async fn profile(&self, request: &Parts) -> Result<DiaryProfile, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let ids = policy::sync_scope(&user.actor()).unwrap_or_default();
        let store = &self.0.store;
        let fail = AppError::from;
        let (advice_en, advice_zh) = store.emergency_advice().await.map_err(fail)?;
        let is_demo = store
            .study()
            .await
            .map_err(fail)?
            .is_some_and(|s| s.is_demo);
        let mut owners = Vec::new();
        for id in ids {
            let Some(p) = store.participant(id).await.map_err(fail)? else {
                continue;
            };
            let phone = store
                .site(p.site_id)
                .await
                .map_err(fail)?
                .map(|s| s.emergency_phone)
                .unwrap_or_default();
            let name = match p.user_id {
                Some(account) => store
                    .user_by_id(account)
                    .await
                    .map_err(fail)?
                    .map(|u| u.display_name),
                None => None,
            };
            owners.push(DiaryOwner {
                participant_id: p.id,
                study_id: p.study_id,
                name,
                emergency: Emergency {
                    phone,
                    advice_en: advice_en.clone(),
                    advice_zh: advice_zh.clone(),
                },
            });
        }
        owners.sort_by(|a, b| a.study_id.cmp(&b.study_id));
        Ok(DiaryProfile {
            user_id: user.user.id,
            display_name: user.user.display_name.clone(),
            role: user.user.role,
            is_demo,
            owners,
        })
    }
}

/// The investigator's inbox, on the same store calls as the alert routes.
struct WebInbox(AppState);

impl WebInbox {
    /// The time zones of the sites, read once per request.
    async fn zones(&self) -> Result<HashMap<Uuid, chrono_tz::Tz>, AppError> {
        let sites = self.0.store.sites().await.map_err(AppError::from)?;
        Ok(sites
            .into_iter()
            .filter_map(|s| Some((s.id, s.timezone.parse().ok()?)))
            .collect())
    }

    async fn item(
        &self,
        a: &AlertRecord,
        zones: &HashMap<Uuid, chrono_tz::Tz>,
    ) -> Result<InboxAlert, AppError> {
        let deliveries = self
            .0
            .store
            .alert_deliveries(a.id)
            .await
            .map_err(AppError::from)?;
        Ok(InboxAlert {
            id: a.id,
            study_id: a.study_id.clone(),
            rule: a.rule.as_str().into(),
            severity: a.severity.as_str().into(),
            status: a.status.as_str().into(),
            created_at: match zones.get(&a.site_id) {
                Some(tz) => a.created_at.with_timezone(tz).fixed_offset(),
                None => a.created_at.fixed_offset(),
            },
            report_due_at: a.report_due_at.map(|d| d.to_rfc3339()),
            reported: a.reported_at.is_some(),
            note: a.note.clone(),
            readings: a.readings,
            escalation_level: a.escalation_level,
            failed_deliveries: deliveries
                .into_iter()
                .filter(|d| d.failed_at.is_some())
                .map(crate::store::DeliveryStatus::for_staff)
                .map(|d| FailedDelivery {
                    channel: d.channel.as_str().into(),
                    target: d.target,
                    error: d.last_error.unwrap_or_default(),
                })
                .collect(),
        })
    }
}

#[async_trait::async_trait]
impl InboxService for WebInbox {
    async fn inbox(&self, request: &Parts) -> Result<Vec<InboxAlert>, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let scope = policy::alert_scope(&user.actor()).ok_or(AppError::NotAllowed)?;
        let zones = self.zones().await?;
        let mut items = Vec::new();
        for status in [AlertStatus::Open, AlertStatus::Acknowledged] {
            let page = self
                .0
                .store
                .alerts_page(scope.ids(), Some(status), None, 100)
                .await
                .map_err(AppError::from)?;
            for a in &page {
                // Acknowledged alerts stay while a report is still due.
                if status == AlertStatus::Open
                    || (a.report_due_at.is_some() && a.reported_at.is_none())
                {
                    items.push(self.item(a, &zones).await?);
                }
            }
        }
        items.sort_by_key(|a| std::cmp::Reverse(a.created_at));
        Ok(items)
    }

    async fn act(
        &self,
        request: &Parts,
        id: Uuid,
        note: String,
        reported: bool,
    ) -> Result<InboxAlert, AppError> {
        let user = AuthUser::from_cookie(&self.0, request)
            .await
            .map_err(AppError::from)?;
        let done = super::alerts::act_on_alert(&self.0, &user, id, &note, reported)
            .await
            .map_err(|e| match e {
                ApiError::NotFound => AppError::NotAllowed,
                other => AppError::from(other),
            })?;
        self.item(&done, &self.zones().await?).await
    }
}

/// The investigator's review pages: roster, participant page, visit labs,
/// study figures, through the same use cases as the JSON API.
struct WebReview(AppState);

impl WebReview {
    async fn user(&self, request: &Parts) -> Result<AuthUser, AppError> {
        Ok(AuthUser::from_cookie(&self.0, request).await?)
    }
}

#[async_trait::async_trait]
impl app::review::ssr::ReviewService for WebReview {
    async fn roster(
        &self,
        request: &Parts,
    ) -> Result<Vec<app::domain::roster::RosterRow>, AppError> {
        let user = self.user(request).await?;
        Ok(service::roster::rows(self.0.store.as_ref(), user.caller()).await?)
    }

    async fn study_outcomes(
        &self,
        request: &Parts,
    ) -> Result<Vec<app::domain::study_outcomes::VisitOutcome>, AppError> {
        let user = self.user(request).await?;
        Ok(service::outcomes::per_visit(self.0.store.as_ref(), user.caller()).await?)
    }

    async fn review(
        &self,
        request: &Parts,
        id: Uuid,
        from: String,
        to: String,
    ) -> Result<app::review::ParticipantPage, AppError> {
        let user = self.user(request).await?;
        Ok(
            service::review::participant_page(self.0.store.as_ref(), user.caller(), id, &from, &to)
                .await?,
        )
    }

    async fn save_lab(
        &self,
        request: &Parts,
        participant: Uuid,
        correction: Option<(Uuid, i64)>,
        reason: Option<String>,
        input: app::domain::labs::LabInput,
    ) -> Result<(), AppError> {
        let user = self.user(request).await?;
        let store = self.0.store.as_ref();
        match correction {
            None => service::labs::record(store, user.caller(), participant, input).await?,
            Some((lab, base)) => {
                let reason = reason.unwrap_or_default();
                service::labs::correct(store, user.caller(), lab, base, &reason, input).await?
            }
        };
        Ok(())
    }

    async fn void_lab(
        &self,
        request: &Parts,
        lab: Uuid,
        base_version: i64,
        reason: String,
    ) -> Result<(), AppError> {
        let user = self.user(request).await?;
        service::labs::remove(
            self.0.store.as_ref(),
            user.caller(),
            lab,
            base_version,
            &reason,
        )
        .await?;
        Ok(())
    }
}

/// What the server functions find in context on every request.
pub fn context(state: &AppState) -> impl Fn() + Clone + Send + 'static {
    let studies: StudyServices = Arc::new(WebStudy(state.store.clone()));
    let sessions: SessionServices = Arc::new(WebSessions(state.clone()));
    let participants: ParticipantServices = Arc::new(WebParticipants(state.clone()));
    let diaries: DiaryServices = Arc::new(WebDiary(state.clone()));
    let inboxes: InboxServices = Arc::new(WebInbox(state.clone()));
    let reviews: app::review::ssr::ReviewServices = Arc::new(WebReview(state.clone()));
    let phone = app::ssr::PhoneBundle(state.phone_bundle.clone());
    move || {
        provide_context(phone.clone());
        provide_context(inboxes.clone());
        provide_context(reviews.clone());
        provide_context(diaries.clone());
        provide_context(studies.clone());
        provide_context(sessions.clone());
        provide_context(participants.clone());
    }
}

/// A panic in a handler is a bug: log it and answer 500 without details.
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)");
    tracing::error!(panic = detail, "handler panicked");
    let body = r#"{"error":{"code":"internal_error","message":"Something went wrong on the server. It has been logged."}}"#;
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}
