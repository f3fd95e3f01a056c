//! Receivers the alert tests run on loopback: an SMTP server and a webhook
//! endpoint that keep what they get.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// One email: the recipients and the raw message.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: Vec<String>,
    pub data: String,
}

pub struct MailSink {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<Mail>>>,
}

impl MailSink {
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    pub fn received(&self) -> Vec<Mail> {
        self.mails.lock().expect("mails").clone()
    }
}

/// Speaks just enough SMTP for lettre (no TLS, no auth).
pub async fn mail_sink(port: u16) -> MailSink {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind SMTP");
    let port = listener.local_addr().expect("addr").port();
    let mails = Arc::new(Mutex::new(Vec::new()));
    let store = mails.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 sink ESMTP\r\n").await;
                let mut to = Vec::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-sink\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("RCPT TO:") {
                        to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                        b"250 OK\r\n"
                    } else if upper.starts_with("DATA") {
                        let _ = write.write_all(b"354 go on\r\n").await;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        store.lock().expect("mails").push(Mail {
                            to: std::mem::take(&mut to),
                            data,
                        });
                        b"250 queued\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 bye\r\n").await;
                        break;
                    } else {
                        b"250 OK\r\n"
                    };
                    if write.write_all(reply).await.is_err() {
                        break;
                    }
                }
            });
        }
    });
    MailSink { port, mails }
}

/// One webhook request: its headers (lower-case names) and body.
#[derive(Debug, Clone)]
pub struct Hook {
    pub headers: HashMap<String, String>,
    pub body: String,
}

pub struct HookSink {
    pub port: u16,
    pub hooks: Arc<Mutex<Vec<Hook>>>,
}

impl HookSink {
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn received(&self) -> Vec<Hook> {
        self.hooks.lock().expect("hooks").clone()
    }
}

/// Answers every request 200 and keeps it (HTTP/1.1, one request a connection).
pub async fn hook_sink(port: u16) -> HookSink {
    let listener = TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind webhook");
    let port = listener.local_addr().expect("addr").port();
    let hooks = Arc::new(Mutex::new(Vec::new()));
    let store = hooks.clone();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let store = store.clone();
            tokio::spawn(async move {
                let mut reader = BufReader::new(socket);
                let mut headers = HashMap::new();
                let mut line = String::new();
                // The request line, then headers up to the blank line.
                if reader.read_line(&mut line).await.is_err() {
                    return;
                }
                loop {
                    line.clear();
                    match reader.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) if line.trim().is_empty() => break,
                        Ok(_) => {
                            if let Some((k, v)) = line.split_once(':') {
                                headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                            }
                        }
                    }
                }
                let length: usize = headers
                    .get("content-length")
                    .and_then(|l| l.parse().ok())
                    .unwrap_or(0);
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).await.is_err() {
                    return;
                }
                store.lock().expect("hooks").push(Hook {
                    headers,
                    body: String::from_utf8_lossy(&body).into_owned(),
                });
                let _ = reader
                    .get_mut()
                    .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    HookSink { port, hooks }
}
