package report

// This file owns a Summary's JSON: null for a figure that is unknown rather than zero.

import (
	"encoding/json"

	"github.com/tidwall/sjson"
)

// MarshalJSON encodes s with null for what it does not know, rather than a 0 that would read
// as a measurement: speedup without a sequential run; ideal_ms and efficiency without an
// ideal (adaptive against a server of unknown capacity); req_per_sec and mean_in_flight
// without a wall; latency_* when no request went on the wire, ttfb_* when none got an answer;
// response_* but for a paced run that sent some; start_rate with fewer than two paced starts;
// limit_settled and capacity unless adaptive knows them.
func (s Summary) MarshalJSON() ([]byte, error) {
	type plain Summary // Summary's fields without this method
	b, err := json.Marshal(plain(s))
	if err != nil {
		return nil, err
	}
	sent, answered := s.Attempts > 0, len(s.StatusCounts) > 0
	paced := s.Rate > 0 && sent
	unknown := []struct {
		members []string
		known   bool
	}{
		{[]string{"req_per_sec", "mean_in_flight"}, s.WallMS != 0},
		{[]string{"speedup"}, s.Speedup != 0},
		{[]string{"ideal_ms"}, s.IdealMS != 0},
		{[]string{"efficiency"}, s.IdealMS != 0 && s.WallMS != 0},
		{[]string{"latency_min_ms", "latency_mean_ms", "latency_p50_ms", "latency_p90_ms", "latency_p95_ms",
			"latency_p99_ms", "latency_p999_ms", "latency_max_ms", "latency_stddev_ms"}, sent},
		{[]string{"ttfb_p50_ms", "ttfb_p99_ms"}, answered},
		{[]string{"response_p50_ms", "response_p99_ms", "response_max_ms"}, paced},
		{[]string{"start_rate"}, s.StartRate != 0},
		{[]string{"limit_settled"}, s.LimitSettled != 0},
		{[]string{"capacity"}, s.Capacity != 0},
	}
	for _, u := range unknown {
		if u.known {
			continue
		}
		for _, m := range u.members {
			if b, err = sjson.SetRawBytes(b, m, []byte("null")); err != nil {
				return nil, err
			}
		}
	}
	return b, nil
}
