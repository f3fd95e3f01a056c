//! Alerts to investigators: the contract's `alert` JSON, the live stream's
//! wake-ups, and the dispatcher that delivers email and webhooks from the
//! outbox. The rules are `app::domain::alerts`; the store applies them in
//! the transaction that stores an entry version.

pub mod dispatcher;
pub mod targets;

use chrono::{DateTime, Utc};

pub use crate::store::alert_view::{AlertView, body_of};

/// How alerts are raised and delivered on this server.
pub struct Alerts {
    /// The study's thresholds, as last read (see `follow_store`).
    pub settings: std::sync::RwLock<app::domain::alerts::AlertSettings>,
    /// Re-read the thresholds from the database every minute (another
    /// instance may have changed them). Off in tests that set their own.
    pub follow_store: bool,
    /// Signs webhook bodies (`EDIARY_WEBHOOK_SECRET`).
    pub webhook_secret: Option<secrecy::SecretString>,
    /// `smtp://`, `smtps://` ... (`EDIARY_SMTP_URL`).
    pub smtp_url: Option<secrecy::SecretString>,
    pub email_from: String,
    /// Webhooks may go to http and to loopback or private addresses
    /// (`EDIARY_WEBHOOK_ALLOW_PRIVATE=1`: on-premises receivers, tests).
    pub webhook_allow_private: bool,
    /// Woken after a write that may have changed alerts: the dispatcher and
    /// the live streams of this process look at once (others poll).
    pub wake: tokio::sync::Notify,
}

impl Alerts {
    /// The thresholds now.
    pub fn settings(&self) -> app::domain::alerts::AlertSettings {
        match self.settings.read() {
            Ok(s) => *s,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    pub fn set_settings(&self, settings: app::domain::alerts::AlertSettings) {
        match self.settings.write() {
            Ok(mut s) => *s = settings,
            Err(poisoned) => *poisoned.into_inner() = settings,
        }
    }
}

impl Default for Alerts {
    fn default() -> Self {
        Self {
            settings: app::domain::alerts::AlertSettings::default().into(),
            follow_store: false,
            webhook_secret: None,
            smtp_url: None,
            email_from: "T1D eDiary <alerts@localhost>".into(),
            webhook_allow_private: false,
            wake: tokio::sync::Notify::new(),
        }
    }
}

/// Raises `missed_diary` for every participant with no entry for the
/// study's number of days, counted in whole days of the site's time zone;
/// how many were raised. The dispatcher runs it every minute.
pub async fn check_missed_diaries(
    store: &dyn crate::store::Store,
    settings: &app::domain::alerts::AlertSettings,
    now: DateTime<Utc>,
    context: &crate::audit::AuditContext,
) -> Result<usize, crate::store::StoreError> {
    let mut raised = 0;
    for p in store.diary_activity().await? {
        if p.open_missed {
            continue;
        }
        let tz: chrono_tz::Tz = p.timezone.parse().unwrap_or(chrono_tz::UTC);
        let last = p.last_entry_at.unwrap_or(p.enrolled_at);
        let (last_day, today) = (
            last.with_timezone(&tz).date_naive(),
            now.with_timezone(&tz).date_naive(),
        );
        if app::domain::alerts::diary_missed(last_day, today, settings.missed_days)
            && store.raise_missed_diary(p.participant_id, context).await?
        {
            raised += 1;
        }
    }
    Ok(raised)
}
