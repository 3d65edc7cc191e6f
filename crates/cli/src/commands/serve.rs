//! `jejak serve` and `jejak demo`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jejak_domain::OfficeCode;
use jejak_matching::Model;
use jejak_service::SystemClock;
use jejak_service::auth::Auth;
use jejak_service::auth::NewUserInput;
use jejak_service::authz::{Action, Role};
use jejak_service::console::Console;
use jejak_service::import::{ImportOptions, InputFile};
use jejak_service::screening::{Origin, REFRESH_INTERVAL, Screening};
use jejak_service::stats::evaluation::{Designation, shift_months};
use jejak_store::Store;
use jejak_web::AppState;

use crate::args::{DemoArgs, ServeArgs};
use crate::commands::open_store;
use crate::config::Config;
use crate::output;

/// Demo users, one per role at the pilot offices: (username, name, role, office).
const DEMO_USERS: [(&str, &str, Role, &str); 7] = [
    ("petugas.kla", "Petugas Kalianda", Role::Petugas, "KLA"),
    ("petugas.bdl", "Petugas Bandar Lampung", Role::Petugas, "BDL"),
    ("petugas.ktb", "Petugas Kotabumi", Role::Petugas, "KTB"),
    ("supervisor.kla", "Kepala Seksi Kalianda", Role::Supervisor, "KLA"),
    ("analis", "Analis Kanwil Lampung", Role::Analis, "BDL"),
    ("pimpasa.kla", "PIMPASA Desa Binaan Kalianda", Role::Pimpasa, "KLA"),
    ("admin", "Admin Jejak", Role::Admin, "BDL"),
];
/// The one password of every demo user; only `jejak demo` ever sets it.
const DEMO_PASSWORD: &str = "demo-jejak-2026";

/// The console operator the demo's seeding is audited under.
const DEMO_OPERATOR: &str = "demo";

/// The audit context of a part of the demo's synthetic history, checked as the console
/// operator's `action` (see `Console::history_ctx`).
pub(crate) fn demo_ctx(action: Action) -> anyhow::Result<jejak_store::AuditCtx> {
    Ok(Console::history_ctx(&SystemClock, DEMO_OPERATOR, action)?)
}

/// Days of applications the demo offices have not decided yet (their work queues).
const DEMO_BACKLOG_DAYS: i64 = 10;

/// The demo's span: three years in days (a day count, so 29 February needs no special case).
const DEMO_YEARS_OF_DAYS: i64 = 3 * 365;

pub(crate) async fn serve(args: ServeArgs, config: &Config) -> anyhow::Result<ExitCode> {
    let store =
        jejak_store::open_with(&args.db.database, &config.pools()).await.with_context(|| {
            format!("cannot open the register at {}", jejak_store::redact(&args.db.database))
        })?;
    // A configured anchor key that cannot be read stops the start, not the first anchoring.
    let anchor_key = match &config.audit.anchor_key {
        Some(path) => Some(crate::commands::audit::load_anchor_key(path)?),
        None => None,
    };
    let auth = Arc::new(Auth::new(store.clone(), Arc::new(SystemClock), config.auth())?);
    let snapshot = config.screening.snapshot_path(&args.db.database);
    let mut state = app_state(store.clone(), auth, config, snapshot.as_deref()).await?;
    if let Some(key) = anchor_key {
        let every = config.audit.anchor_every_minutes;
        output::note(&format!("anchoring the audit chain every {every} minute(s)"));
        jejak_service::audit_anchor::spawn_anchorer(
            store,
            key,
            std::time::Duration::from_secs(u64::from(every) * 60),
            Arc::new(SystemClock),
        );
    }
    // Flags win over the configuration.
    let tls = match (
        args.tls_cert.as_ref().or(config.server.tls_cert.as_ref()),
        args.tls_key.as_ref().or(config.server.tls_key.as_ref()),
    ) {
        (Some(cert), Some(key)) => Some(jejak_web::security::tls_config(cert, key)?),
        (None, None) => None,
        _ => anyhow::bail!(
            "TLS needs both a certificate and a key (server.tls_cert, server.tls_key)"
        ),
    };
    state.tls = tls.is_some();
    let bind = args.bind.as_deref().unwrap_or(&config.server.bind);
    let keep = snapshot.map(|path| (state.casework.screening().clone(), path));
    run_server(bind, state, tls, keep).await
}

/// The server's state: the match index restored from its snapshot or built from the register
/// (and kept current from its change sequence), the rule set in force, users and sessions,
/// the real clock, and the configuration's limits.
async fn app_state(
    store: Arc<dyn Store>,
    auth: Arc<Auth>,
    config: &Config,
    snapshot: Option<&Path>,
) -> anyhow::Result<AppState> {
    let rules = jejak_service::rulesets::active_or_default(store.as_ref())
        .await
        .context("loading the rule set")?;
    output::note(&format!("assessing with {}", rules.origin()));
    let model = Arc::new(Model::interchange().context("the built-in interchange model")?);
    let screening = match snapshot {
        Some(path) => {
            let (screening, origin) = Screening::start_from_snapshot(store.clone(), model, path)
                .await
                .context("building the match index")?;
            match origin {
                Origin::Restored { change_seq, applied } => output::note(&format!(
                    "match index restored from {} (change {change_seq}), {applied} change(s) caught up",
                    path.display()
                )),
                Origin::Built { reason } => {
                    output::note(&format!("match index built from the register: {reason}"));
                }
            }
            screening
        }
        None => Screening::start(store.clone(), model).await.context("building the match index")?,
    };
    let mut state = AppState::with_screening(
        store.clone(),
        auth,
        rules.rules,
        Arc::new(SystemClock),
        Arc::new(screening),
    );
    let clock: Arc<dyn jejak_service::Clock> = Arc::new(SystemClock);
    state.limiter = Arc::new(jejak_web::RateLimiter::new(
        config.rate_limits.burst,
        config.rate_limits.per_second,
    ));
    state.uploads = Arc::new(jejak_service::security::HeldUploads::new(
        store.clone(),
        clock.clone(),
        config.uploads(),
    ));
    state.villages =
        Arc::new(jejak_service::villages::Villages::new(store, clock, config.villages()));
    state.admin = Arc::new(state.admin.with_policy(config.retention_policy()?));
    state.casework.configure_reads(config.purposes(), config.read_limits())?;
    state.casework.configure_referrals(config.referral_fields()?)?;
    state.client_address_header =
        config.server.client_address_header.as_ref().map(|h| h.trim().to_ascii_lowercase());
    let purged = state.uploads.purge_expired().await?;
    if purged > 0 {
        output::note(&format!("removed {purged} expired import upload(s)"));
    }
    let screening = state.casework.screening();
    let stats = screening.stats();
    output::note(&format!(
        "match index: {} applications, ready in {:.1} s",
        stats.applications,
        stats.elapsed.as_secs_f64()
    ));
    screening.spawn_refresher(REFRESH_INTERVAL);
    if let Some(path) = snapshot {
        let every = u64::from(config.screening.snapshot_every_minutes) * 60;
        screening.spawn_snapshotter(path.to_owned(), std::time::Duration::from_secs(every));
    }
    Ok(state)
}

/// Serves until Ctrl-C; then writes the match index snapshot (`keep`), so the next start
/// catches up from this moment.
async fn run_server(
    bind: &str,
    state: AppState,
    tls: Option<rustls::ServerConfig>,
    keep: Option<(Arc<Screening>, PathBuf)>,
) -> anyhow::Result<ExitCode> {
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    let address = listener.local_addr().context("listener address")?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    output::line(&format!("Jejak is running at {scheme}://{address}/ (Ctrl-C to stop)"));
    let server = async move {
        match tls {
            Some(config) => {
                let listener = listener.into_std()?;
                jejak_web::security::serve_tls(listener, jejak_web::router(state), config).await
            }
            None => jejak_web::serve(listener, state).await,
        }
    };
    tokio::select! {
        result = server => result.context("web server failed")?,
        _ = tokio::signal::ctrl_c() => output::note("stopping"),
    }
    if let Some((screening, path)) = keep {
        match screening.save_snapshot_async(&path).await {
            Ok(Some(saved)) => output::note(&format!(
                "match index snapshot written to {} ({} MB, {:.1} s)",
                path.display(),
                saved.bytes / 1_000_000,
                saved.elapsed.as_secs_f64()
            )),
            Ok(None) => {}
            Err(e) => output::note(&format!("match index snapshot not written: {e}")),
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub(crate) async fn demo(args: DemoArgs, config: &Config) -> anyhow::Result<ExitCode> {
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", args.path.display());
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(e).with_context(|| format!("cannot replace the demo register {path}"));
            }
        }
    }
    let url = format!("sqlite://{}", args.path.display());
    let store = open_store(&url).await?;
    // The demo's three years end today, so deferrals are still running and the offices have
    // the last days' applications waiting in their queues.
    let today = time::OffsetDateTime::now_utc().date();
    let data = jejak_synth::generate(&jejak_synth::Config {
        persons: args.persons,
        seed: 2026,
        start: today - time::Duration::days(DEMO_YEARS_OF_DAYS),
        end: today,
        backlog_days: DEMO_BACKLOG_DAYS,
        ..Default::default()
    });
    let designations = demo_designations(&data, today);
    let mut csv = Vec::new();
    jejak_synth::write_csv(&data, &mut csv).context("generating demo data")?;
    let file = InputFile { name: "demo.csv".to_owned(), bytes: csv };
    let console =
        Console::new(store.clone(), Arc::new(SystemClock), DEMO_OPERATOR, OfficeCode::console());
    let no_progress = |_| {};
    let report =
        console.import_applications(&[file], &ImportOptions::default(), &no_progress).await?;
    let (legacy, hint) = legacy_sheet(&data.applications);
    let mut csv = Vec::new();
    jejak_interchange::write_csv(&mut csv, &legacy).context("generating the old sheet")?;
    let file = InputFile { name: "demo-lama.csv".to_owned(), bytes: csv };
    let old = console.import_applications(&[file], &ImportOptions::default(), &no_progress).await?;
    output::line("==================================================================");
    output::line(" DEMO MODE: a fresh register of SYNTHETIC applicants, not real data.");
    output::line(&format!(
        " {} applications of {} persons at the three Lampung pilot offices, in {}",
        report.valid_rows(),
        data.persons(),
        args.path.display()
    ));
    let partners = demo_partner_data(store.as_ref(), today).await?;
    output::line(&format!(
        " plus {} from an old sheet whose NIKs were mistyped (kept as written, shown as \
         \"NIK tidak valid\"; search one of their correct NIKs: {})",
        old.valid_rows(),
        hint.unwrap_or_default()
    ));
    let auth = Arc::new(Auth::new(store.clone(), Arc::new(SystemClock), config.auth())?);
    for (username, name, role, office) in DEMO_USERS {
        let input = NewUserInput {
            username: username.to_owned(),
            display_name: name.to_owned(),
            role,
            office: OfficeCode::parse(office)?,
            password: DEMO_PASSWORD.to_owned(),
        };
        auth.add_user(console.actor(), input).await?;
    }
    output::line(&format!(
        " Partner data (SYNTHETIC): {partners} CPMI registration(s) from SISKOP2MI, the licensed"
    ));
    output::line("   P3MI list and BP3MI's deportations, matched to waiting applicants");
    let exchanged = super::exchange::demo_partner(&console, &args.path).await?;
    output::line(&format!(
        " Exchange: SISKOP2MI configured; batch 1 holds {exchanged} suspected PMI NP decision(s)"
    ));
    output::line(" DEMO users (every one with the password below; never use it for real):");
    for (username, _, role, office) in DEMO_USERS {
        output::line(&format!("   {username:<16} {role:<10} {office}"));
    }
    output::line(&format!(" DEMO password: {DEMO_PASSWORD}"));
    let seeded_villages =
        seed_villages(store.as_ref(), today, config.villages().ack_working_days).await?;
    let villages =
        seeded_villages.villages + designate_busiest(store.as_ref(), &data, &designations).await?;
    output::line(&format!(
        " DEMO Desa Binaan: {villages} villages, {} village reports (some linked to queued \
         applications; {} past the acknowledgement deadline, escalated to the analysts)",
        seeded_villages.reports, seeded_villages.escalated
    ));
    let seeded =
        super::referral::seed_demo(store.as_ref(), today, &config.referral_fields()?).await?;
    output::line(&format!(
        " DEMO referrals: {} from Kalianda at /rujukan ({} past their due date); protected \
         person (TPPO victim): application {}",
        seeded.count,
        seeded.overdue,
        seeded.protected.as_deref().unwrap_or("-")
    ));
    output::line("==================================================================");
    let mut state = app_state(store, auth, config, None).await?;
    let assessed = record_demo_assessments(&state).await?;
    output::note(&format!(
        "recorded the assessments of {assessed} demo applications (risk bands on the dashboard)"
    ));
    state.demo = true;
    run_server(&args.bind, state, None, None).await
}

/// Records an assessment for every demo application with the rule set in force, as the
/// offices' decisions record them, so the dashboard's risk bands and indicators fired show
/// the demo's history.
async fn record_demo_assessments(state: &AppState) -> anyhow::Result<usize> {
    let casework = &state.casework;
    let assessor = jejak_service::assess::Assessor::new(
        casework.rules()?,
        Some(casework.screening().clone()),
        Vec::new(),
    );
    let store = casework.store().as_ref();
    let ctx = demo_ctx(Action::ImportApplications)?;
    let (mut since, mut recorded) = (0, 0);
    loop {
        let page = store.applications_changed_since(since, 1_000).await?;
        let Some(last) = page.last() else { break };
        since = last.change_seq;
        for app in &page {
            jejak_service::rulesets::assess_and_record(store, &assessor, app, &ctx).await?;
            recorded += 1;
        }
    }
    Ok(recorded)
}

/// What `seed_villages` put in the demo register.
struct DemoVillages {
    villages: usize,
    reports: usize,
    /// Reports still new past their acknowledgement deadline (the analysts' default queue).
    escalated: usize,
}

/// The demo's Desa Binaan (DOMAIN.md §5.3, designated on different dates), the demo PIMPASA
/// assigned to the two in Kalianda's work area, village reports and outreach. Three reports
/// name applicants or sponsors waiting in Kalianda's queue (filed now, so their screening
/// shows alerts and the supervisor's queue has fresh ones); three were filed days back: one
/// acknowledged on time and followed up by a Timpora operation, two never acknowledged and
/// so past the `ack_working_days` deadline, escalated to the analysts.
async fn seed_villages(
    store: &dyn Store,
    today: time::Date,
    ack_working_days: u32,
) -> anyhow::Result<DemoVillages> {
    use jejak_domain::date::ymd;
    use jejak_domain::{
        NewOutreach, NewVillage, NewVillageReport, Outcome, Phone, RegionCode, ReportPerson,
        ReportStatus, ReportTopic, StatusChange,
    };
    use jejak_store::{ApplicationQuery, RoutedReport};

    let ctx = demo_ctx(Action::ManageVillages)?;
    let date = |y, m, d| ymd(y, m, d).context("a demo date");
    let villages = [
        ("18.09.01.2004", "BDL", date(2025, 9, 26)?, "Desa Migran Emas"),
        ("18.10.03.2001", "BDL", date(2025, 10, 14)?, "Desa Migran Emas"),
        ("18.07.05.2001", "KLA", date(2025, 9, 18)?, ""),
        ("18.01.04.2004", "KLA", date(2026, 2, 2)?, ""),
    ];
    for (code, office, on, partner) in villages {
        let village = NewVillage {
            code: RegionCode::parse(code)?,
            office: OfficeCode::parse(office)?,
            designated_on: on,
            decree: Some(format!("W.8-IMI.UM.01.01-{}", on.ordinal())),
            ends_on: None,
            partners: if partner.is_empty() { vec![] } else { vec![partner.to_owned()] },
        };
        store.designate_village(&village, &ctx).await?;
    }
    let sumber_gede = RegionCode::parse("18.07.05.2001")?;
    let natar = RegionCode::parse("18.01.04.2004")?;
    store.assign_pimpasa(&sumber_gede, "pimpasa.kla", date(2025, 9, 18)?, &ctx).await?;
    store.assign_pimpasa(&natar, "pimpasa.kla", date(2026, 2, 2)?, &ctx).await?;

    let queued = store
        .list_applications(&ApplicationQuery {
            office: Some(OfficeCode::parse("KLA")?),
            outcome: Some(Outcome::Pending),
            limit: 3,
            ..ApplicationQuery::default()
        })
        .await?;
    let kla = OfficeCode::parse("KLA")?;
    let base = |n: usize, village: &RegionCode, topic, narrative: &str| NewVillageReport {
        report_id: format!("demo-{n:04}"),
        village: village.clone(),
        reported_on: today - time::Duration::days(n as i64 + 1),
        topic,
        source_reliability: "B".into(),
        info_credibility: 2,
        persons: vec![],
        phones: vec![],
        recruiters: vec![],
        agency: None,
        destination_country: None,
        planned_departure_on: None,
        narrative: narrative.into(),
        source: Some("Ketua RT (demo)".into()),
        reported_by: "pimpasa.kla".into(),
    };
    let mut reports = Vec::new();
    for (i, app) in queued.iter().enumerate() {
        let a = &app.data;
        let mut r = base(
            i + 1,
            if i % 2 == 0 { &sumber_gede } else { &natar },
            ReportTopic::Recruiter,
            "Warga melaporkan calo menawarkan kerja ke luar negeri tanpa prosedur (DEMO).",
        );
        match i {
            0 => {
                r.persons.push(ReportPerson {
                    name: a.full_name.clone(),
                    birth_date: a.birth_date,
                    nik: None,
                    relation: Some("calon pekerja".into()),
                });
            }
            1 => match a.sponsor_phone.clone().or_else(|| a.phone.clone()) {
                Some(phone) => r.phones.push(phone),
                None => r.persons.push(ReportPerson {
                    name: a.full_name.clone(),
                    birth_date: a.birth_date,
                    nik: a.nik.clone(),
                    relation: None,
                }),
            },
            _ => match a.sponsor_name.clone().filter(|s| !s.trim().is_empty()) {
                Some(sponsor) => r.recruiters.push(sponsor),
                None => r.persons.push(ReportPerson {
                    name: a.full_name.clone(),
                    birth_date: a.birth_date,
                    nik: a.nik.clone(),
                    relation: None,
                }),
            },
        }
        r.destination_country = a.destination_country;
        reports.push(r);
    }

    // Reports filed days back. The store stamps a report as filed at its audit context's
    // time, so each is filed with the time it came in: that is what the acknowledgement
    // deadline counts from. `overdue` is the latest day a report still new today is past
    // its deadline, whatever the configured number of working days.
    let overdue = first_overdue_filing_day(today, ack_working_days);
    let mut umrah = base(
        10,
        &sumber_gede,
        ReportTopic::PlannedDeparture,
        "Rombongan 8 orang akan berangkat \"umrah\" lewat Bakauheni (DEMO).",
    );
    umrah.reported_on = overdue - time::Duration::days(3);
    umrah.phones.push(Phone::parse("0813-7000-1234")?);
    umrah.recruiters.push("Bu Yanti".into());
    umrah.agency = Some("PT Cahaya Umrah Sejahtera".into());
    umrah.planned_departure_on = Some(today + time::Duration::days(7));
    let mut returnee = base(
        11,
        &natar,
        ReportTopic::Returnee,
        "Seorang PMI pulang dari Malaysia, paspor ditahan majikan (DEMO).",
    );
    returnee.reported_on = overdue - time::Duration::days(1);
    let mut foreigners = base(
        12,
        &sumber_gede,
        ReportTopic::Foreigner,
        "Dua warga negara asing menginap di rumah warga sejak sepekan tanpa lapor ke RT (DEMO).",
    );
    foreigners.reported_on = overdue;
    let acknowledged_id = umrah.report_id.clone();
    let filed_back = [umrah, returnee, foreigners];
    let escalated = filed_back.iter().filter(|r| r.report_id != acknowledged_id).count();
    let count = reports.len() + filed_back.len();
    for report in filed_back {
        let at = demo_stamp(report.reported_on, 8);
        let routed = RoutedReport { report, office: kla.clone() };
        store.file_village_reports(&[routed], &at_time(&ctx, at)).await?;
    }
    // Kalianda acknowledged the "umrah" group the next day and took it to Timpora (below),
    // so it is in follow-up, not escalated.
    let acknowledged_on = overdue - time::Duration::days(2);
    for (status, note, hour) in [
        (ReportStatus::Acknowledged, None, 2),
        (
            ReportStatus::InFollowUp,
            Some("Dibahas dengan tim Timpora; rombongan akan didatangi (DEMO).".to_owned()),
            3,
        ),
    ] {
        let change = StatusChange {
            report_id: acknowledged_id.clone(),
            status,
            note,
            by: "supervisor.kla".into(),
            at: demo_stamp(acknowledged_on, hour),
        };
        let mut by = at_time(&ctx, change.at.clone());
        by.office = Some(kla.clone());
        store.set_report_status(&change, &by).await?;
    }
    let routed: Vec<RoutedReport> =
        reports.into_iter().map(|report| RoutedReport { report, office: kla.clone() }).collect();
    store.file_village_reports(&routed, &ctx).await?;
    for (n, (village, kind, venue)) in [
        (&sumber_gede, "sosialisasi desa", None),
        (&sumber_gede, "sekolah", Some("SMA Negeri 1 Sekampung")),
        (&natar, "sosialisasi desa", None),
    ]
    .into_iter()
    .enumerate()
    {
        let session = NewOutreach {
            held_on: today - time::Duration::days(20 + 9 * n as i64),
            village: village.clone(),
            venue: venue.map(str::to_owned),
            kind: kind.to_owned(),
            attendees_female: 30 + 5 * n as u32,
            attendees_male: 22 + 3 * n as u32,
            topics: vec!["paspor".into(), "bekerja ke luar negeri secara prosedural".into()],
            partners: vec!["BP3MI Lampung".into()],
            notes: None,
            recorded_by: "pimpasa.kla".into(),
        };
        store.record_outreach(&session, &ctx).await?;
    }
    // A Timpora operation in Sekampung prompted by the "umrah" report, so its register and
    // the report's page show the link.
    let operation = jejak_domain::NewOperation {
        held_on: today - time::Duration::days(3),
        area: RegionCode::parse("18.07.05")?,
        lead_office: kla.clone(),
        agencies: vec!["Polres Lampung Timur".into(), "Kesbangpol".into(), "Disnaker".into()],
        foreigners_checked: 14,
        violations: vec![("overstay".into(), 2), ("izin tinggal tidak sesuai".into(), 1)],
        persons_secured: 1,
        pmi_np_stopped: 6,
        report_ids: vec!["demo-0010".into()],
        notes: Some(
            "Rombongan \"umrah\" diberi penjelasan prosedur bekerja ke luar negeri (DEMO).".into(),
        ),
        recorded_by: "supervisor.kla".into(),
    };
    store.record_operation(&operation, &ctx).await?;
    Ok(DemoVillages { villages: villages.len(), reports: count, escalated })
}

/// The latest day before `today` on which a report, still not acknowledged today, is past
/// its deadline of `ack_working_days` working days (the alert queue's rule).
fn first_overdue_filing_day(today: time::Date, ack_working_days: u32) -> time::Date {
    let mut day = today - time::Duration::days(1);
    while jejak_service::villages::add_working_days(day, ack_working_days) >= today {
        day -= time::Duration::days(1);
    }
    day
}

/// `day` at `hour`:00 UTC as an audit timestamp.
fn demo_stamp(day: time::Date, hour: u8) -> String {
    format!("{}T{hour:02}:00:00Z", jejak_domain::date::iso(day))
}

/// `ctx` with its time set to `at` (a demo write dated in the past).
fn at_time(ctx: &jejak_store::AuditCtx, at: String) -> jejak_store::AuditCtx {
    let mut dated = ctx.clone();
    dated.at = at;
    dated
}

/// Designates the demo's busiest villages in the village register (each by the office most of
/// its applicants went to), so the register pages and the evaluation show the same Desa
/// Binaan. A village `seed_villages` designated already is left as it is. Returns how many
/// were added.
async fn designate_busiest(
    store: &dyn Store,
    data: &jejak_synth::Dataset,
    designations: &[Designation],
) -> anyhow::Result<usize> {
    let ctx = demo_ctx(Action::ManageVillages)?;
    let known: Vec<jejak_domain::RegionCode> =
        store.villages().await?.into_iter().map(|v| v.data.code).collect();
    let mut added = 0;
    for d in designations.iter().filter(|d| !known.contains(&d.village)) {
        let mut per_office: std::collections::BTreeMap<&OfficeCode, usize> = Default::default();
        for app in data.applications.iter().filter(|a| a.village_code.as_ref() == Some(&d.village))
        {
            *per_office.entry(&app.office_code).or_insert(0) += 1;
        }
        let Some((office, _)) = per_office.into_iter().max_by_key(|(_, n)| *n) else { continue };
        let village = jejak_domain::NewVillage {
            code: d.village.clone(),
            office: office.clone(),
            designated_on: d.designated_on,
            decree: Some(format!("W.8-IMI.UM.01.01-{}", d.designated_on.ordinal())),
            ends_on: None,
            partners: vec!["Desa Migran Emas".to_owned()],
        };
        store.designate_village(&village, &ctx).await?;
        added += 1;
    }
    Ok(added)
}

/// Months before today at which the demo designates its villages (staggered, so a village
/// designated later is a comparison for one designated earlier).
const DEMO_DESIGNATION_MONTHS_AGO: [i32; 5] = [30, 24, 18, 12, 6];

/// The demo's Desa Binaan: the villages with the most applicants, each designated at one of
/// the staggered dates (designated in the village register by `designate_busiest`).
fn demo_designations(data: &jejak_synth::Dataset, today: time::Date) -> Vec<Designation> {
    let mut per_village: std::collections::HashMap<&jejak_domain::RegionCode, usize> =
        std::collections::HashMap::new();
    for app in &data.applications {
        if let Some(v) = &app.village_code {
            *per_village.entry(v).or_insert(0) += 1;
        }
    }
    let mut villages: Vec<(&jejak_domain::RegionCode, usize)> = per_village.into_iter().collect();
    villages.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    villages
        .into_iter()
        .zip(DEMO_DESIGNATION_MONTHS_AGO)
        .map(|((village, _), months)| Designation {
            village: village.clone(),
            designated_on: shift_months(today, -months),
        })
        .collect()
}

/// A synthetic SISKOP2MI snapshot, licensed P3MI list and BP3MI deportation list built from
/// the demo's waiting applicants, so the examination page shows CPMI registrations, R01 passing
/// and R21-R23 firing. Returns the number of CPMI registrations.
async fn demo_partner_data(store: &dyn Store, today: time::Date) -> anyhow::Result<usize> {
    use jejak_domain::{
        CpmiRecord, CpmiStatus, DeportationKind, DeportationRecord, Outcome, P3miLicence,
        PartnerKind, Purpose,
    };
    use jejak_store::{ApplicationQuery, NewPartnerSnapshot, PartnerRecords};
    let waiting = store
        .list_applications(&ApplicationQuery {
            outcome: Some(Outcome::Pending),
            limit: 400,
            ..ApplicationQuery::default()
        })
        .await?;
    let mut cpmi = Vec::new();
    let mut deportations = Vec::new();
    for (i, app) in waiting.iter().map(|a| &a.data).enumerate() {
        let status = match app.purpose {
            Some(Purpose::Work) if i % 3 != 2 => CpmiStatus::Registered,
            Some(Purpose::Tourism | Purpose::Umrah | Purpose::FamilyVisit) if i % 4 == 0 => {
                CpmiStatus::InProcess
            }
            _ if i % 11 == 0 => {
                deportations.push(DeportationRecord {
                    nik: app.nik.clone(),
                    full_name: app.full_name.clone(),
                    birth_date: app.birth_date,
                    sex: app.sex,
                    country: jejak_domain::CountryCode::parse("MY").ok(),
                    kind: DeportationKind::Deported,
                    event_date: Some(app.applied_on - time::Duration::days(400)),
                    reference: Some(format!("BP3MI-LPG/DEMO/{i}")),
                });
                continue;
            }
            _ => continue,
        };
        cpmi.push(CpmiRecord {
            cpmi_id: format!("CPMI-DEMO-{:05}", i + 1),
            // Every other one without NIK: matched by name and birth date.
            nik: if i % 4 == 0 { None } else { app.nik.clone() },
            full_name: app.full_name.clone(),
            birth_date: app.birth_date,
            sex: app.sex,
            destination_country: app.destination_country,
            p3mi_name: Some("PT Sinar Jaya Abadi".into()),
            employer: Some("Tan Holdings Sdn Bhd".into()),
            job_title: Some("Operator produksi".into()),
            placement_scheme: Some("P-to-P".into()),
            status,
            recommendation_no: Some(format!("562/{}/DISNAKER/{}", i + 1, today.year())),
            recommendation_date: Some(today - time::Duration::days(20)),
            updated_on: Some(today - time::Duration::days(2)),
        });
    }
    let ctx = demo_ctx(Action::ImportPartnerData)?;
    let count = cpmi.len();
    let lists = [
        (PartnerKind::Cpmi, "siskop2mi-demo.csv", PartnerRecords::Cpmi(cpmi)),
        (
            PartnerKind::P3mi,
            "p3mi-berizin-demo.csv",
            PartnerRecords::P3mi(vec![
                P3miLicence {
                    p3mi_name: "PT Sinar Jaya Abadi".into(),
                    licence_no: Some("KEP.12/2024".into()),
                    valid_until: Some(today + time::Duration::days(900)),
                },
                P3miLicence {
                    p3mi_name: "PT Bina Tenaga Mandiri".into(),
                    licence_no: Some("KEP.3/2021".into()),
                    valid_until: Some(today - time::Duration::days(30)),
                },
            ]),
        ),
        (
            PartnerKind::Deportations,
            "bp3mi-deportasi-demo.csv",
            PartnerRecords::Deportations(deportations),
        ),
    ];
    for (kind, source, records) in lists {
        if records.is_empty() {
            continue;
        }
        let snapshot = NewPartnerSnapshot { kind, taken_on: today, source: source.into() };
        store.import_partner_snapshot(&snapshot, &records, &ctx).await?;
    }
    Ok(count)
}

/// Where the demo's old sheet drops a digit of the NIK (the serial's first).
const MISTYPED_AT: usize = 12;

/// An office's old spreadsheet in the demo: earlier applications of a few generated persons
/// whose NIKs were typed with a digit missing, and one of the correct NIKs (to search for).
/// The import keeps them as written and flags them; the identity engine still finds them.
fn legacy_sheet(
    applications: &[jejak_domain::NewApplication],
) -> (Vec<jejak_domain::NewApplication>, Option<String>) {
    let sources: Vec<&jejak_domain::NewApplication> = applications
        .iter()
        .filter(|a| a.nik.is_some() && a.birth_date.is_some())
        .step_by(97)
        .take(5)
        .collect();
    let old = sources
        .iter()
        .map(|a| {
            let mut old = jejak_domain::NewApplication::new(
                &format!("{}-LAMA", a.application_id),
                a.office_code.clone(),
                a.applied_on - time::Duration::days(400),
                &a.full_name,
            );
            old.sex = a.sex;
            old.birth_date = a.birth_date;
            old.village_code = a.village_code.clone();
            old.mother_name = a.mother_name.clone();
            let mut mistyped = a.nik_text().unwrap_or_default().to_owned();
            if mistyped.len() > MISTYPED_AT {
                mistyped.remove(MISTYPED_AT);
            }
            old.set_invalid(jejak_domain::IdentifierField::Nik, mistyped);
            old
        })
        .collect();
    (old, sources.first().and_then(|a| a.nik_text()).map(str::to_owned))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use jejak_domain::date::ymd;
    use jejak_service::villages::add_working_days;

    use super::first_overdue_filing_day;

    /// Whatever the weekday and the configured deadline, a report filed on the day found is
    /// past its deadline today, and one filed a day later is not.
    #[test]
    fn the_first_overdue_filing_day_is_the_latest_day_past_the_deadline() {
        let monday = ymd(2026, 11, 30).unwrap();
        for offset in 0..7 {
            let today = monday + time::Duration::days(offset);
            for ack in [1, 2, 5] {
                let day = first_overdue_filing_day(today, ack);
                assert!(add_working_days(day, ack) < today, "{today} {ack}");
                let next = day + time::Duration::days(1);
                assert!(next >= today || add_working_days(next, ack) >= today, "{today} {ack}");
            }
        }
        // Thursday 3 December 2026, two working days: filed Monday, due Wednesday.
        assert_eq!(first_overdue_filing_day(ymd(2026, 12, 3).unwrap(), 2), monday);
    }
}
