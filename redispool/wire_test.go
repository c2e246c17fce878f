package redispool

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/fetchbench/fetchbench/fakeswapi"
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
		{Seq: 7, URL: "http://h/x", FinalURL: "http://h/dir/x", StartAt: at, Kind: fetcher.KindLink, Depth: 1, Parent: 3, Status: 404,
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
	got, err := sp.config(start.Add(4 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := cfg
	want.Deadline = 6 * time.Second
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b fetcher.Scope) bool { return a.String() == b.String() })); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

// TestSpecCarriesEveryConfigField sets each exported field of fetcher.Config in turn to a
// value that is not zero and sends the Config through a job's spec as the coordinator writes
// it to Redis and a worker reads it back: the worker's Config must equal the one sent in every
// field but those coordinatorOnly lists. A field added to Config fails here until the spec
// carries it or coordinatorOnly says why it does not.
func TestSpecCarriesEveryConfigField(t *testing.T) {
	t.Parallel()
	start := time.Unix(1744632000, 0)
	cert, err := fakeswapi.NewCertificate()
	if err != nil {
		t.Fatal(err)
	}
	roots, err := fetcher.ParseCACerts(fakeswapi.CertificatePEM(&cert))
	if err != nil {
		t.Fatal(err)
	}
	// Values reflection cannot make: types with unexported state.
	special := map[string]any{
		"Scope":   fetcher.NewScope("http://127.0.0.1:8080/api/", "https://swapi.dev/"),
		"RootCAs": roots,
		"Namer":   swapi.Namer{},
	}
	same := cmp.Options{
		cmp.Comparer(func(a, b fetcher.Scope) bool { return a.String() == b.String() }),
		cmp.Comparer(func(a, b *fetcher.CACerts) bool { return bytes.Equal(a.PEM(), b.PEM()) }),
	}
	typ := reflect.TypeFor[fetcher.Config]()
	names := map[string]bool{}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		names[f.Name] = true
		t.Run(f.Name, func(t *testing.T) {
			if why, ok := coordinatorOnly[f.Name]; ok {
				if why == "" {
					t.Error("coordinatorOnly gives no reason")
				}
				return
			}
			var cfg fetcher.Config
			v := reflect.ValueOf(&cfg).Elem().Field(i)
			if x, ok := special[f.Name]; ok {
				v.Set(reflect.ValueOf(x))
			} else if err := setNonZero(v); err != nil {
				t.Fatalf("%v: give it a value in special", err)
			}
			j, err := json.Marshal(specOf("id", "c", time.Second, start, cfg))
			if err != nil {
				t.Fatal(err)
			}
			var sp spec
			if err := json.Unmarshal(j, &sp); err != nil {
				t.Fatal(err)
			}
			got, err := sp.config(start)
			if err != nil {
				t.Fatal(err)
			}
			gv := reflect.ValueOf(got)
			for k := range typ.NumField() {
				g := typ.Field(k)
				if _, own := coordinatorOnly[g.Name]; own || !g.IsExported() {
					continue
				}
				if diff := cmp.Diff(reflect.ValueOf(cfg).Field(k).Interface(), gv.Field(k).Interface(), same); diff != "" {
					t.Errorf("%s on a worker (-want +got):\n%s", g.Name, diff)
				}
			}
		})
	}
	for name := range coordinatorOnly {
		if !names[name] {
			t.Errorf("coordinatorOnly lists %s, which fetcher.Config does not have", name)
		}
	}
}

// setNonZero sets v, settable, to a value of its type that is not zero.
func setNonZero(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(2.5)
	case reflect.String:
		v.SetString("x")
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		if err := setNonZero(s.Index(0)); err != nil {
			return err
		}
		v.Set(s)
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		if err := setNonZero(k); err != nil {
			return err
		}
		if err := setNonZero(e); err != nil {
			return err
		}
		m := reflect.MakeMap(v.Type())
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := setNonZero(p.Elem()); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Func:
		v.Set(reflect.MakeFunc(v.Type(), func([]reflect.Value) []reflect.Value {
			out := make([]reflect.Value, v.Type().NumOut())
			for i := range out {
				out[i] = reflect.Zero(v.Type().Out(i))
			}
			return out
		}))
	case reflect.Struct:
		for i := range v.NumField() {
			if !v.Type().Field(i).IsExported() {
				return fmt.Errorf("%s has unexported fields", v.Type())
			}
			if err := setNonZero(v.Field(i)); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("no value for a %s", v.Type())
	}
	return nil
}
