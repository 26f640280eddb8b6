"""Alert delivery by e-mail against real SMTP servers on loopback: plain SMTP, STARTTLS and
implicit TLS with a certificate made for the run, logins, and refused connections."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from infraaudit.health.alerts import Delivery, deliver, send_email
from infraaudit.inventory.alerts import AlertOptions
from tests.lab.alert_receivers import (
    LOOPBACK,
    PASSWORD,
    PAYLOAD,
    SUBJECT,
    TEXT,
    SmtpStarter,
    assert_is_the_report,
    mail_options,
)

# proxy variables removed and socket.getfqdn replaced: loopback only, no name resolved
pytestmark = pytest.mark.usefixtures("_loopback_only")


@dataclass
class Tls:
    server: ssl.SSLContext
    client: ssl.SSLContext  # trusts the self-signed certificate


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    """A self-signed certificate for 127.0.0.1 and localhost, made for this test run."""
    directory: Path = tmp_path_factory.mktemp("alerts-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(LOOPBACK)),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(cert_file, key_file)
    client = ssl.create_default_context(cafile=str(cert_file))
    return Tls(server, client)


def test_email_plain_smtp(smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    results = deliver(AlertOptions(email=mail_options(port)), PAYLOAD, TEXT, SUBJECT)
    assert results == [Delivery(
        "email", True, f"smtp {LOOPBACK}:{port} (no TLS): sent to noc@ubnd.example.gov.vn, "
                       "tp.cntt@ubnd.example.gov.vn",
    )]
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_email_without_attachment(smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    options = AlertOptions(email=mail_options(port, attach_json=False))
    assert [r.ok for r in deliver(options, PAYLOAD, TEXT, SUBJECT)] == [True]
    (mail,) = inbox.mails
    assert_is_the_report(mail, attached=False)


def test_email_starttls_not_offered_is_not_a_downgrade(smtp_server: SmtpStarter) -> None:
    inbox, port = smtp_server()
    results = deliver(AlertOptions(email=mail_options(port, starttls=True)), PAYLOAD, TEXT,
                      SUBJECT)
    assert [r.ok for r in results] == [False]
    assert "STARTTLS failed: the server does not support it" in results[0].detail
    assert inbox.mails == []


@pytest.mark.parametrize("password", [PASSWORD, "ascii-Passw0rd"], ids=["utf8", "ascii"])
def test_email_starttls_and_login(smtp_server: SmtpStarter, tls: Tls, password: str) -> None:
    """Non-ASCII passwords go as UTF-8 AUTH PLAIN; ASCII ones through smtplib's login()."""
    inbox, port = smtp_server(tls_context=tls.server, require_starttls=True, auth=True)
    inbox.password = password
    options = mail_options(port, starttls=True, username="canhbao", password=password)
    result = send_email(options, PAYLOAD, TEXT, SUBJECT, context=tls.client)
    assert result.ok, result.detail
    assert result.detail.startswith(f"smtp {LOOPBACK}:{port} (STARTTLS): sent to")
    assert inbox.logins == [(b"canhbao", password.encode())]
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_email_wrong_password(smtp_server: SmtpStarter, tls: Tls) -> None:
    inbox, port = smtp_server(tls_context=tls.server, require_starttls=True, auth=True)
    wrong = "sai-mật-khẩu-123"
    options = mail_options(port, starttls=True, username="canhbao", password=wrong)
    result = send_email(options, PAYLOAD, TEXT, SUBJECT, context=tls.client)
    assert not result.ok
    assert "login failed: login refused (535" in result.detail
    assert wrong not in result.detail
    assert inbox.mails == [] and inbox.logins == [(b"canhbao", wrong.encode())]


def test_email_untrusted_certificate_is_refused(smtp_server: SmtpStarter, tls: Tls) -> None:
    """deliver() verifies certificates against the system's CAs: a self-signed one fails."""
    inbox, port = smtp_server(tls_context=tls.server, require_starttls=True)
    results = deliver(AlertOptions(email=mail_options(port, starttls=True)), PAYLOAD, TEXT,
                      SUBJECT)
    assert [r.ok for r in results] == [False]
    assert "STARTTLS failed: TLS certificate not accepted" in results[0].detail
    assert inbox.mails == []


def test_email_implicit_tls(smtp_server: SmtpStarter, tls: Tls) -> None:
    inbox, port = smtp_server(ssl_context=tls.server)
    options = mail_options(port, ssl=True)
    result = send_email(options, PAYLOAD, TEXT, SUBJECT, context=tls.client)
    assert result.ok, result.detail
    assert f"{LOOPBACK}:{port} (TLS)" in result.detail
    (mail,) = inbox.mails
    assert_is_the_report(mail)


def test_email_connection_refused(refused_port: int) -> None:
    results = deliver(AlertOptions(email=mail_options(refused_port)), PAYLOAD, TEXT, SUBJECT)
    assert [r.ok for r in results] == [False]
    assert results[0].detail == (f"smtp {LOOPBACK}:{refused_port} (no TLS): connect failed: "
                                 "connection failed (Connection refused)")
