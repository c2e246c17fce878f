package compare

// This file owns turning the chosen strategies and their levels into a comparison's runs.

import "github.com/fetchbench/fetchbench/fetcher"

// Configs are a comparison's runs: for each strategy in order, one config per level of its
// sweep (Strategy.Levels of knobs, slots and rates), each a copy of base with that strategy
// and its limits.
func Configs(base fetcher.Config, strategies []fetcher.Strategy, knobs fetcher.Knobs, slots []int, rates []float64) []fetcher.Config {
	var configs []fetcher.Config
	for _, s := range strategies {
		for _, k := range s.Levels(knobs, slots, rates) {
			c := base
			c.Strategy, c.Limits = s, s.Limits(k)
			configs = append(configs, c)
		}
	}
	return configs
}
