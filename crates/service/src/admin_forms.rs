//! The administration pages' form input for users and tokens, read after the permission
//! check (so a refused caller learns nothing from a malformed form), with errors naming the
//! form field.

use jejak_domain::OfficeCode;
use jejak_domain::date::parse_date;
use time::{Duration, OffsetDateTime, Time};

use crate::auth::{Auth, NewUserInput, UserInfo, temporary_password};
use crate::authz::{Action, Actor, Role};
use crate::{Result, ServiceError};

/// The longest display name accepted.
const MAX_DISPLAY_NAME_CHARS: usize = 200;

/// A user to create, as typed.
#[derive(Debug, Clone, Default)]
pub struct UserForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub office: String,
}

/// An API token to create, as typed.
#[derive(Debug, Clone, Default)]
pub struct TokenForm {
    pub name: String,
    pub role: String,
    pub office: String,
    pub scopes: Vec<String>,
    /// `YYYY-MM-DD`: the token works through that day (UTC); empty: until revoked.
    pub expires_on: String,
}

/// Creates a user with a random temporary password (`ManageUsers`); returns the user and
/// the password, to be handed over once.
pub async fn create_user(auth: &Auth, by: &Actor, form: &UserForm) -> Result<(UserInfo, String)> {
    by.authorize(Action::ManageUsers, None)?;
    let role = role(&form.role)?;
    let office = office(&form.office)?;
    let display_name = crate::text::checked_note("display_name", &form.display_name)?;
    if display_name.chars().count() > MAX_DISPLAY_NAME_CHARS {
        return Err(ServiceError::Invalid(format!(
            "display_name must have at most {MAX_DISPLAY_NAME_CHARS} characters"
        )));
    }
    let name = form.username.trim().to_ascii_lowercase();
    let mut password = temporary_password();
    // A password must not contain the username: draw again (rarely needed).
    for _ in 0..8 {
        if name.is_empty() || !password.contains(&name) {
            break;
        }
        password = temporary_password();
    }
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: display_name.to_owned(),
        role,
        office,
        password: password.clone(),
    };
    let info = auth.add_user(by, input).await?;
    Ok((info, password))
}

/// Changes a user's role and office from form text (`ManageUsers`).
pub async fn set_role(
    auth: &Auth,
    by: &Actor,
    username: &str,
    role_text: &str,
    office_text: &str,
) -> Result<UserInfo> {
    by.authorize(Action::ManageUsers, None)?;
    auth.set_role(by, username, role(role_text)?, office(office_text)?).await
}

/// Creates an API token from form text (`ManageTokens`); returns the secret, shown once.
pub async fn create_token(auth: &Auth, by: &Actor, form: &TokenForm) -> Result<String> {
    by.authorize(Action::ManageTokens, None)?;
    let role = role(&form.role)?;
    let office = office(&form.office)?;
    let scopes = form
        .scopes
        .iter()
        .map(|s| {
            Action::parse(s)
                .ok_or_else(|| ServiceError::Invalid(format!("scopes: {s:?} is not an action")))
        })
        .collect::<Result<Vec<_>>>()?;
    let expires_at = match form.expires_on.trim() {
        "" => None,
        text => {
            let day = parse_date(text)
                .map_err(|e| ServiceError::Invalid(format!("expires_on {text:?}: {e}")))?;
            Some(OffsetDateTime::new_utc(day, Time::MIDNIGHT) + Duration::days(1))
        }
    };
    auth.add_token_until(by, &form.name, role, &scopes, office, expires_at).await
}

fn role(text: &str) -> Result<Role> {
    Role::parse(text).ok_or_else(|| ServiceError::Invalid(format!("role {text:?} is not a role")))
}

fn office(text: &str) -> Result<OfficeCode> {
    OfficeCode::parse(text.trim()).map_err(|e| ServiceError::Invalid(format!("office: {e}")))
}
