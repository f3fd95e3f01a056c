//! Insulin doses (clinical.md, "Insulin"): 0.05 to 100 units, in steps of
//! 0.05 (pumps) or coarser (pens).

pub const MIN_UNITS: f64 = 0.05;
pub const MAX_UNITS: f64 = 100.0;
const STEP: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DoseError {
    #[error("a dose must be from 0.05 to 100 units")]
    OutOfRange,
    #[error("a dose goes in steps of 0.05 units")]
    Step,
}

pub fn check_units(units: f64) -> Result<(), DoseError> {
    if !units.is_finite() || !(MIN_UNITS..=MAX_UNITS).contains(&units) {
        return Err(DoseError::OutOfRange);
    }
    // Within a rounding error of a multiple of the pump step.
    let steps = units / STEP;
    if (steps - steps.round()).abs() > 1e-6 {
        return Err(DoseError::Step);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dose_table() {
        let cases = [
            (0.05, Ok(())),
            (0.5, Ok(())),
            (1.0, Ok(())),
            (7.35, Ok(())),
            (100.0, Ok(())),
            (0.0, Err(DoseError::OutOfRange)),
            (0.04, Err(DoseError::OutOfRange)),
            (100.05, Err(DoseError::OutOfRange)),
            (-1.0, Err(DoseError::OutOfRange)),
            (f64::INFINITY, Err(DoseError::OutOfRange)),
            (1.03, Err(DoseError::Step)),
        ];
        for (units, expected) in cases {
            assert_eq!(check_units(units), expected, "{units}");
        }
    }
}
