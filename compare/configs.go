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

// Rotate returns configs rotated left by k (modulo their number): repetition k of a comparison
// starts with its k-th run, so that over len(configs) repetitions every run takes every place
// in the order, and a stateful server (a slow-down, a quota) taxes each alike.
func Rotate(configs []fetcher.Config, k int) []fetcher.Config {
	if len(configs) == 0 {
		return nil
	}
	k %= len(configs)
	return append(append([]fetcher.Config(nil), configs[k:]...), configs[:k]...)
}
