package cliflag

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/pflag"
)

// flags is a flag set with one flag of each kind.
func flags() *pflag.FlagSet {
	fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
	var (
		n, retries int
		rate       float64
		timeout    time.Duration
		deadline   time.Duration
		format     string
		ids        []int
		size       int64
	)
	fs.VarP(Int(&n, 10, 1, math.MaxInt), "concurrency", "c", "")
	fs.Var(Int(&retries, 0, 0, 100), "retries", "")
	fs.VarP(Rate(&rate, 10), "rate", "r", "")
	fs.Var(Duration(&timeout, time.Second, false), "timeout", "")
	fs.Var(Duration(&deadline, 0, true), "deadline", "")
	fs.VarP(Choice(&format, "table", []string{"table", "json"}, func(s string) error {
		return Valuef("unknown format %q", s)
	}), "output", "o", "")
	fs.Var(Parsed(&ids, "", func(s string) string { return " " + s + ": " }, func(s string) ([]int, error) {
		n, err := strconv.Atoi(s)
		return []int{n}, err
	}), "ids", "")
	fs.Var(Size(&size, 1<<20, 1), "max-body", "")
	return fs
}

func TestMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		want string // "" means no error; "pflag: ..." a plain pflag error containing the rest
	}{
		{[]string{"-c", "4", "--retries", "100", "-r", "2.5", "--timeout", "1ms", "--deadline", "0", "-o", "json", "--ids", "7", "--max-body", "2KiB"}, ""},
		{[]string{"-c", "0"}, "-c/--concurrency must be at least 1, got 0"},
		{[]string{"--retries", "101"}, "--retries must be between 0 and 100, got 101"},
		{[]string{"--retries", "-1"}, "--retries must be between 0 and 100, got -1"},
		{[]string{"-r", "0"}, "-r/--rate must be between 0.001 and 1e+09 requests per second, got 0"},
		{[]string{"-r", "NaN"}, "-r/--rate must be between 0.001 and 1e+09 requests per second, got NaN"},
		{[]string{"-r", "1e-300"}, "-r/--rate must be between 0.001 and 1e+09 requests per second, got 1e-300"},
		{[]string{"-r", "1e12"}, "-r/--rate must be between 0.001 and 1e+09 requests per second, got 1e12"},
		{[]string{"-r", "0.001"}, ""},
		{[]string{"-r", "1e9"}, ""},
		{[]string{"--timeout", "0"}, "--timeout must be greater than 0, got 0s"},
		{[]string{"--deadline", "-1s"}, "--deadline must not be negative, got -1s"},
		{[]string{"-o", "yaml"}, `-o/--output: unknown format "yaml"`},
		{[]string{"--ids", "x"}, `--ids x: strconv.Atoi: parsing "x": invalid syntax`},
		{[]string{"--max-body", "0"}, "--max-body must be at least 1 byte"},
		{[]string{"--max-body", "lots"}, "pflag: want a size such as 512KiB or 10MiB"},
		{[]string{"-c", "x"}, "pflag: invalid syntax"},
		{[]string{"--timeout", "soon"}, `pflag: time: invalid duration "soon"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			err := flags().Parse(tc.args)
			msg, ok := Message(err)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case strings.HasPrefix(tc.want, "pflag: "):
				if ok || err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(tc.want, "pflag: ")) {
					t.Errorf("error %v (ours %v), want pflag's own mentioning %q", err, ok, tc.want)
				}
			case tc.want != "" && (!ok || msg != tc.want):
				t.Errorf("Message = %q, %v; want %q", msg, ok, tc.want)
			}
		})
	}
	if _, ok := Message(errors.New("other")); ok {
		t.Error("Message of a plain error: ok")
	}
}

// TestDefaults checks what pflag shows as defaults in the usage text.
func TestDefaults(t *testing.T) {
	t.Parallel()
	usage := flags().FlagUsages()
	for _, want := range []string{"-c, --concurrency int ", "(default 10)", "--timeout duration ", "(default 1s)",
		`-o, --output string `, `(default "table")`, "--max-body size ", "(default 1MiB)", "-r, --rate float "} {
		if !strings.Contains(usage, want) {
			t.Errorf("usage lacks %q:\n%s", want, usage)
		}
	}
	if strings.Contains(usage, "default 0") {
		t.Errorf("zero defaults must not be shown:\n%s", usage)
	}
}

func TestLevels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []int
		wantErr string
	}{
		{"8", []int{8}, ""},
		{"1,2,4,8", []int{1, 2, 4, 8}, ""},
		{"1..64", []int{1, 2, 4, 8, 16, 32, 64}, ""},
		{"3..20", []int{3, 6, 12, 20}, ""},
		{"1..2,10", []int{1, 2, 10}, ""},
		{" 5 , 7 ", []int{5, 7}, ""},
		{"4..4", []int{4}, ""},
		{"8..1", nil, "8..1: a range must go up"},
		{"1,1", nil, "level 1 given twice"},
		{"1..4,2", nil, "level 2 given twice"},
		{"0..4", nil, "must be at least 1, got 0"},
		{"1..", nil, "invalid syntax"},
		{"1..9223372036854775807", nil, "more than 32 levels"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var got []int
			var one int
			v := Levels(&got, 10, &one, Int(&one, 10, 1, math.MaxInt))
			if d := cmp.Diff([]int{10}, got); d != "" {
				t.Fatalf("default (-want +got):\n%s", d)
			}
			err := v.Set(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Set(%q) = %v, want an error containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
	var rates []float64
	var one float64
	if err := Levels(&rates, 10, &one, Rate(&one, 10)).Set("5..40,2.5"); err != nil || !slices.Equal(rates, []float64{5, 10, 20, 40, 2.5}) {
		t.Errorf("rates = %v, %v", rates, err)
	}
}
