package fetcher

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
)

// CACerts are certificate authorities to trust: the certificates in PEM, so that they can
// travel (a pool's job spec), and the pool built from them. Build one with ParseCACerts or
// ReadCACert; a nil *CACerts is valid and holds none. It is immutable and safe for
// concurrent use.
type CACerts struct {
	pem  []byte
	pool *x509.CertPool
}

// ErrNoCertificate is the error of PEM without a certificate that parses.
var ErrNoCertificate = errors.New("no PEM certificate in it")

// ParseCACerts parses the certificates of data (PEM); blocks that are not certificates or do
// not parse are skipped, as x509.CertPool.AppendCertsFromPEM does, and leave no trace in PEM.
// Data without a certificate is ErrNoCertificate.
func ParseCACerts(data []byte) (*CACerts, error) {
	c := &CACerts{pool: x509.NewCertPool()}
	for len(data) > 0 {
		var b *pem.Block
		if b, data = pem.Decode(data); b == nil {
			break
		}
		if b.Type != "CERTIFICATE" || len(b.Headers) != 0 {
			continue
		}
		cert, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			continue
		}
		c.pool.AddCert(cert)
		c.pem = append(c.pem, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.Bytes})...)
	}
	if len(c.pem) == 0 {
		return nil, ErrNoCertificate
	}
	return c, nil
}

// ReadCACert reads a PEM file (--cacert, --redis-cacert) with ParseCACerts.
func ReadCACert(path string) (*CACerts, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return ParseCACerts(data)
}

// PEM is the certificates c holds, in PEM; nil for a nil c. The caller must not modify it.
func (c *CACerts) PEM() []byte {
	if c == nil {
		return nil
	}
	return c.pem
}

// Pool is the pool of the certificates c holds, for a tls.Config's RootCAs; nil for a nil c.
// The caller must not modify it.
func (c *CACerts) Pool() *x509.CertPool {
	if c == nil {
		return nil
	}
	return c.pool
}
