package report

// This file owns a Summary's JSON: null for a figure that is unknown rather than zero.

import (
	"encoding/json"

	"github.com/fetchbench/fetchbench/fetcher"
)

// summaryJSON is a Summary as WriteJSON writes it: the same fields in the same order, a
// pointer (nil: null) for each figure that can be unknown.
type summaryJSON struct {
	Strategy         fetcher.Strategy           `json:"strategy"`
	Concurrency      int                        `json:"concurrency"`
	Rate             float64                    `json:"rate"`
	Burst            int                        `json:"burst"`
	Requests         int                        `json:"requests"`
	OK               int                        `json:"ok"`
	Errors           int                        `json:"errors"`
	WallMS           float64                    `json:"wall_ms"`
	ReqPerSec        *float64                   `json:"req_per_sec"`
	Speedup          *float64                   `json:"speedup"`
	IdealMS          *float64                   `json:"ideal_ms"`
	Efficiency       *float64                   `json:"efficiency"`
	LatencyMinMS     *float64                   `json:"latency_min_ms"`
	LatencyMeanMS    *float64                   `json:"latency_mean_ms"`
	LatencyP50MS     *float64                   `json:"latency_p50_ms"`
	LatencyP90MS     *float64                   `json:"latency_p90_ms"`
	LatencyP95MS     *float64                   `json:"latency_p95_ms"`
	LatencyP99MS     *float64                   `json:"latency_p99_ms"`
	LatencyP999MS    *float64                   `json:"latency_p999_ms"`
	LatencyMaxMS     *float64                   `json:"latency_max_ms"`
	LatencyStddevMS  *float64                   `json:"latency_stddev_ms"`
	TTFBP50MS        *float64                   `json:"ttfb_p50_ms"`
	TTFBP99MS        *float64                   `json:"ttfb_p99_ms"`
	QueueP50MS       float64                    `json:"queue_p50_ms"`
	QueueP99MS       float64                    `json:"queue_p99_ms"`
	QueueMaxMS       float64                    `json:"queue_max_ms"`
	ResponseP50MS    *float64                   `json:"response_p50_ms"`
	ResponseP99MS    *float64                   `json:"response_p99_ms"`
	ResponseMaxMS    *float64                   `json:"response_max_ms"`
	LateStarts       int                        `json:"late_starts"`
	StartRate        *float64                   `json:"start_rate"`
	PeakInFlight     int                        `json:"peak_in_flight"`
	MeanInFlight     *float64                   `json:"mean_in_flight"`
	Bytes            int64                      `json:"bytes"`
	StatusCounts     map[int]int                `json:"status_counts"`
	ErrorClasses     map[fetcher.ErrorClass]int `json:"error_classes"`
	ErrorSample      string                     `json:"error_sample"`
	Attempts         int                        `json:"attempts"`
	Retried          int                        `json:"retried"`
	Cancelled        int                        `json:"cancelled"`
	DeadlineExceeded bool                       `json:"deadline_exceeded"`
	Interrupted      bool                       `json:"interrupted"`
	Connections      int                        `json:"connections"`
	Protocols        map[string]int             `json:"protocols"`
	Proxy            string                     `json:"proxy"`
	Proxied          int                        `json:"proxied"`
	MinConcurrency   int                        `json:"min_concurrency"`
	LimitSettled     *int                       `json:"limit_settled"`
	Capacity         *int                       `json:"capacity"`
	LimitTrajectory  []LimitPoint               `json:"limit_trajectory"`
}

// MarshalJSON encodes s with null for what it does not know, rather than a 0 that would read
// as a measurement: speedup without a sequential run; ideal_ms and efficiency without an
// ideal (adaptive against a server of unknown capacity); req_per_sec and mean_in_flight
// without a wall; latency_* when no request went on the wire, ttfb_* when none got an answer;
// response_* but for a paced run that sent some; start_rate with fewer than two paced starts;
// limit_settled and capacity unless adaptive knows them.
func (s Summary) MarshalJSON() ([]byte, error) {
	sent, answered := s.Attempts > 0, len(s.StatusCounts) > 0
	paced := s.Rate > 0 && sent
	return json.Marshal(summaryJSON{
		Strategy:         s.Strategy,
		Concurrency:      s.Concurrency,
		Rate:             s.Rate,
		Burst:            s.Burst,
		Requests:         s.Requests,
		OK:               s.OK,
		Errors:           s.Errors,
		WallMS:           s.WallMS,
		ReqPerSec:        known(s.WallMS != 0, s.ReqPerSec),
		Speedup:          known(s.Speedup != 0, s.Speedup),
		IdealMS:          known(s.IdealMS != 0, s.IdealMS),
		Efficiency:       known(s.IdealMS != 0 && s.WallMS != 0, s.Efficiency),
		LatencyMinMS:     known(sent, s.LatencyMinMS),
		LatencyMeanMS:    known(sent, s.LatencyMeanMS),
		LatencyP50MS:     known(sent, s.LatencyP50MS),
		LatencyP90MS:     known(sent, s.LatencyP90MS),
		LatencyP95MS:     known(sent, s.LatencyP95MS),
		LatencyP99MS:     known(sent, s.LatencyP99MS),
		LatencyP999MS:    known(sent, s.LatencyP999MS),
		LatencyMaxMS:     known(sent, s.LatencyMaxMS),
		LatencyStddevMS:  known(sent, s.LatencyStddevMS),
		TTFBP50MS:        known(answered, s.TTFBP50MS),
		TTFBP99MS:        known(answered, s.TTFBP99MS),
		QueueP50MS:       s.QueueP50MS,
		QueueP99MS:       s.QueueP99MS,
		QueueMaxMS:       s.QueueMaxMS,
		ResponseP50MS:    known(paced, s.ResponseP50MS),
		ResponseP99MS:    known(paced, s.ResponseP99MS),
		ResponseMaxMS:    known(paced, s.ResponseMaxMS),
		LateStarts:       s.LateStarts,
		StartRate:        known(s.StartRate != 0, s.StartRate),
		PeakInFlight:     s.PeakInFlight,
		MeanInFlight:     known(s.WallMS != 0, s.MeanInFlight),
		Bytes:            s.Bytes,
		StatusCounts:     s.StatusCounts,
		ErrorClasses:     s.ErrorClasses,
		ErrorSample:      s.ErrorSample,
		Attempts:         s.Attempts,
		Retried:          s.Retried,
		Cancelled:        s.Cancelled,
		DeadlineExceeded: s.DeadlineExceeded,
		Interrupted:      s.Interrupted,
		Connections:      s.Connections,
		Protocols:        s.Protocols,
		Proxy:            s.Proxy,
		Proxied:          s.Proxied,
		MinConcurrency:   s.MinConcurrency,
		LimitSettled:     known(s.LimitSettled != 0, s.LimitSettled),
		Capacity:         known(s.Capacity != 0, s.Capacity),
		LimitTrajectory:  s.LimitTrajectory,
	})
}

// known is &v when ok, else nil.
func known[T any](ok bool, v T) *T {
	if !ok {
		return nil
	}
	return &v
}
