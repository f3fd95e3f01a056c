//! Where a webhook may go. An admin types the URL, and the server then
//! makes requests to it from inside the site's network: without these
//! checks a webhook could reach the database, the cloud's metadata service
//! or anything else that trusts the server's address (SSRF). Targets must
//! be `https` and resolve only to public addresses, checked when saved and
//! again at each delivery (the connection goes to the address checked, so
//! a name that changes its answer in between, DNS rebinding, gains
//! nothing). `EDIARY_WEBHOOK_ALLOW_PRIVATE=1` lets an on-premises receiver
//! (and the tests' own) be reached over http or a private address.

use crate::store::{Channel, DeliveryStatus};
use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    time::Duration,
};

/// How long a name may take to resolve.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("not a URL")]
    NotAUrl,
    #[error("a webhook must use https")]
    NotHttps,
    #[error("the host name cannot be resolved")]
    Unresolved,
    #[error("the host is a loopback, link-local, private or reserved address")]
    NotPublic,
}

/// A checked target: the URL, its host, and the addresses to connect to.
#[derive(Debug, Clone)]
pub struct Target {
    pub url: url::Url,
    pub host: String,
    pub addrs: Vec<SocketAddr>,
}

/// Checks a webhook URL and resolves it: every address it resolves to must
/// be allowed (one private answer among public ones refuses it all).
pub async fn check(raw: &str, allow_private: bool) -> Result<Target, TargetError> {
    let url = url::Url::parse(raw.trim()).map_err(|_| TargetError::NotAUrl)?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(TargetError::NotHttps),
        _ => return Err(TargetError::NotAUrl),
    }
    let host = url.host_str().ok_or(TargetError::NotAUrl)?.to_owned();
    let port = url.port_or_known_default().ok_or(TargetError::NotAUrl)?;
    // An IPv6 literal comes bracketed; the resolver wants it bare.
    let bare = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_owned();
    let addrs: Vec<SocketAddr> =
        match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((bare, port))).await {
            Ok(Ok(addrs)) => addrs.collect(),
            _ => return Err(TargetError::Unresolved),
        };
    if addrs.is_empty() {
        return Err(TargetError::Unresolved);
    }
    if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
        return Err(TargetError::NotPublic);
    }
    Ok(Target { url, host, addrs })
}

/// The webhook client's resolver: every name it connects to resolves
/// through the same check, at connection time, so the address connected to
/// is one that was checked.
#[derive(Debug, Clone, Copy)]
pub struct CheckedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for CheckedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let name = name.as_str().to_owned();
        Box::pin(async move {
            type BoxError = Box<dyn std::error::Error + Send + Sync>;
            let addrs: Vec<SocketAddr> =
                tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((name, 0)))
                    .await
                    .map_err(|_| -> BoxError { Box::new(TargetError::Unresolved) })?
                    .map_err(|e| -> BoxError { Box::new(e) })?
                    .collect();
            if !allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
                return Err(Box::new(TargetError::NotPublic) as BoxError);
            }
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// Whether an address is on the public internet: not loopback, private,
/// link-local, shared (CGNAT), unspecified, multicast, documentation or
/// otherwise reserved; IPv4 inside IPv6 is judged as IPv4.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (RFC 6598), benchmarking (RFC 2544),
        // reserved (240/4), IETF protocol assignments (192.0.0/24).
        || (a == 100 && (64..128).contains(&b))
        || (a == 198 && (18..20).contains(&b))
        || a >= 240
        || (a == 192 && b == 0 && ip.octets()[2] == 0))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, documentation 2001:db8::/32.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        // IPv4-compatible and NAT64 forms of other addresses.
        || (first == 0 && ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)))
        || (first == 0x0064 && ip.segments()[1] == 0xff9b))
}

/// A webhook target as investigators see it: the channel's host, masked
/// (a URL may carry a secret in its path or query, and names the network).
pub fn masked(raw: &str) -> String {
    let host = url::Url::parse(raw)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let (first, rest) = host.split_once('.').unwrap_or((host.as_str(), ""));
    let shown: String = first.chars().take(2).collect();
    if rest.is_empty() {
        format!("{shown}•••")
    } else {
        format!("{shown}•••.{rest}")
    }
}

impl DeliveryStatus {
    /// As investigators see it: a webhook's URL may hold a secret and names
    /// the network, so only its channel and a masked host are shown.
    pub fn for_staff(self) -> Self {
        match self.channel {
            Channel::Webhook => Self {
                target: masked(&self.target),
                ..self
            },
            Channel::Email => self,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_not() {
        let cases = [
            ("8.8.8.8", true),
            ("93.184.216.34", true),
            ("127.0.0.1", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("172.32.0.1", true),
            ("192.168.1.1", false),
            ("169.254.169.254", false),
            ("100.64.0.1", false),
            ("0.0.0.0", false),
            ("0.1.2.3", false),
            ("255.255.255.255", false),
            ("224.0.0.1", false),
            ("198.18.0.1", false),
            ("192.0.2.1", false),
            ("::1", false),
            ("::", false),
            ("fe80::1", false),
            ("fd00::1", false),
            ("::ffff:127.0.0.1", false),
            ("::ffff:169.254.169.254", false),
            ("64:ff9b::a9fe:a9fe", false),
            ("2001:db8::1", false),
            ("2606:4700:4700::1111", true),
        ];
        for (ip, public) in cases {
            assert_eq!(is_public(ip.parse().unwrap()), public, "{ip}");
        }
    }

    #[tokio::test]
    async fn checks() {
        let refused = [
            ("http://127.0.0.1:9/hook", false, TargetError::NotHttps),
            ("https://127.0.0.1:9/hook", false, TargetError::NotPublic),
            ("https://localhost/hook", false, TargetError::NotPublic),
            ("https://[::1]/hook", false, TargetError::NotPublic),
            (
                "https://169.254.169.254/latest/meta-data",
                false,
                TargetError::NotPublic,
            ),
            ("https://10.0.0.5/", false, TargetError::NotPublic),
            ("ftp://example.org/", true, TargetError::NotAUrl),
            ("not a url", true, TargetError::NotAUrl),
        ];
        for (url, allow, expected) in refused {
            assert_eq!(check(url, allow).await.err(), Some(expected), "{url}");
        }
        let allowed = check("http://127.0.0.1:9/hook", true).await.unwrap();
        assert_eq!(allowed.addrs, ["127.0.0.1:9".parse().unwrap()]);
        assert_eq!(
            check("https://93.184.216.34/x", false).await.unwrap().host,
            "93.184.216.34"
        );
    }

    #[test]
    fn masks() {
        assert_eq!(
            masked("https://hooks.example.org/secret/path?k=1"),
            "ho•••.example.org"
        );
        assert_eq!(masked("http://127.0.0.1:9/hook"), "12•••.0.0.1");
        assert_eq!(masked("nonsense"), "•••");
    }
}
