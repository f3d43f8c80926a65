//! UTC calendar dates from the system clock, for the two places that print one (`plan
//! --timestamp`, the bundled server's log lines): not worth a date crate.

/// (year, month, day, seconds into the day) of a Unix time in seconds, in UTC
/// (Howard Hinnant's civil-from-days).
pub fn civil(unix_secs: i64) -> (i64, i64, i64, i64) {
    let (days, rem) = (unix_secs.div_euclid(86_400), unix_secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day, rem)
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_dates() {
        assert_eq!(super::civil(0), (1970, 1, 1, 0));
        // 2024-02-29T12:00:01Z, a leap day.
        assert_eq!(super::civil(1_709_208_001), (2024, 2, 29, 43_201));
        assert_eq!(super::civil(-1), (1969, 12, 31, 86_399));
    }
}
