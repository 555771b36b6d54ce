//! Money: amounts are `rust_decimal::Decimal` (never floating point) with an ISO 4217 currency code; JSON carries
//! them as decimal strings (`"1234.50"`).

use rust_decimal::Decimal;

/// The currency when none is given.
pub const DEFAULT_CURRENCY: &str = "USD";

/// Largest amount the database stores (`numeric(14, 2)`).
pub fn max_amount() -> Decimal {
    Decimal::new(99_999_999_999_999, 2)
}

/// A whole amount with thousands separators, for figures on dashboards: `1234567.89` → `1,234,568`.
pub fn grouped(v: Decimal) -> String {
    let whole = v.round().abs().to_string();
    let mut out = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if v.round().is_sign_negative() && !v.round().is_zero() {
        out.insert(0, '-');
    }
    out
}

/// garde check for an amount: not negative, at most two decimal places, fits `numeric(14, 2)`.
pub fn amount(value: &Decimal, _: &()) -> garde::Result {
    check_amount(*value).map_err(garde::Error::new)
}

/// garde check for an optional amount.
pub fn opt_amount(value: &Option<Decimal>, _: &()) -> garde::Result {
    match value {
        Some(v) => amount(v, &()),
        None => Ok(()),
    }
}

pub fn check_amount(v: Decimal) -> Result<(), String> {
    if v.is_sign_negative() && !v.is_zero() {
        Err("must not be negative".to_owned())
    } else if v.normalize().scale() > 2 {
        Err("must have at most two decimal places".to_owned())
    } else if v > max_amount() {
        Err("is too large".to_owned())
    } else {
        Ok(())
    }
}

/// garde check for a currency code: three capital letters (ISO 4217).
pub fn currency(value: &str, _: &()) -> garde::Result {
    if value.len() == 3 && value.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(garde::Error::new(
            "must be a three-letter currency code like USD or EUR",
        ))
    }
}

/// Trims and upper-cases a currency code; blank becomes the default currency.
pub fn clean_currency(value: Option<String>) -> String {
    crate::validation::clean(value)
        .map(|v| v.to_uppercase())
        .unwrap_or_else(|| DEFAULT_CURRENCY.to_owned())
}

/// `amount × percent / 100`, rounded to cents (banker's rounding is not used: half away from zero).
pub fn weighted(amount: Decimal, percent: i16) -> Decimal {
    (amount * Decimal::from(percent) / Decimal::from(100))
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn grouped_amounts() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(grouped(d("1234567.89")), "1,234,568");
        assert_eq!(grouped(d("999")), "999");
        assert_eq!(grouped(d("1000")), "1,000");
        assert_eq!(grouped(d("0.4")), "0");
        assert_eq!(grouped(d("-12345")), "-12,345");
    }

    #[test]
    fn amounts() {
        assert!(check_amount(d("1234.50")).is_ok());
        assert!(check_amount(d("0")).is_ok());
        assert!(check_amount(d("1.500")).is_ok(), "trailing zeros are fine");
        assert_eq!(check_amount(d("-1")).unwrap_err(), "must not be negative");
        assert!(check_amount(d("1.005")).is_err());
        assert!(check_amount(d("1000000000000")).is_err());
    }

    #[test]
    fn currencies() {
        assert_eq!(clean_currency(Some(" eur ".into())), "EUR");
        assert_eq!(clean_currency(None), "USD");
        assert!(currency("EUR", &()).is_ok());
        assert!(currency("EURO", &()).is_err());
        assert!(currency("eu1", &()).is_err());
    }

    #[test]
    fn weighting() {
        assert_eq!(weighted(d("1000.00"), 25), d("250.00"));
        assert_eq!(weighted(d("0.05"), 50), d("0.03"));
    }
}
