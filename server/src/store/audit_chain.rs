//! Checking the audit chain end to end (`ediary audit verify`): the store
//! reads it page by page, `audit::ChainVerifier` checks each row's hash.

use super::{Store, StoreError};
use crate::audit::{ChainBreak, ChainVerifier};

/// Why a verification did not pass.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("the audit chain is broken at {0}")]
    Broken(#[from] ChainBreak),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Walks the whole audit log page by page; the number of rows when intact.
pub async fn verify(store: &dyn Store) -> Result<i64, VerifyError> {
    const PAGE: i64 = 1000;
    // The head first: rows appended while we walk come after it.
    let (head_seq, head_hash) = store.audit_head().await?;
    let mut verifier = ChainVerifier::default();
    let mut after = 0;
    while after < head_seq {
        let rows = store.audit_page(after, PAGE.min(head_seq - after)).await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        for row in &rows {
            verifier.check(row)?;
        }
    }
    Ok(verifier.finish(head_seq, &head_hash)?)
}
