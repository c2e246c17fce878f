package fetcher

import (
	"crypto/x509"
	"errors"
	"os"
)

// ReadCACert reads a PEM file into a pool of its certificates (--cacert, --redis-cacert); a
// file without a certificate is an error.
func ReadCACert(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("no PEM certificate in it")
	}
	return pool, nil
}
