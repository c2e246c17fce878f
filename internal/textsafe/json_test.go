package textsafe

import "testing"

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
