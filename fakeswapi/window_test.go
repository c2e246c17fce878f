package fakeswapi

import (
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

func TestParseDRF(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path string
		want drfRoute
	}{
		{"/api/", drfRoute{kind: routeRoot}},
		{"/api", drfRoute{kind: routeRedirect, to: "/api/"}},
		{"/api/people/", drfRoute{kind: routeList, res: people}},
		{"/api/people.json", drfRoute{kind: routeList, res: people, format: "json"}},
		{"/api/people", drfRoute{kind: routeRedirect, res: people, to: "/api/people/"}},
		{"/api/people/schema", drfRoute{kind: routeSchema, res: people}},
		{"/api/people/schema/", drfRoute{kind: routeDetail, res: people, id: "schema"}},
		{"/api/starships/10/", drfRoute{kind: routeDetail, res: starships, id: "10"}},
		{"/api/starships/10.json", drfRoute{kind: routeDetail, res: starships, id: "10", format: "json"}},
		{"/api/starships/10", drfRoute{kind: routeRedirect, res: starships, to: "/api/starships/10/"}},
		{"/api/starships/ten/", drfRoute{kind: routeDetail, res: starships, id: "ten"}},
		{"/api/starships/10/x", drfRoute{}},
		{"/api/starships/10/films/", drfRoute{}},
		{"/api/droids/", drfRoute{}},
		{"/api/droids", drfRoute{}},
		{"/apix/", drfRoute{}},
		{"/", drfRoute{}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			t.Parallel()
			got := parseDRF(tt.path)
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(drfRoute{})); diff != "" {
				t.Errorf("parseDRF mismatch (-want +got):\n%s", diff)
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
