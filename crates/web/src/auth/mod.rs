//! PLACEHOLDER until the auth branch lands: the session extractor's shape only.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use jejak_service::authz::Actor;

pub(crate) struct CurrentUser {
    pub(crate) actor: Actor,
    pub(crate) csrf: String,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(_: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Err(Redirect::to("/login").into_response())
    }
}
