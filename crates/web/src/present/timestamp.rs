//! Timestamps as the API writes them: RFC 3339 in UTC, with milliseconds when there are any.
//! Every record in a list carries two, so they are written by hand (≈ 10 ns) rather than
//! through `time`'s general formatter (≈ 45 ns); a test holds the two to the same output.

use portico_domain::Millis;

/// Milliseconds since the epoch as an RFC 3339 UTC timestamp (`2025-06-15T15:06:40.1Z`: the
/// fraction without trailing zeros, none when whole), or `""` outside years 0 to 9999.
pub fn rfc3339(ms: Millis) -> String {
    let (secs, millis) = (ms.div_euclid(1000), ms.rem_euclid(1000));
    let (days, secs) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return String::new();
    }
    let mut out = String::with_capacity(24);
    digits(&mut out, year, 4);
    out.push('-');
    digits(&mut out, month, 2);
    out.push('-');
    digits(&mut out, day, 2);
    out.push('T');
    digits(&mut out, secs / 3600, 2);
    out.push(':');
    digits(&mut out, secs / 60 % 60, 2);
    out.push(':');
    digits(&mut out, secs % 60, 2);
    if millis > 0 {
        out.push('.');
        let (mut fraction, mut width) = (millis, 3);
        while fraction % 10 == 0 {
            fraction /= 10;
            width -= 1;
        }
        digits(&mut out, fraction, width);
    }
    out.push('Z');
    out
}

/// `value` (not negative) in `width` decimal digits, zero-padded.
fn digits(out: &mut String, value: i64, width: u32) {
    let mut scale = 10_i64.pow(width.saturating_sub(1));
    while scale > 0 {
        let digit = u8::try_from(value / scale % 10).unwrap_or(0);
        out.push(char::from(b'0' + digit));
        scale /= 10;
    }
}

/// Year, month and day of the proleptic Gregorian calendar for days since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::OffsetDateTime;
    use time::format_description::well_known::Rfc3339;

    /// The `time` crate's formatter, which the API used before: the reference.
    fn reference(ms: Millis) -> String {
        OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
            .ok()
            .and_then(|t| t.format(&Rfc3339).ok())
            .unwrap_or_default()
    }

    #[test]
    fn timestamps_match_the_time_crate() {
        let edges = [
            0,
            1,
            10,
            100,
            120,
            999,
            1000,
            -1,
            -999,
            -1000,
            -1001,
            951_782_400_000,     // 2000-02-29
            4_107_542_400_000,   // 2100-03-01
            253_402_300_799_999, // 9999-12-31T23:59:59.999
            253_402_300_800_000, // year 10000: none
            -62_167_219_200_000, // 0000-01-01
            -62_167_219_200_001, // year -1: none
            i64::MAX,
            i64::MIN,
        ];
        for ms in edges {
            assert_eq!(rfc3339(ms), reference(ms), "{ms}");
        }
        // A spread over the years 0 to 9999 and beyond, every millisecond pattern.
        let mut ms: i64 = -63_000_000_000_000;
        while ms < 254_000_000_000_000 {
            assert_eq!(rfc3339(ms), reference(ms), "{ms}");
            ms += 7_777_777_777_777 / 97 + 13;
        }
        for step in 0..20_000_i64 {
            let ms = 1_750_000_000_000 + step * 86_399_937;
            assert_eq!(rfc3339(ms), reference(ms), "{ms}");
        }
    }
}
