package fakeswapi

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// The data sets are the Django fixtures that swapi.dev (data/dev) and swapi.py4e.com
// (data/py4e) load, compacted to one row a line; data/crawls.json holds the fake's own opening
// crawls, which replace the real ones (emptied in the fixtures).
//
//go:embed data/dev/*.json data/py4e/*.json data/crawls.json data/schemas.json
var dataFS embed.FS

// resource is one of SWAPI's six collections, in the order swapi.dev's root lists them.
type resource int

const (
	people resource = iota
	planets
	films
	species
	vehicles
	starships
	numResources
)

var resourceNames = [numResources]string{"people", "planets", "films", "species", "vehicles", "starships"}

func (r resource) String() string { return resourceNames[r] }

func resourceByName(name string) (resource, bool) {
	for r, n := range resourceNames {
		if n == name {
			return resource(r), true
		}
	}
	return 0, false
}

// dataSet names one of the embedded fixture sets.
type dataSet string

const (
	dataDev  dataSet = "dev"  // swapi.dev's, also behind swapi.info and (as values) swapi.tech
	dataPY4E dataSet = "py4e" // swapi.py4e.com's
)

// fixture is one row of a Django dumpdata file.
type fixture struct {
	Model  string          `json:"model"`
	PK     int             `json:"pk"`
	Fields json.RawMessage `json:"fields"`
}

type stamped struct {
	Created string `json:"created"`
	Edited  string `json:"edited"`
}

type personFields struct {
	Name      string `json:"name"`
	Height    string `json:"height"`
	Mass      string `json:"mass"`
	HairColor string `json:"hair_color"`
	SkinColor string `json:"skin_color"`
	EyeColor  string `json:"eye_color"`
	BirthYear string `json:"birth_year"`
	Gender    string `json:"gender"`
	Homeworld int    `json:"homeworld"`
	stamped
}

type planetFields struct {
	Name           string `json:"name"`
	RotationPeriod string `json:"rotation_period"`
	OrbitalPeriod  string `json:"orbital_period"`
	Diameter       string `json:"diameter"`
	Climate        string `json:"climate"`
	Gravity        string `json:"gravity"`
	Terrain        string `json:"terrain"`
	SurfaceWater   string `json:"surface_water"`
	Population     string `json:"population"`
	stamped
}

type filmFields struct {
	Title        string `json:"title"`
	EpisodeID    int    `json:"episode_id"`
	OpeningCrawl string `json:"opening_crawl"`
	Director     string `json:"director"`
	Producer     string `json:"producer"`
	ReleaseDate  string `json:"release_date"`
	Characters   []int  `json:"characters"`
	Planets      []int  `json:"planets"`
	Starships    []int  `json:"starships"`
	Vehicles     []int  `json:"vehicles"`
	Species      []int  `json:"species"`
	stamped
}

type speciesFields struct {
	Name            string `json:"name"`
	Classification  string `json:"classification"`
	Designation     string `json:"designation"`
	AverageHeight   string `json:"average_height"`
	SkinColors      string `json:"skin_colors"`
	HairColors      string `json:"hair_colors"`
	EyeColors       string `json:"eye_colors"`
	AverageLifespan string `json:"average_lifespan"`
	Homeworld       *int   `json:"homeworld"`
	Language        string `json:"language"`
	People          []int  `json:"people"`
	stamped
}

type transportFields struct {
	Name                 string `json:"name"`
	Model                string `json:"model"`
	Manufacturer         string `json:"manufacturer"`
	CostInCredits        string `json:"cost_in_credits"`
	Length               string `json:"length"`
	MaxAtmospheringSpeed string `json:"max_atmosphering_speed"`
	Crew                 string `json:"crew"`
	Passengers           string `json:"passengers"`
	CargoCapacity        string `json:"cargo_capacity"`
	Consumables          string `json:"consumables"`
	stamped
}

type starshipFields struct {
	HyperdriveRating string `json:"hyperdrive_rating"`
	MGLT             string `json:"MGLT"`
	StarshipClass    string `json:"starship_class"`
	Pilots           []int  `json:"pilots"`
}

type vehicleFields struct {
	VehicleClass string `json:"vehicle_class"`
	Pilots       []int  `json:"pilots"`
}

// readFixtures decodes data/<set>/<name>.json into a map from pk to fields of type T,
// refusing unknown fields, a model other than model, and duplicate or non-positive pks.
func readFixtures[T any](set dataSet, name, model string) (map[int]*T, error) {
	b, err := dataFS.ReadFile("data/" + string(set) + "/" + name + ".json")
	if err != nil {
		return nil, err
	}
	var rows []fixture
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", set, name, err)
	}
	out := make(map[int]*T, len(rows))
	for _, row := range rows {
		if row.Model != model {
			return nil, fmt.Errorf("%s/%s pk %d: model %q, want %q", set, name, row.PK, row.Model, model)
		}
		if row.PK <= 0 || out[row.PK] != nil {
			return nil, fmt.Errorf("%s/%s: pk %d not positive or repeated", set, name, row.PK)
		}
		var f T
		dec := json.NewDecoder(bytes.NewReader(row.Fields))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return nil, fmt.Errorf("%s/%s pk %d: %w", set, name, row.PK, err)
		}
		out[row.PK] = &f
	}
	return out, nil
}

// kind is the type of a member's value.
type kind uint8

const (
	kString kind = iota
	kNumber
	kNull
	kLink  // one link to (res, ids[0])
	kLinks // an array of links to res
)

// member is one member of a document: its key and value. Links are resolved when rendered.
type member struct {
	key  string
	kind kind
	str  string // kString; kNumber as its digits
	res  resource
	ids  []int
}

func str(key, v string) member     { return member{key: key, str: v} }
func num(key string, v int) member { return member{key: key, kind: kNumber, str: strconv.Itoa(v)} }
func one(key string, r resource, id int) member {
	return member{key: key, kind: kLink, res: r, ids: []int{id}}
}

// many is a member linking to ids of r in id order, as Django lists a many-to-many relation
// (swapi.py4e.com's film 7 lists starships 10 and 77, which its fixture holds as 77, 10).
func many(key string, r resource, ids []int) member {
	return member{key: key, kind: kLinks, res: r, ids: slices.Sorted(slices.Values(ids))}
}

// document is one resource document in swapi.dev's member order, without its "url" member,
// which every dialect places itself.
type document struct {
	res     resource
	id      int
	name    string // name, or a film's title
	members []member
	created time.Time
	edited  time.Time
}

// get returns the member called key.
func (d *document) get(key string) (member, bool) {
	for _, m := range d.members {
		if m.key == key {
			return m, true
		}
	}
	return member{}, false
}

// dataset is one fixture set turned into documents, relations derived in both directions.
type dataset struct {
	docs [numResources]map[int]*document
	ids  [numResources][]int // sorted
}

// inverse maps an id to the ids of the records that reference it.
type inverse map[int][]int

func (inv inverse) add(to, from int) { inv[to] = append(inv[to], from) }

// get is the referencing ids in ascending order, as swapi.dev lists a derived relation.
func (inv inverse) get(id int) []int {
	ids := slices.Clone(inv[id])
	slices.Sort(ids)
	return slices.Compact(ids)
}

// fixtureTime parses a fixture timestamp ("2014-12-09T13:50:51.644Z").
func fixtureTime(what, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", what, err)
	}
	return t, nil
}

func (d *document) stamp(s stamped) error {
	var err error
	what := d.res.String() + "/" + strconv.Itoa(d.id)
	if d.created, err = fixtureTime(what+" created", s.Created); err != nil {
		return err
	}
	d.edited, err = fixtureTime(what+" edited", s.Edited)
	return err
}

// loadDataset reads and links one fixture set; crawls replace the films' opening crawls.
func loadDataset(set dataSet) (*dataset, error) {
	ppl, err := readFixtures[personFields](set, "people", "resources.people")
	if err != nil {
		return nil, err
	}
	pls, err := readFixtures[planetFields](set, "planets", "resources.planet")
	if err != nil {
		return nil, err
	}
	fls, err := readFixtures[filmFields](set, "films", "resources.film")
	if err != nil {
		return nil, err
	}
	sps, err := readFixtures[speciesFields](set, "species", "resources.species")
	if err != nil {
		return nil, err
	}
	trs, err := readFixtures[transportFields](set, "transport", "resources.transport")
	if err != nil {
		return nil, err
	}
	shs, err := readFixtures[starshipFields](set, "starships", "resources.starship")
	if err != nil {
		return nil, err
	}
	vhs, err := readFixtures[vehicleFields](set, "vehicles", "resources.vehicle")
	if err != nil {
		return nil, err
	}
	crawls, err := readCrawls()
	if err != nil {
		return nil, err
	}
	for id := range shs {
		if vhs[id] != nil {
			return nil, fmt.Errorf("%s: transport %d is both a starship and a vehicle", set, id)
		}
	}
	for id := range trs {
		if shs[id] == nil && vhs[id] == nil {
			return nil, fmt.Errorf("%s: transport %d is neither a starship nor a vehicle", set, id)
		}
	}
	exists := func(r resource, id int) bool {
		switch r {
		case people:
			return ppl[id] != nil
		case planets:
			return pls[id] != nil
		case films:
			return fls[id] != nil
		case species:
			return sps[id] != nil
		case vehicles:
			return vhs[id] != nil && trs[id] != nil
		}
		return shs[id] != nil && trs[id] != nil
	}
	check := func(what string, r resource, ids ...int) error {
		for _, id := range ids {
			if !exists(r, id) {
				return fmt.Errorf("%s: %s: dangling reference to %s/%d", set, what, r, id)
			}
		}
		return nil
	}

	var (
		residents      = inverse{}
		personFilms    = inverse{}
		personSpecies  = inverse{}
		personVehicles = inverse{}
		personShips    = inverse{}
		planetFilms    = inverse{}
		speciesFilms   = inverse{}
		shipFilms      = inverse{}
		vehicleFilms   = inverse{}
	)
	for id, p := range ppl {
		if err := check(fmt.Sprintf("people/%d homeworld", id), planets, p.Homeworld); err != nil {
			return nil, err
		}
		residents.add(p.Homeworld, id)
	}
	for id, f := range fls {
		for _, c := range []struct {
			res resource
			ids []int
			inv inverse
		}{
			{people, f.Characters, personFilms},
			{planets, f.Planets, planetFilms},
			{starships, f.Starships, shipFilms},
			{vehicles, f.Vehicles, vehicleFilms},
			{species, f.Species, speciesFilms},
		} {
			if err := check(fmt.Sprintf("films/%d %s", id, c.res), c.res, c.ids...); err != nil {
				return nil, err
			}
			for _, to := range c.ids {
				c.inv.add(to, id)
			}
		}
	}
	for id, s := range sps {
		if s.Homeworld != nil {
			if err := check(fmt.Sprintf("species/%d homeworld", id), planets, *s.Homeworld); err != nil {
				return nil, err
			}
		}
		if err := check(fmt.Sprintf("species/%d people", id), people, s.People...); err != nil {
			return nil, err
		}
		for _, p := range s.People {
			personSpecies.add(p, id)
		}
	}
	for id, s := range shs {
		if err := check(fmt.Sprintf("starships/%d pilots", id), people, s.Pilots...); err != nil {
			return nil, err
		}
		for _, p := range s.Pilots {
			personShips.add(p, id)
		}
	}
	for id, v := range vhs {
		if err := check(fmt.Sprintf("vehicles/%d pilots", id), people, v.Pilots...); err != nil {
			return nil, err
		}
		for _, p := range v.Pilots {
			personVehicles.add(p, id)
		}
	}

	ds := &dataset{}
	add := func(d *document, s stamped) error {
		if err := d.stamp(s); err != nil {
			return err
		}
		if ds.docs[d.res] == nil {
			ds.docs[d.res] = map[int]*document{}
		}
		ds.docs[d.res][d.id] = d
		ds.ids[d.res] = append(ds.ids[d.res], d.id)
		return nil
	}
	for id, p := range ppl {
		d := &document{res: people, id: id, name: p.Name, members: []member{
			str("name", p.Name), str("height", p.Height), str("mass", p.Mass),
			str("hair_color", p.HairColor), str("skin_color", p.SkinColor), str("eye_color", p.EyeColor),
			str("birth_year", p.BirthYear), str("gender", p.Gender),
			one("homeworld", planets, p.Homeworld),
			many("films", films, personFilms.get(id)),
			many("species", species, personSpecies.get(id)),
			many("vehicles", vehicles, personVehicles.get(id)),
			many("starships", starships, personShips.get(id)),
		}}
		if err := add(d, p.stamped); err != nil {
			return nil, err
		}
	}
	for id, p := range pls {
		d := &document{res: planets, id: id, name: p.Name, members: []member{
			str("name", p.Name), str("rotation_period", p.RotationPeriod), str("orbital_period", p.OrbitalPeriod),
			str("diameter", p.Diameter), str("climate", p.Climate), str("gravity", p.Gravity),
			str("terrain", p.Terrain), str("surface_water", p.SurfaceWater), str("population", p.Population),
			many("residents", people, residents.get(id)),
			many("films", films, planetFilms.get(id)),
		}}
		if err := add(d, p.stamped); err != nil {
			return nil, err
		}
	}
	for id, f := range fls {
		crawl, ok := crawls[id]
		if !ok {
			return nil, fmt.Errorf("%s: films/%d has no opening crawl in crawls.json", set, id)
		}
		d := &document{res: films, id: id, name: f.Title, members: []member{
			str("title", f.Title), num("episode_id", f.EpisodeID), str("opening_crawl", crawl),
			str("director", f.Director), str("producer", f.Producer), str("release_date", f.ReleaseDate),
			many("characters", people, f.Characters),
			many("planets", planets, f.Planets),
			many("starships", starships, f.Starships),
			many("vehicles", vehicles, f.Vehicles),
			many("species", species, f.Species),
		}}
		if err := add(d, f.stamped); err != nil {
			return nil, err
		}
	}
	for id, s := range sps {
		hw := member{key: "homeworld", kind: kNull}
		if s.Homeworld != nil {
			hw = one("homeworld", planets, *s.Homeworld)
		}
		d := &document{res: species, id: id, name: s.Name, members: []member{
			str("name", s.Name), str("classification", s.Classification), str("designation", s.Designation),
			str("average_height", s.AverageHeight), str("skin_colors", s.SkinColors), str("hair_colors", s.HairColors),
			str("eye_colors", s.EyeColors), str("average_lifespan", s.AverageLifespan),
			hw, str("language", s.Language),
			many("people", people, s.People),
			many("films", films, speciesFilms.get(id)),
		}}
		if err := add(d, s.stamped); err != nil {
			return nil, err
		}
	}
	craft := func(t *transportFields) []member {
		return []member{
			str("name", t.Name), str("model", t.Model), str("manufacturer", t.Manufacturer),
			str("cost_in_credits", t.CostInCredits), str("length", t.Length),
			str("max_atmosphering_speed", t.MaxAtmospheringSpeed), str("crew", t.Crew),
			str("passengers", t.Passengers), str("cargo_capacity", t.CargoCapacity), str("consumables", t.Consumables),
		}
	}
	for id, s := range shs {
		t := trs[id]
		if t == nil {
			return nil, fmt.Errorf("%s: starships/%d has no transport row", set, id)
		}
		d := &document{res: starships, id: id, name: t.Name, members: append(craft(t),
			str("hyperdrive_rating", s.HyperdriveRating), str("MGLT", s.MGLT), str("starship_class", s.StarshipClass),
			many("pilots", people, s.Pilots),
			many("films", films, shipFilms.get(id)),
		)}
		if err := add(d, t.stamped); err != nil {
			return nil, err
		}
	}
	for id, v := range vhs {
		t := trs[id]
		if t == nil {
			return nil, fmt.Errorf("%s: vehicles/%d has no transport row", set, id)
		}
		d := &document{res: vehicles, id: id, name: t.Name, members: append(craft(t),
			str("vehicle_class", v.VehicleClass),
			many("pilots", people, v.Pilots),
			many("films", films, vehicleFilms.get(id)),
		)}
		if err := add(d, t.stamped); err != nil {
			return nil, err
		}
	}
	for r := range numResources {
		if len(ds.ids[r]) == 0 {
			return nil, fmt.Errorf("%s: no %s", set, resource(r))
		}
		slices.Sort(ds.ids[r])
	}
	return ds, nil
}

// readCrawls reads the fake's opening crawls by film id.
func readCrawls() (map[int]string, error) {
	b, err := dataFS.ReadFile("data/crawls.json")
	if err != nil {
		return nil, err
	}
	var byKey map[string]string
	if err := json.Unmarshal(b, &byKey); err != nil {
		return nil, fmt.Errorf("crawls.json: %w", err)
	}
	out := make(map[int]string, len(byKey))
	for k, v := range byKey {
		id, err := strconv.Atoi(k)
		if err != nil {
			return nil, fmt.Errorf("crawls.json: key %q is not an id", k)
		}
		out[id] = v
	}
	return out, nil
}
