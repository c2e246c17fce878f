package redispool

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/swapi"
)

func TestRecordsRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Unix(1744632000, 123456789)
	recs := []fetcher.Record{
		{Seq: 0, ID: 1, URL: "http://h/api/people/1/", StartAt: at, Kind: fetcher.KindTarget, Worker: "w1", Proto: "HTTP/2.0", ConnReused: true, Proxy: "http://p:3128", Limit: 7,
			Start: 5 * time.Millisecond, Intended: 4 * time.Millisecond, Queue: time.Millisecond, Latency: 100 * time.Millisecond,
			TTFB: 90 * time.Millisecond, Total: 101 * time.Millisecond, Response: 102 * time.Millisecond, Late: true,
			Status: 200, Bytes: 640, Attempts: 1, Name: "Luke \"Skywalker\"\nnewline", Note: "n",
			Body: []byte("{\"name\":\"Luke\"}\n"), ContentType: "application/json", HTML: map[string]string{"title": "T"}},
		{Seq: 7, URL: "http://h/x", StartAt: at, Kind: fetcher.KindLink, Depth: 1, Parent: 3, Status: 404,
			Err: "http 404 Not Found", Class: fetcher.ClassHTTP4xx, Attempts: 2},
		{Seq: 9, URL: "http://other/", StartAt: at, Class: fetcher.ClassNotAllowed, Err: "refused"},
	}
	var batch []byte
	for i := range recs {
		var err error
		if batch, err = appendRecord(batch, &recs[i]); err != nil {
			t.Fatal(err)
		}
	}
	var got []fetcher.Record
	if err := decodeRecords(batch, func(r fetcher.Record) { got = append(got, r) }); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(recs, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
	if err := decodeRecords([]byte("{not json\n"), func(fetcher.Record) {}); err == nil {
		t.Error("a malformed batch decoded")
	}
}

func TestItemsRoundTrip(t *testing.T) {
	t.Parallel()
	start := time.Unix(1744632000, 0)
	queued := time.Unix(1744632001, 5)
	tests := []struct {
		name string
		it   fetcher.Item
		want fetcher.Item
	}{
		{"target queued at the start", fetcher.Item{Target: fetcher.Target{ID: 3, URL: "http://h/3/"}, Seq: 2},
			fetcher.Item{Target: fetcher.Target{ID: 3, URL: "http://h/3/"}, Seq: 2, Queued: start}},
		{"pushed link", fetcher.Item{Target: fetcher.Target{URL: "http://h/p/1/"}, Seq: 90, Kind: fetcher.KindLink, Depth: 1, Parent: 4, Queued: queued},
			fetcher.Item{Target: fetcher.Target{URL: "http://h/p/1/"}, Seq: 90, Kind: fetcher.KindLink, Depth: 1, Parent: 4, Queued: queued}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			args := itemArgs(nil, tt.it, "")
			names := []string{"s", "u", "i", "k", "d", "p", "q"}
			values := map[string]any{}
			for i, n := range names {
				values[n] = fmtAny(args[i])
			}
			got, err := itemOf(values, start)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("item (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSpecCarriesTheConfig(t *testing.T) {
	t.Parallel()
	start := time.Unix(1744632000, 0)
	cfg := fetcher.Config{Strategy: fetcher.RateLimit, Limits: fetcher.Limits{Rate: 50, Burst: 2, Slots: 6},
		Timeout: 3 * time.Second, Deadline: 10 * time.Second, Retries: 2, BackoffBase: time.Millisecond,
		BackoffCap: time.Second, MaxRetryAfter: time.Minute, MaxBody: 1 << 20, Insecure: true, UserAgent: "ua",
		KeepBody: true, HTML: []fetcher.Selector{{Name: "t", CSS: "h1"}}, Scope: fetcher.NewScope("http://127.0.0.1:8080/api/", "https://swapi.dev/"),
		Namer: swapi.Namer{}}
	sp := specOf("id", "c", time.Second, start, cfg)
	got := sp.config(start.Add(4 * time.Second))
	want := cfg
	want.Deadline = 6 * time.Second
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b fetcher.Scope) bool { return a.String() == b.String() })); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}
