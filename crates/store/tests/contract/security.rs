//! Login throttle counters, read counters and held uploads behave alike on both backends:
//! counting is one atomic step (concurrent attempts all count), a block is set once, caps
//! are checked inside the holding transaction, and expired uploads are gone.

use jejak_store::{AuditCtx, NewUpload, UploadCaps, UploadRefusal};

use crate::backends::Fresh;

crate::backends::contract!(
    security: concurrent_attempts_all_count_and_one_block_wins,
    reads_are_counted_per_user_and_minute_and_reported_once,
    uploads_are_held_within_caps_taken_once_by_their_owner_and_expire,
);

fn ctx(at: &str) -> AuditCtx {
    AuditCtx { actor: "sari".into(), office: None, purpose: None, at: at.into() }
}

pub async fn concurrent_attempts_all_count_and_one_block_wins(fresh: &Fresh) {
    let store = &fresh.store;
    let now = "2025-03-01T08:00:00Z";
    let cutoff = "2025-03-01T07:45:00Z";
    let counts = futures_join(
        (0..12).map(|_| store.count_login_attempt("login:sari@10.0.0.9", now, cutoff)),
    )
    .await;
    let mut attempts: Vec<i64> = counts.into_iter().map(|c| c.unwrap().attempts).collect();
    attempts.sort_unstable();
    assert_eq!(attempts, (1..=12).collect::<Vec<_>>(), "every attempt in flight counts");
    let until = "2025-03-01T08:01:00Z";
    assert!(store.block_login_key("login:sari@10.0.0.9", now, until).await.unwrap());
    assert!(!store.block_login_key("login:sari@10.0.0.9", now, until).await.unwrap());
    let blocked = store.count_login_attempt("login:sari@10.0.0.9", now, cutoff).await.unwrap();
    assert_eq!(blocked.blocked_until.as_deref(), Some(until));
    assert_eq!((blocked.attempts, blocked.blocks), (0, 1), "nothing counts while blocked");
    let later = "2025-03-01T08:30:00Z";
    let after = store
        .count_login_attempt("login:sari@10.0.0.9", later, "2025-03-01T08:15:00Z")
        .await
        .unwrap();
    assert_eq!((after.attempts, after.blocks), (1, 1), "a new window; the block count stays");
    store.clear_login_key("login:sari@10.0.0.9").await.unwrap();
    let fresh_count =
        store.count_login_attempt("login:sari@10.0.0.9", later, cutoff).await.unwrap();
    assert_eq!((fresh_count.attempts, fresh_count.blocks), (1, 0));
    store.uncount_login_attempt("login:sari@10.0.0.9").await.unwrap();
    store.uncount_login_attempt("login:sari@10.0.0.9").await.unwrap();
    let again = store.count_login_attempt("login:sari@10.0.0.9", later, cutoff).await.unwrap();
    assert_eq!(again.attempts, 1, "never below zero");
}

/// Runs the futures concurrently and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let pinned: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    let mut pinned: Vec<Option<std::pin::Pin<Box<F>>>> = pinned.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if let Some(fut) = slot {
                match fut.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        *output = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().map(|o| o.unwrap()).collect()
}

pub async fn reads_are_counted_per_user_and_minute_and_reported_once(fresh: &Fresh) {
    let store = &fresh.store;
    for expected in 1..=3 {
        assert_eq!(store.count_read("sari", "2025-03-01T08:00Z").await.unwrap(), expected);
    }
    assert_eq!(store.count_read("budi", "2025-03-01T08:00Z").await.unwrap(), 1);
    assert_eq!(store.count_read("sari", "2025-03-01T08:01Z").await.unwrap(), 1);
    assert!(store.mark_read_reported("sari", "2025-03-01T08:00Z").await.unwrap());
    assert!(!store.mark_read_reported("sari", "2025-03-01T08:00Z").await.unwrap());
}

pub async fn uploads_are_held_within_caps_taken_once_by_their_owner_and_expire(fresh: &Fresh) {
    let store = &fresh.store;
    let caps = UploadCaps { per_user_bytes: 100, total_bytes: 150 };
    let upload = |token: &str, owner: &str, expires: &str| NewUpload {
        token: token.into(),
        owner: owner.into(),
        created_at: "2025-03-01T08:00:00Z".into(),
        expires_at: expires.into(),
    };
    let files =
        vec![("a.csv".to_owned(), vec![b'x'; 60]), ("b.xlsx".to_owned(), vec![0, 159, 255])];
    let at = ctx("2025-03-01T08:00:00Z");
    let hold = |token: &'static str, owner: &'static str, expires: &'static str| {
        let files = files.clone();
        let at = at.clone();
        async move { store.hold_upload(&upload(token, owner, expires), &files, caps, &at).await }
    };
    assert_eq!(hold("t1", "sari", "2025-03-01T08:30:00Z").await.unwrap(), Ok(()));
    assert_eq!(
        hold("t2", "sari", "2025-03-01T08:30:00Z").await.unwrap(),
        Err(UploadRefusal::UserCap { held: 63 })
    );
    assert_eq!(hold("t3", "budi", "2025-03-01T08:01:00Z").await.unwrap(), Ok(()));
    assert_eq!(
        hold("t4", "ani", "2025-03-01T08:30:00Z").await.unwrap(),
        Err(UploadRefusal::TotalCap { held: 126 })
    );

    assert_eq!(store.take_upload("t1", "budi", &at).await.unwrap(), None, "not budi's");
    assert_eq!(store.take_upload("t1", "sari", &at).await.unwrap(), Some(files.clone()));
    assert_eq!(store.take_upload("t1", "sari", &at).await.unwrap(), None, "taken once");

    let later = ctx("2025-03-01T08:02:00Z");
    assert_eq!(store.take_upload("t3", "budi", &later).await.unwrap(), None, "expired");
    assert_eq!(store.purge_expired_uploads(&later).await.unwrap(), 1);
    assert_eq!(store.purge_expired_uploads(&later).await.unwrap(), 0);
    let events = store.audit_events(0, 100).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["import.held", "import.held", "import.upload_taken", "import.expired"]);
}
