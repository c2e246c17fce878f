package fakeswapi

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestWindow(t *testing.T) {
	t.Parallel()
	ms := int64(time.Millisecond)
	tests := []struct {
		name  string
		times []int64 // in ms
		want  int
	}{
		{"none", nil, 0},
		{"one", []int64{5}, 1},
		{"burst", []int64{0, 0, 0, 0}, 4},
		{"spread", []int64{0, 500, 1000, 1500, 2000}, 2},
		{"exactly one second apart", []int64{0, 1000}, 1},
		{"just under one second", []int64{0, 999}, 2},
		{"dense later", []int64{0, 1000, 1100, 1200, 1300, 2500}, 4},
		{"out of order clamps", []int64{0, 900, 800, 950}, 4},
		{"many", seq(0, 3000, 10), 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := window{span: int64(time.Second)}
			for _, at := range tt.times {
				w.add(at * ms)
			}
			if w.max != tt.want {
				t.Errorf("max = %d, want %d", w.max, tt.want)
			}
		})
	}
}

func TestWindowMemoryIsBounded(t *testing.T) {
	t.Parallel()
	w := window{span: int64(time.Second)}
	for i := range int64(1_000_000) {
		w.add(i * int64(time.Millisecond)) // 1000 per second for 1000 s
	}
	if w.max != 1000 || len(w.ring) > 2048 {
		t.Errorf("max = %d, ring size %d; want 1000 and at most 2048", w.max, len(w.ring))
	}
}

func seq(from, to, step int64) []int64 {
	var s []int64
	for v := from; v < to; v += step {
		s = append(s, v)
	}
	return s
}

func TestParseRoute(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path, query string
		want        route
	}{
		{"/api/", "", route{kind: routeRoot}},
		{"/api", "", route{kind: routeRedirect}},
		{"/api/people/", "", route{kind: routeList, res: people, n: 1}},
		{"/api/people/", "page=3&format=json", route{kind: routeList, res: people, n: 3}},
		{"/api/people/", "format=json&page=last", route{kind: routeList, res: people, n: pageLast}},
		{"/api/people/", "page=x", route{kind: routeList, res: people, n: 0}},
		{"/api/people", "", route{kind: routeRedirect, res: people}},
		{"/api/starships/10/", "", route{kind: routeDetail, res: starships, n: 10}},
		{"/api/starships/10", "", route{kind: routeRedirect, res: starships, n: 10}},
		{"/api/starships/ten/", "", route{}},
		{"/api/starships/10/x", "", route{}},
		{"/api/droids/", "", route{}},
		{"/apix/", "", route{}},
		{"/", "", route{}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s?%s", tt.path, tt.query), func(t *testing.T) {
			t.Parallel()
			got := parseRoute(tt.path, tt.query)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(route{})); diff != "" {
				t.Errorf("parseRoute mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDraws(t *testing.T) {
	t.Parallel()
	a1, b1 := draws(1, 0)
	a2, b2 := draws(1, 0)
	c1, _ := draws(1, 1)
	d1, _ := draws(2, 0)
	if a1 != a2 || b1 != b2 {
		t.Errorf("draws(1, 0) not repeatable")
	}
	if a1 == c1 || a1 == d1 {
		t.Errorf("draws for different (seed, k) collide: %v %v %v", a1, c1, d1)
	}
	for k := range uint64(1000) {
		j, f := draws(-5, k)
		if j < 0 || j >= 1 || f < 0 || f >= 1 {
			t.Fatalf("draws(-5, %d) = %v, %v: out of [0,1)", k, j, f)
		}
	}
}
