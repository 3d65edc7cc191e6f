//! The HTTP adapter: the same batches over a partner's web service (or another Jejak's
//! `/api/v1/exchange/{partner}`), with a timeout per request, retries with exponential backoff
//! on what may pass (no connection, timeout, 429, 5xx) and none on what will not (another
//! 4xx, a malformed body). Resuming is the caller's: it asks for batches after the last one it
//! applied, so a failed run is simply run again.
//!
//! Wire format (JSON): `GET {base}/batches?after=N` answers `{"batches": [{"manifest": {..},
//! "data": "<data file as text>"}]}`; `POST {base}/acknowledgements` takes `{"sequence": N}`;
//! `POST {base}/batches` takes one `{"manifest", "data"}` and answers `{"acknowledged": N}`.
//! Plain `http://` only: TLS is terminated by the agencies' gateway (see README).

use std::time::Duration;

use async_trait::async_trait;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper::{Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::{Deserialize, Serialize};

use crate::batch::Batch;
use crate::manifest::Manifest;
use crate::{ExchangeError, Transport};

/// The largest answer read (a batch of a few hundred thousand minimal records).
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// One batch on the wire.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireBatch {
    pub manifest: Manifest,
    /// The data file as UTF-8 text (JSON lines).
    pub data: String,
}

impl WireBatch {
    pub fn from_batch(batch: &Batch) -> Result<WireBatch, ExchangeError> {
        Ok(WireBatch {
            manifest: batch.manifest.clone(),
            data: String::from_utf8(batch.data.clone())
                .map_err(|_| ExchangeError::Malformed("the data file is not UTF-8".into()))?,
        })
    }

    pub fn into_batch(self) -> Batch {
        Batch { manifest: self.manifest, data: self.data.into_bytes() }
    }
}

/// `GET .../batches` answers this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireBatches {
    pub batches: Vec<WireBatch>,
}

/// `POST .../acknowledgements` takes this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireAcknowledgement {
    pub sequence: u64,
}

/// `POST .../batches` answers this.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WireAcknowledged {
    pub acknowledged: u64,
}

/// Where and how patiently to talk to a partner.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// e.g. `http://gateway.example/api/v1/exchange/imigrasi` (no trailing slash needed).
    pub base_url: String,
    /// For one request, connection to last byte.
    pub timeout: Duration,
    /// Further attempts after a failure that may pass.
    pub retries: u32,
    /// The wait before the first retry; doubled before each next one.
    pub backoff: Duration,
    /// Sent as `Authorization: Bearer`.
    pub bearer: Option<String>,
}

/// The HTTP adapter.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    config: HttpConfig,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// One failed attempt, and whether trying again may help.
struct Failure {
    reason: String,
    transient: bool,
}

impl HttpTransport {
    pub fn new(config: HttpConfig) -> Result<HttpTransport, ExchangeError> {
        let base = config.base_url.trim_end_matches('/');
        if !base.starts_with("http://") {
            return Err(ExchangeError::Http(format!(
                "base URL {base:?}: only http:// is supported (TLS ends at the agencies' gateway)"
            )));
        }
        base.parse::<Uri>().map_err(|e| ExchangeError::Http(format!("base URL {base:?}: {e}")))?;
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(config.timeout));
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Ok(HttpTransport { config, client })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.base_url.trim_end_matches('/'))
    }

    /// One attempt: the answer's body on a 2xx.
    async fn attempt(&self, method: &Method, url: &str, body: &Bytes) -> Result<Bytes, Failure> {
        let mut request = Request::builder().method(method.clone()).uri(url);
        request = request.header("accept", "application/json");
        if !body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        if let Some(token) = &self.config.bearer {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        let request = request
            .body(Full::new(body.clone()))
            .map_err(|e| Failure { reason: format!("bad request: {e}"), transient: false })?;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| Failure { reason: format!("no answer: {e}"), transient: true })?;
            let status = response.status();
            let bytes = Limited::new(response.into_body(), MAX_BODY_BYTES)
                .collect()
                .await
                .map_err(|e| Failure {
                    reason: format!("reading the answer: {e}"),
                    transient: true,
                })?
                .to_bytes();
            Ok::<_, Failure>((status, bytes))
        };
        let (status, bytes) =
            tokio::time::timeout(self.config.timeout, exchange).await.map_err(|_| Failure {
                reason: format!("no answer within {} ms", self.config.timeout.as_millis()),
                transient: true,
            })??;
        if status.is_success() {
            return Ok(bytes);
        }
        let excerpt: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
        Err(Failure {
            reason: format!("HTTP {status}: {excerpt}"),
            transient: status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS,
        })
    }

    /// Sends a request, retrying what may pass; the error names the URL, the attempts and
    /// the last reason.
    async fn call(&self, method: Method, path: &str, body: Bytes) -> Result<Bytes, ExchangeError> {
        let url = self.url(path);
        let mut wait = self.config.backoff;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.attempt(&method, &url, &body).await {
                Ok(bytes) => return Ok(bytes),
                Err(f) if f.transient && attempts <= self.config.retries => {
                    tokio::time::sleep(wait).await;
                    wait = wait.saturating_mul(2);
                }
                Err(f) => {
                    return Err(ExchangeError::Http(format!(
                        "{method} {url}: {} (after {attempts} attempt(s))",
                        f.reason
                    )));
                }
            }
        }
    }

    fn parse<T: for<'de> Deserialize<'de>>(url: &str, bytes: &[u8]) -> Result<T, ExchangeError> {
        serde_json::from_slice(bytes).map_err(|e| {
            ExchangeError::Malformed(format!("the answer from {url} is not the expected JSON: {e}"))
        })
    }
}

#[async_trait]
impl Transport for HttpTransport {
    async fn receive(&self, after: u64) -> Result<Vec<Batch>, ExchangeError> {
        let path = format!("/batches?after={after}");
        let bytes = self.call(Method::GET, &path, Bytes::new()).await?;
        let answer: WireBatches = Self::parse(&self.url(&path), &bytes)?;
        let mut batches: Vec<Batch> =
            answer.batches.into_iter().map(WireBatch::into_batch).collect();
        batches.sort_by_key(|b| b.manifest.sequence);
        Ok(batches)
    }

    async fn send(&self, batch: &Batch) -> Result<Option<u64>, ExchangeError> {
        let body = serde_json::to_vec(&WireBatch::from_batch(batch)?)
            .map_err(|e| ExchangeError::Malformed(e.to_string()))?;
        let bytes = self.call(Method::POST, "/batches", Bytes::from(body)).await?;
        let answer: WireAcknowledged = Self::parse(&self.url("/batches"), &bytes)?;
        Ok(Some(answer.acknowledged))
    }

    async fn acknowledge(&self, sequence: u64) -> Result<(), ExchangeError> {
        let body = serde_json::to_vec(&WireAcknowledgement { sequence })
            .map_err(|e| ExchangeError::Malformed(e.to_string()))?;
        self.call(Method::POST, "/acknowledgements", Bytes::from(body)).await?;
        Ok(())
    }
}
