package fakeswapi

// This file owns the policy on where the fake may listen: a loopback address unless public.

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// Errors of CheckAddr.
var (
	// ErrAddr is an address that is not host:port with a numeric port.
	ErrAddr = errors.New("want host:port")
	// ErrNotLoopback is a host other than "localhost" or a loopback IP, without public.
	ErrNotLoopback = errors.New("not a loopback address")
)

// CheckAddr requires addr to be host:port with a numeric port, and its host to be "localhost"
// or a loopback IP address unless public: the fake serves the network only when asked to.
func CheckAddr(addr string, public bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err == nil {
		_, err = strconv.ParseUint(port, 10, 16)
	}
	if err != nil {
		return ErrAddr
	}
	if public || strings.EqualFold(host, "localhost") {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsLoopback() {
		return nil
	}
	return ErrNotLoopback
}
