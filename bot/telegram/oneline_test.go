package telegram

import (
	"strings"
	"testing"
)

// FuzzOneLine: oneLine, which stops early, says exactly what collapsing
// all of the text and then truncating it says.
func FuzzOneLine(f *testing.F) {
	f.Add("  Vancouver Area Network of Drug Users\n\tpeer-run  since 1998 ", 20)
	f.Add(strings.Repeat("wörd 😀 ", 100), 256)
	f.Add("a b", 3)
	f.Add("\xff\xfe  x", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 1 || n > 1000 {
			return
		}
		want := truncate(strings.Join(strings.Fields(s), " "), n)
		if got := oneLine(s, n); got != want {
			t.Fatalf("oneLine(%q, %d) = %q, want %q", s, n, got, want)
		}
	})
}
