// Package report turns fetcher records into per-strategy summaries, renders them as a table,
// markdown, CSV or JSON, and streams the records themselves as NDJSON or CSV.
package report

import (
	"math"
	"time"

	"github.com/fetchbench/fetchbench/fetcher"
	"github.com/fetchbench/fetchbench/internal/naming"
)

// JSONVersion is the version field of the JSON document written by WriteJSON.
const JSONVersion = 1

// Summary is one strategy's run, reduced to numbers. Durations are milliseconds with
// microsecond precision (three decimals at most). The JSON field names are the schema of
// WriteJSON and the CSV header of WriteCSV and are stable. A figure that is unknown is 0 here
// and in the CSV, null in the JSON (see MarshalJSON):
//
//	strategy            "sequential" | "unbounded" | "semaphore" | "ratelimit" | "adaptive"
//	concurrency         semaphore slots, ratelimit in-flight cap or adaptive ceiling; 0 when unused or uncapped
//	rate                ratelimit requests per second; 0 for the other strategies
//	burst               ratelimit token-bucket size (≥ 1); 0 for the other strategies
//	requests, ok, errors                   record counts; ok + errors = requests
//	wall_ms             first request scheduled → last record produced
//	req_per_sec         requests sent (at least one attempt) / wall; unknown when wall is 0
//	speedup             sequential wall / this wall (see NewComparison); unknown without one
//	ideal_ms            IdealWall of the measured service times under this strategy's limits;
//	                    unknown for adaptive without a capacity
//	efficiency          ideal / wall; unknown without an ideal or a wall
//	latency_{min,mean,p50,p90,p95,p99,p999,max,stddev}_ms   wire time of requests sent at least once
//	ttfb_p50_ms, ttfb_p99_ms               time to first byte of requests that got a response
//	queue_p50_ms, queue_p99_ms, queue_max_ms               semaphore or token wait, every record
//	response_p50_ms, response_p99_ms, response_max_ms      ratelimit: response time (end −
//	                    intended start: fetcher.Record.Response) of requests sent; unknown otherwise
//	late_starts         ratelimit: requests whose first attempt started more than 1 ms after its
//	                    slot in the schedule (fetcher.Record.Late); 0 otherwise
//	start_rate          ratelimit: starts per second achieved, (sent − 1) / (last first-attempt
//	                    start − first one); unknown otherwise or with fewer than two starts
//	peak_in_flight      largest number of requests on the wire at once
//	mean_in_flight      time-average of requests on the wire: the final attempts' wire times
//	                    summed, over the wall
//	bytes               body bytes of all final attempts
//	status_counts       {"200": n, ...}: HTTP status of final attempts; requests without a response are not counted
//	error_classes       {"timeout": n, ...}: failed records by fetcher.ErrorClass
//	error_sample        the error text of the lowest-Seq failed record that was not cancelled
//	                    ("" if none); server text may appear here verbatim (JSON-escaped)
//	attempts            attempts on the wire, summed over records
//	retried             records with more than one attempt
//	cancelled           records of class "cancelled"
//	deadline_exceeded, interrupted         from fetcher.RunStats
//	connections         connections opened: records whose final attempt went on a new
//	                    connection (fetcher.Record.ConnReused false), of those with a protocol
//	protocols           {"HTTP/1.1": n, "HTTP/2.0": n}: records by their final response's protocol
//	proxy               the proxy requests went through (password masked); "" for none
//	proxied             records that went through a proxy
//	min_concurrency     adaptive: the floor of its limit; 0 for the other strategies
//	limit_settled       adaptive: the limit it settled on, the median of the limits the
//	                    requests of the second half of the run were admitted under; unknown otherwise
//	capacity            adaptive: the server's true capacity when known (the built-in fake's
//	                    workers); its ideal_ms is the semaphore's at it with every request
//	                    as quick as the quickest; unknown otherwise (and so is ideal_ms)
//	limit_trajectory    adaptive: [{"t_ms","limit"}...], the limit from each change on (at most
//	                    MaxLimitPoints); null otherwise; not in the CSV
//
// Percentiles come from an HDR histogram (3 significant figures) clamped to the exact min and
// max; min, mean, max and the population standard deviation are exact.
type Summary struct {
	Strategy         fetcher.Strategy           `json:"strategy"`
	Concurrency      int                        `json:"concurrency"`
	Rate             float64                    `json:"rate"`
	Burst            int                        `json:"burst"`
	Requests         int                        `json:"requests"`
	OK               int                        `json:"ok"`
	Errors           int                        `json:"errors"`
	WallMS           float64                    `json:"wall_ms"`
	ReqPerSec        float64                    `json:"req_per_sec"`
	Speedup          float64                    `json:"speedup"`
	IdealMS          float64                    `json:"ideal_ms"`
	Efficiency       float64                    `json:"efficiency"`
	LatencyMinMS     float64                    `json:"latency_min_ms"`
	LatencyMeanMS    float64                    `json:"latency_mean_ms"`
	LatencyP50MS     float64                    `json:"latency_p50_ms"`
	LatencyP90MS     float64                    `json:"latency_p90_ms"`
	LatencyP95MS     float64                    `json:"latency_p95_ms"`
	LatencyP99MS     float64                    `json:"latency_p99_ms"`
	LatencyP999MS    float64                    `json:"latency_p999_ms"`
	LatencyMaxMS     float64                    `json:"latency_max_ms"`
	LatencyStddevMS  float64                    `json:"latency_stddev_ms"`
	TTFBP50MS        float64                    `json:"ttfb_p50_ms"`
	TTFBP99MS        float64                    `json:"ttfb_p99_ms"`
	QueueP50MS       float64                    `json:"queue_p50_ms"`
	QueueP99MS       float64                    `json:"queue_p99_ms"`
	QueueMaxMS       float64                    `json:"queue_max_ms"`
	ResponseP50MS    float64                    `json:"response_p50_ms"`
	ResponseP99MS    float64                    `json:"response_p99_ms"`
	ResponseMaxMS    float64                    `json:"response_max_ms"`
	LateStarts       int                        `json:"late_starts"`
	StartRate        float64                    `json:"start_rate"`
	PeakInFlight     int                        `json:"peak_in_flight"`
	MeanInFlight     float64                    `json:"mean_in_flight"`
	Bytes            int64                      `json:"bytes"`
	StatusCounts     map[int]int                `json:"status_counts"`
	ErrorClasses     map[fetcher.ErrorClass]int `json:"error_classes"`
	ErrorSample      string                     `json:"error_sample"`
	Attempts         int                        `json:"attempts"`
	Retried          int                        `json:"retried"`
	Cancelled        int                        `json:"cancelled"`
	NeverConnected   int                        `json:"-"` // records that failed before connecting (fetcher.Record.NeverConnected)
	DeadlineExceeded bool                       `json:"deadline_exceeded"`
	Interrupted      bool                       `json:"interrupted"`
	Connections      int                        `json:"connections"`
	Protocols        map[string]int             `json:"protocols"`
	Proxy            string                     `json:"proxy"`
	Proxied          int                        `json:"proxied"`
	MinConcurrency   int                        `json:"min_concurrency"`
	LimitSettled     int                        `json:"limit_settled"`
	Capacity         int                        `json:"capacity"`
	LimitTrajectory  []LimitPoint               `json:"limit_trajectory"`
}

// Impossible reports whether the efficiency shows above 1.00 (above 1.005): the ideal wall
// is a lower bound of any wall the measured service times allow, so only records that were
// not measured together (made up, or merged from runs that overlapped) can give it. The
// table flags such an efficiency rather than show it as a gain.
func (s Summary) Impossible() bool { return percent(s.Efficiency) > 100 }

// LateShare is the share of requests that started late above which the table marks a
// paced strategy.
const LateShare = 0.01

// ManyLate reports whether more than LateShare of the requests started late.
func (s Summary) ManyLate() bool {
	return s.Requests > 0 && float64(s.LateStarts) > LateShare*float64(s.Requests)
}

// Comparison is the summaries of one invocation's strategies side by side. Build it with
// NewComparison, which computes what compares them once; renderers only read it.
type Comparison struct {
	Summaries []Summary
	// Discovery holds the runs that read a comparison's list pages before the strategies ran
	// (fetcher.PhaseDiscovery): shown under the table, never a row of it.
	Discovery []Summary
	// OptionNamer names the options that the lines under the table refer to (fields
	// "fetcher.Config.NoProxy" and "session.Plan.Repeat"); nil words them. Outputs sets it
	// to its own.
	OptionNamer naming.Namer
}

// NewComparison returns the comparison of sums, in their order, with each Speedup set to the
// wall time of the first sequential summary divided by the summary's wall time. Speedup is 0
// everywhere when there is no sequential summary, and 0 for a summary whose wall (or the
// sequential wall) is 0. The summaries are copied; their maps are shared with sums.
func NewComparison(sums []Summary) Comparison {
	out := append([]Summary(nil), sums...)
	var base float64
	for _, s := range out {
		if s.Strategy.Baseline() {
			base = s.WallMS
			break
		}
	}
	for i := range out {
		out[i].Speedup = 0
		if base > 0 && out[i].WallMS > 0 {
			out[i].Speedup = round(base/out[i].WallMS, 3)
		}
	}
	return Comparison{Summaries: out}
}

// Interrupted reports whether any run was interrupted.
func (c Comparison) Interrupted() bool {
	for _, s := range c.Summaries {
		if s.Interrupted {
			return true
		}
	}
	return false
}

// NeverConnected reports whether there were requests and every one of them, in every run,
// failed before a connection was made; reason then says how ("connection refused", "DNS lookup
// failed", "timed out"), from the first error class in fetcher.ErrorClasses order.
func (c Comparison) NeverConnected() (reason string, ok bool) {
	requests, failed := 0, 0
	for _, s := range c.Summaries {
		requests += s.Requests
		failed += s.NeverConnected
	}
	if requests == 0 || failed != requests {
		return "", false
	}
	for _, class := range fetcher.ErrorClasses {
		for _, s := range c.Summaries {
			if s.ErrorClasses[class] > 0 {
				switch class {
				case fetcher.ClassDNS:
					return "DNS lookup failed", true
				case fetcher.ClassTimeout:
					return "timed out", true
				}
				return string(class), true
			}
		}
	}
	return "no response", true
}

// round rounds x to the given number of decimals.
func round(x float64, decimals int) float64 {
	p := math.Pow(10, float64(decimals))
	return math.Round(x*p) / p
}

// ms converts d to milliseconds rounded to the microsecond.
func ms(d time.Duration) float64 {
	return float64(d.Round(time.Microsecond)/time.Microsecond) / 1000
}

// msFloat converts a nanosecond count to milliseconds rounded to the microsecond.
func msFloat(ns float64) float64 {
	return math.Round(ns/1e3) / 1e3
}

// dur converts milliseconds back to a duration, to the microsecond.
func dur(ms float64) time.Duration {
	return time.Duration(math.Round(ms*1e3)) * time.Microsecond
}
