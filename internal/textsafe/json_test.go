package textsafe

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestCleanJSON(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ in, want string }{
		{`{ "b" : 1, "a" : [ true, false, null, "x" ] }`, `{"b":1,"a":[true,false,null,"x"]}`},
		{"{\"s\":\"line\\nnext \u009b \u202e <&>\"}", `{"s":"line\nnext \u009b \u202e <&>"}`},
		{"\"\xff\"", `"` + "\ufffd" + `"`},
		{`1.50e+3`, `1.50e+3`},
		{`{"a":{}, "b":[]}`, `{"a":{},"b":[]}`},
		{`{"z":1,"z":2}`, `{"z":1,"z":2}`},
	} {
		got, err := CleanJSON([]byte(tt.in))
		if err != nil || string(got) != tt.want {
			t.Errorf("CleanJSON(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{``, `{"a":}`, `[1,2`, `{"a":1} x`} {
		if got, err := CleanJSON([]byte(bad)); err == nil {
			t.Errorf("CleanJSON(%q) = %q, want an error", bad, got)
		}
	}
}

// FuzzCleanJSON checks that CleanJSON accepts exactly the valid JSON values, and makes each one
// line of valid UTF-8 JSON without unsafe runes that decodes to the same value.
func FuzzCleanJSON(f *testing.F) {
	for _, s := range []string{`{"a":[1,2.5e3,true,null,"x\u009by"]}`, "\"\xff\xfe\"", `[{"z":{}}]`, `1 2`, `{"a":`, " \n\"\u2028\" "} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := CleanJSON(in)
		if (err == nil) != json.Valid(in) {
			t.Fatalf("CleanJSON(%q) error %v, but json.Valid says %v", in, err, json.Valid(in))
		}
		if err != nil {
			return
		}
		if !json.Valid(out) || !utf8.Valid(out) || bytes.ContainsAny(out, "\n\r") {
			t.Fatalf("CleanJSON(%q) = %q: not one line of valid UTF-8 JSON", in, out)
		}
		for _, r := range string(out) {
			if Unsafe(r) {
				t.Fatalf("CleanJSON(%q) = %q keeps %U", in, out, r)
			}
		}
		var a, b any
		json.Unmarshal(in, &a)
		json.Unmarshal(out, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("CleanJSON(%q) = %q decodes to %v, want %v", in, out, b, a)
		}
	})
}
