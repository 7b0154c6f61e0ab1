//! Money kept exact: an integer number of fen (分) in storage, shown and entered in 万元 on screen.

use crate::Msg;
use serde::{Serialize, Serializer};

/// An amount in fen. 1 万元 = 10,000 元 = 1,000,000 分, so 万元 with six decimals is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Money(pub i64);

const FEN_PER_WAN: i64 = 1_000_000;

impl Money {
    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses an amount in 万元 such as `200`, `200.5` or `0.000001` (one fen); commas allowed.
    pub fn parse_wan(s: &str) -> Result<Money, Msg> {
        let t: String = s.trim().chars().filter(|c| *c != ',' && *c != '，').collect();
        let bad = || {
            Msg::new(
                format!("金额“{s}”无效：请填写以万元为单位的非负数，最多 6 位小数"),
                format!("“{s}” is not a valid amount: a non-negative amount in ×10k CNY, at most 6 decimals"),
            )
        };
        let (int, frac) = t.split_once('.').unwrap_or((&t, ""));
        if int.is_empty() && frac.is_empty()
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || frac.len() > 6
            || int.len() > 9
        {
            return Err(bad());
        }
        let i: i64 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| bad())?
        };
        let f: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
        Ok(Money(i * FEN_PER_WAN + f))
    }

    /// 万元 with two decimals, or more when needed to stay exact: `200.00`, `0.000001`.
    pub fn wan(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        let int = a / FEN_PER_WAN as u64;
        let frac = format!("{:06}", a % FEN_PER_WAN as u64);
        let trimmed = frac.trim_end_matches('0');
        let shown = if trimmed.len() <= 2 { &frac[..2] } else { trimmed };
        format!("{sign}{int}.{shown}")
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.wan())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_wan_are_stored_exactly_in_fen() {
        assert_eq!(Money::parse_wan("200").unwrap().fen(), 200_000_000);
        assert_eq!(Money::parse_wan("200.5").unwrap().fen(), 200_500_000);
        assert_eq!(Money::parse_wan("0.000001").unwrap().fen(), 1);
        assert_eq!(Money::parse_wan("1,234.56").unwrap().wan(), "1234.56");
    }

    #[test]
    fn amounts_are_shown_with_two_decimals_unless_more_are_needed() {
        assert_eq!(Money(200_000_000).wan(), "200.00");
        assert_eq!(Money(200_500_000).wan(), "200.50");
        assert_eq!(Money(1).wan(), "0.000001");
        assert_eq!(Money(123_450).wan(), "0.12345");
    }

    #[test]
    fn negative_or_over_precise_amounts_are_rejected() {
        assert!(Money::parse_wan("-1").is_err());
        assert!(Money::parse_wan("1.0000001").is_err());
        assert!(Money::parse_wan("abc").is_err());
        assert!(Money::parse_wan(".").is_err());
    }
}
