package fetcher

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
)

// Classify maps a transport error to its class. It does not know about HTTP statuses.
func Classify(err error) ErrorClass {
	if err == nil {
		return ClassNone
	}
	var (
		dnsErr   *net.DNSError
		certErr  *tls.CertificateVerificationError
		recErr   tls.RecordHeaderError
		alertErr tls.AlertError
		unkAuth  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invErr   x509.CertificateInvalidError
		netErr   net.Error
	)
	switch {
	case errors.Is(err, errBodyTooLarge):
		return ClassBodyTooBig
	case errors.Is(err, context.Canceled):
		return ClassCancelled
	case errors.As(err, &dnsErr):
		return ClassDNS
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return ClassReset
	case errors.As(err, &certErr), errors.As(err, &recErr), errors.As(err, &alertErr),
		errors.As(err, &unkAuth), errors.As(err, &hostErr), errors.As(err, &invErr):
		return ClassTLS
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return ClassTimeout
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection reset"), strings.Contains(msg, "broken pipe"),
		strings.Contains(msg, "server closed"), strings.Contains(msg, "unexpected EOF"):
		return ClassReset
	case strings.Contains(msg, "tls:"), strings.Contains(msg, "x509:"),
		strings.Contains(msg, "HTTP response to HTTPS client"):
		return ClassTLS
	case strings.Contains(msg, "Client.Timeout"), strings.Contains(msg, "timeout"):
		return ClassTimeout
	case strings.Contains(msg, "connection refused"):
		return ClassRefused
	}
	return ClassOther
}

// retryable reports whether an attempt with this outcome is worth retrying.
func retryable(a *attempt) bool {
	switch a.status {
	case 429, 500, 502, 503, 504:
		return true
	}
	switch a.class {
	case ClassTimeout, ClassRefused, ClassReset, ClassDNS:
		return true
	}
	return false
}
