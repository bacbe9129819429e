//! Times from outside, as RFC 3339.
//!
//! `jiff`'s instants end on 9999-12-30T22:00Z, a day short of the last time RFC 3339 can
//! write (9999-12-31T23:59:59Z, and later offsets' local midnights). A valid time past that
//! end is read as the end: it only ever picks the profile in force then, which is the latest.

/// Read an RFC 3339 time (`2026-11-21T08:00:00Z`, `2026-11-21T16:00:00+08:00`), the whole
/// range of the format.
pub fn parse_rfc3339(text: &str) -> Result<jiff::Timestamp, String> {
    let error = match text.parse::<jiff::Timestamp>() {
        Ok(time) => return Ok(time),
        Err(error) => error,
    };
    let fix = "write e.g. 2026-11-21T08:00:00Z";
    let pieces = jiff::fmt::temporal::Pieces::parse(text)
        .map_err(|_| format!("`{text}` is not an RFC 3339 time ({error}); {fix}"))?;
    let past_the_end =
        pieces.date().year() == 9999 && pieces.time().is_some() && pieces.offset().is_some();
    if past_the_end {
        Ok(jiff::Timestamp::MAX)
    } else {
        Err(format!("`{text}` is not an RFC 3339 time ({error}); {fix}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_range_of_rfc_3339_is_read() {
        assert_eq!(
            parse_rfc3339("2026-11-21T16:00:00+08:00").unwrap(),
            parse_rfc3339("2026-11-21T08:00:00Z").unwrap()
        );
        assert_eq!(
            parse_rfc3339("9999-12-31T23:59:59Z").unwrap(),
            jiff::Timestamp::MAX
        );
        assert_eq!(
            parse_rfc3339("9999-12-31T23:59:59-12:00").unwrap(),
            jiff::Timestamp::MAX
        );
        assert!(parse_rfc3339("0000-01-01T00:00:00Z").is_ok());
        for bad in [
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-11-21",
            "9999-12-31T23:59:59",
        ] {
            let error = parse_rfc3339(bad).unwrap_err();
            assert!(error.contains("RFC 3339") && error.contains(bad), "{error}");
        }
    }
}
