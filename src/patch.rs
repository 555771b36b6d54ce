//! Tri-state field for partial updates: absent (leave alone), `null` (clear) or a value (set).

use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Missing,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing)
    }

    /// `Value(new)` when it differs from `old`, else `Missing` (for building a patch from an edited form).
    pub fn changed(old: &T, new: T) -> Self
    where
        T: PartialEq,
    {
        if *old == new {
            Self::Missing
        } else {
            Self::Value(new)
        }
    }

    /// Like [`changed`](Self::changed) for an optional field: clearing it is `Null`.
    pub fn changed_opt(old: &Option<T>, new: Option<T>) -> Self
    where
        T: PartialEq,
    {
        match new {
            _ if *old == new => Self::Missing,
            Some(v) => Self::Value(v),
            None => Self::Null,
        }
    }

    /// Applies the patch to an optional field.
    pub fn apply_to(self, current: Option<T>) -> Option<T> {
        match self {
            Self::Missing => current,
            Self::Null => None,
            Self::Value(v) => Some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only called when the field is present (absent fields use `#[serde(default)]`).
        Ok(match Option::<T>::deserialize(d)? {
            None => Self::Null,
            Some(v) => Self::Value(v),
        })
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Missing | Self::Null => s.serialize_none(),
            Self::Value(v) => v.serialize(s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct P {
        #[serde(default)]
        a: Patch<String>,
    }

    #[test]
    fn distinguishes_absent_null_and_value() {
        let p: P = serde_json::from_str("{}").unwrap();
        assert_eq!(p.a, Patch::Missing);
        let p: P = serde_json::from_str(r#"{"a":null}"#).unwrap();
        assert_eq!(p.a, Patch::Null);
        let p: P = serde_json::from_str(r#"{"a":"x"}"#).unwrap();
        assert_eq!(p.a, Patch::Value("x".into()));
        assert_eq!(Patch::Null.apply_to(Some(1)), None);
        assert_eq!(Patch::Missing.apply_to(Some(1)), Some(1));
        assert_eq!(Patch::changed(&1, 1), Patch::Missing);
        assert_eq!(Patch::changed(&1, 2), Patch::Value(2));
        assert_eq!(Patch::changed_opt(&Some(1), None), Patch::Null);
        assert_eq!(Patch::<i32>::changed_opt(&None, None), Patch::Missing);
    }

    #[test]
    fn between_sends_only_changes() {
        assert_eq!(Patch::changed(&1, 1), Patch::Missing);
        assert_eq!(Patch::changed(&1, 2), Patch::Value(2));
        assert_eq!(Patch::changed_opt(&Some(1), None), Patch::Null);
        assert_eq!(Patch::changed_opt(&None, None::<i32>), Patch::Missing);
    }
}

/// A JSON merge patch (RFC 7396) of a record's input: the fields of `patch` replace those of `current` (`null`
/// clears an optional field), unknown fields are refused, and a wrong type names its field (422).
pub fn merge<T>(
    current: &T,
    patch: &serde_json::Map<String, serde_json::Value>,
) -> Result<T, crate::Problem>
where
    T: Serialize + serde::de::DeserializeOwned,
{
    let mut base = match serde_json::to_value(current) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => serde_json::Map::new(),
    };
    let mut errors = Vec::new();
    for (k, v) in patch {
        if base.contains_key(k) {
            base.insert(k.clone(), v.clone());
        } else {
            errors.push(crate::FieldError::new(
                k.as_str(),
                "is not a field that can be changed",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(crate::Problem::invalid(errors));
    }
    let value = serde_json::Value::Object(base);
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        let message = if patch.get(&field).is_some_and(serde_json::Value::is_null) {
            "is required and cannot be cleared".to_owned()
        } else {
            e.into_inner().to_string()
        };
        crate::Problem::invalid_field(&field, message)
    })
}

#[cfg(test)]
mod merge_tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct In {
        name: String,
        note: Option<String>,
        n: i32,
    }

    #[test]
    fn merges_clears_and_names_bad_fields() {
        let cur = In {
            name: "a".into(),
            note: Some("x".into()),
            n: 1,
        };
        let patch = |v: serde_json::Value| v.as_object().cloned().unwrap();
        let m = super::merge(&cur, &patch(serde_json::json!({"note": null, "n": 2}))).unwrap();
        assert_eq!(
            m,
            In {
                name: "a".into(),
                note: None,
                n: 2
            }
        );
        let e = super::merge(&cur, &patch(serde_json::json!({"n": "x"}))).unwrap_err();
        assert_eq!(e.errors[0].field, "n");
        let e = super::merge(&cur, &patch(serde_json::json!({"name": null}))).unwrap_err();
        assert_eq!(e.errors[0].message, "is required and cannot be cleared");
        let e = super::merge(&cur, &patch(serde_json::json!({"nope": 1}))).unwrap_err();
        assert_eq!(e.errors[0].field, "nope");
    }
}
