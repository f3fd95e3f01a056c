//! Alerts for investigators: the inbox routes, acknowledging, reporting a
//! serious event, the live stream (server-sent events, resumable with
//! `Last-Event-ID`), and a site's contact lists (admins).

use std::{collections::VecDeque, convert::Infallible, sync::Arc, time::Duration};

use axum::{
    Json,
    extract::{Path, Query, State},
    http::HeaderMap,
    response::sse::{Event, KeepAlive, Sse},
};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    error::{self, ApiError, ApiJson},
};
use crate::{
    alerts::AlertView,
    alerts::targets,
    policy,
    state::AppState,
    store::{AlertRecord, AlertStatus, Channel, Contact, Store},
};

/// Streams look for changes made by other server processes this often.
const STREAM_POLL: Duration = Duration::from_millis(500);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(stream))
        .routes(routes!(one))
        .routes(routes!(acknowledge))
        .routes(routes!(reported))
        .routes(routes!(get_contacts, put_contacts))
}

#[derive(Deserialize, IntoParams)]
struct ListQuery {
    /// `open` (default), `acknowledged`, `resolved` or `all`.
    #[param(inline, value_type = Option<AlertStatusFilter>)]
    status: Option<String>,
    /// 1 to 1000, 100 by default.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// `next_cursor` of the page before.
    #[param(value_type = Option<Uuid>)]
    cursor: Option<String>,
}

/// Which alerts a list shows.
#[derive(ToSchema)]
#[allow(dead_code)]
#[serde(rename_all = "snake_case")]
enum AlertStatusFilter {
    Open,
    Acknowledged,
    Resolved,
    All,
}

#[derive(Serialize, ToSchema)]
struct AlertPage {
    items: Vec<AlertView>,
    next_cursor: Option<String>,
}

/// Alerts of the caller's sites, newest first.
#[utoipa::path(
    get,
    path = "/v1/alerts",
    operation_id = "list_alerts",
    tag = "alerts",
    params(ListQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "A page of alerts", body = AlertPage),
        (status = 403, description = "`forbidden`: participants and guardians", body = error::Body),
        (status = 422, description = "`validation_failed`: status, limit or cursor", body = error::Body),
    )
)]
async fn list(
    user: AuthUser,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Json<AlertPage>, ApiError> {
    let scope = policy::alert_scope(&user.actor()).ok_or(ApiError::Forbidden)?;
    let mut fields = std::collections::BTreeMap::new();
    let status = match q.status.as_deref().unwrap_or("open") {
        "all" => None,
        s => AlertStatus::parse(s).or_else(|| {
            fields.insert(
                "status".into(),
                "open, acknowledged, resolved or all".into(),
            );
            None
        }),
    };
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        fields.insert("limit".into(), "from 1 to 1000".into());
    }
    let before = match q.cursor.as_deref() {
        None | Some("") => None,
        Some(c) => Uuid::try_parse(c).ok().or_else(|| {
            fields.insert("cursor".into(), "a cursor from an earlier answer".into());
            None
        }),
    };
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    let mut items = state
        .store
        .alerts_page(scope.ids(), status, before, limit + 1)
        .await?;
    let next_cursor = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|a| a.id.to_string())
    } else {
        None
    };
    Ok(Json(AlertPage {
        items: items.iter().map(AlertView::from).collect(),
        next_cursor,
    }))
}

async fn visible(state: &AppState, user: &AuthUser, id: Uuid) -> Result<AlertView, ApiError> {
    match state.store.alert(id).await? {
        Some(a) if policy::may_see_alert(&user.actor(), a.site_id) => Ok(AlertView::from(&a)),
        _ => Err(ApiError::NotFound),
    }
}

/// One alert, with its email and webhook deliveries.
#[utoipa::path(
    get,
    path = "/v1/alerts/{id}",
    operation_id = "get_alert",
    tag = "alerts",
    params(("id" = Uuid, Path, description = "The alert")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The alert", body = AlertView),
        (status = 404, description = "`not_found`: no such alert at the caller's sites", body = error::Body),
    )
)]
async fn one(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<AlertView>, ApiError> {
    let mut alert = visible(&state, &user, id).await?;
    alert.deliveries = Some(
        state
            .store
            .alert_deliveries(id)
            .await?
            .into_iter()
            .map(crate::store::DeliveryStatus::for_staff)
            .collect(),
    );
    Ok(Json(alert))
}

#[derive(Deserialize, ToSchema)]
struct NoteBody {
    /// What was done (1 to 2000 characters).
    #[schema(min_length = 1, max_length = 2000, pattern = r"[^\s\u0085]")]
    note: String,
}

/// Acknowledges an alert, or marks it reported, with a note: for the API
/// and the web app's inbox alike.
pub(crate) async fn act_on_alert(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    note: &str,
    reported: bool,
) -> Result<AlertRecord, ApiError> {
    visible(state, user, id).await?;
    let note = note.trim();
    if note.is_empty() || note.chars().count() > 2000 {
        return Err(ApiError::Unprocessable {
            fields: [(
                "note".into(),
                "say what was done, 1 to 2000 characters".into(),
            )]
            .into(),
        });
    }
    let (by, context) = (user.user.id, &user.context);
    let done = if reported {
        state.store.report_alert(id, by, note, context).await?
    } else {
        state.store.acknowledge_alert(id, by, note, context).await?
    };
    let done = done.ok_or_else(|| {
        ApiError::Conflict(if reported {
            "Only a potentially serious event is reported, and only once.".into()
        } else {
            "This alert is not open any more.".into()
        })
    })?;
    state.alerts.wake.notify_waiters();
    Ok(done)
}

/// Acknowledges an open alert with a note; escalation stops.
#[utoipa::path(
    post,
    path = "/v1/alerts/{id}/acknowledge",
    operation_id = "acknowledge_alert",
    tag = "alerts",
    params(("id" = Uuid, Path, description = "The alert")),
    request_body = NoteBody,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The acknowledged alert", body = AlertView),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
        (status = 409, description = "`conflict`: not open any more", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`: the note", body = error::Body),
    )
)]
async fn acknowledge(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<AlertView>, ApiError> {
    let done = act_on_alert(&state, &user, id, &body.note, false).await?;
    Ok(Json(AlertView::from(&done)))
}

/// Records that a potentially serious event was reported to the sponsor.
#[utoipa::path(
    post,
    path = "/v1/alerts/{id}/reported",
    operation_id = "report_alert",
    tag = "alerts",
    params(("id" = Uuid, Path, description = "The alert")),
    request_body = NoteBody,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The alert, reported", body = AlertView),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
        (status = 409, description = "`conflict`: not a potentially serious event, or reported already", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`: the note", body = error::Body),
    )
)]
async fn reported(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<NoteBody>,
) -> Result<Json<AlertView>, ApiError> {
    let done = act_on_alert(&state, &user, id, &body.note, true).await?;
    Ok(Json(AlertView::from(&done)))
}

/// New and changed alerts of the caller's sites as they happen: events
/// named `alert` whose data is the alert and whose id resumes the stream
/// (`Last-Event-ID`) without loss.
#[utoipa::path(
    get,
    path = "/v1/alerts/stream",
    operation_id = "alert_stream",
    tag = "alerts",
    params(("Last-Event-ID" = Option<i64>, Header, description = "The id of the last event received")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "`text/event-stream`", content_type = "text/event-stream", body = String),
        (status = 403, description = "`forbidden`: participants and guardians", body = error::Body),
        (status = 422, description = "`validation_failed`: Last-Event-ID", body = error::Body),
    )
)]
async fn stream(
    user: AuthUser,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    let scope = policy::alert_scope(&user.actor()).ok_or(ApiError::Forbidden)?;
    let after = match headers.get("last-event-id") {
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|v| *v >= 0)
            .ok_or_else(|| ApiError::Unprocessable {
                fields: [(
                    "Last-Event-ID".into(),
                    "an event id from this stream".into(),
                )]
                .into(),
            })?,
        // A fresh stream starts now; the inbox reads what came before.
        None => latest_event(state.store.as_ref()).await?,
    };
    let source = Source {
        store: state.store.clone(),
        alerts: state.alerts.clone(),
        user_id: user.user.id,
        session_id: user.session_id,
        sites: scope,
        after,
        buffer: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(source, |mut s| async move {
        loop {
            if let Some(event) = s.buffer.pop_front() {
                return Some((Ok(event), s));
            }
            // The reader's right to hear is what it was when the stream
            // began, or the stream ends: a disabled account, an ended
            // session or a lost site link stops it at the next look.
            match s.still_entitled().await {
                Ok(true) => {}
                Ok(false) => return None,
                Err(error) => {
                    tracing::error!(%error, "alert stream stopped");
                    return None;
                }
            }
            match s
                .store
                .alert_events_after(s.sites.ids(), s.after, 100)
                .await
            {
                Ok(rows) if !rows.is_empty() => {
                    for row in rows {
                        s.after = row.seq;
                        s.buffer.push_back(
                            Event::default()
                                .event("alert")
                                .id(row.seq.to_string())
                                .data(row.body),
                        );
                    }
                }
                Ok(_) => {
                    tokio::select! {
                        () = s.alerts.wake.notified() => {}
                        () = tokio::time::sleep(STREAM_POLL) => {}
                    }
                }
                Err(error) => {
                    // The client reconnects with its Last-Event-ID.
                    tracing::error!(%error, "alert stream stopped");
                    return None;
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

struct Source {
    store: Arc<dyn Store>,
    alerts: Arc<crate::alerts::Alerts>,
    user_id: Uuid,
    session_id: Uuid,
    sites: policy::SiteScope,
    after: i64,
    buffer: VecDeque<Event>,
}

impl Source {
    /// Whether the session is still open, the account enabled and its
    /// sites those the stream began with.
    async fn still_entitled(&self) -> Result<bool, crate::store::StoreError> {
        let session_open = self
            .store
            .session(self.session_id)
            .await?
            .is_some_and(|s| s.revoked_at.is_none() && s.user_id == self.user_id);
        if !session_open {
            return Ok(false);
        }
        let Some(user) = self
            .store
            .user_by_id(self.user_id)
            .await?
            .filter(|u| u.disabled_at.is_none())
        else {
            return Ok(false);
        };
        let links = self.store.user_links(user.id).await?;
        let scope = policy::alert_scope(&policy::Actor {
            role: user.role,
            links: &links,
        });
        Ok(scope.is_some_and(|now| now.same_as(&self.sites)))
    }
}

async fn latest_event(store: &dyn Store) -> Result<i64, ApiError> {
    Ok(store.alert_event_head().await?)
}

#[derive(Serialize, Deserialize, ToSchema)]
struct ContactView {
    /// 0 hears first; 1, 2 ... on escalation.
    #[schema(minimum = 0, maximum = 9)]
    level: i64,
    /// `email` or `webhook`.
    channel: String,
    /// An email address, or an https:// URL of a public receiver.
    target: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
struct ContactList {
    #[schema(max_items = 50)]
    contacts: Vec<ContactView>,
}

fn view(contacts: Vec<Contact>) -> ContactList {
    ContactList {
        contacts: contacts
            .into_iter()
            .map(|c| ContactView {
                level: c.level,
                channel: c.channel.as_str().into(),
                target: c.target,
            })
            .collect(),
    }
}

async fn site_of(state: &AppState, user: &AuthUser, id: Uuid) -> Result<(), ApiError> {
    if !policy::may_change_site(&user.actor()) {
        return Err(ApiError::Forbidden);
    }
    state
        .store
        .site(id)
        .await?
        .map(|_| ())
        .ok_or(ApiError::NotFound)
}

/// Who hears of a site's alerts (admins).
#[utoipa::path(
    get,
    path = "/v1/sites/{id}/contacts",
    operation_id = "get_site_contacts",
    tag = "alerts",
    params(("id" = Uuid, Path, description = "The site")),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The contact lists", body = ContactList),
        (status = 403, description = "`forbidden`: not an admin", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
    )
)]
async fn get_contacts(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<Json<ContactList>, ApiError> {
    site_of(&state, &user, id).await?;
    Ok(Json(view(state.store.site_contacts(id).await?)))
}

/// Replaces who hears of a site's alerts (admins; the old lists are kept, retired).
#[utoipa::path(
    put,
    path = "/v1/sites/{id}/contacts",
    operation_id = "put_site_contacts",
    tag = "alerts",
    params(("id" = Uuid, Path, description = "The site")),
    request_body = ContactList,
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The contact lists", body = ContactList),
        (status = 400, description = "`malformed_json`", body = error::Body),
        (status = 403, description = "`forbidden` (not an admin) or `csrf_failed`", body = error::Body),
        (status = 404, description = "`not_found`", body = error::Body),
        (status = 413, description = "`payload_too_large`", body = error::Body),
        (status = 422, description = "`validation_failed`", body = error::Body),
    )
)]
async fn put_contacts(
    user: AuthUser,
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    ApiJson(body): ApiJson<ContactList>,
) -> Result<Json<ContactList>, ApiError> {
    site_of(&state, &user, id).await?;
    let mut fields = std::collections::BTreeMap::new();
    let mut contacts = Vec::new();
    for (i, c) in body.contacts.iter().enumerate() {
        let target = c.target.trim();
        match Channel::parse(&c.channel) {
            Some(Channel::Email) if target.parse::<lettre::Address>().is_ok() => {}
            Some(Channel::Email) => {
                fields.insert(format!("contacts[{i}].target"), "an email address".into());
            }
            Some(Channel::Webhook) => {
                if let Err(why) = targets::check(target, state.alerts.webhook_allow_private).await {
                    fields.insert(
                        format!("contacts[{i}].target"),
                        format!("an https URL of a public receiver: {why}"),
                    );
                }
            }
            None => {
                fields.insert(format!("contacts[{i}].channel"), "email or webhook".into());
            }
        }
        if !(0..=9).contains(&c.level) {
            fields.insert(format!("contacts[{i}].level"), "from 0 to 9".into());
        }
        if let Some(channel) = Channel::parse(&c.channel) {
            contacts.push(Contact {
                level: c.level,
                channel,
                target: target.to_owned(),
            });
        }
    }
    if contacts.len() > 50 {
        fields.insert("contacts".into(), "at most 50".into());
    }
    if !fields.is_empty() {
        return Err(ApiError::Unprocessable { fields });
    }
    state
        .store
        .set_site_contacts(id, &contacts, &user.context)
        .await?;
    Ok(Json(view(state.store.site_contacts(id).await?)))
}

/// The JSON Schema of a contact, which the derive cannot say: the target
/// follows the channel. It replaces the derived one in the document.
pub(super) fn contact_schema() -> (&'static str, serde_json::Value) {
    use serde_json::json;
    let contact = |channel: &str, target: serde_json::Value| {
        json!({
            "type": "object",
            "title": channel,
            "properties": {
                "level": {
                    "type": "integer", "minimum": 0, "maximum": 9,
                    "description": "0 hears first; 1, 2 ... on escalation",
                },
                "channel": {"const": channel},
                "target": target,
            },
            "required": ["level", "channel", "target"],
        })
    };
    (
        "ContactView",
        json!({
            "description": "Whom an alert of the site reaches",
            "oneOf": [
                contact("email", json!({"type": "string", "format": "email", "maxLength": 254})),
                contact("webhook", json!({
                    "type": "string", "format": "uri", "pattern": "^https?://[^\\s/?#]+",
                    "description": "An https URL whose host resolves to public addresses only (http and private addresses only with EDIARY_WEBHOOK_ALLOW_PRIVATE=1)",
                })),
            ],
        }),
    )
}
