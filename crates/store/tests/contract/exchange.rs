//! Exchange partners and the batch log (issue 15, migration 0014): a partner saved and
//! changed with its counters kept; outbound batches only in sequence and acknowledged up to
//! what was sent; an inbound batch stored with its CPMI snapshot in one transaction, and a
//! replayed or out-of-order one refused with nothing written; every step audited.

use jejak_domain::date::ymd;
use jejak_domain::{CpmiRecord, CpmiStatus, OfficeCode, PartnerKind};
use jejak_store::{
    AuditCtx, ExchangeBatchLog, NewExchangePartner, NewPartnerSnapshot, PartnerRecords,
};

use crate::backends::{Fresh, contract};

contract!(
    exchange:
    partners_and_outbound_batches_keep_their_sequence,
    an_inbound_batch_is_applied_whole_and_only_in_sequence,
);

fn ctx() -> AuditCtx {
    AuditCtx {
        actor: "admin".into(),
        office: Some(OfficeCode::parse("BDL").unwrap()),
        purpose: Some("deteksi dini; dasar hukum: PKS".into()),
        at: "2026-12-01T08:00:00Z".into(),
    }
}

fn partner() -> NewExchangePartner {
    NewExchangePartner {
        name: "siskop2mi".into(),
        display_name: "SISKOP2MI".into(),
        public_key: "AAAA".into(),
        signing_key_ref: "/etc/jejak/exchange.key".into(),
        base_url: None,
        purpose: "deteksi dini".into(),
        legal_basis: "PKS/1/2026".into(),
    }
}

fn batch(direction: &str, sequence: i64) -> ExchangeBatchLog {
    ExchangeBatchLog {
        partner: "siskop2mi".into(),
        direction: direction.into(),
        sequence,
        data_sha256: format!("{sequence:064}"),
        record_count: 1,
        covers_to: (direction == "outbound").then_some(sequence * 10),
        manifest: "{}".into(),
        data: (direction == "outbound").then(|| "{\"record_id\":\"BDL-1\"}\n".to_owned()),
        snapshot_id: None,
        recorded_at: "2026-12-01T08:00:00Z".into(),
        acknowledged_at: None,
        change_seq: 0,
    }
}

pub async fn partners_and_outbound_batches_keep_their_sequence(fresh: &Fresh) {
    let store = &fresh.store;
    let saved = store.save_exchange_partner(&partner(), &ctx()).await.unwrap();
    assert_eq!(
        (saved.last_sent_seq, saved.last_acknowledged_seq, saved.last_received_seq),
        (0, 0, 0)
    );
    assert!(store.record_outbound_batch(&batch("outbound", 2), "x", &ctx()).await.is_err());
    store.record_outbound_batch(&batch("outbound", 1), "made", &ctx()).await.unwrap();
    store.record_outbound_batch(&batch("outbound", 2), "made", &ctx()).await.unwrap();
    assert!(store.record_outbound_batch(&batch("outbound", 2), "x", &ctx()).await.is_err());
    let mut changed = partner();
    changed.base_url = Some("http://gateway/x".into());
    let saved = store.save_exchange_partner(&changed, &ctx()).await.unwrap();
    assert_eq!(saved.last_sent_seq, 2, "a configuration change keeps the counters");
    assert_eq!(saved.config, changed);
    assert_eq!(store.exchange_partners().await.unwrap().len(), 1);

    assert!(store.acknowledge_outbound("siskop2mi", 3, &ctx()).await.is_err(), "never sent");
    let acked = store.acknowledge_outbound("siskop2mi", 1, &ctx()).await.unwrap();
    assert_eq!(acked.last_acknowledged_seq, 1);
    let again = store.acknowledge_outbound("siskop2mi", 1, &ctx()).await.unwrap();
    assert_eq!(again.change_seq, acked.change_seq, "acknowledging again changes nothing");
    let log = store.exchange_batches("siskop2mi", "outbound", 0).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].acknowledged_at.as_deref(), Some("2026-12-01T08:00:00Z"));
    assert_eq!(log[1].acknowledged_at, None);
    assert_eq!(log[0].data, None, "an acknowledged batch keeps its manifest, not its records");
    assert!(!log[0].manifest.is_empty() && !log[0].data_sha256.is_empty());
    assert_eq!(log[1].data, batch("outbound", 2).data);
    assert_eq!(log[1].covers_to, Some(20));
    let audit = store.audit_events(0, 10_000).await.unwrap();
    let actions: Vec<&str> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions.iter().filter(|a| a.starts_with("exchange.")).count(),
        5,
        "two partner saves, two batches, one acknowledgement: {actions:?}"
    );
}

pub async fn an_inbound_batch_is_applied_whole_and_only_in_sequence(fresh: &Fresh) {
    let store = &fresh.store;
    store.save_exchange_partner(&partner(), &ctx()).await.unwrap();
    let records = PartnerRecords::Cpmi(vec![CpmiRecord {
        cpmi_id: "CPMI-1".into(),
        nik: None,
        full_name: "Suryani".into(),
        birth_date: ymd(1995, 3, 12),
        sex: None,
        destination_country: None,
        p3mi_name: None,
        employer: None,
        job_title: None,
        placement_scheme: None,
        status: CpmiStatus::Registered,
        recommendation_no: None,
        recommendation_date: None,
        updated_on: None,
    }]);
    let snapshot = NewPartnerSnapshot {
        kind: PartnerKind::Cpmi,
        taken_on: ymd(2026, 12, 1).unwrap(),
        source: "siskop2mi batch 1".into(),
    };
    let before = store.audit_events(0, 10_000).await.unwrap().len();
    assert!(
        store
            .apply_inbound_batch(&batch("inbound", 2), &snapshot, &records, "x", &ctx())
            .await
            .is_err(),
        "out of order"
    );
    let applied = store
        .apply_inbound_batch(&batch("inbound", 1), &snapshot, &records, "applied", &ctx())
        .await
        .unwrap();
    let snapshots = store.partner_snapshots(PartnerKind::Cpmi).await.unwrap();
    assert_eq!(snapshots.len(), 1);
    assert_eq!(applied.snapshot_id, Some(snapshots[0].id));
    assert_eq!(store.partner_records(&snapshots[0]).await.unwrap(), records);
    let replay =
        store.apply_inbound_batch(&batch("inbound", 1), &snapshot, &records, "x", &ctx()).await;
    assert!(replay.unwrap_err().to_string().contains("a replay"));
    assert_eq!(
        store.partner_snapshots(PartnerKind::Cpmi).await.unwrap().len(),
        1,
        "nothing written"
    );
    let partner = store.exchange_partner("siskop2mi").await.unwrap().unwrap();
    assert_eq!(partner.last_received_seq, 1);
    let audit = store.audit_events(0, 10_000).await.unwrap();
    assert_eq!(audit.len(), before + 1);
    let event = audit.last().unwrap();
    assert_eq!(event.action, "exchange.receive");
    assert_eq!(event.purpose.as_deref(), Some("deteksi dini; dasar hukum: PKS"));
    assert!(event.details.contains(&format!("snapshot={}", snapshots[0].id)));
}
