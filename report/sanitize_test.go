package report

import "testing"

func TestSanitize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain", "Luke Skywalker", "Luke Skywalker"},
		{"backslash kept", `a\b`, `a\b`},
		{"unicode kept", "Padmé ✓ 日本 🚀", "Padmé ✓ 日本 🚀"},
		{"clear screen", "\x1b[2J", `\x1b[2J`},
		{"newline tab cr", "a\nb\tc\rd", `a\nb\tc\rd`},
		{"nul bel del", "\x00\x07\x7f", `\x00\x07\x7f`},
		{"c1 csi", "\u009b31m", `\u009b31m`},
		{"c1 nel", "x\u0085y", `x\u0085y`},
		{"line separators", "\u2028\u2029", `\u2028\u2029`},
		{"bidi override", "abc\u202edef\u2066", `abc\u202edef\u2066`},
		{"invalid utf8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"raw c1 byte is invalid utf8", "\x9b", "\uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := Sanitize(tt.in)
			if got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := Sanitize(got); again != got {
				t.Errorf("Sanitize is not idempotent: %q → %q", got, again)
			}
		})
	}
}

func FuzzSanitize(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b[2J", "\xff\u009b\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Sanitize(s)
		for _, r := range got {
			if r < 0x20 || r == 0x7f || unsafeRune(r) {
				t.Fatalf("Sanitize(%q) = %q keeps %U", s, got, r)
			}
		}
	})
}
