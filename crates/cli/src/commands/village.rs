//! `jejak village designate|list|assign|end` and `jejak village report import FILE.csv`: the
//! Desa Binaan register and village reports at the command line (issue 14). The command line
//! acts as a regional analyst ("cli" in the audit log) unless `--reporter` names the user
//! filing imported reports. A report file is read whole and checked before anything is
//! written: one bad cell names its row and column and nothing is imported; a report id
//! already stored is left as it is.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jejak_domain::date::{iso, parse_date};
use jejak_domain::{
    CountryCode, NewVillage, NewVillageReport, Nik, OfficeCode, Phone, RegionCode, ReportPerson,
    ReportTopic,
};
use jejak_service::authz::{Actor, Role};
use jejak_service::villages::{VillageConfig, Villages};
use jejak_service::{Clock, SystemClock};
use jejak_store::Store;

use crate::args::{VillageCommand, VillageReportCommand};
use crate::commands::{console_actor, open_store};
use crate::output;

/// The columns of a village report file, in order (issue 14 item 3).
pub(crate) const REPORT_COLUMNS: [&str; 13] = [
    "report_id",
    "village_code",
    "reported_on",
    "topic",
    "source_reliability",
    "info_credibility",
    "persons",
    "phones",
    "recruiters",
    "agency",
    "destination_country",
    "planned_departure_on",
    "narrative",
];

/// The console operator village commands are audited under: their `--user` names the
/// PIMPASA concerned, not the operator.
const CONSOLE_OPERATOR: &str = "cli";

fn service(store: Arc<dyn Store>) -> Villages {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    Villages::new(store, clock, VillageConfig::default())
}

/// The actor for `username`, as stored.
async fn user_actor(store: &Arc<dyn Store>, username: &str) -> anyhow::Result<Actor> {
    let user = store
        .get_user(username)
        .await?
        .with_context(|| format!("--reporter {username:?}: no such user"))?;
    let role = Role::parse(&user.role)
        .with_context(|| format!("user {username} has an unknown role {}", user.role))?;
    Ok(Actor::user(&user.username, &user.display_name, role, user.office))
}

fn village_code(text: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse_village(text).with_context(|| {
        format!("village code {text:?} (a Kemendagri village code such as 18.09.01.2004)")
    })
}

pub(crate) async fn run(command: VillageCommand) -> anyhow::Result<ExitCode> {
    match command {
        VillageCommand::Designate(args) => {
            let code = village_code(&args.code)?;
            let office = OfficeCode::parse(&args.office)
                .with_context(|| format!("--office {:?}", args.office))?;
            let on = parse_date(&args.on).with_context(|| format!("--on {:?}", args.on))?;
            let ends_on = args
                .until
                .as_deref()
                .map(|d| parse_date(d).with_context(|| format!("--until {d:?}")))
                .transpose()?;
            let store = open_store(&args.db.database).await?;
            let actor = console_actor(&store, CONSOLE_OPERATOR, None).await?;
            let village = NewVillage {
                code,
                office,
                designated_on: on,
                decree: args.decree.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty()),
                ends_on,
                partners: args.partner,
            };
            let v = service(store).designate(&actor, village).await?;
            output::line(&format!(
                "designated village {} {} for {} on {}",
                v.data.code.dotted(),
                jejak_service::villages::village_name(&v.data.code).unwrap_or_default(),
                v.data.office,
                iso(v.data.designated_on)
            ));
            Ok(ExitCode::SUCCESS)
        }
        VillageCommand::List(db) => {
            let store = open_store(&db.database).await?;
            let actor = console_actor(&store, CONSOLE_OPERATOR, None).await?;
            for row in service(store).list(&actor).await? {
                let v = &row.village.data;
                let officers: Vec<String> = row
                    .assignments
                    .iter()
                    .map(|a| match a.until_on {
                        Some(until) => {
                            format!("{} ({}..{})", a.username, iso(a.from_on), iso(until))
                        }
                        None => format!("{} (since {})", a.username, iso(a.from_on)),
                    })
                    .collect();
                // Partner programmes come last, so scripts reading the earlier columns by
                // position keep working.
                output::line(&format!(
                    "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    v.code.dotted(),
                    row.name.as_deref().unwrap_or("?"),
                    v.office,
                    iso(v.designated_on),
                    v.decree.as_deref().unwrap_or("-"),
                    v.ends_on.map(iso).unwrap_or_else(|| "-".into()),
                    if officers.is_empty() { "-".into() } else { officers.join("; ") },
                    if v.partners.is_empty() { "-".into() } else { v.partners.join("; ") },
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        VillageCommand::Assign(args) if args.until.is_some() => {
            let until = args.until.as_deref().unwrap_or_default();
            let until = parse_date(until).with_context(|| format!("--until {until:?}"))?;
            end(&args.db, &args.code, Some(&args.user), until).await
        }
        VillageCommand::End(args) => {
            let on = match &args.on {
                Some(d) => parse_date(d).with_context(|| format!("--on {d:?}"))?,
                None => SystemClock.today(),
            };
            end(&args.db, &args.code, args.user.as_deref(), on).await
        }
        VillageCommand::Assign(args) => {
            let code = village_code(&args.code)?;
            let from = match &args.from {
                Some(d) => parse_date(d).with_context(|| format!("--from {d:?}"))?,
                None => SystemClock.today(),
            };
            let store = open_store(&args.db.database).await?;
            let actor = console_actor(&store, CONSOLE_OPERATOR, None).await?;
            let a = service(store).assign(&actor, &code, &args.user, from).await?;
            output::line(&format!(
                "assigned {} to village {} from {}",
                a.username,
                a.village.dotted(),
                iso(a.from_on)
            ));
            Ok(ExitCode::SUCCESS)
        }
        VillageCommand::Report(VillageReportCommand::Import(args)) => {
            let name = args.file.display().to_string();
            let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {name}"))?;
            let reports = match parse_reports(&bytes, &name) {
                Ok(reports) => reports,
                Err(errors) => {
                    for e in &errors {
                        output::note(e);
                    }
                    output::note(&format!(
                        "{name}: {} error(s); nothing was imported",
                        errors.len()
                    ));
                    return Ok(ExitCode::FAILURE);
                }
            };
            let store = open_store(&args.db.database).await?;
            let actor = match &args.reporter {
                Some(user) => user_actor(&store, user).await?,
                None => console_actor(&store, CONSOLE_OPERATOR, None).await?,
            };
            let filed = service(store)
                .file(&actor, reports)
                .await
                .with_context(|| format!("{name}: nothing was imported"))?;
            let created = filed.iter().filter(|f| f.created).count();
            output::line(&format!(
                "{name}: {created} report(s) imported, {} already present",
                filed.len() - created
            ));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Ends `user`'s assignment to the village on `on`, or without a user the designation.
async fn end(
    db: &crate::args::DatabaseArg,
    code: &str,
    user: Option<&str>,
    on: time::Date,
) -> anyhow::Result<ExitCode> {
    let code = village_code(code)?;
    let store = open_store(&db.database).await?;
    let actor = console_actor(&store, CONSOLE_OPERATOR, None).await?;
    match user {
        Some(user) => {
            service(store).end_assignment(&actor, &code, user, on).await?;
            output::line(&format!(
                "ended the assignment of {user} to village {} on {}",
                code.dotted(),
                iso(on)
            ));
        }
        None => {
            let v = service(store).end_designation(&actor, &code, on).await?;
            output::line(&format!(
                "ended the designation of village {} {} on {} (designated {})",
                code.dotted(),
                jejak_service::villages::village_name(&code).unwrap_or_default(),
                iso(on),
                iso(v.data.designated_on)
            ));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads a village report file; every error names the file, the row (the header is row 1)
/// and the column.
pub(crate) fn parse_reports(
    bytes: &[u8],
    name: &str,
) -> Result<Vec<NewVillageReport>, Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim().trim_start_matches('\u{feff}').to_lowercase()).collect(),
        Err(e) => return Err(vec![format!("{name}: row 1: {e}")]),
    };
    let mut errors = Vec::new();
    let mut index = [usize::MAX; 13];
    for (i, column) in REPORT_COLUMNS.iter().enumerate() {
        match header.iter().position(|h| h == column) {
            Some(p) => index[i] = p,
            None if matches!(
                *column,
                "report_id" | "village_code" | "reported_on" | "topic" | "narrative"
            ) =>
            {
                errors.push(format!("{name}: row 1: missing column {column}"));
            }
            None => {}
        }
    }
    for h in &header {
        if !REPORT_COLUMNS.contains(&h.as_str()) {
            errors.push(format!("{name}: row 1: unknown column {h:?}"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut reports = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                errors.push(format!("{name}: row {row}: {e}"));
                continue;
            }
        };
        let cell =
            |column: usize| -> &str { record.get(index[column]).map(str::trim).unwrap_or("") };
        let mut err = |column: &str, message: String| {
            errors.push(format!("{name}: row {row}, column {column}: {message}"));
        };
        let report_id = cell(0).to_owned();
        let village = match RegionCode::parse_village(cell(1)) {
            Ok(v) => Some(v),
            Err(e) => {
                err("village_code", format!("{e} (value {:?})", cell(1)));
                None
            }
        };
        let reported_on = match parse_date(cell(2)) {
            Ok(d) => Some(d),
            Err(e) => {
                err("reported_on", format!("{e} (value {:?})", cell(2)));
                None
            }
        };
        let topic = ReportTopic::parse(cell(3));
        if topic.is_none() {
            let names: Vec<&str> = ReportTopic::ALL.iter().map(|t| t.as_str()).collect();
            err("topic", format!("use one of {} (value {:?})", names.join(", "), cell(3)));
        }
        let reliability = if cell(4).is_empty() { "F".to_owned() } else { cell(4).to_uppercase() };
        let credibility = if cell(5).is_empty() {
            Some(6)
        } else {
            match cell(5).parse::<u8>() {
                Ok(c) => Some(c),
                Err(_) => {
                    err(
                        "info_credibility",
                        format!("must be a number from 1 to 6 (value {:?})", cell(5)),
                    );
                    None
                }
            }
        };
        let mut persons = Vec::new();
        for entry in cell(6).split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let mut parts = entry.split('|').map(str::trim);
            let person_name = parts.next().unwrap_or_default().to_owned();
            let birth = parts.next().filter(|b| !b.is_empty());
            let nik = parts.next().filter(|b| !b.is_empty());
            let birth_date = match birth.map(parse_date).transpose() {
                Ok(d) => d,
                Err(e) => {
                    err("persons", format!("{entry:?}: birth date: {e}"));
                    None
                }
            };
            let nik = match nik.map(Nik::parse).transpose() {
                Ok(n) => n,
                Err(e) => {
                    err("persons", format!("{entry:?}: NIK: {e}"));
                    None
                }
            };
            if parts.next().is_some() {
                err("persons", format!("{entry:?}: write a person as NAME|BIRTH_DATE|NIK"));
            }
            if person_name.is_empty() {
                err("persons", format!("{entry:?}: a person needs a name"));
            }
            persons.push(ReportPerson { name: person_name, birth_date, nik, relation: None });
        }
        let mut phones = Vec::new();
        for entry in cell(7).split(';').map(str::trim).filter(|e| !e.is_empty()) {
            match Phone::parse(entry) {
                Ok(p) => phones.push(p),
                Err(e) => err("phones", format!("{e} (value {entry:?})")),
            }
        }
        let recruiters: Vec<String> = cell(8)
            .split(';')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect();
        let agency = Some(cell(9).to_owned()).filter(|a| !a.is_empty());
        let destination_country =
            match Some(cell(10)).filter(|c| !c.is_empty()).map(CountryCode::parse).transpose() {
                Ok(c) => c,
                Err(e) => {
                    err("destination_country", format!("{e} (value {:?})", cell(10)));
                    None
                }
            };
        let planned_departure_on =
            match Some(cell(11)).filter(|c| !c.is_empty()).map(parse_date).transpose() {
                Ok(d) => d,
                Err(e) => {
                    err("planned_departure_on", format!("{e} (value {:?})", cell(11)));
                    None
                }
            };
        if let Some(first) = seen.insert(report_id.clone(), row)
            && !report_id.is_empty()
        {
            err("report_id", format!("{report_id:?} also on row {first}"));
        }
        let (Some(village), Some(reported_on), Some(topic), Some(info_credibility)) =
            (village, reported_on, topic, credibility)
        else {
            continue;
        };
        let report = NewVillageReport {
            report_id,
            village,
            reported_on,
            topic,
            source_reliability: reliability,
            info_credibility,
            persons,
            phones,
            recruiters,
            agency,
            destination_country,
            planned_departure_on,
            narrative: cell(12).to_owned(),
            source: None,
            reported_by: String::new(),
        };
        if let Err(e) = report.validate() {
            err(e.field, e.message);
            continue;
        }
        reports.push(report);
    }
    if errors.is_empty() { Ok(reports) } else { Err(errors) }
}
