package fakeswapi

// This file owns a fake served in the foreground (fetchbench serve): its certificate, its
// listener and the lines that say where it listens.

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strings"

	"github.com/fetchbench/fetchbench/internal/badinput"
	"github.com/fetchbench/fetchbench/internal/naming"
)

// Foreground is a fake served in the foreground.
type Foreground struct {
	// Addr is the host:port listened on (port 0 picks a free port); see CheckAddr.
	Addr string
	// Options are the API's (Dialect included); unused with Site.
	Options Options
	// Site serves the HTML site (ServeSite, with SiteCrawlDelay) instead of the API.
	Site bool
	// TLS serves https with HTTP/2 on a certificate made at start; H2C accepts unencrypted
	// HTTP/2 with prior knowledge besides HTTP/1.1. At most one is set.
	TLS, H2C bool
	// CertFile, with TLS, is where the certificate (PEM) is written; "" for nowhere.
	CertFile string
	// OptionNamer names, in the line saying where the certificate is written, the client's
	// option that trusts it (field "fetcher.Config.RootCAs"); nil words it.
	OptionNamer naming.Namer
}

// ServeForeground serves f until ctx is done, then shuts down as Serve does and returns nil.
// It writes where it listens to talk (and, with TLS, the certificate's fingerprint), and the
// server's own log. Its errors start with "serve: "; a CertFile that cannot be written is bad
// input in field "fakeswapi.Foreground.CertFile" (badinput.FieldError).
func ServeForeground(ctx context.Context, f Foreground, talk io.Writer) error {
	wire := Wire{H2C: f.H2C}
	if f.TLS {
		cert, err := NewCertificate()
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		if f.CertFile != "" {
			if err := os.WriteFile(f.CertFile, CertificatePEM(&cert), 0o644); err != nil {
				return fmt.Errorf("serve: %w", badinput.Field("fakeswapi.Foreground.CertFile", err))
			}
		}
		wire.Cert = &cert
	}
	if f.Site {
		ln, err := net.Listen("tcp", f.Addr)
		if err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		fmt.Fprintf(talk, "fake site listening on http://%s/\n", ln.Addr())
		if err := ServeSite(ctx, ln, SiteOptions{CrawlDelay: SiteCrawlDelay}); err != nil {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	}
	fake, err := New(f.Options)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", f.Addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintf(talk, "fake SWAPI listening on %s://%s/api/\n", wire.scheme(), ln.Addr())
	switch {
	case wire.Cert != nil:
		fmt.Fprintf(talk, "TLS certificate (self-signed for %s) SHA-256 fingerprint %s\n",
			strings.Join(CertificateHosts, ", "), Fingerprint(wire.Cert))
		if f.CertFile != "" {
			fmt.Fprintln(talk, certLine(f.CertFile, f.OptionNamer))
		}
	case wire.H2C:
		fmt.Fprintln(talk, "HTTP/1.1, and HTTP/2 with prior knowledge (h2c)")
	}
	if err := fake.ServeWire(ctx, ln, talk, wire); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// certLine says that the certificate was written to path and how a client trusts it, with the
// client's option named by name.
func certLine(path string, name naming.Namer) string {
	if trust := name.Option("fetcher.Config.RootCAs", path, ""); trust != "" {
		return fmt.Sprintf("certificate written to %s: trust it with fetchbench %s", path, trust)
	}
	return fmt.Sprintf("certificate written to %s: trust it as a CA certificate in the client", path)
}
