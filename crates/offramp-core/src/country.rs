//! Countries as the seller names them: an ISO 3166-1 alpha-2 code, or a common English name of the countries
//! Offramp's reports and catalog speak of. Pure.

/// Every ISO 3166-1 alpha-2 code (officially assigned), as of 2024.
const ISO_3166: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS \
BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK \
FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS \
MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM \
US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Names (lower case) a seller may type for the countries the catalog and the reports name.
const NAMES: &[(&str, &str)] = &[
    ("united states", "US"),
    ("united states of america", "US"),
    ("usa", "US"),
    ("america", "US"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("great britain", "GB"),
    ("britain", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("northern ireland", "GB"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("canada", "CA"),
    ("france", "FR"),
    ("netherlands", "NL"),
    ("the netherlands", "NL"),
    ("spain", "ES"),
    ("italy", "IT"),
    ("austria", "AT"),
    ("switzerland", "CH"),
    ("ireland", "IE"),
    ("belgium", "BE"),
    ("australia", "AU"),
    ("singapore", "SG"),
    ("japan", "JP"),
];

/// The ISO code of a country typed as a code (any case) or a known name; the reason otherwise.
pub fn parse_country(text: &str) -> Result<String, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("give your country of residence (an ISO code such as US, GB, DE, or its name)".into());
    }
    let upper = t.to_ascii_uppercase();
    if upper.len() == 2 && ISO_3166.split(' ').any(|c| c == upper) {
        return Ok(upper);
    }
    let lower = t.to_ascii_lowercase();
    if let Some((_, code)) = NAMES.iter().find(|(n, _)| *n == lower) {
        return Ok((*code).to_string());
    }
    Err(format!(
        "`{}` is not a country Offramp knows: give its ISO 3166 code (US, GB, DE, CA, FR, ...)",
        crate::text::clip(t)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names() {
        assert_eq!(parse_country("us").unwrap(), "US");
        assert_eq!(parse_country(" GB ").unwrap(), "GB");
        assert_eq!(parse_country("United Kingdom").unwrap(), "GB");
        assert_eq!(parse_country("UK").unwrap(), "GB");
        assert_eq!(parse_country("Germany").unwrap(), "DE");
        assert!(parse_country("ZZ").unwrap_err().contains("not a country"));
        assert!(parse_country("").unwrap_err().starts_with("give your country"));
        assert!(parse_country("Atlantis").is_err());
        assert_eq!(ISO_3166.split(' ').count(), 249);
    }
}
