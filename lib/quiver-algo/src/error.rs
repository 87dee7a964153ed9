//! The crate's error type.

use thiserror::Error;

/// Why an algorithm refused its input or stopped.
///
/// Every variant that comes from a caller's choice names the parameter by the
/// configuration key the engine exposes (`dampingFactor`, `weightProperty`, `source`, ...).
#[derive(Debug, Clone, PartialEq, Error)]
pub enum AlgoError {
    /// A numeric parameter lies outside the range the algorithm accepts.
    #[error("{parameter} must be {expected}, got {value}")]
    OutOfRange {
        /// The configuration key, e.g. `dampingFactor`.
        parameter: &'static str,
        /// What the parameter must be, e.g. `in [0, 1)`.
        expected: &'static str,
        /// The value given.
        value: f64,
    },
    /// A relationship weight is negative where the algorithm needs non-negative weights
    /// (shortest paths, PageRank, modularity).
    #[error("{parameter}: negative relationship weight {value} is not allowed")]
    NegativeWeight {
        /// The configuration key naming the weight, `weightProperty`.
        parameter: &'static str,
        /// The offending weight.
        value: f64,
    },
    /// A relationship weight is NaN or infinite.
    #[error("{parameter}: relationship weight {value} is not a finite number")]
    NonFiniteWeight {
        /// The configuration key naming the weight, `weightProperty`.
        parameter: &'static str,
        /// The offending weight.
        value: f64,
    },
    /// A node given as a parameter is not in the graph (or not in the filtered view).
    #[error("{parameter}: the node is not in the graph")]
    NodeNotFound {
        /// The configuration key, e.g. `source` or `target`.
        parameter: &'static str,
    },
    /// The caller's interrupt check returned `true`; the partial result was dropped.
    #[error("the algorithm was interrupted")]
    Interrupted,
}

/// The configuration key under which the engine passes a relationship weight.
pub(crate) const WEIGHT: &str = "weightProperty";

/// Checks that `value` is finite, and non-negative unless `negative_allowed`.
pub(crate) fn check_weight(value: f64, negative_allowed: bool) -> Result<f64, AlgoError> {
    if !value.is_finite() {
        return Err(AlgoError::NonFiniteWeight {
            parameter: WEIGHT,
            value,
        });
    }
    if value < 0.0 && !negative_allowed {
        return Err(AlgoError::NegativeWeight {
            parameter: WEIGHT,
            value,
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_are_checked() {
        assert_eq!(check_weight(2.5, false), Ok(2.5));
        assert_eq!(check_weight(-1.0, true), Ok(-1.0));
        assert_eq!(
            check_weight(-1.0, false),
            Err(AlgoError::NegativeWeight {
                parameter: "weightProperty",
                value: -1.0
            })
        );
        assert!(matches!(
            check_weight(f64::NAN, true),
            Err(AlgoError::NonFiniteWeight { .. })
        ));
        assert!(matches!(
            check_weight(f64::INFINITY, false),
            Err(AlgoError::NonFiniteWeight { .. })
        ));
    }

    #[test]
    fn messages_name_the_parameter() {
        let e = AlgoError::OutOfRange {
            parameter: "dampingFactor",
            expected: "in [0, 1)",
            value: 1.5,
        };
        assert_eq!(e.to_string(), "dampingFactor must be in [0, 1), got 1.5");
        let e = AlgoError::NegativeWeight {
            parameter: "weightProperty",
            value: -2.0,
        };
        assert_eq!(
            e.to_string(),
            "weightProperty: negative relationship weight -2 is not allowed"
        );
    }
}
