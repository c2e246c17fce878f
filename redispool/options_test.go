package redispool

import (
	"bytes"
	"context"
	"encoding/pem"
	"fmt"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/faketest"
)

// TestPoolCarriesTheRunOptions runs a job on two workers against the fake over TLS offering
// HTTP/2, trusting the server's CA from RootCAs alone: every request succeeds on the workers,
// over HTTP/1.1 when HTTP1 is set, and the Config each worker runs under has the options the
// coordinator was given.
func TestPoolCarriesTheRunOptions(t *testing.T) {
	t.Parallel()
	srv := httptest.NewUnstartedServer(faketest.New(t, fakeswapi.Options{}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	roots, err := fetcher.ParseCACerts(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		http1 bool
		proto string
	}{
		{"http1", true, "HTTP/1.1"},
		{"http2", false, "HTTP/2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, rdb := newMini(t)
			var mu sync.Mutex
			var ran []fetcher.Config
			startWorkersWith(t, rdb, 2, func(w *Worker) {
				w.configured = func(cfg fetcher.Config) {
					mu.Lock()
					ran = append(ran, cfg)
					mu.Unlock()
				}
			})
			cfg := fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}, RootCAs: roots,
				HTTP1: tt.http1, NoProxy: true, RespectQuota: true, QuotaWindow: 15 * time.Minute}
			ts := targets(srv.URL+"/api/", 12)
			got, _, err := schedule(t, t.Context(), rdb, cfg, fetcher.Static(ts), time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(ts) {
				t.Fatalf("%d records, want %d", len(got), len(ts))
			}
			for seq, r := range got {
				if !r.OK() || r.Proto != tt.proto || r.Worker == "" {
					t.Errorf("seq %d: proto %q worker %q err %q; want %s from a worker", seq, r.Proto, r.Worker, r.Err, tt.proto)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(ran) == 0 {
				t.Fatal("no worker ran the job")
			}
			for _, w := range ran {
				if w.HTTP1 != tt.http1 || !w.NoProxy || !w.RespectQuota || w.QuotaWindow != cfg.QuotaWindow ||
					!bytes.Equal(w.RootCAs.PEM(), roots.PEM()) {
					t.Errorf("a worker ran with HTTP1 %v, NoProxy %v, RespectQuota %v, QuotaWindow %s, %d bytes of CA; want %v, true, true, %s, %d",
						w.HTTP1, w.NoProxy, w.RespectQuota, w.QuotaWindow, len(w.RootCAs.PEM()), tt.http1, cfg.QuotaWindow, len(roots.PEM()))
				}
			}
		})
	}
}

// startWorkersWith runs n workers on rdb, named w1…, each set up by with before it runs,
// until the test ends.
func startWorkersWith(t *testing.T, rdb redis.UniversalClient, n int, with func(*Worker)) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for i := range n {
		w, err := NewWorker(rdb, WorkerConfig{Name: fmt.Sprintf("w%d", i+1), MaxInFlight: 10})
		if err != nil {
			t.Fatal(err)
		}
		with(w)
		wg.Go(func() { _ = w.Run(ctx) })
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}
