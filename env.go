package main

// This file owns a command's environment: its streams, where the fakes it starts listen, how
// its requests travel, and the variables it reads (wtf's Main takes the same).

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// env is what a command takes from the world besides its arguments. The zero listen,
// transport and getenv are the process's own: loopback sockets, http.DefaultTransport's
// clone, os.Getenv. Tests give an in-memory network instead.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// listen opens a listener of the fakes a command starts; nil: net.Listen.
	listen func(network, addr string) (net.Listener, error)
	// transport, when set, is cloned for every run's requests (fetcher.Config.Transport).
	transport *http.Transport
	// getenv reads an environment variable; nil: os.Getenv.
	getenv func(string) string
}

// osEnv is the process's environment with the given streams.
func osEnv(stdin io.Reader, stdout, stderr io.Writer) *env {
	return &env{stdin: stdin, stdout: stdout, stderr: stderr}
}

// variable is the environment variable name's value, "" when unset.
func (e *env) variable(name string) string {
	if e.getenv == nil {
		return os.Getenv(name)
	}
	return e.getenv(name)
}

// noColor reports whether NO_COLOR is set and not empty (no-color.org).
func (e *env) noColor() bool { return e.variable("NO_COLOR") != "" }

// listenLoopback opens a listener on a free port of 127.0.0.1.
func (e *env) listenLoopback() (net.Listener, error) {
	if e.listen == nil {
		return net.Listen("tcp", "127.0.0.1:0")
	}
	return e.listen("tcp", "127.0.0.1:0")
}

// startFake starts the fake SWAPI with opts speaking w on a free loopback port.
func (e *env) startFake(opts fakeswapi.Options, w fakeswapi.Wire) (*fakeswapi.Running, error) {
	fake, err := fakeswapi.New(opts)
	if err != nil {
		return nil, fmt.Errorf("start the fake SWAPI: %w", err)
	}
	ln, err := e.listenLoopback()
	if err != nil {
		return nil, fmt.Errorf("start the fake SWAPI: %w", err)
	}
	return fake.StartWire(ln, w), nil
}
