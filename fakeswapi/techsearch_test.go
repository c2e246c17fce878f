package fakeswapi_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/fetchbench/fetchbench/fakeswapi"
)

// TestTechSearchIsARegexp: swapi.tech's ?name= is a regular expression matched in any case,
// as its MongoDB $regex is: ^L finds the 6 people whose name starts with L, not the 26 whose
// name holds an l.
func TestTechSearchIsARegexp(t *testing.T) {
	t.Parallel()
	srv, _, base := dialectServer(t, "tech", fakeswapi.Options{})
	tests := []struct {
		query string
		want  []string
	}{
		{"^L", []string{"Luke Skywalker", "Leia Organa", "Lando Calrissian", "Lobot", "Luminara Unduli", "Lama Su"}},
		{"^l", []string{"Luke Skywalker", "Leia Organa", "Lando Calrissian", "Lobot", "Luminara Unduli", "Lama Su"}},
		{"sky", []string{"Luke Skywalker", "Anakin Skywalker", "Shmi Skywalker"}},
		{"^luke skywalker$", []string{"Luke Skywalker"}},
		{"d.rth", []string{"Darth Vader", "Darth Maul"}},
		{"skywalker$|^yoda", []string{"Luke Skywalker", "Anakin Skywalker", "Yoda", "Shmi Skywalker"}},
		{"^$", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			t.Parallel()
			r := get(t, srv, base+"people?name="+url.QueryEscape(tt.query))
			var page struct {
				Result []struct {
					Properties struct{ Name string }
				}
			}
			if err := json.Unmarshal(r.body, &page); err != nil || r.status != http.StatusOK {
				t.Fatalf("%d %.200s: %v", r.status, r.body, err)
			}
			var got []string
			for _, p := range page.Result {
				got = append(got, p.Properties.Name)
			}
			if !equalSets(got, tt.want) {
				t.Errorf("?name=%s found %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func equalSets(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		if seen[s]--; seen[s] < 0 {
			return false
		}
	}
	return true
}
