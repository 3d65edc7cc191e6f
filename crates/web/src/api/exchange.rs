//! `/api/v1/exchange/{partner}`: a partner system (SISKOP2MI, with a token scoped to
//! `exchange_partner_data`) pulls our signed batches after the last one it applied and
//! acknowledges them. The wire format is `jejak_exchange::http`'s, so another Jejak's HTTP
//! adapter can talk to this one.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jejak_exchange::http::{WireAcknowledged, WireAcknowledgement, WireBatch, WireBatches};
use serde::Deserialize;

use crate::AppState;
use crate::auth::CurrentUser;
use crate::error::{api_error, api_status};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AfterQuery {
    /// The last sequence the partner applied (0: from the first batch).
    #[serde(default)]
    after: u64,
}

/// `GET /api/v1/exchange/{partner}/batches?after=N`.
pub(crate) async fn batches(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(partner): Path<String>,
    Query(q): Query<AfterQuery>,
) -> Response {
    let clock = state.casework.clock().clone();
    match jejak_service::exchange::pull(
        state.store.as_ref(),
        clock.as_ref(),
        &user.actor,
        &partner,
        q.after,
    )
    .await
    {
        Ok(batches) => {
            let wire: Result<Vec<WireBatch>, _> =
                batches.iter().map(WireBatch::from_batch).collect();
            match wire {
                Ok(batches) => Json(WireBatches { batches }).into_response(),
                Err(e) => api_status(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
            }
        }
        Err(e) => api_error(&e),
    }
}

/// `POST /api/v1/exchange/{partner}/acknowledgements` with `{"sequence": N}`.
pub(crate) async fn acknowledge(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(partner): Path<String>,
    body: Bytes,
) -> Response {
    let body: WireAcknowledgement = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return api_status(StatusCode::BAD_REQUEST, format!("malformed acknowledgement: {e}"));
        }
    };
    let clock = state.casework.clock().clone();
    let result = jejak_service::exchange::acknowledge_by(
        state.store.as_ref(),
        clock.as_ref(),
        &user.actor,
        &partner,
        body.sequence,
    )
    .await;
    match result {
        Ok(p) => {
            Json(WireAcknowledged { acknowledged: p.last_acknowledged_seq as u64 }).into_response()
        }
        Err(e) => api_error(&e),
    }
}
