//! Delivers alert emails and webhooks from the outbox. Deliveries were
//! written in the transaction that raised their alert, so a crash between
//! commit and delivery only delays them. A delivery is leased to one
//! dispatcher at a time (`FOR UPDATE SKIP LOCKED` on PostgreSQL), retried
//! with exponential back-off, and given up after [`MAX_ATTEMPTS`] (shown on
//! the alert and logged). Receivers get a delivery id to drop the rare
//! repeat after a crash between sending and recording.

use std::{sync::Arc, time::Duration};

use chrono::Utc;
use hmac::{Hmac, Mac};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use secrecy::ExposeSecret;
use sha2::Sha256;

use super::{AlertView, Alerts};
use crate::{
    audit::AuditContext,
    store::{Channel, Delivery, DeliveryOutcome, Store},
};

pub const MAX_ATTEMPTS: i64 = 10;
/// Long enough for one slow delivery; a crashed dispatcher's lease runs out.
const LEASE: Duration = Duration::from_secs(60);
const IDLE: Duration = Duration::from_millis(500);
const MISSED_DIARY_EVERY: Duration = Duration::from_secs(60);

/// Header names of a webhook request.
pub const SIGNATURE_HEADER: &str = "x-ediary-signature";
pub const TIMESTAMP_HEADER: &str = "x-ediary-timestamp";
pub const DELIVERY_HEADER: &str = "x-ediary-delivery";

/// `v1=` and the hex HMAC-SHA256 of `"{timestamp}.{body}"`: a receiver
/// recomputes it and rejects old timestamps (replays).
pub fn signature(secret: &[u8], timestamp: i64, body: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this cannot happen.
        Err(_) => return String::new(),
    };
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("v1={}", hex::encode(mac.finalize().into_bytes()))
}

/// Back-off before attempt `attempts + 1`: 2, 4, 8 ... seconds, at most 10 minutes.
fn backoff(attempts: i64) -> chrono::Duration {
    chrono::Duration::seconds(2i64.saturating_pow(attempts.clamp(1, 20) as u32).min(600))
}

/// Runs until the task is dropped.
pub async fn run(store: Arc<dyn Store>, alerts: Arc<Alerts>) {
    // No redirects (a public receiver could send the request on to an
    // inner address), and names resolved through the same check as saving.
    let http = match reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .dns_resolver(Arc::new(super::targets::CheckedResolver {
            allow_private: alerts.webhook_allow_private,
        }))
        .build()
    {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "alert dispatcher cannot start its HTTP client");
            return;
        }
    };
    let context = AuditContext::system("alert dispatcher");
    let mut missed_checked: Option<tokio::time::Instant> = None;
    loop {
        if missed_checked.is_none_or(|at| at.elapsed() >= MISSED_DIARY_EVERY) {
            missed_checked = Some(tokio::time::Instant::now());
            if alerts.follow_store {
                match store.alert_settings().await {
                    Ok(settings) => alerts.set_settings(settings),
                    Err(error) => tracing::error!(%error, "cannot read the alert settings"),
                }
            }
            match super::check_missed_diaries(
                store.as_ref(),
                &alerts.settings(),
                Utc::now(),
                &context,
            )
            .await
            {
                Ok(0) => {}
                Ok(raised) => {
                    tracing::info!(raised, "missed-diary alerts raised");
                    alerts.wake.notify_waiters();
                }
                Err(error) => tracing::error!(%error, "missed-diary check failed"),
            }
        }
        if let Err(error) = store
            .escalate_alerts(Utc::now(), alerts.settings().escalate_after, &context)
            .await
        {
            tracing::error!(%error, "alert escalation failed");
        }
        let now = Utc::now().timestamp_micros();
        let due = match store
            .claim_deliveries(now, LEASE.as_micros() as i64, 20)
            .await
        {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "cannot read the alert outbox");
                Vec::new()
            }
        };
        for delivery in &due {
            let outcome = match deliver(&http, &alerts, delivery).await {
                Ok(()) => DeliveryOutcome::Delivered,
                Err(error) if delivery.attempts >= MAX_ATTEMPTS => {
                    tracing::error!(
                        delivery = %delivery.id, alert = %delivery.alert_id,
                        channel = delivery.channel.as_str(), %error,
                        "alert delivery failed for good"
                    );
                    DeliveryOutcome::Failed { error }
                }
                Err(error) => {
                    tracing::warn!(delivery = %delivery.id, %error, "alert delivery failed; will retry");
                    DeliveryOutcome::Retry {
                        error,
                        at_us: (Utc::now() + backoff(delivery.attempts)).timestamp_micros(),
                    }
                }
            };
            if let Err(error) = store.finish_delivery(delivery.id, &outcome).await {
                tracing::error!(%error, delivery = %delivery.id, "cannot record a delivery");
            }
        }
        if due.is_empty() {
            tokio::select! {
                () = alerts.wake.notified() => {}
                () = tokio::time::sleep(IDLE) => {}
            }
        }
    }
}

async fn deliver(
    http: &reqwest::Client,
    alerts: &Alerts,
    delivery: &Delivery,
) -> Result<(), String> {
    match delivery.channel {
        Channel::Webhook => {
            let secret = alerts
                .webhook_secret
                .as_ref()
                .ok_or("no webhook secret is configured (EDIARY_WEBHOOK_SECRET)")?;
            // Checked again now: the target or what its name points to may
            // have changed since it was saved.
            if let Err(error) =
                super::targets::check(&delivery.target, alerts.webhook_allow_private).await
            {
                tracing::warn!(delivery = %delivery.id, %error, "webhook target refused");
                return Err(format!("the webhook target is not allowed: {error}"));
            }
            let body = format!(r#"{{"type":"alert","alert":{}}}"#, delivery.body);
            let timestamp = Utc::now().timestamp();
            let response = http
                .post(&delivery.target)
                .header("content-type", "application/json")
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(
                    SIGNATURE_HEADER,
                    signature(secret.expose_secret().as_bytes(), timestamp, &body),
                )
                .header(DELIVERY_HEADER, delivery.id.to_string())
                .body(body)
                .send()
                .await
                .map_err(|e| {
                    // Staff see that it failed; why (which may describe the
                    // network behind the server) goes to the log only.
                    tracing::warn!(delivery = %delivery.id, error = %e, "webhook request failed");
                    "the webhook could not be reached".to_owned()
                })?;
            if response.status().is_success() {
                Ok(())
            } else {
                Err(format!("webhook answered {}", response.status()))
            }
        }
        Channel::Email => {
            let url = alerts
                .smtp_url
                .as_ref()
                .ok_or("no SMTP server is configured (EDIARY_SMTP_URL)")?;
            let alert: AlertView = serde_json::from_str(&delivery.body)
                .map_err(|e| format!("unreadable alert: {e}"))?;
            let message = Message::builder()
                .from(
                    alerts
                        .email_from
                        .parse()
                        .map_err(|e| format!("bad sender address: {e}"))?,
                )
                .to(delivery
                    .target
                    .parse()
                    .map_err(|e| format!("bad address {}: {e}", delivery.target))?)
                .subject(subject(&alert))
                .body(email_text(&alert))
                .map_err(|e| format!("cannot build the email: {e}"))?;
            let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
                .map_err(|e| format!("bad SMTP URL: {e}"))?
                .timeout(Some(Duration::from_secs(20)))
                .build();
            transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| format!("SMTP: {e}"))
        }
    }
}

fn subject(alert: &AlertView) -> String {
    format!(
        "[T1D eDiary] {}: {} ({})",
        alert.severity.to_uppercase(),
        alert.rule.replace('_', " "),
        alert.study_id
    )
}

fn email_text(alert: &AlertView) -> String {
    let mut text = format!(
        "Participant {} has a {} alert: {}.\nRaised: {}\nStatus: {}\nAlert id: {}\n",
        alert.study_id,
        alert.severity,
        alert.rule.replace('_', " "),
        alert.created_at.format("%Y-%m-%d %H:%M UTC"),
        alert.status,
        alert.id
    );
    if let Some(due) = alert.report_due_at {
        text.push_str(&format!(
            "Potentially serious: report to the sponsor by {}.\n",
            due.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    if alert.escalation_level > 0 {
        text.push_str(&format!(
            "Escalated (level {}): nobody acknowledged it in time.\n",
            alert.escalation_level
        ));
    }
    text.push_str("Acknowledge it in the investigator inbox of the diary.\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_and_backoff() {
        // RFC 4231-style check: a known key and message give a stable value.
        let s = signature(b"secret", 1_700_000_000, r#"{"a":1}"#);
        assert!(s.starts_with("v1=") && s.len() == 3 + 64);
        assert_ne!(s, signature(b"secret", 1_700_000_001, r#"{"a":1}"#));
        assert_ne!(s, signature(b"other", 1_700_000_000, r#"{"a":1}"#));
        assert_eq!(backoff(1).num_seconds(), 2);
        assert_eq!(backoff(3).num_seconds(), 8);
        assert_eq!(backoff(30).num_seconds(), 600);
    }
}
