//! The people a record can be assigned to, for owner and actor pickers.

use crate::api::users::list_users;
use domain::user::UserQuery;
use leptos::prelude::*;

/// `(id, "Name (email)")` for active users, loaded once per page; empty until loaded or on error.
#[derive(Clone, Copy)]
pub struct UserChoices {
    users: LocalResource<Vec<(String, String)>>,
}

impl UserChoices {
    pub fn load() -> Self {
        let users = LocalResource::new(move || async move {
            let query = UserQuery {
                is_active: Some("true".into()),
                limit: Some("500".into()),
                ..Default::default()
            };
            match list_users(query).await {
                Ok(page) => page
                    .data
                    .into_iter()
                    .map(|u| (u.id.to_string(), format!("{} ({})", u.name, u.email)))
                    .collect(),
                Err(_) => Vec::new(),
            }
        });
        Self { users }
    }

    /// Select options with a first "none" choice labelled `none_label`.
    pub fn options(&self, none_label: &'static str) -> Signal<Vec<(String, String)>> {
        let users = self.users;
        Signal::derive(move || {
            let mut out = vec![(String::new(), none_label.to_owned())];
            out.extend(users.get().unwrap_or_default());
            out
        })
    }
}
