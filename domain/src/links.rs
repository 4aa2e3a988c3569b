//! Signed links in mail (DECISIONS.md "Email links"). A link about a decision — an access
//! request, a compliance case — carries a token naming its subject: `{key}.{expires}.{mac}`, an
//! HMAC-SHA256 over the subject and the expiry with one of the platform's link keys. The token
//! opens nothing by itself: the page still wants a session and the permission. It proves the link
//! was written by Gatehouse for this subject and is not older than [`TTL_DAYS`]; keys rotate, and
//! a retired key is accepted until the last link it signed has expired.
use chrono::{DateTime, Duration, TimeZone, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long a mailed link works.
pub const TTL_DAYS: i64 = 30;

pub fn ttl() -> Duration {
    Duration::days(TTL_DAYS)
}

/// What a link is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    AccessRequest(i64),
    ComplianceCase(i64),
    ReviewCampaign(i64),
    /// A platform staff access review's campaign.
    StaffReview(i64),
    /// A digest's unsubscribe link: the membership and the scope (0: the organization, else a
    /// unit's id).
    DigestUnsubscribe(i64, i64),
}

impl Subject {
    fn text(self) -> String {
        match self {
            Subject::AccessRequest(id) => format!("access_request:{id}"),
            Subject::ComplianceCase(id) => format!("compliance_case:{id}"),
            Subject::ReviewCampaign(id) => format!("review_campaign:{id}"), // not user text: a signed subject
            Subject::StaffReview(id) => format!("staff_review:{id}"), // not user text: a signed subject
            Subject::DigestUnsubscribe(m, scope) => format!("digest_unsubscribe:{m}:{scope}"), // not user text: a signed subject
        }
    }
}

/// A token as read from a link, not yet checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub key: i64,
    pub expires: DateTime<Utc>,
    mac: Vec<u8>,
}

/// The outcome of checking a link's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Valid,
    /// Written by Gatehouse for this subject, but too old.
    Expired,
    /// Not a token of ours for this subject: altered, for another subject, or its key withdrawn.
    Invalid,
}

fn mac(secret: &[u8], key: i64, subject: Subject, expires: i64) -> Hmac<Sha256> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes keys of any length");
    m.update(format!("gatehouse-link-v1|{key}|{}|{expires}", subject.text()).as_bytes());
    m
}

/// The token for a subject, signed with key `key` (its id) and `secret`, valid until `expires`.
pub fn sign(secret: &[u8], key: i64, subject: Subject, expires: DateTime<Utc>) -> String {
    let tag = mac(secret, key, subject, expires.timestamp()).finalize().into_bytes();
    format!("{key}.{}.{}", expires.timestamp(), hex::encode(tag))
}

/// Reads a token's parts; `None` when it is not shaped like one.
pub fn parse(raw: &str) -> Option<Token> {
    let mut parts = raw.trim().split('.');
    let key = parts.next()?.parse::<i64>().ok()?;
    let expires = Utc.timestamp_opt(parts.next()?.parse::<i64>().ok()?, 0).single()?;
    let hex_mac = parts.next()?;
    if parts.next().is_some() || hex_mac.len() != 64 {
        return None;
    }
    Some(Token { key, expires, mac: hex::decode(hex_mac).ok()? })
}

/// Checks a token against its key's secret (constant time). `retired_at` is when the key stopped
/// signing: it is accepted for [`TTL_DAYS`] after that, no longer.
pub fn check(token: &Token, secret: &[u8], retired_at: Option<DateTime<Utc>>, subject: Subject, now: DateTime<Utc>) -> Check {
    if mac(secret, token.key, subject, token.expires.timestamp()).verify_slice(&token.mac).is_err() {
        return Check::Invalid;
    }
    // No key of ours writes a link valid for longer than the TTL: such a token was not issued by
    // this version, whatever its MAC says.
    if token.expires > now + ttl() + Duration::minutes(5) {
        return Check::Invalid;
    }
    if now >= token.expires || retired_at.is_some_and(|r| now >= r + ttl()) {
        return Check::Expired;
    }
    Check::Valid
}

/// A token whose key is unknown (never existed, or withdrawn and deleted): expired when its own
/// stated expiry has passed — which tells the reader nothing they could use — otherwise invalid.
pub fn unknown_key(token: &Token, now: DateTime<Utc>) -> Check {
    if now >= token.expires {
        Check::Expired
    } else {
        Check::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, 12, 0, 0).unwrap()
    }

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn a_signed_link_is_valid_for_its_subject_until_it_expires() {
        let now = at(1);
        let raw = sign(SECRET, 7, Subject::AccessRequest(42), now + ttl());
        let t = parse(&raw).unwrap();
        assert_eq!(t.key, 7);
        assert_eq!(check(&t, SECRET, None, Subject::AccessRequest(42), now), Check::Valid);
        assert_eq!(check(&t, SECRET, None, Subject::AccessRequest(42), now + ttl() - Duration::seconds(1)), Check::Valid);
        assert_eq!(check(&t, SECRET, None, Subject::AccessRequest(42), now + ttl()), Check::Expired);
    }

    #[test]
    fn another_subject_another_secret_or_an_altered_part_is_invalid() {
        let now = at(1);
        let raw = sign(SECRET, 7, Subject::AccessRequest(42), now + ttl());
        let t = parse(&raw).unwrap();
        assert_eq!(check(&t, SECRET, None, Subject::AccessRequest(43), now), Check::Invalid);
        assert_eq!(check(&t, SECRET, None, Subject::ComplianceCase(42), now), Check::Invalid);
        assert_eq!(check(&t, b"another secret", None, Subject::AccessRequest(42), now), Check::Invalid);
        // A later expiry written into the link breaks the MAC: an old link cannot be extended.
        let (k, rest) = raw.split_once('.').unwrap();
        let (_, m) = rest.split_once('.').unwrap();
        let extended = format!("{k}.{}.{m}", (now + ttl() + Duration::days(30)).timestamp());
        assert_eq!(check(&parse(&extended).unwrap(), SECRET, None, Subject::AccessRequest(42), now), Check::Invalid);
        // So does another key id, and a flipped character of the MAC.
        let other_key = format!("8.{rest}");
        assert_eq!(check(&parse(&other_key).unwrap(), SECRET, None, Subject::AccessRequest(42), now), Check::Invalid);
        let mut flipped = raw.clone().into_bytes();
        let last = flipped.len() - 1;
        flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
        let flipped = String::from_utf8(flipped).unwrap();
        assert_eq!(check(&parse(&flipped).unwrap(), SECRET, None, Subject::AccessRequest(42), now), Check::Invalid);
        // An expired link that was altered is invalid, not expired.
        assert_eq!(check(&parse(&other_key).unwrap(), SECRET, None, Subject::AccessRequest(42), now + ttl() * 2), Check::Invalid);
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in ["", "x", "1.2", "1.2.3", "a.1.00", "1.b.00", &format!("1.2.{}", "0".repeat(63)), &format!("1.2.{}.4", "0".repeat(64)), &format!("1.2.{}", "g".repeat(64))] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_retired_key_is_accepted_until_its_links_have_expired() {
        let signed = at(1);
        let raw = sign(SECRET, 1, Subject::ComplianceCase(5), signed + ttl());
        let t = parse(&raw).unwrap();
        let retired = at(2);
        assert_eq!(check(&t, SECRET, Some(retired), Subject::ComplianceCase(5), at(20)), Check::Valid);
        assert_eq!(check(&t, SECRET, Some(retired), Subject::ComplianceCase(5), retired + ttl()), Check::Expired);
    }

    #[test]
    fn a_token_valid_for_longer_than_any_link_is_refused() {
        let now = at(1);
        let raw = sign(SECRET, 1, Subject::AccessRequest(1), now + ttl() * 3);
        assert_eq!(check(&parse(&raw).unwrap(), SECRET, None, Subject::AccessRequest(1), now), Check::Invalid);
    }

    #[test]
    fn an_unknown_key_is_expired_only_when_the_token_says_so() {
        let now = at(10);
        let raw = sign(SECRET, 99, Subject::AccessRequest(1), at(5));
        assert_eq!(unknown_key(&parse(&raw).unwrap(), now), Check::Expired);
        let raw = sign(SECRET, 99, Subject::AccessRequest(1), at(20));
        assert_eq!(unknown_key(&parse(&raw).unwrap(), now), Check::Invalid);
    }
}
