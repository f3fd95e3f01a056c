//! Shared by the bench binaries.

use app::domain::account::Role;
use chrono::Utc;
use secrecy::SecretString;
use server::{
    audit::AuditContext,
    enrollment, password,
    store::{CodeKind, NewEnrollmentCode, NewUser, Participant, Site, Store},
};
use uuid::Uuid;

pub const PASSWORD: &str = "bench phone password";

/// A process's memory figure from /proc (`VmHWM:` the peak, `VmRSS:`
/// now), in KiB.
pub fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The peak resident memory of a process, in KiB.
pub fn peak_memory_kib(pid: u32) -> Option<u64> {
    memory_kib(pid, "VmHWM:")
}

/// A site and `n` enrolled participants with their own accounts
/// (`bench.0`, `bench.1`, ...; password [`PASSWORD`]), written through the
/// store, enrolled `enrolled_days_ago` days ago.
pub async fn enrol(
    store: &dyn Store,
    n: usize,
    enrolled_days_ago: i64,
) -> Vec<(String, Uuid, Uuid)> {
    let context = AuditContext::command_line();
    let site = Site {
        id: Uuid::now_v7(),
        code: "BENCH".into(),
        name: "Benchmark site".into(),
        timezone: "Asia/Shanghai".into(),
        emergency_phone: "+86 0".into(),
    };
    store.create_site(&site, &context).await.expect("site");
    let hash = password::hash(SecretString::from(PASSWORD))
        .await
        .expect("hash");
    let investigator = NewUser {
        id: Uuid::now_v7(),
        username: "bench.investigator".into(),
        display_name: "Bench investigator".into(),
        role: Role::Investigator,
        password_hash: hash.clone(),
    };
    store
        .create_user(&investigator, &[site.id], &context)
        .await
        .expect("investigator");
    let mut accounts = Vec::with_capacity(n);
    for i in 0..n {
        let participant = Participant {
            id: Uuid::now_v7(),
            site_id: site.id,
            study_id: format!("B-{i:04}"),
            birth_year: 2010,
            diagnosis_date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
            weight_kg: None,
            user_id: None,
            enrolled_at: Utc::now() - chrono::Duration::days(enrolled_days_ago),
        };
        let code = enrollment::new_code();
        let code_hash = enrollment::hash(&code);
        store
            .create_participant(
                &participant,
                &NewEnrollmentCode {
                    code_hash: code_hash.clone(),
                    kind: CodeKind::Participant,
                    participant_id: participant.id,
                    created_by: investigator.id,
                    expires_at_ms: i64::MAX,
                },
                &context,
            )
            .await
            .expect("participant");
        let user = NewUser {
            id: Uuid::now_v7(),
            username: format!("bench.{i}"),
            display_name: format!("Bench {i}"),
            role: Role::Participant,
            password_hash: hash.clone(),
        };
        store
            .enroll(&code_hash, &user, Utc::now().timestamp_millis(), &context)
            .await
            .expect("enrol")
            .expect("code accepted");
        accounts.push((user.username, user.id, participant.id));
    }
    accounts
}
