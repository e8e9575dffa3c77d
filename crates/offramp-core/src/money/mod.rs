//! Money types: exact decimal amounts tagged with their currency or asset code, prices, percentages.
//!
//! Rules (see also DEVELOPERS.md, "Rules of the money"):
//! - Every figure is a [`Decimal`]; text is parsed strictly by [`parse_decimal`] (no exponents, no silent
//!   rounding, no thousands separators) and serialized back as a string, never as a JSON number.
//! - Arithmetic between two [`Amount`]s refuses to mix codes ([`MoneyError::CodeMismatch`]) and reports overflow
//!   instead of wrapping or panicking.
//! - Nothing here rounds unless asked. The one rounding rule, used when a fiat figure is presented or reported,
//!   is [`Amount::round_to_minor_units`]: half away from zero at the currency's minor unit (cents for USD, EUR,
//!   GBP; none for JPY). Crypto quantities are never rounded.

mod amount;
mod code;
mod decimal;
mod percent;
mod price;

pub use amount::Amount;
pub use code::{Code, CodeKind};
pub use decimal::{decimal_str, parse_decimal, MAX_SCALE};
pub use percent::Percent;
pub use price::Price;

pub use rust_decimal::{Decimal, RoundingStrategy};

/// The one rounding rule for presenting money: half away from zero to `places` decimals, and written with
/// exactly that many (`round_half_away(12, 2)` is `12.00`).
pub fn round_half_away(value: Decimal, places: u32) -> Decimal {
    let mut r = value.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r
}

/// Why a piece of text is not a valid figure or code. Each variant says what was wrong, so an importer can name
/// the field and the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("empty value")]
    Empty,
    #[error("exponent notation is not accepted (`{0}`): write the number out in full")]
    Exponent(String),
    #[error("unexpected character {ch:?} at position {pos} in `{text}`")]
    InvalidCharacter { text: String, ch: char, pos: usize },
    #[error("`{0}` has no digits")]
    NoDigits(String),
    #[error("`{text}` has {got} decimal places; at most {max} are supported")]
    TooManyDecimals { text: String, got: usize, max: u32 },
    #[error("`{0}` is too large to represent exactly")]
    OutOfRange(String),
    #[error("invalid code `{text}`: {reason}")]
    InvalidCode { text: String, reason: &'static str },
    #[error("`{0}` is not of the form `<number> <code>`")]
    MissingCode(String),
    #[error("a price must not be negative (`{0}`)")]
    NegativePrice(String),
}

/// Why an arithmetic operation on money was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("cannot combine {left} with {right}: different currencies or assets")]
    CodeMismatch { left: Code, right: Code },
    #[error("arithmetic overflow in {op}")]
    Overflow { op: &'static str },
    #[error("division by zero in {op}")]
    DivisionByZero { op: &'static str },
    #[error("a price must not be negative")]
    NegativePrice,
}
