//! `jejak office list|add` (adding goes through the administration gate, as on the pages).

use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_domain::region::{RegionLevel, regions};
use jejak_domain::{OfficeCode, RegionCode};
use jejak_service::admin::OfficeInput;
use jejak_service::retention::RetentionPolicy;

use crate::args::OfficeCommand;
use crate::commands::{console_actor, console_admin, open_store};
use crate::output;

pub(crate) async fn run(command: OfficeCommand) -> anyhow::Result<ExitCode> {
    match command {
        OfficeCommand::List(db) => {
            let store = open_store(&db.database).await?;
            for office in store.list_offices().await? {
                let area: Vec<String> = office
                    .work_area
                    .iter()
                    .map(|r| match r.info() {
                        Some(info) => format!("{} {}", r.dotted(), info.name),
                        None => r.dotted(),
                    })
                    .collect();
                output::line(&format!("{}\t{}\t{}", office.code, office.name, area.join("; ")));
            }
            Ok(ExitCode::SUCCESS)
        }
        OfficeCommand::Add(args) => {
            let code = OfficeCode::parse(&args.code)
                .with_context(|| format!("office code {:?}", args.code))?;
            if args.name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let mut work_area = Vec::new();
            for text in &args.area {
                let region = RegionCode::parse(text).with_context(|| format!("--area {text:?}"))?;
                if region.level() != RegionLevel::Regency || !regions().contains(&region) {
                    bail!("--area {text:?} is not a known regency (kab/kota) code such as 18.71");
                }
                work_area.push(region);
            }
            let store = open_store(&args.db.database).await?;
            // Offices are register-wide: the administrator acts from the office added, which
            // also lets the first office of an empty register be added.
            let actor = console_actor(&store, "cli", Some(code.clone())).await?;
            let input = OfficeInput {
                code: code.as_str().to_owned(),
                name: args.name.trim().to_owned(),
                areas: work_area.iter().map(RegionCode::dotted).collect::<Vec<_>>().join(" "),
            };
            let office = console_admin(&store, RetentionPolicy::default())
                .save_office(&actor, &input)
                .await?;
            output::line(&format!("saved office {} ({})", office.code, office.name));
            Ok(ExitCode::SUCCESS)
        }
    }
}
