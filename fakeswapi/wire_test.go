package fakeswapi_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"regexp"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// TestWire serves the fake plain, over TLS and with h2c, and checks the protocol each client
// gets: HTTP/2 over TLS unless the client speaks only HTTP/1.1, h2c to a prior-knowledge client.
func TestWire(t *testing.T) {
	t.Parallel()
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	protocols := func(h1, h2, h2c bool) *http.Protocols {
		p := new(http.Protocols)
		p.SetHTTP1(h1)
		p.SetHTTP2(h2)
		p.SetUnencryptedHTTP2(h2c)
		return p
	}
	tests := []struct {
		name   string
		wire   fakeswapi.Wire
		client *http.Protocols
		want   string
	}{
		{"plain", fakeswapi.Wire{}, nil, "HTTP/1.1"},
		{"tls", fakeswapi.Wire{Cert: &cert}, nil, "HTTP/2.0"},
		{"tls, an HTTP/1.1 client", fakeswapi.Wire{Cert: &cert}, protocols(true, false, false), "HTTP/1.1"},
		{"h2c, prior knowledge", fakeswapi.Wire{H2C: true}, protocols(false, false, true), "HTTP/2.0"},
		{"h2c, an HTTP/1.1 client", fakeswapi.Wire{H2C: true}, nil, "HTTP/1.1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fake, err := fakeswapi.New(fakeswapi.Options{})
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			run := fake.StartWire(ln, tc.wire)
			defer run.Close()
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: fakeswapi.CertPool(&cert)}, ForceAttemptHTTP2: true, Protocols: tc.client}
			defer tr.CloseIdleConnections()
			res, err := (&http.Client{Transport: tr}).Get(run.URL + "people/1/")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.Proto != tc.want || res.StatusCode != http.StatusOK {
				t.Errorf("%s %d, want %s 200", res.Proto, res.StatusCode, tc.want)
			}
		})
	}
}

// TestCertificate checks the certificate's names, its PEM and its fingerprint's form.
func TestCertificate(t *testing.T) {
	t.Parallel()
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(fakeswapi.CertificatePEM(&cert))
	if block == nil {
		t.Fatal("no PEM block")
	}
	leaf, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range fakeswapi.CertificateHosts {
		if err := leaf.VerifyHostname(host); err != nil {
			t.Error(err)
		}
	}
	if fp := fakeswapi.Fingerprint(&cert); !regexp.MustCompile(`^([0-9A-F]{2}:){31}[0-9A-F]{2}$`).MatchString(fp) {
		t.Errorf("fingerprint %q", fp)
	}
}
