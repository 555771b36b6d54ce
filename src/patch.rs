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

impl<T: PartialEq> Patch<T> {
    /// The patch that turns `old` into `new` (a form's edit): missing when equal.
    pub fn between(old: &T, new: T) -> Self {
        if *old == new {
            Self::Missing
        } else {
            Self::Value(new)
        }
    }

    /// Like [`Patch::between`] for an optional field: `None` clears.
    pub fn between_opt(old: &Option<T>, new: Option<T>) -> Self {
        match new {
            _ if *old == new => Self::Missing,
            Some(v) => Self::Value(v),
            None => Self::Null,
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
        assert_eq!(Patch::between(&1, 1), Patch::Missing);
        assert_eq!(Patch::between(&1, 2), Patch::Value(2));
        assert_eq!(Patch::between_opt(&Some(1), None), Patch::Null);
        assert_eq!(Patch::between_opt(&None, None::<i32>), Patch::Missing);
    }
}
