//! `jejak referral list [--overdue]`: the register's referrals to partner agencies (issue 15)
//! at the command line, one tab-separated line each (letter number, office, agency, subject,
//! status, due date, `overdue` when open past it). Also the demo's referrals and protected
//! person, which `jejak demo` seeds so the capability shows at once.

use std::process::ExitCode;

use jejak_domain::date::iso;
use jejak_domain::{
    Agency, ApplicationKey, NewReferral, OfficeCode, Outcome, ReferralStatus, ReferralSubject,
};
use jejak_service::referrals::ReferralFields;
use jejak_service::{Clock, SystemClock};
use jejak_store::{ApplicationQuery, ReferralFilter, ReferralUpdate, Store};

use crate::args::ReferralListArgs;
use crate::commands::open_store;
use crate::commands::serve::demo_ctx;
use crate::output;
use jejak_service::authz::Action;

pub(crate) async fn list(args: ReferralListArgs) -> anyhow::Result<ExitCode> {
    let store = open_store(&args.db.database).await?;
    let today = SystemClock.today();
    let mut referrals = store.referrals(&ReferralFilter::All).await?;
    if args.overdue {
        referrals.retain(|r| r.is_overdue(today));
    }
    for r in referrals {
        output::line(&format!(
            "{}\t{}\t{}\t{} {}\t{}\t{}{}",
            r.letter_no,
            r.data.office,
            r.data.agency,
            r.data.subject.kind(),
            r.data.subject.application(),
            r.status.as_str(),
            r.data.due_on.map(iso).unwrap_or_else(|| "-".into()),
            if r.is_overdue(today) { "\toverdue" } else { "" },
        ));
    }
    Ok(ExitCode::SUCCESS)
}

/// A demo referral: agency, sent days ago, due in days, the steps taken after sending.
type DemoPlan = (Agency, i64, i64, &'static [(ReferralStatus, &'static str)]);

/// What the demo seeded.
pub(crate) struct DemoReferrals {
    pub(crate) count: usize,
    /// Open and past their due date.
    pub(crate) overdue: usize,
    /// The protected person's application number.
    pub(crate) protected: Option<String>,
}

/// The demo's referrals (Kalianda's waiting applications, in different states, some past
/// their due date), each sharing its agency's configured `fields`, and one protected person.
pub(crate) async fn seed_demo(
    store: &dyn Store,
    today: time::Date,
    fields: &ReferralFields,
) -> anyhow::Result<DemoReferrals> {
    let office = OfficeCode::parse("KLA")?;
    let waiting = store
        .list_applications(&ApplicationQuery {
            office: Some(office.clone()),
            outcome: Some(Outcome::Pending),
            limit: 6,
            ..ApplicationQuery::default()
        })
        .await?;
    let day = |days: i64| today + time::Duration::days(days);
    let at = |days: i64| format!("{}T08:00:00Z", iso(day(days)));
    // The overdue ones first, so a small demo still shows them.
    let plans: [DemoPlan; 5] = [
        (Agency::Disnaker, 12, -3, &[(ReferralStatus::Received, "Diterima staf Disnaker")]),
        (Agency::Bp3mi, 15, -1, &[]),
        (
            Agency::PolriPpa,
            9,
            5,
            &[
                (ReferralStatus::Received, ""),
                (ReferralStatus::Accepted, "Unit PPA memanggil sponsor"),
                (ReferralStatus::InFollowUp, "Pemeriksaan saksi"),
            ],
        ),
        (Agency::Bp3mi, 1, 13, &[]),
        (
            Agency::Pemda,
            20,
            -6,
            &[(ReferralStatus::Closed, "Keluarga didampingi Desa Migran Emas")],
        ),
    ];
    // The last waiting application is the protected person's; the others are referred.
    let (to_refer, to_protect) = waiting.split_at(waiting.len().saturating_sub(1));
    let mut count = 0;
    let mut overdue = 0;
    for (app, (agency, sent, due, steps)) in to_refer.iter().zip(plans) {
        let mut ctx = demo_ctx(Action::MakeReferral)?;
        ctx.office = Some(office.clone());
        ctx.purpose = Some("Dugaan calon PMI non-prosedural (DEMO)".into());
        let referral = NewReferral {
            office: office.clone(),
            subject: ReferralSubject::Application(app.key),
            agency,
            purpose: "Dugaan calon PMI non-prosedural (DEMO)".into(),
            legal_basis: jejak_service::referrals::DEFAULT_LEGAL_BASIS.into(),
            fields: fields.of(agency).to_vec(),
            due_on: Some(day(due)),
            note: Some("Dirujuk setelah wawancara (DEMO)".into()),
            created_by: "petugas.kla".into(),
            created_at: at(-sent),
        };
        let stored = store.create_referral(&referral, &ctx).await?;
        for (n, (status, note)) in (1_i64..).zip(steps.iter()) {
            let update = ReferralUpdate {
                referral_id: stored.id,
                status: *status,
                note: (!note.is_empty()).then(|| (*note).to_owned()),
                due_on: None,
                by: "petugas.kla".into(),
                at: at(-sent + n),
            };
            store.update_referral(&update, &ctx).await?;
        }
        count += 1;
        overdue += usize::from(due < 0 && !steps.iter().any(|(s, _)| !s.is_open()));
    }
    let protected = match to_protect.first() {
        Some(app) => {
            let mut ctx = demo_ctx(Action::ProtectPerson)?;
            ctx.office = Some(office);
            let reason = "Korban TPPO menurut laporan Unit PPA (DEMO)";
            ctx.purpose = Some(reason.into());
            store.protect_person(ApplicationKey(app.key.0), reason, &ctx).await?;
            Some(app.data.application_id.clone())
        }
        None => None,
    };
    Ok(DemoReferrals { count, overdue, protected })
}
