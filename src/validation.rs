//! Validation helpers: garde reports become every field error at once; text is normalised before checks.

use crate::problem::{FieldError, Problem};
use garde::Validate;

/// Validates `value` and returns *all* invalid fields as one 422 problem.
pub fn validate<T: Validate<Context = ()>>(value: &T) -> Result<(), Problem> {
    value
        .validate()
        .map_err(|report| Problem::invalid(report_errors(&report)))
}

pub fn report_errors(report: &garde::Report) -> Vec<FieldError> {
    report
        .iter()
        .map(|(path, error)| FieldError::new(path.to_string(), plain(error.message())))
        .collect()
}

/// garde's messages in words a person filling a form understands.
fn plain(message: &str) -> String {
    let lower = message.to_lowercase();
    if lower.starts_with("not a valid email") {
        "must be an e-mail address like name@example.com".to_owned()
    } else if lower.starts_with("not a valid url") {
        "must be a web address like example.com".to_owned()
    } else if let Some(rest) = lower.strip_prefix("length is lower than ") {
        if rest.trim() == "1" {
            "is required".to_owned()
        } else {
            format!("must be at least {rest} characters")
        }
    } else if let Some(rest) = lower.strip_prefix("length is greater than ") {
        format!("must be at most {rest} characters")
    } else {
        message.to_owned()
    }
}

/// Trims; blank becomes `None`.
pub fn clean(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// Trims and lower-cases an e-mail address; blank becomes `None`.
pub fn clean_email(value: Option<String>) -> Option<String> {
    clean(value).map(|v| v.to_lowercase())
}

/// Adds `https://` to a bare domain so that `acme.com` is accepted as a website.
pub fn clean_url(value: Option<String>) -> Option<String> {
    clean(value).map(|v| {
        if v.contains("://") {
            v
        } else {
            format!("https://{v}")
        }
    })
}

/// Phone numbers: digits with the usual separators, 5 to 30 characters.
pub fn phone(value: &Option<String>, _: &()) -> garde::Result {
    match value {
        Some(v)
            if v.chars().count() < 5
                || v.chars().count() > 30
                || !v
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-().x/".contains(c))
                || v.chars().filter(char::is_ascii_digit).count() < 4 =>
        {
            Err(garde::Error::new(
                "must be a phone number (digits, spaces, + - ( ) .), 5–30 characters",
            ))
        }
        _ => Ok(()),
    }
}

/// Tags: 1–40 characters of letters, digits, space, `-` or `_`.
pub fn tags(value: &[String], _: &()) -> garde::Result {
    if value.len() > 20 {
        return Err(garde::Error::new("at most 20 tags"));
    }
    for t in value {
        let n = t.chars().count();
        if n == 0 || n > 40 || !t.chars().all(|c| c.is_alphanumeric() || " -_".contains(c)) {
            return Err(garde::Error::new(format!(
                "tag \"{t}\" must be 1–40 letters, digits, spaces, - or _"
            )));
        }
    }
    Ok(())
}

/// Tags trimmed, lower-cased, de-duplicated, in first-seen order.
pub fn clean_tags(value: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(value.len());
    for t in value {
        let t = t.trim().to_lowercase();
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// Every garde error of `value` as field errors (empty when valid), to add rules garde cannot express.
pub fn field_errors<T: Validate<Context = ()>>(value: &T) -> Vec<FieldError> {
    value
        .validate()
        .map(|()| Vec::new())
        .unwrap_or_else(|report| report_errors(&report))
}

/// `value` when there are no errors, otherwise one 422 naming them all.
pub fn finish<T>(value: T, errors: Vec<FieldError>) -> Result<T, Problem> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(Problem::invalid(errors))
    }
}

/// A patch's own errors (e.g. `null` for a required field) together with those of cleaning the merged input.
pub fn merged<T>(mut errors: Vec<FieldError>, cleaned: Result<T, Problem>) -> Result<T, Problem> {
    match cleaned {
        Ok(v) => finish(v, errors),
        Err(mut p) => {
            errors.append(&mut p.errors);
            Err(Problem::invalid(errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        assert_eq!(clean(Some("  ".into())), None);
        assert_eq!(
            clean_email(Some(" A@B.COM ".into())),
            Some("a@b.com".into())
        );
        assert_eq!(
            clean_url(Some("acme.com".into())),
            Some("https://acme.com".into())
        );
        assert_eq!(
            clean_tags(vec![" VIP".into(), "vip".into(), "".into(), "b2b".into()]),
            vec!["vip", "b2b"]
        );
    }

    #[test]
    fn messages_are_plain() {
        assert_eq!(
            plain("not a valid email: value is missing `@`"),
            "must be an e-mail address like name@example.com"
        );
        assert_eq!(plain("length is lower than 1"), "is required");
        assert_eq!(
            plain("length is greater than 200"),
            "must be at most 200 characters"
        );
        assert_eq!(plain("something else"), "something else");
    }

    #[test]
    fn phone_rules() {
        assert!(phone(&Some("+49 (30) 1234-567".into()), &()).is_ok());
        assert!(phone(&Some("call me".into()), &()).is_err());
        assert!(phone(&Some("12".into()), &()).is_err());
        assert!(phone(&None, &()).is_ok());
    }
}
