package fetcher_test

import (
	"bytes"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
)

// TestParseCACerts: the PEM a CACerts keeps is its certificates alone, so that it parses
// again into the same pool wherever it travels.
func TestParseCACerts(t *testing.T) {
	t.Parallel()
	var certs [2][]byte
	pool := x509.NewCertPool()
	for i := range certs {
		cert, err := fakeswapi.NewCertificate()
		if err != nil {
			t.Fatal(err)
		}
		certs[i] = fakeswapi.CertificatePEM(&cert)
		pool.AppendCertsFromPEM(certs[i])
	}
	both := append(append([]byte(nil), certs[0]...), certs[1]...)
	key := []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	broken := []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	tests := []struct {
		name string
		data []byte
		want []byte // nil: ErrNoCertificate
	}{
		{"two certificates", both, both},
		{"text and other blocks between them", bytes.Join([][]byte{[]byte("# my CA\n"), certs[0], key, broken, []byte("junk\n"), certs[1]}, nil), both},
		{"no certificate", key, nil},
		{"empty", nil, nil},
		{"not PEM", []byte("hello"), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := fetcher.ParseCACerts(tt.data)
			if tt.want == nil {
				if !errors.Is(err, fetcher.ErrNoCertificate) || c != nil {
					t.Fatalf("got %v, %v; want ErrNoCertificate", c, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(c.PEM(), tt.want) {
				t.Errorf("PEM:\n%s\nwant:\n%s", c.PEM(), tt.want)
			}
			if !c.Pool().Equal(pool) {
				t.Error("the pool does not hold the two certificates")
			}
			again, err := fetcher.ParseCACerts(c.PEM())
			if err != nil || !again.Pool().Equal(c.Pool()) {
				t.Errorf("its PEM parsed again: %v", err)
			}
		})
	}
	var none *fetcher.CACerts
	if none.PEM() != nil || none.Pool() != nil {
		t.Error("a nil CACerts holds something")
	}
}

func TestReadCACert(t *testing.T) {
	t.Parallel()
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	good, bad := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "bad.pem")
	if err := os.WriteFile(good, fakeswapi.CertificatePEM(&cert), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if c, err := fetcher.ReadCACert(good); err != nil || !bytes.Equal(c.PEM(), fakeswapi.CertificatePEM(&cert)) {
		t.Errorf("ReadCACert(%s): %v", good, err)
	}
	if _, err := fetcher.ReadCACert(bad); !errors.Is(err, fetcher.ErrNoCertificate) {
		t.Errorf("ReadCACert(%s) = %v, want ErrNoCertificate", bad, err)
	}
	if _, err := fetcher.ReadCACert(filepath.Join(dir, "missing.pem")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}
