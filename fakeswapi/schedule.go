package fakeswapi

// This file owns the fake's worker schedule: a count, or counts from given moments.

// WorkerSchedule is a --fake-workers value: a count, or counts from given moments.
type WorkerSchedule struct {
	Workers int
	Steps   []WorkerStep
}

// ParseWorkerSchedule parses a --fake-workers value (see ParseWorkers).
func ParseWorkerSchedule(s string) (WorkerSchedule, error) {
	n, steps, err := ParseWorkers(s)
	return WorkerSchedule{n, steps}, err
}

// Capacity is the fake's true capacity: its fixed number of workers; 0 when unlimited or
// when it changes during the run.
func (w WorkerSchedule) Capacity() int {
	if len(w.Steps) > 0 {
		return 0
	}
	return w.Workers
}
