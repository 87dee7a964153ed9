//! Writing results: [`table`], [`csv`], [`json`] and [`dot`].

pub mod csv;
pub mod dot;
pub mod json;
pub mod table;

use std::time::Duration;

use quiver::Stats;

/// `2 rows, 3 ms, 2 nodes created, 3 properties set` (the time only when asked).
pub fn footer(rows: usize, elapsed: Option<Duration>, stats: &Stats) -> String {
    let mut parts = vec![if rows == 1 {
        "1 row".to_string()
    } else {
        format!("{rows} rows")
    }];
    if let Some(d) = elapsed {
        parts.push(format_elapsed(d));
    }
    if !stats.is_empty() {
        parts.push(stats.to_string());
    }
    parts.join(", ")
}

/// Milliseconds, or seconds with one decimal past ten seconds.
pub fn format_elapsed(d: Duration) -> String {
    let ms = d.as_millis();
    if ms >= 10_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{ms} ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footers_read_as_a_sentence() {
        let stats = Stats {
            nodes_created: 2,
            properties_set: 3,
            ..Stats::default()
        };
        assert_eq!(
            footer(2, Some(Duration::from_millis(3)), &stats),
            "2 rows, 3 ms, 2 nodes created, 3 properties set"
        );
        assert_eq!(footer(1, None, &Stats::default()), "1 row");
        assert_eq!(
            footer(0, Some(Duration::from_micros(20)), &Stats::default()),
            "0 rows, 0 ms"
        );
        assert_eq!(format_elapsed(Duration::from_millis(12_345)), "12.3 s");
    }
}
