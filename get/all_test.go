package get_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/fetchbench/fetchbench/fakeswapi"
	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/internal/faketest"
	"github.com/fetchbench/fetchbench/swapi"
)

// TestRunAll: --all reads a resource's list in each dialect's shape and prints every document
// once, in list order, with the requests each shape needs: a paged list's pages, swapi.tech's
// details besides its pages, swapi.info's one array.
func TestRunAll(t *testing.T) {
	t.Parallel()
	var people []int
	for id := 1; id <= 83; id++ {
		if id != 17 {
			people = append(people, id)
		}
	}
	for _, tt := range []struct {
		dialect  *swapi.Dialect
		resource string
		want     int
		requests int64
	}{
		{swapi.Dev, "people", 82, 9},
		{swapi.PY4E, "people", 87, 9},
		{swapi.Tech, "people", 82, 9 + 82},
		{swapi.Info, "people", 82, 1},
		{swapi.Dev, "vehicles", 39, 4},
		{swapi.Tech, "vehicles", 39, 4 + 39},
		{swapi.Info, "starships", 36, 1},
		{swapi.Tech, "starships", 36, 4 + 36},
		{swapi.Tech, "films", 6, 1},
	} {
		t.Run(tt.dialect.Name+"/"+tt.resource, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fake, srv := faketest.StartInMemory(t, fakeswapi.Options{Dialect: tt.dialect.Name})
				job := get.Job{
					Config: fetcher.Config{Strategy: fetcher.Semaphore, Limits: fetcher.Limits{Slots: 4}, Transport: srv.Transport},
					All:    true, Base: srv.API(), Dialect: tt.dialect, Resource: tt.resource, InputOrder: true,
				}
				var ds []map[string]any
				res, err := get.Run(context.Background(), job, get.Output{
					Document: func(b []byte) error {
						var d map[string]any
						if err := json.Unmarshal(b, &d); err != nil {
							t.Errorf("document %q: %v", b, err)
						}
						ds = append(ds, d)
						return nil
					},
					Failure: func(msg string) { t.Error(msg) },
				})
				if err != nil || res.Documents != tt.want || len(ds) != tt.want {
					t.Fatalf("%d documents printed, %d counted, %v; want %d", len(ds), res.Documents, err, tt.want)
				}
				var ids []int
				for _, d := range ds {
					u, _ := d["url"].(string)
					var id int
					fmt.Sscanf(u[strings.LastIndexByte(strings.TrimSuffix(u, "/"), '/')+1:], "%d", &id)
					ids = append(ids, id)
					if d["name"] == nil && d["title"] == nil {
						t.Errorf("document without name: %v", d)
					}
					if tt.dialect == swapi.Tech && d["uid"] != fmt.Sprint(id) {
						t.Errorf("tech document uid %v, url %s", d["uid"], u)
					}
				}
				if tt.resource == "people" && tt.dialect != swapi.PY4E && !slices.Equal(ids, people) {
					t.Errorf("ids %v, want 1..83 without 17 in order", ids)
				}
				if got := fake.Stats().Requests; got != tt.requests {
					t.Errorf("the fake saw %d requests, want %d", got, tt.requests)
				}
			})
		})
	}
}
