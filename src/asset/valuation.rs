//! What an asset is worth: usage (units-of-production), the depreciation schedule and the valuation report.

use super::*;

/// `POST /assets/{id}/usage`: units used in a month (units-of-production depreciation).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageInput {
    /// First day of the month (any day is moved to the first).
    pub month: Option<NaiveDate>,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub units: Decimal,
}

/// The depreciation schedule of one unit of an asset and its book value today.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Depreciation {
    pub asset_id: AssetId,
    pub method: crate::depreciation::DepreciationMethod,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cost: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub salvage_value: Decimal,
    pub useful_life_months: i32,
    pub start: NaiveDate,
    pub as_of: NaiveDate,
    /// Book value of one unit at `as_of`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub book_value: Decimal,
    /// Book value of all units owned at `as_of`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total_book_value: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Object>))]
    pub schedule: Vec<crate::depreciation::ScheduleRow>,
}

/// One line of the valuation report.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ValuationRow {
    pub category: String,
    pub asset_count: i64,
    pub units: i64,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub cost: Decimal,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub book_value: Decimal,
}
