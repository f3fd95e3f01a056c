//! Opaque cursors: where a sync pull or an entry list goes on. Clients pass
//! them back unread; the format may change.

use uuid::Uuid;

use crate::store::ChangeCursor;

pub fn encode_changes(c: ChangeCursor) -> String {
    format!("c{}.{}", c.seq, c.entry_id.simple())
}

pub fn decode_changes(text: &str) -> Option<ChangeCursor> {
    let (seq, id) = text.strip_prefix('c')?.split_once('.')?;
    Some(ChangeCursor {
        seq: seq.parse().ok().filter(|s: &i64| *s >= 0)?,
        entry_id: Uuid::try_parse(id).ok()?,
    })
}

/// After the entry with this event time and id (lists run newest first).
pub fn encode_list(event_at_us: i64, id: Uuid) -> String {
    format!("e{}.{}", event_at_us, id.simple())
}

pub fn decode_list(text: &str) -> Option<(i64, Uuid)> {
    let (at, id) = text.strip_prefix('e')?.split_once('.')?;
    Some((at.parse().ok()?, Uuid::try_parse(id).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refusals() {
        let c = ChangeCursor {
            seq: 42,
            entry_id: Uuid::now_v7(),
        };
        assert_eq!(decode_changes(&encode_changes(c)), Some(c));
        assert_eq!(
            decode_changes(&encode_changes(ChangeCursor::default())),
            Some(ChangeCursor::default())
        );
        let id = Uuid::now_v7();
        assert_eq!(decode_list(&encode_list(-5, id)), Some((-5, id)));
        for bad in ["", "c", "c1", "c-1.0", "cx.y", "e1.z", "42", "c1.00"] {
            assert_eq!(decode_changes(bad), None, "{bad}");
        }
        assert_eq!(decode_list("c1.0"), None);
    }
}
