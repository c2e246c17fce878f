package get_test

import (
	"testing"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/get"
	"github.com/fetchbench/fetchbench/swapi"
)

// TestRunConfigNamesRecords: get's run names its records by the SWAPI name scan.
func TestRunConfigNamesRecords(t *testing.T) {
	t.Parallel()
	cfg := get.RunConfig(fetcher.Config{}, fetcher.Sequential, fetcher.Knobs{}, "", true, nil)
	if cfg.Namer != (swapi.Namer{}) {
		t.Errorf("Namer = %#v, want swapi.Namer{}", cfg.Namer)
	}
}
