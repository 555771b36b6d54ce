//! Users and their administration.

use crate::ids::UserId;
use crate::patch::Patch;
use crate::permissions::Role;
use crate::problem::{FieldError, Problem};
use crate::query::{QueryParser, parse_i64};
use crate::validation::{self, clean};
use chrono::{DateTime, Utc};
use garde::Validate;
use serde::{Deserialize, Serialize};

pub const MIN_PASSWORD_LEN: usize = 10;

/// A user as the API returns it: never a password or hash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub is_active: bool,
    pub last_login_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The short form embedded in login answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
}

impl From<&User> for UserSummary {
    fn from(u: &User) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            role: u.role,
            team: u.team.clone(),
        }
    }
}

/// Password rules: long enough, not trivially the e-mail.
pub fn check_password(password: &str, email: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < MIN_PASSWORD_LEN {
        return Err(format!("must be at least {MIN_PASSWORD_LEN} characters"));
    }
    if n > 256 {
        return Err("must be at most 256 characters".into());
    }
    if !email.is_empty() && password.eq_ignore_ascii_case(email) {
        return Err("must not be your e-mail address".into());
    }
    Ok(())
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, Validate)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewUser {
    #[garde(email, length(max = 254))]
    #[serde(default)]
    pub email: String,
    #[garde(length(chars, min = 1, max = 120))]
    #[serde(default)]
    pub name: String,
    #[garde(skip)]
    #[serde(default)]
    pub password: String,
    #[garde(skip)]
    pub role: Option<Role>,
    #[garde(length(chars, min = 1, max = 60))]
    #[serde(default)]
    pub team: Option<String>,
}

impl NewUser {
    pub fn clean(self) -> Result<Self, Problem> {
        let cleaned = Self {
            email: self.email.trim().to_lowercase(),
            name: self.name.trim().to_owned(),
            password: self.password,
            role: self.role,
            team: clean(self.team),
        };
        let mut errors = match validation::validate(&cleaned) {
            Ok(()) => Vec::new(),
            Err(p) => p.errors,
        };
        if let Err(m) = check_password(&cleaned.password, &cleaned.email) {
            errors.push(FieldError::new("password", m));
        }
        if cleaned.role.is_none() {
            errors.push(FieldError::new("role", "is required"));
        }
        if errors.is_empty() {
            Ok(cleaned)
        } else {
            Err(Problem::invalid(errors))
        }
    }
}

/// Update by an admin (`PATCH`/`PUT users/{id}`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserPatch {
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub email: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub name: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Role>))]
    pub role: Patch<Role>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub team: Patch<String>,
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<bool>))]
    pub is_active: Patch<bool>,
    /// Sets a new password (an admin's reset).
    #[serde(default, skip_serializing_if = "Patch::is_missing")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub password: Patch<String>,
}

/// The validated result of applying a [`UserPatch`].
#[derive(Clone, Debug, PartialEq)]
pub struct UserUpdate {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub team: Option<String>,
    pub is_active: bool,
    pub new_password: Option<String>,
}

impl UserPatch {
    pub fn apply(self, current: &User) -> Result<UserUpdate, Problem> {
        let mut errors = Vec::new();
        let mut required = |field: &str, p: Patch<String>, cur: &str| match p {
            Patch::Missing => cur.to_owned(),
            Patch::Null => {
                errors.push(FieldError::new(field, "is required"));
                String::new()
            }
            Patch::Value(v) => v.trim().to_owned(),
        };
        let email = required("email", self.email, &current.email).to_lowercase();
        let name = required("name", self.name, &current.name);
        let probe = NewUser {
            email: email.clone(),
            name: name.clone(),
            password: String::new(),
            role: None,
            team: clean(self.team.apply_to(current.team.clone())),
        };
        if let Err(p) = validation::validate(&probe) {
            errors.extend(p.errors);
        }
        let role = match self.role {
            Patch::Null => {
                errors.push(FieldError::new("role", "is required"));
                current.role
            }
            other => other.apply_to(Some(current.role)).unwrap_or(current.role),
        };
        let is_active = match self.is_active {
            Patch::Null => {
                errors.push(FieldError::new("is_active", "must be true or false"));
                current.is_active
            }
            other => other
                .apply_to(Some(current.is_active))
                .unwrap_or(current.is_active),
        };
        let new_password = match self.password {
            Patch::Value(p) => {
                if let Err(m) = check_password(&p, &email) {
                    errors.push(FieldError::new("password", m));
                }
                Some(p)
            }
            _ => None,
        };
        if !errors.is_empty() {
            return Err(Problem::invalid(errors));
        }
        Ok(UserUpdate {
            email,
            name,
            role,
            team: probe.team,
            is_active,
            new_password,
        })
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct UserQuery {
    /// Search over e-mail and name.
    pub q: Option<String>,
    pub role: Option<String>,
    pub team: Option<String>,
    pub is_active: Option<String>,
    /// Exact e-mail address, ignoring case.
    pub email: Option<String>,
    /// Exact value, ignoring case.
    pub name: Option<String>,
    /// `email` (default), `name`, `role`, `team` or `created_at`; prefix `-` for descending.
    pub sort: Option<String>,
    pub limit: Option<String>,
    pub cursor: Option<String>,
}

crate::sort_keys! {
    pub enum UserSortKey for User {
        Email = "email" => |u| u.email,
        Name = "name" => |u| u.name,
        Role = "role" => |u| u.role.as_str(),
        Team = "team" => |u| u.team,
        IsActive = "is_active" => |u| u.is_active,
        LastLoginAt = "last_login_at" => |u| u.last_login_at,
        CreatedAt = "created_at" => |u| u.created_at,
        UpdatedAt = "updated_at" => |u| u.updated_at,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct UserFilter {
    /// Exact filters on the record's own fields (`name=…`).
    pub fields: crate::query::FieldFilters,
    pub q: Option<String>,
    pub role: Option<Role>,
    pub team: Option<String>,
    pub is_active: Option<bool>,
    pub order: crate::query::ListOrder<UserSortKey>,
    pub limit: i64,
}

impl UserQuery {
    pub fn parse(self) -> Result<UserFilter, Problem> {
        let mut p = QueryParser::default();
        let order = p.order(
            (self.sort, self.cursor.as_deref()),
            (
                "email",
                crate::page::SortSpec {
                    field: UserSortKey::Email,
                    dir: crate::page::SortDir::Asc,
                },
            ),
            UserSortKey::parse,
            &UserSortKey::allowed(),
        );
        let mut fields = crate::query::FieldFilters::default();
        p.email(&mut fields, "email", self.email);
        p.text(&mut fields, "name", self.name);
        let filter = UserFilter {
            fields,
            q: crate::search::normalize_query(self.q.as_deref()),
            role: p.opt("role", self.role.as_deref(), Role::parse),
            team: clean(self.team),
            is_active: p.opt("is_active", self.is_active.as_deref(), |s| match s {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err("must be true or false".to_owned()),
            }),
            order,
            limit: crate::page::clamp_limit(p.opt("limit", self.limit.as_deref(), parse_i64)),
        };
        p.finish(filter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_continues_its_own_sort() {
        let name = crate::page::Cursor::new("name", "Ann", uuid::Uuid::nil()).encode();
        let f = UserQuery {
            sort: Some("name".into()),
            cursor: Some(name),
            ..Default::default()
        }
        .parse()
        .unwrap();
        assert_eq!(f.order.sort.field, UserSortKey::Name);
        assert_eq!(f.order.cursor.map(|c| c.value).as_deref(), Some("Ann"));
    }

    #[test]
    fn new_user_reports_all_problems() {
        let p = NewUser {
            email: "nope".into(),
            password: "short".into(),
            ..Default::default()
        }
        .clean()
        .unwrap_err();
        for f in ["email", "name", "password", "role"] {
            assert!(p.field(f).is_some(), "{f}: {p}");
        }
    }

    #[test]
    fn password_rules() {
        assert!(check_password("correct horse", "a@b.c").is_ok());
        assert!(check_password("short", "a@b.c").is_err());
        assert!(check_password("ada@example.com", "ada@example.com").is_err());
    }

    #[test]
    fn patch_can_deactivate_and_reset_password() {
        let now = Utc::now();
        let u = User {
            id: UserId::new(),
            email: "ada@x.io".into(),
            name: "Ada".into(),
            role: Role::Sales,
            team: None,
            is_active: true,
            last_login_at: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let patch: UserPatch = serde_json::from_str(
            r#"{"is_active":false,"password":"new secret 123","team":"north"}"#,
        )
        .unwrap();
        let up = patch.apply(&u).unwrap();
        assert!(!up.is_active);
        assert_eq!(up.new_password.as_deref(), Some("new secret 123"));
        assert_eq!(up.team.as_deref(), Some("north"));
        let bad: UserPatch = serde_json::from_str(r#"{"password":"x","role":null}"#).unwrap();
        let p = bad.apply(&u).unwrap_err();
        assert!(p.field("password").is_some() && p.field("role").is_some());
    }
}
