//! `GET /api/v1/export`: the diary and labs of one participant or of every
//! participant the caller may see, streamed as it is written, and audited.

use std::collections::{BTreeMap, HashMap};

use axum::{
    body::Body,
    extract::{Query, State},
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    auth::AuthUser,
    entries::visible_participant,
    error::{self, ApiError},
};
use crate::{
    audit::AuditEvent,
    export::{self, Format, Scope},
    policy,
    state::AppState,
    store::{Participant, Site},
};

/// Participants read a page at a time to build the scope.
const PAGE: i64 = 500;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_handler))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct ExportQuery {
    /// `csv` (a zip of CSV files and a data dictionary), `odm` (CDISC ODM
    /// 1.3.2 with audit records), `fhir` (an R4 Bundle) or `sdtm` (LB, CE
    /// and CM datasets as CSV, zipped).
    #[param(required = true, inline, value_type = Option<crate::export::Format>)]
    format: Option<String>,
    /// One participant; without it, every participant of the caller's sites.
    participant_id: Option<Uuid>,
}

/// The participants an export covers, with their sites.
async fn scope_of(
    state: &AppState,
    user: &AuthUser,
    participant: Option<Uuid>,
) -> Result<Scope, ApiError> {
    let actor = user.actor();
    let participants: Vec<Participant> = match participant {
        Some(id) => {
            let p = visible_participant(state, user, id).await?;
            if !policy::may_manage_site(&actor, p.site_id) {
                return Err(ApiError::Forbidden);
            }
            vec![p]
        }
        None => {
            let sites = policy::export_scope(&actor).ok_or(ApiError::Forbidden)?;
            let mut all = Vec::new();
            let mut after = None;
            loop {
                let page = state
                    .store
                    .participants_page(&sites, &[], after, PAGE)
                    .await?;
                after = page.last().map(|p| p.id);
                let full = page.len() as i64 == PAGE;
                all.extend(page);
                if !full {
                    break;
                }
            }
            all
        }
    };
    let mut sites: HashMap<Uuid, Site> = HashMap::new();
    let mut scope = Scope {
        participants: Vec::new(),
    };
    for p in participants {
        let site = match sites.get(&p.site_id) {
            Some(site) => site.clone(),
            None => {
                let site = state.store.site(p.site_id).await?.ok_or_else(|| {
                    ApiError::Internal(format!("participant {} has no site", p.id))
                })?;
                sites.insert(site.id, site.clone());
                site
            }
        };
        scope.participants.push((p, site));
    }
    Ok(scope)
}

/// The study's data in a standard format, streamed (never the whole study
/// in memory); each export is an audit row.
#[utoipa::path(
    get,
    path = "/v1/export",
    operation_id = "export",
    tag = "outcomes",
    params(ExportQuery),
    security(("bearer" = []), ("cookie" = [])),
    responses(
        (status = 200, description = "The export: a zip of CSV files (csv, sdtm), ODM XML (odm) or a FHIR R4 Bundle (fhir)",
            content((String = "application/zip"), (String = "application/xml"), (Object = "application/fhir+json"))),
        (status = 403, description = "`forbidden`: not an investigator (of the participant's site)", body = error::Body),
        (status = 404, description = "`not_found`: the participant is unknown or not visible", body = error::Body),
        (status = 422, description = "`validation_failed`: the format", body = error::Body),
    )
)]
async fn export_handler(
    user: AuthUser,
    State(state): State<AppState>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, ApiError> {
    let format = match query.format.as_deref().map(Format::parse) {
        Some(Some(format)) => format,
        _ => {
            return Err(ApiError::Unprocessable {
                fields: BTreeMap::from([("format".into(), "csv, odm, fhir or sdtm".into())]),
            });
        }
    };
    let scope = scope_of(&state, &user, query.participant_id).await?;
    let event = AuditEvent::new("export.create", "export", Uuid::now_v7()).after(json!({
        "format": format.as_str(),
        "participant_id": query.participant_id,
        "participants": scope.participants.len(),
    }));
    state.store.record_audit(&user.context, &event).await?;
    let store = state.store.clone();
    let body = export::stream(move |out| async move {
        match format {
            Format::Csv => export::csv::write(store.as_ref(), &scope, out).await,
            Format::Odm => export::odm::write(store.as_ref(), &scope, out).await,
            Format::Fhir => export::fhir::write(store.as_ref(), &scope, out).await,
            Format::Sdtm => export::sdtm::write(store.as_ref(), &scope, out).await,
        }
    });
    let mut response = Body::from_stream(body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{}\"", format.file_name()))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}
