package fakeswapi

// This file owns how the fake speaks on its listener: plain HTTP/1.1, TLS with HTTP/2 (a
// self-signed certificate made at start), or unencrypted HTTP/2 with prior knowledge.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"strings"
	"time"
)

// Wire is how the fake speaks. The zero value is plain HTTP/1.1.
type Wire struct {
	// Cert, when set, makes the fake serve TLS with this certificate, offering HTTP/2 and
	// HTTP/1.1 by ALPN (https:// URLs).
	Cert *tls.Certificate
	// H2C makes a plain listener also accept unencrypted HTTP/2 with prior knowledge (as
	// curl --http2-prior-knowledge speaks it) besides HTTP/1.1. It is ignored with Cert.
	H2C bool
}

// scheme is "https" with a certificate, else "http".
func (w Wire) scheme() string {
	if w.Cert != nil {
		return "https"
	}
	return "http"
}

// apply sets srv up to speak w.
func (w Wire) apply(srv *http.Server) {
	p := new(http.Protocols)
	p.SetHTTP1(true)
	switch {
	case w.Cert != nil:
		p.SetHTTP2(true)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{*w.Cert}, MinVersion: tls.VersionTLS12}
	case w.H2C:
		p.SetUnencryptedHTTP2(true)
	}
	srv.Protocols = p
}

// CertificateHosts are the names the fake's certificate is valid for.
var CertificateHosts = []string{"127.0.0.1", "::1", "localhost"}

// NewCertificate makes a self-signed ECDSA P-256 certificate for CertificateHosts, valid
// from an hour ago for a week. Its Leaf is set.
func NewCertificate() (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{Organization: []string{"fetchbench fake SWAPI"}, CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(7 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true, // so that a client may trust it as its own root (--cacert)
	}
	for _, h := range CertificateHosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, nil
}

// Fingerprint is the SHA-256 fingerprint of cert's leaf, as colon-separated upper-case hex
// pairs ("AB:CD:..."), the form browsers and openssl x509 -fingerprint -sha256 show.
func Fingerprint(cert *tls.Certificate) string {
	if len(cert.Certificate) == 0 {
		return ""
	}
	sum := sha256.Sum256(cert.Certificate[0])
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// CertificatePEM is cert's leaf in PEM, for a client to trust (fetchbench --cacert FILE).
func CertificatePEM(cert *tls.Certificate) []byte {
	if len(cert.Certificate) == 0 {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Certificate[0]})
}

// CertPool is a pool holding cert's leaf alone: what a client of the fake trusts.
func CertPool(cert *tls.Certificate) *x509.CertPool {
	pool := x509.NewCertPool()
	if cert.Leaf != nil {
		pool.AddCert(cert.Leaf)
	} else if len(cert.Certificate) > 0 {
		if leaf, err := x509.ParseCertificate(cert.Certificate[0]); err == nil {
			pool.AddCert(leaf)
		}
	}
	return pool
}
