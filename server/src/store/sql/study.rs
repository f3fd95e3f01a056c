//! The study, its sites and settings, participants and enrolment.

use chrono::NaiveDate;

use super::{accounts::insert_user, *};

const STUDY_SELECT: &str = "SELECT id, name, is_demo, created_at, default_language FROM study";

#[derive(sqlx::FromRow)]
struct StudyRow {
    id: Uid,
    name: String,
    is_demo: bool,
    created_at: DateTime<Utc>,
    default_language: String,
}

impl TryFrom<StudyRow> for Study {
    type Error = sqlx::Error;

    fn try_from(r: StudyRow) -> Result<Self, sqlx::Error> {
        let tag = r.default_language;
        Ok(Study {
            id: uuid_of(r.id),
            name: r.name,
            is_demo: r.is_demo,
            created_at: r.created_at,
            default_language: Language::from_tag(&tag).ok_or_else(|| {
                sqlx::Error::ColumnDecode {
                    index: "default_language".into(),
                    source: format!("unknown language {tag:?}").into(),
                }
            })?,
        })
    }
}

pub(super) async fn insert_study(conn: &mut Conn, study: &Study) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO study (id, name, is_demo, created_at, default_language)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(uid(study.id))
    .bind(&study.name)
    .bind(study.is_demo)
    .bind(study.created_at)
    .bind(study.default_language.tag())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct SiteRow {
    id: Uid,
    code: String,
    name: String,
    timezone: String,
    emergency_phone: String,
}

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Self {
        Site {
            id: uuid_of(r.id),
            code: r.code,
            name: r.name,
            timezone: r.timezone,
            emergency_phone: r.emergency_phone,
        }
    }
}

pub(super) async fn insert_site(
    conn: &mut Conn,
    site: &Site,
    now: DateTime<Utc>,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO sites (id, code, name, timezone, emergency_phone, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(uid(site.id))
    .bind(&site.code)
    .bind(&site.name)
    .bind(&site.timezone)
    .bind(&site.emergency_phone)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::unique(e, "a site with this code"))?;
    append_audit(conn, context, &events::site_created(site)).await
}

pub(super) async fn insert_participant(
    conn: &mut Conn,
    p: &Participant,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO participants
           (id, site_id, study_id, birth_year, diagnosis_date, weight_kg, user_id, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(uid(p.id))
    .bind(uid(p.site_id))
    .bind(&p.study_id)
    .bind(p.birth_year)
    .bind(p.diagnosis_date)
    .bind(p.weight_kg)
    .bind(p.user_id.map(uid))
    .bind(p.enrolled_at)
    .execute(&mut *conn)
    .await
    .map_err(|e| StoreError::unique(e, "a participant with this study id"))?;
    append_audit(conn, context, &events::participant_created(p)).await
}

const PARTICIPANT_COLUMNS: &str =
    "SELECT id, site_id, study_id, birth_year, diagnosis_date, weight_kg, user_id, enrolled_at
        FROM participants";
/// Participants of the sites bound as `$1` or with an id in `$2`, after `$3`.
fn participant_page_filter() -> String {
    format!(
        "(site_id {} OR id {}) AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4",
        in_ids(1),
        in_ids(2)
    )
}

#[derive(sqlx::FromRow)]
struct ParticipantRow {
    id: Uid,
    site_id: Uid,
    study_id: String,
    birth_year: i32,
    diagnosis_date: NaiveDate,
    weight_kg: Option<f64>,
    user_id: Option<Uid>,
    enrolled_at: DateTime<Utc>,
}

impl From<ParticipantRow> for Participant {
    fn from(r: ParticipantRow) -> Self {
        Participant {
            id: uuid_of(r.id),
            site_id: uuid_of(r.site_id),
            study_id: r.study_id,
            birth_year: r.birth_year,
            diagnosis_date: r.diagnosis_date,
            weight_kg: r.weight_kg,
            user_id: r.user_id.map(uuid_of),
            enrolled_at: r.enrolled_at,
        }
    }
}

pub(super) async fn insert_code(
    conn: &mut Conn,
    code: &NewEnrollmentCode,
    context: &AuditContext,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO enrollment_codes (code_hash, kind, participant_id, created_by, created_at, expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&code.code_hash)
    .bind(code.kind.as_str())
    .bind(uid(code.participant_id))
    .bind(uid(code.created_by))
    .bind(Utc::now())
    .bind(code.expires_at_ms)
    .execute(&mut *conn)
    .await?;
    // The code itself never reaches the audit trail.
    let event = AuditEvent::new("enrollment_code.create", "participant", code.participant_id)
        .on_behalf_of(code.participant_id)
        .after(
            serde_json::json!({"kind": code.kind.as_str(), "expires_at_ms": code.expires_at_ms}),
        );
    append_audit(conn, context, &event).await
}

pub(super) async fn study(store: &ThisStore) -> Result<Option<Study>, StoreError> {
    let row = sqlx::query_as::<_, StudyRow>(STUDY_SELECT)
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(Study::try_from).transpose()?)
}

pub(super) async fn create_site(
    store: &ThisStore,
    site: &Site,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    insert_site(&mut tx, site, Utc::now(), context).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn site_by_code(
    store: &ThisStore,
    code: &str,
) -> Result<Option<Site>, StoreError> {
    let row = sqlx::query_as::<_, SiteRow>(
        "SELECT id, code, name, timezone, emergency_phone FROM sites WHERE code = $1",
    )
    .bind(code)
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(Site::from))
}

pub(super) async fn seed_demo(
    store: &ThisStore,
    demo: &DemoStudy,
    context: &AuditContext,
) -> Result<SeedOutcome, StoreError> {
    let mut tx = store.begin_write().await?;
    let existing = sqlx::query_as::<_, StudyRow>(STUDY_SELECT)
        .fetch_optional(&mut *tx)
        .await?;
    match existing.map(Study::try_from).transpose()? {
        Some(study) if study.is_demo => return Ok(SeedOutcome::AlreadyThere),
        Some(study) => {
            return Err(StoreError::Refused(format!(
                "the database holds the study {:?}: the demo goes only into a database of its own",
                study.name
            )));
        }
        None => {}
    }
    let sites: i64 = sqlx::query_scalar("SELECT count(*) FROM sites")
        .fetch_one(&mut *tx)
        .await?;
    if sites > 0 {
        return Err(StoreError::Refused(
            "the database already holds sites: the demo goes only into a database of its own"
                .into(),
        ));
    }
    let now = demo.study.created_at;
    insert_study(&mut tx, &demo.study).await?;
    append_audit(&mut tx, context, &events::study_created(&demo.study)).await?;
    let site = &demo.site;
    insert_site(&mut tx, site, now, context).await?;
    insert_user(&mut tx, &demo.investigator, &[site.id], now, context).await?;
    for entry in &demo.participants {
        if let Some(account) = &entry.account {
            insert_user(&mut tx, account, &[], now, context).await?;
        }
        insert_participant(&mut tx, &entry.participant, context).await?;
    }
    insert_user(&mut tx, &demo.guardian, &[], now, context).await?;
    for entry in demo
        .participants
        .iter()
        .filter(|p| demo.guardian_of.contains(&p.participant.study_id))
    {
        sqlx::query(
            "INSERT INTO guardian_links (guardian_id, participant_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(uid(demo.guardian.id))
        .bind(uid(entry.participant.id))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let event = events::guardian_linked(demo.guardian.id, entry.participant.id);
        append_audit(&mut tx, context, &event).await?;
    }
    tx.commit().await?;
    Ok(SeedOutcome::Seeded)
}

pub(super) async fn site(store: &ThisStore, id: Uuid) -> Result<Option<Site>, StoreError> {
    let row = sqlx::query_as::<_, SiteRow>(
        "SELECT id, code, name, timezone, emergency_phone FROM sites WHERE id = $1",
    )
    .bind(uid(id))
    .fetch_optional(&store.pool)
    .await?;
    Ok(row.map(Site::from))
}

pub(super) async fn idaa1c_dose_days(store: &ThisStore) -> Result<i64, StoreError> {
    let (days,): (i64,) = sqlx::query_as("SELECT idaa1c_dose_days FROM outcome_settings")
        .fetch_one(&store.pool)
        .await?;
    Ok(days)
}

pub(super) async fn set_idaa1c_dose_days(
    store: &ThisStore,
    days: i64,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE outcome_settings SET idaa1c_dose_days = $1, updated_at = $2")
        .bind(days)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
    append_audit(&mut tx, context, &events::outcome_settings_set(days)).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn sites(store: &ThisStore) -> Result<Vec<Site>, StoreError> {
    let rows = sqlx::query_as::<_, SiteRow>(
        "SELECT id, code, name, timezone, emergency_phone FROM sites ORDER BY code",
    )
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(Site::from).collect())
}

pub(super) async fn update_site(
    store: &ThisStore,
    before: &Site,
    after: &Site,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE sites SET name = $1, timezone = $2, emergency_phone = $3 WHERE id = $4")
        .bind(&after.name)
        .bind(&after.timezone)
        .bind(&after.emergency_phone)
        .bind(uid(after.id))
        .execute(&mut *tx)
        .await?;
    append_audit(&mut tx, context, &events::site_updated(before, after)).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn save_study(
    store: &ThisStore,
    details: &StudyDetails,
    context: &AuditContext,
) -> Result<Study, StoreError> {
    let mut tx = store.begin_write().await?;
    let row = sqlx::query_as::<_, StudyRow>(STUDY_SELECT)
        .fetch_optional(&mut *tx)
        .await?;
    let study = match row.map(Study::try_from).transpose()? {
        Some(before) => {
            let after = Study {
                name: details.name.clone(),
                default_language: details.default_language,
                ..before.clone()
            };
            sqlx::query("UPDATE study SET name = $1, default_language = $2")
                .bind(&after.name)
                .bind(after.default_language.tag())
                .execute(&mut *tx)
                .await?;
            append_audit(&mut tx, context, &events::study_updated(&before, &after)).await?;
            after
        }
        None => {
            let study = Study {
                id: Uuid::now_v7(),
                name: details.name.clone(),
                is_demo: false,
                created_at: Utc::now(),
                default_language: details.default_language,
            };
            insert_study(&mut tx, &study).await?;
            append_audit(&mut tx, context, &events::study_created(&study)).await?;
            study
        }
    };
    tx.commit().await?;
    Ok(study)
}

pub(super) async fn create_participant(
    store: &ThisStore,
    participant: &Participant,
    code: &NewEnrollmentCode,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    insert_participant(&mut tx, participant, context).await?;
    insert_code(&mut tx, code, context).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn add_enrollment_code(
    store: &ThisStore,
    code: &NewEnrollmentCode,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    insert_code(&mut tx, code, context).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn participant(
    store: &ThisStore,
    id: Uuid,
) -> Result<Option<Participant>, StoreError> {
    let row = sqlx::query_as::<_, ParticipantRow>(&format!("{PARTICIPANT_COLUMNS} WHERE id = $1"))
        .bind(uid(id))
        .fetch_optional(&store.pool)
        .await?;
    Ok(row.map(Participant::from))
}

pub(super) async fn participants_page(
    store: &ThisStore,
    sites: &[Uuid],
    ids: &[Uuid],
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Participant>, StoreError> {
    let rows = sqlx::query_as::<_, ParticipantRow>(&format!(
        "{PARTICIPANT_COLUMNS} WHERE {}",
        participant_page_filter()
    ))
    .bind(id_list(sites))
    .bind(id_list(ids))
    .bind(after.map(uid))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    Ok(rows.into_iter().map(Participant::from).collect())
}

pub(super) async fn enroll(
    store: &ThisStore,
    code_hash: &str,
    user: &NewUser,
    now_ms: i64,
    context: &AuditContext,
) -> Result<Option<(CodeKind, Uuid)>, StoreError> {
    let mut tx = store.begin_write().await?;
    let now = Utc::now();
    // Single use: only the first of two racing enrolments marks the code.
    let claimed: Option<(String, Uid)> = sqlx::query_as(
        "UPDATE enrollment_codes SET used_at = $1
         WHERE code_hash = $2 AND used_at IS NULL AND expires_at_ms > $3
         RETURNING kind, participant_id",
    )
    .bind(now)
    .bind(code_hash)
    .bind(now_ms)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((kind, participant)) = claimed else {
        return Ok(None);
    };
    let kind =
        CodeKind::parse(&kind).ok_or_else(|| StoreError::NotFound(format!("code kind {kind}")))?;
    let participant = uuid_of(participant);
    // The code decides what the account is.
    let user = NewUser {
        role: match kind {
            CodeKind::Participant => Role::Participant,
            CodeKind::Guardian => Role::Guardian,
        },
        ..user.clone()
    };
    insert_user(&mut tx, &user, &[], now, context).await?;
    sqlx::query("UPDATE enrollment_codes SET used_by = $1 WHERE code_hash = $2")
        .bind(uid(user.id))
        .bind(code_hash)
        .execute(&mut *tx)
        .await?;
    match kind {
        CodeKind::Participant => {
            let linked = sqlx::query(
                "UPDATE participants SET user_id = $1 WHERE id = $2 AND user_id IS NULL",
            )
            .bind(uid(user.id))
            .bind(uid(participant))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if linked == 0 {
                return Ok(None);
            }
            let event = AuditEvent::new("participant.link_account", "participant", participant)
                .on_behalf_of(participant)
                .after(serde_json::json!({"user_id": user.id}));
            append_audit(&mut tx, context, &event).await?;
        }
        CodeKind::Guardian => {
            sqlx::query("INSERT INTO guardian_links (guardian_id, participant_id, created_at) VALUES ($1, $2, $3)")
                .bind(uid(user.id))
                .bind(uid(participant))
                .bind(now)
                .execute(&mut *tx)
                .await?;
            append_audit(
                &mut tx,
                context,
                &events::guardian_linked(user.id, participant),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Some((kind, participant)))
}

pub(super) async fn set_site_contacts(
    store: &ThisStore,
    site: Uuid,
    contacts: &[Contact],
    context: &AuditContext,
) -> Result<(), StoreError> {
    alerts::set_contacts(store, site, contacts, context).await
}

pub(super) async fn site_contacts(
    store: &ThisStore,
    site: Uuid,
) -> Result<Vec<Contact>, StoreError> {
    alerts::contacts(store, site).await
}

pub(super) async fn alert_settings(
    store: &ThisStore,
) -> Result<app::domain::alerts::AlertSettings, StoreError> {
    let (repeat, report, escalate, missed): (i64, i64, i64, i64) = sqlx::query_as(
        "SELECT repeat_window_hours, report_within_hours, escalate_after_minutes, missed_days
           FROM alert_settings",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok(crate::store::settings_from(
        repeat, report, escalate, missed,
    ))
}

pub(super) async fn set_alert_settings(
    store: &ThisStore,
    settings: &app::domain::alerts::AlertSettings,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query(
        "UPDATE alert_settings SET repeat_window_hours = $1, report_within_hours = $2,
           escalate_after_minutes = $3, missed_days = $4, updated_at = $5",
    )
    .bind(settings.repeat_window.num_hours())
    .bind(settings.report_within.num_hours())
    .bind(settings.escalate_after.num_minutes())
    .bind(i64::from(settings.missed_days))
    .bind(Utc::now())
    .execute(&mut *tx)
    .await?;
    append_audit(&mut tx, context, &events::alert_settings_set(settings)).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn visit_schedule(
    store: &ThisStore,
) -> Result<Vec<app::domain::visits::Visit>, StoreError> {
    let (text,): (String,) = sqlx::query_as("SELECT visits FROM visit_schedule")
        .fetch_one(&store.pool)
        .await?;
    crate::store::schedule_from(&text)
}

pub(super) async fn set_visit_schedule(
    store: &ThisStore,
    visits: &[app::domain::visits::Visit],
    context: &AuditContext,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(visits).map_err(|e| StoreError::Refused(e.to_string()))?;
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE visit_schedule SET visits = $1, updated_at = $2")
        .bind(text)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
    append_audit(&mut tx, context, &events::visit_schedule_set(visits)).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn emergency_advice(store: &ThisStore) -> Result<(String, String), StoreError> {
    Ok(
        sqlx::query_as("SELECT text_en, text_zh FROM emergency_advice")
            .fetch_one(&store.pool)
            .await?,
    )
}

pub(super) async fn set_emergency_advice(
    store: &ThisStore,
    english: &str,
    chinese: &str,
    context: &AuditContext,
) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    sqlx::query("UPDATE emergency_advice SET text_en = $1, text_zh = $2, updated_at = $3")
        .bind(english)
        .bind(chinese)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
    append_audit(&mut tx, context, &events::advice_set(english, chinese)).await?;
    tx.commit().await?;
    Ok(())
}
