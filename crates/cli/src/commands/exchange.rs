//! `jejak exchange`: signing keys, exchange partners, batch folders (export, verify, import,
//! ack) and the HTTP adapter (pull, push). A refused batch prints its reason and exits 2 with
//! nothing written; any other failure exits 1.

use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use jejak_exchange::{FolderTransport, HttpTransport, PublicKey};
use jejak_service::console::Console;
use jejak_service::exchange::{self as service, ExchangeFailure};
use jejak_store::NewExchangePartner;

use crate::args::{ExchangeCommand, ExchangeHttpArgs, ExchangePartnerCommand};
use crate::commands::{console, open_store};
use crate::output;

/// Exit code of a refused batch.
const REFUSED: u8 = 2;

pub(crate) async fn run(command: ExchangeCommand) -> anyhow::Result<ExitCode> {
    match command {
        ExchangeCommand::Keygen { out } => keygen(&out),
        ExchangeCommand::Partner(ExchangePartnerCommand::Add {
            name,
            display_name,
            public_key,
            signing_key,
            base_url,
            purpose,
            legal_basis,
            db,
            user,
        }) => {
            let store = open_store(&db.database).await?;
            let signing_key = std::path::absolute(&signing_key)
                .with_context(|| format!("{}", signing_key.display()))?;
            let partner = NewExchangePartner {
                display_name: display_name.unwrap_or_else(|| name.to_uppercase()),
                name,
                public_key,
                signing_key_ref: signing_key.display().to_string(),
                base_url,
                purpose,
                legal_basis,
            };
            let console = console(&store, &user.user, None).await?;
            let saved = console
                .save_exchange_partner(&partner)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            output::line(&format!(
                "exchange partner {} saved (last sent {}, acknowledged {}, received {})",
                saved.config.name,
                saved.last_sent_seq,
                saved.last_acknowledged_seq,
                saved.last_received_seq
            ));
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::Partner(ExchangePartnerCommand::List { db }) => {
            let store = open_store(&db.database).await?;
            for p in store.exchange_partners().await? {
                output::line(&format!(
                    "{}\t{}\tsent {}\tacknowledged {}\treceived {}\t{}\t{}",
                    p.config.name,
                    p.config.display_name,
                    p.last_sent_seq,
                    p.last_acknowledged_seq,
                    p.last_received_seq,
                    p.config.base_url.as_deref().unwrap_or("-"),
                    p.config.legal_basis
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        ExchangeCommand::Export { partner, out, db, user } => {
            let store = open_store(&db.database).await?;
            let written =
                console(&store, &user.user, None).await?.export_batch(&partner, &out).await;
            match written {
                Ok(Some(batch)) => {
                    let m = &batch.manifest;
                    output::line(&format!(
                        "{}: batch {} for {} with {} record(s), sha256 {}",
                        out.display(),
                        m.sequence,
                        m.partner,
                        m.record_count,
                        m.data_sha256
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Ok(None) => {
                    output::note(&format!(
                        "nothing to send to {partner}: every batch was acknowledged and no deferral or refusal for suspected PMI NP was recorded since"
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
        ExchangeCommand::Verify { dir, public_key, database } => {
            let batch = match jejak_exchange::read_batch(&dir) {
                Ok(b) => b,
                Err(e) => return failure(e.into()),
            };
            let key = public_key
                .as_deref()
                .map(PublicKey::from_base64)
                .transpose()
                .context("--public-key")?;
            let store = match (&key, database) {
                (None, Some(url)) => Some(open_store(&url).await?),
                (None, None) => bail!("give --public-key or --database (JEJAK_DATABASE)"),
                (Some(_), _) => None,
            };
            match service::verify(store.as_deref(), &batch, key.as_ref()).await {
                Ok(()) => {
                    let m = &batch.manifest;
                    output::line(&format!(
                        "{}: ok ({} batch {} of {}, {} record(s))",
                        dir.display(),
                        m.direction,
                        m.sequence,
                        m.partner,
                        m.record_count
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
        ExchangeCommand::Import { dir, partner: Some(partner), db, user }
            if !dir.join(jejak_exchange::MANIFEST_FILE).exists() =>
        {
            // A folder of batch folders: the folder adapter, in sequence order.
            let store = open_store(&db.database).await?;
            let transport = FolderTransport { dir };
            let console = console(&store, &user.user, None).await?;
            match console.receive_batches(&transport, &partner).await {
                Ok(done) => {
                    output::line(&format!(
                        "{partner}: {} batch(es) applied, last received {}",
                        done.applied.len(),
                        done.last_received
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
        ExchangeCommand::Import { dir, db, user, .. } => {
            let batch = match jejak_exchange::read_batch(&dir) {
                Ok(b) => b,
                Err(e) => return failure(e.into()),
            };
            let store = open_store(&db.database).await?;
            match console(&store, &user.user, None).await?.apply_batch(&batch).await {
                Ok(log) => {
                    output::line(&format!(
                        "{}: batch {} of {} applied: {} CPMI record(s) as snapshot {}",
                        dir.display(),
                        log.sequence,
                        log.partner,
                        log.record_count,
                        log.snapshot_id.unwrap_or_default()
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
        ExchangeCommand::Ack { partner, sequence, db, user } => {
            let store = open_store(&db.database).await?;
            let console = console(&store, &user.user, None).await?;
            match console.acknowledge_batches(&partner, sequence).await {
                Ok(p) => {
                    output::line(&format!(
                        "{partner}: acknowledged up to batch {}",
                        p.last_acknowledged_seq
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
        ExchangeCommand::Pull(args) => {
            let store = open_store(&args.db.database).await?;
            let console = console(&store, &args.user.user, None).await?;
            let transport = match http_transport(store.as_ref(), &args).await {
                Ok(t) => t,
                Err(e) => return failure(e),
            };
            let outcome = console.receive_batches(&transport, &args.partner).await;
            match outcome {
                Ok(done) => {
                    output::line(&format!(
                        "{}: {} batch(es) applied, last received {}",
                        args.partner,
                        done.applied.len(),
                        done.last_received
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
        ExchangeCommand::Push(args) => {
            let store = open_store(&args.db.database).await?;
            let console = console(&store, &args.user.user, None).await?;
            let transport = match http_transport(store.as_ref(), &args).await {
                Ok(t) => t,
                Err(e) => return failure(e),
            };
            let via = format!("http push {}", transport_url(store.as_ref(), &args.partner).await);
            match console.send_batches(&transport, &args.partner, &via).await {
                Ok(p) => {
                    output::line(&format!(
                        "{}: sent up to batch {}, acknowledged up to {}",
                        args.partner, p.last_sent_seq, p.last_acknowledged_seq
                    ));
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => failure(e),
            }
        }
    }
}

/// Prints why a step failed: a refused batch exits 2, anything else 1.
fn failure(e: ExchangeFailure) -> anyhow::Result<ExitCode> {
    output::error(&e.to_string());
    let code = match e {
        ExchangeFailure::Refused { .. } | ExchangeFailure::BadData { .. } => {
            output::note("nothing was written");
            REFUSED
        }
        _ => 1,
    };
    Ok(ExitCode::from(code))
}

async fn transport_url(store: &dyn jejak_store::Store, partner: &str) -> String {
    match store.exchange_partner(partner).await {
        Ok(Some(p)) => p.config.base_url.unwrap_or_default(),
        _ => String::new(),
    }
}

async fn http_transport(
    store: &dyn jejak_store::Store,
    args: &ExchangeHttpArgs,
) -> Result<HttpTransport, ExchangeFailure> {
    let partner = service::partner(store, &args.partner).await?;
    let Some(base_url) = partner.config.base_url else {
        return Err(jejak_service::ServiceError::Invalid(format!(
            "{} has no base URL: jejak exchange partner add --name {} --base-url URL ...",
            args.partner, args.partner
        ))
        .into());
    };
    let config = jejak_exchange::HttpConfig {
        base_url,
        timeout: Duration::from_millis(args.timeout_ms),
        retries: args.retries,
        backoff: Duration::from_millis(args.backoff_ms),
        bearer: args.token.clone(),
    };
    Ok(HttpTransport::new(config)?)
}

/// Writes a new signing key (never over an existing file) and prints its public key.
fn keygen(out: &std::path::Path) -> anyhow::Result<ExitCode> {
    use std::io::Write;
    let key = service::generate_signing_key();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(out)
        .with_context(|| format!("cannot create {} (it must not exist)", out.display()))?;
    file.write_all(key.to_file_text().as_bytes())
        .with_context(|| format!("cannot write {}", out.display()))?;
    output::line(&key.public().to_base64());
    Ok(ExitCode::SUCCESS)
}

/// `jejak demo`: SISKOP2MI as an exchange partner (a key of our own next to the demo register,
/// a made-up partner key) with our first outbound batch prepared, so the capability shows.
/// Returns the batch's record count.
pub(crate) async fn demo_partner(
    console: &Console,
    register: &std::path::Path,
) -> anyhow::Result<u64> {
    let key_path = std::path::absolute(register.with_extension("exchange.key"))?;
    let key = service::generate_signing_key();
    std::fs::write(&key_path, key.to_file_text())
        .with_context(|| format!("cannot write {}", key_path.display()))?;
    let partner = NewExchangePartner {
        name: "siskop2mi".into(),
        display_name: "SISKOP2MI (DEMO)".into(),
        public_key: service::generate_signing_key().public().to_base64(),
        signing_key_ref: key_path.display().to_string(),
        base_url: None,
        purpose: "deteksi dini keberangkatan PMI non-prosedural (DEMO)".into(),
        legal_basis: "PKS Kemenimipas-KemenP2MI (DEMO: belum ditandatangani)".into(),
    };
    console.save_exchange_partner(&partner).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let pending = console.pending_batches("siskop2mi").await.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(pending.last().map_or(0, |b| b.manifest.record_count))
}
