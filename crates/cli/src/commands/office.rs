//! `jejak office list|add`.

use std::process::ExitCode;

use anyhow::{Context, bail};
use jejak_domain::region::{RegionLevel, regions};
use jejak_domain::{Office, OfficeCode, RegionCode};

use crate::args::OfficeCommand;
use crate::commands::{cli_ctx, open_store};
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
            let office = Office { code, name: args.name.trim().to_owned(), work_area };
            store.save_office(&office, &cli_ctx("cli")).await?;
            output::line(&format!("saved office {} ({})", office.code, office.name));
            Ok(ExitCode::SUCCESS)
        }
    }
}
