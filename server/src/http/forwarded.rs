//! Who the client is and how it reached us, behind a reverse proxy. The TCP
//! peer of a proxied request is the proxy: taken as the client, ten bad
//! sign-ins anywhere would lock everyone out, and the audit trail would name
//! the proxy. So `X-Forwarded-For` and `X-Forwarded-Proto` are believed,
//! but only from the peers named in `--trusted-proxies` (anyone else can
//! write those headers): the client is the right-most address in the chain
//! that is not a trusted proxy, and the request came over https if the
//! nearest trusted proxy says so. A middleware works this out once per
//! request; handlers read it as [`ClientInfo`].

use std::{
    convert::Infallible,
    net::{IpAddr, SocketAddr},
    str::FromStr,
    sync::Arc,
};

use axum::{
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, request::Parts},
    middleware::Next,
    response::Response,
};
use ipnet::IpNet;

/// The proxies whose forwarding headers are believed (CIDRs or addresses).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for TrustedProxies {
    type Err = String;

    /// `10.0.0.0/8, 127.0.0.1, ::1`: comma- or space-separated.
    fn from_str(list: &str) -> Result<Self, Self::Err> {
        list.split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|item| {
                item.parse::<IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(IpNet::from))
                    .map_err(|_| format!("{item:?} is not an IP address or CIDR range"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }
}

/// IPv4 inside IPv6 (a dual-stack listener's view) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The client of a request as far as it can be known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientInfo {
    /// The client's address: the TCP peer, or what trusted proxies forward.
    pub ip: Option<IpAddr>,
    /// The browser reached the app over https (a trusted proxy says so, or
    /// the public URL is https): cookies are `Secure` and `__Host-`.
    pub https: bool,
}

impl ClientInfo {
    pub fn of(
        headers: &HeaderMap,
        peer: Option<IpAddr>,
        trusted: &TrustedProxies,
        public_url: &str,
    ) -> Self {
        let public_https = public_url.starts_with("https://");
        let Some(peer) = peer.map(canonical) else {
            return Self {
                ip: None,
                https: public_https,
            };
        };
        if !trusted.contains(peer) {
            return Self {
                ip: Some(peer),
                https: public_https,
            };
        }
        let forwarded: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for hop in forwarded.iter().rev() {
            // A garbled hop ends the walk: the last good one stands.
            let Some(ip) = parse_hop(hop) else { break };
            client = ip;
            if !trusted.contains(ip) {
                break;
            }
        }
        // The nearest proxy's word: the last value.
        let proto = headers
            .get_all("x-forwarded-proto")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .next_back();
        Self {
            ip: Some(client),
            https: proto.map_or(public_https, |p| p.eq_ignore_ascii_case("https")),
        }
    }
}

/// `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or `203.0.113.7:5000`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<SocketAddr>().ok().map(|a| canonical(a.ip()))
}

/// What [`client_info`] reads from the app's state.
#[derive(Clone)]
pub struct Forwarding {
    pub trusted_proxies: Arc<TrustedProxies>,
    /// Where people reach the app: an `https` public URL means TLS ends at
    /// the proxy.
    pub public_url: Arc<str>,
}

/// Works out the request's [`ClientInfo`] once, for every handler.
pub async fn client_info(
    State(state): State<Forwarding>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let info = ClientInfo::of(
        request.headers(),
        peer,
        &state.trusted_proxies,
        &state.public_url,
    );
    request.extensions_mut().insert(info);
    next.run(request).await
}

impl ClientInfo {
    /// The request's client info, or (outside the middleware) its TCP peer.
    pub fn from_parts(parts: &Parts) -> Self {
        parts
            .extensions
            .get::<Self>()
            .copied()
            .unwrap_or_else(|| Self {
                ip: parts
                    .extensions
                    .get::<ConnectInfo<SocketAddr>>()
                    .map(|ConnectInfo(addr)| canonical(addr.ip())),
                https: false,
            })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientInfo {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_parts(parts))
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderMap, HeaderValue};

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn parses_lists() {
        let trusted: TrustedProxies = "10.0.0.0/8, 127.0.0.1 ::1".parse().unwrap();
        assert!(trusted.contains("10.2.3.4".parse().unwrap()));
        assert!(trusted.contains("127.0.0.1".parse().unwrap()));
        assert!(trusted.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(trusted.contains("::1".parse().unwrap()));
        assert!(!trusted.contains("127.0.0.2".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("proxy.local".parse::<TrustedProxies>().is_err());
        assert!("".parse::<TrustedProxies>().unwrap().is_empty());
    }

    #[test]
    fn believes_only_trusted_peers() {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // Peer, headers, public URL, then the client and https seen.
        type Case<'a> = (
            &'a str,
            &'a [(&'static str, &'a str)],
            &'a str,
            Option<IpAddr>,
            bool,
        );
        let cases: [Case; 9] = [
            // Untrusted peer: its headers are ignored.
            (
                "203.0.113.9",
                &[
                    ("x-forwarded-for", "1.2.3.4"),
                    ("x-forwarded-proto", "https"),
                ],
                "http://x",
                ip("203.0.113.9"),
                false,
            ),
            // Through one proxy.
            (
                "10.0.0.2",
                &[
                    ("x-forwarded-for", "198.51.100.7"),
                    ("x-forwarded-proto", "https"),
                ],
                "http://x",
                ip("198.51.100.7"),
                true,
            ),
            // A spoofed left part: the right-most untrusted hop counts.
            (
                "10.0.0.2",
                &[("x-forwarded-for", "6.6.6.6, 198.51.100.7")],
                "http://x",
                ip("198.51.100.7"),
                false,
            ),
            // Two proxies.
            (
                "10.0.0.2",
                &[("x-forwarded-for", "198.51.100.7, 10.0.0.3")],
                "http://x",
                ip("198.51.100.7"),
                false,
            ),
            // Several header lines read as one list.
            (
                "10.0.0.2",
                &[
                    ("x-forwarded-for", "6.6.6.6"),
                    ("x-forwarded-for", "198.51.100.7"),
                ],
                "http://x",
                ip("198.51.100.7"),
                false,
            ),
            // Garbage ends the walk at the last good hop.
            (
                "10.0.0.2",
                &[("x-forwarded-for", "198.51.100.7, nonsense, 10.0.0.3")],
                "http://x",
                ip("10.0.0.3"),
                false,
            ),
            // Ports and brackets.
            (
                "10.0.0.2",
                &[("x-forwarded-for", "[2001:db8::1]:443")],
                "http://x",
                ip("2001:db8::1"),
                false,
            ),
            // No header: the proxy itself.
            (
                "10.0.0.2",
                &[],
                "https://diary.example.org",
                ip("10.0.0.2"),
                true,
            ),
            // The nearest proxy's scheme wins.
            (
                "10.0.0.2",
                &[("x-forwarded-proto", "https, http")],
                "https://x",
                ip("10.0.0.2"),
                false,
            ),
        ];
        for (peer, pairs, public, client, https) in cases {
            let info = ClientInfo::of(&headers(pairs), ip(peer), &trusted, public);
            assert_eq!((info.ip, info.https), (client, https), "{peer} {pairs:?}");
        }
    }
}
