//! Checked arithmetic on figures fed by users or servers: an overflow is an `INVALID_INPUT` naming the figure,
//! never a panic.

use offramp_core::Decimal;

use crate::{AppError, ErrorCode};

pub(crate) fn overflow(figure: &str) -> AppError {
    AppError::new(
        ErrorCode::InvalidInput,
        format!("{figure}: the figures are too large to compute exactly (check the amounts and prices)"),
    )
}

pub(crate) fn mul(figure: &str, a: Decimal, b: Decimal) -> Result<Decimal, AppError> {
    a.checked_mul(b).ok_or_else(|| overflow(figure))
}

pub(crate) fn sub(figure: &str, a: Decimal, b: Decimal) -> Result<Decimal, AppError> {
    a.checked_sub(b).ok_or_else(|| overflow(figure))
}
