//! The one way a list sorts and pages: a sort key names a `Column` (SQL expression, type, nullability); the
//! query orders by it and the row id, and a cursor continues after the last row's value and id. Rows without a
//! value come last in both directions (`NULLS LAST`): `-field` reverses the rows that have one.

use domain::page::{Cursor, SortType};
use sqlx::{Postgres, QueryBuilder};

/// A column a list sorts by.
#[derive(Clone, Copy, Debug)]
pub struct Column {
    /// SQL expression over the list's table aliases.
    pub expr: &'static str,
    pub ty: SortType,
    pub nullable: bool,
}

impl Column {
    pub const fn new(expr: &'static str, ty: SortType) -> Self {
        Self {
            expr,
            ty,
            nullable: false,
        }
    }

    /// A column that may be NULL.
    pub const fn nullable(expr: &'static str, ty: SortType) -> Self {
        Self {
            expr,
            ty,
            nullable: true,
        }
    }

    pub const fn text(expr: &'static str) -> Self {
        Self::new(expr, SortType::Text)
    }

    pub const fn time(expr: &'static str) -> Self {
        Self::new(expr, SortType::Time)
    }

    /// ` ORDER BY …` for this column, then `id_col`.
    pub fn push_order(&self, qb: &mut QueryBuilder<'_, Postgres>, id_col: &str, desc: bool) {
        qb.push(format!(" ORDER BY {}", self.order_by(id_col, desc)));
    }

    /// The `ORDER BY` list (without the keyword), for statements that wrap it.
    pub fn order_by(&self, id_col: &str, desc: bool) -> String {
        self.order_by_as(self.expr, id_col, desc)
    }

    /// The `ORDER BY` list with `expr` in place of the column (the same values, e.g. read from a subquery, or
    /// wrapped so that no index provides the order).
    pub fn order_by_as(&self, expr: &str, id_col: &str, desc: bool) -> String {
        let d = if desc { "DESC" } else { "ASC" };
        if self.nullable {
            format!("{expr} {d} NULLS LAST, {id_col} {d}")
        } else {
            format!("{expr} {d}, {id_col} {d}")
        }
    }

    /// Whether `cursor` fits this column (its value parses as the column's type), before a statement is built.
    pub fn check(&self, cursor: &Cursor) -> Result<(), InvalidCursor> {
        match cursor.sort_value() {
            None if self.nullable => Ok(()),
            None => Err(InvalidCursor),
            Some(v) => Value::parse(self.ty, v).map(drop),
        }
    }

    /// ` AND <after the cursor's row>`; `Err` when the cursor's value is not one of this column's type (a
    /// cursor tampered with, or made by another version).
    pub fn push_after(
        &self,
        qb: &mut QueryBuilder<'_, Postgres>,
        id_col: &str,
        desc: bool,
        cursor: &Cursor,
    ) -> Result<(), InvalidCursor> {
        let (expr, cmp) = (self.expr, if desc { "<" } else { ">" });
        match cursor.sort_value() {
            None if !self.nullable => return Err(InvalidCursor),
            // After a row without a value: only more such rows, by id.
            None => {
                qb.push(format!(" AND {expr} IS NULL AND {id_col} {cmp} "));
                qb.push_bind(cursor.id);
            }
            Some(value) => {
                let value = Value::parse(self.ty, value)?;
                qb.push(if self.nullable {
                    format!(" AND ({expr} IS NULL OR ({expr}, {id_col}) {cmp} (")
                } else {
                    format!(" AND (({expr}, {id_col}) {cmp} (")
                });
                value.bind(qb);
                qb.push(", ");
                qb.push_bind(cursor.id);
                qb.push("))");
            }
        }
        Ok(())
    }
}

/// A cursor whose value does not fit its sort.
#[derive(Debug)]
pub struct InvalidCursor;

impl From<InvalidCursor> for crate::ssr::ServiceError {
    fn from(_: InvalidCursor) -> Self {
        domain::Problem::invalid_field("cursor", "is not a valid cursor").into()
    }
}

/// A cursor's sort value read as its column's type.
enum Value {
    Text(String),
    Time(chrono::DateTime<chrono::Utc>),
    Date(chrono::NaiveDate),
    Int(i64),
    Decimal(rust_decimal::Decimal),
    Uuid(uuid::Uuid),
    Bool(bool),
}

impl Value {
    fn parse(ty: SortType, v: &str) -> Result<Self, InvalidCursor> {
        fn read<T: std::str::FromStr>(v: &str) -> Result<T, InvalidCursor> {
            v.parse().map_err(|_| InvalidCursor)
        }
        Ok(match ty {
            SortType::Text => Self::Text(v.to_owned()),
            SortType::Time => Self::Time(
                chrono::DateTime::parse_from_rfc3339(v)
                    .map_err(|_| InvalidCursor)?
                    .to_utc(),
            ),
            SortType::Date => Self::Date(read(v)?),
            SortType::Int => Self::Int(read(v)?),
            SortType::Decimal => Self::Decimal(read(v)?),
            SortType::Uuid => Self::Uuid(read(v)?),
            SortType::Bool => Self::Bool(read(v)?),
        })
    }

    fn bind(self, qb: &mut QueryBuilder<'_, Postgres>) {
        match self {
            Self::Text(v) => qb.push_bind(v),
            Self::Time(v) => qb.push_bind(v),
            Self::Date(v) => qb.push_bind(v),
            Self::Int(v) => qb.push_bind(v),
            Self::Decimal(v) => qb.push_bind(v),
            Self::Uuid(v) => qb.push_bind(v),
            Self::Bool(v) => qb.push_bind(v),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(col: Column, desc: bool, cursor: &Cursor) -> Result<String, InvalidCursor> {
        let mut qb = QueryBuilder::<Postgres>::new("");
        col.push_after(&mut qb, "x.id", desc, cursor)?;
        Ok(qb.sql().to_owned())
    }

    #[test]
    fn nullable_columns_page_past_their_rows_without_a_value() {
        let id = uuid::Uuid::nil();
        let col = Column::nullable("x.due", SortType::Time);
        assert_eq!(
            col.order_by("x.id", true),
            "x.due DESC NULLS LAST, x.id DESC"
        );
        let dated = Cursor::at("due", Some("2026-01-01T00:00:00Z".into()), id);
        assert_eq!(
            after(col, false, &dated).unwrap(),
            " AND (x.due IS NULL OR (x.due, x.id) > ($1, $2))"
        );
        let undated = Cursor::at("due", None, id);
        assert_eq!(
            after(col, true, &undated).unwrap(),
            " AND x.due IS NULL AND x.id < $1"
        );
        let plain = Column::text("x.name");
        assert_eq!(plain.order_by("x.id", false), "x.name ASC, x.id ASC");
        assert!(
            after(plain, false, &undated).is_err(),
            "a NOT NULL column has no row without a value"
        );
        let not_a_time = Cursor::at("due", Some("soon".into()), id);
        assert!(after(col, false, &not_a_time).is_err() && col.check(&not_a_time).is_err());
        assert!(col.check(&dated).is_ok() && col.check(&undated).is_ok());
    }
}
