//! `jejak subject-report`: everything held on one person, as JSON.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use jejak_domain::Nik;
use jejak_matching::Model;
use jejak_service::SystemClock;
use jejak_service::admin::Admin;
use jejak_service::retention::RetentionPolicy;
use jejak_service::screening::Screening;

use crate::args::SubjectReportArgs;
use crate::commands::data::write_atomically;
use crate::commands::{console_actor, open_store};
use crate::output;

pub(crate) async fn subject_report(args: SubjectReportArgs) -> anyhow::Result<ExitCode> {
    let nik = Nik::parse(&args.nik).with_context(|| format!("--nik {:?}", args.nik))?;
    let store = open_store(&args.db.database).await?;
    let screening = if args.no_linking {
        None
    } else {
        let model = Arc::new(Model::interchange().context("the built-in interchange model")?);
        Some(Screening::start(store.clone(), model).await.context("building the match index")?)
    };
    let by = console_actor(&store, &args.user.user, None).await?;
    let clock = Arc::new(SystemClock);
    let admin = match screening {
        Some(screening) => {
            Admin::new(store, Arc::new(screening), clock, RetentionPolicy::default())
        }
        None => Admin::without_index(store, clock, RetentionPolicy::default()),
    };
    let report = admin.subject_report(&by, nik.as_str()).await?;
    let json = serde_json::to_vec_pretty(&report).context("encoding the report")?;
    write_atomically(&args.out, |mut out| {
        out.write_all(&json)?;
        out.write_all(b"\n")?;
        Ok(out.flush()?)
    })?;
    output::line(&format!(
        "subject report for NIK {} written to {}: {} application(s), {} legal hold(s), {} audit event(s)",
        nik.masked(),
        args.out.display(),
        report.applications.len(),
        report.legal_holds.len(),
        report.audit_events.len()
    ));
    Ok(ExitCode::SUCCESS)
}
