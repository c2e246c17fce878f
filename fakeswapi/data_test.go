package fakeswapi

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sharedData is where the project keeps the data sets the embedded copies came from; the
// drift test compares with it when it is there (not on a clean clone).
const sharedData = "../../shared/swapi-data"

// TestDataMatchesShared fails when an embedded fixture file says anything else than its source.
func TestDataMatchesShared(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat(sharedData); err != nil {
		t.Skipf("no %s: %v", sharedData, err)
	}
	for _, set := range []string{"dev", "py4e"} {
		files, err := filepath.Glob(filepath.Join(sharedData, set, "*.json"))
		if err != nil || len(files) == 0 {
			t.Fatalf("%s: no fixture files (%v)", set, err)
		}
		embedded, err := dataFS.ReadDir("data/" + set)
		if err != nil {
			t.Fatal(err)
		}
		if len(embedded) != len(files) {
			t.Errorf("%s: %d files embedded, %d in %s", set, len(embedded), len(files), sharedData)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			emb, err := dataFS.ReadFile("data/" + set + "/" + filepath.Base(f))
			if err != nil {
				t.Errorf("%s/%s: not embedded: %v", set, filepath.Base(f), err)
				continue
			}
			var a, b any
			if err := json.Unmarshal(src, &a); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(emb, &b); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(a, b) {
				t.Errorf("%s/%s: the embedded copy differs from %s", set, filepath.Base(f), f)
			}
		}
	}
}

// TestDataFacts checks counts, gaps and the values the fake once "corrected": it serves the
// real data exactly.
func TestDataFacts(t *testing.T) {
	t.Parallel()
	value := func(c *catalog, r resource, id int, key string) string {
		d := c.data.docs[r][id]
		if d == nil {
			t.Fatalf("no %s/%d", r, id)
		}
		m, ok := d.get(key)
		if !ok {
			t.Fatalf("%s/%d has no %s", r, id, key)
		}
		if m.kind == kLinks {
			var ids []string
			for _, id := range m.ids {
				ids = append(ids, r.String()+"/"+itoa(id))
			}
			return strings.Join(ids, ",")
		}
		return m.str
	}
	dev, err := loadCatalog(dialectDev)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		res  resource
		id   int
		key  string
		want string
	}{
		{people, 35, "height", "185"},
		{species, 4, "classification", "sentient"}, // swapped in the real data
		{species, 4, "designation", "reptilian"},
		{vehicles, 73, "cost_in_credits", "60000"},
		{starships, 66, "model", "Aggressive Reconnaissance-170 starfighte"},
		{starships, 5, "manufacturer", "Sienar Fleet Systems, Cyngus Spaceworks"},
	} {
		if got := value(dev, tt.res, tt.id, tt.key); got != tt.want {
			t.Errorf("dev %s/%d %s = %q, want %q", tt.res, tt.id, tt.key, got, tt.want)
		}
	}
	if films := value(dev, vehicles, 18, "films"); !strings.Contains(films, "/3") {
		t.Errorf("dev vehicles/18 films = %s, want film 3 among them", films)
	}
	info, err := loadCatalog(dialectInfo)
	if err != nil {
		t.Fatal(err)
	}
	if got := value(info, starships, 5, "manufacturer"); got != "Sienar Fleet Systems, Cygnus Spaceworks" {
		t.Errorf("info starships/5 manufacturer = %q, want swapi.info's fix", got)
	}
	counts := map[dialect][numResources]int{
		dialectDev:  {people: 82, planets: 60, films: 6, species: 37, vehicles: 39, starships: 36},
		dialectPY4E: {people: 87, planets: 61, films: 7, species: 37, vehicles: 39, starships: 37},
	}
	for d, want := range counts {
		c, err := loadCatalog(d)
		if err != nil {
			t.Fatal(err)
		}
		for r := range numResources {
			if got := len(c.data.ids[r]); got != want[r] {
				t.Errorf("%s: %d %s, want %d", Dialects[d], got, resource(r), want[r])
			}
		}
		if c.data.docs[people][17] != nil {
			t.Errorf("%s: people/17 exists", Dialects[d])
		}
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
