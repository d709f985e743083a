package clean

import (
	"regexp"
	"strings"
	"testing"
	"unicode"
)

func TestText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"  hello\n\tworld  ", "hello world"},
		{"a\u202eevil\u202c b", "aevil b"},                 // right-to-left override
		{"\u2066x\u2069 \u061cy", "x y"},                   // isolates, Arabic letter mark
		{"zero\u200bwidth\u200d\ufeff", "zerowidth"},       // zero-width space, joiner, BOM
		{"@everyone and @Here", "everyone and Here"},       // mass mentions
		{"<@123> <@&45> <#6> <@!7>", "<123> <45> <6> <7>"}, // Discord mention syntax
		{"bad \xff utf8", "bad utf8"},
	} {
		if got := Text(tc.in); got != tc.want {
			t.Errorf("Text(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// autolinked is what Telegram or Discord would turn into a link: a scheme,
// a domain (a dot between a letter or digit and two letters), an e-mail or
// an @username.
var autolinked = regexp.MustCompile(`(?i)://|[\p{L}\p{N}][.．。｡]\p{L}{2}|@[\p{L}\p{N}_]`)

func TestEcho(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://inpud.net@evil.example", "https[:]//inpud[.]net[@]evil[.]example"},
		{"see evil.example now", "see evil[.]example now"},
		{"write to x@evil.org", "write to x[@]evil[.]org"},
		{"ask @evil_admin", "ask [@]evil_admin"},
		{"tg://resolve?domain=x", "tg[:]//resolve?domain=x"},
		{"wide ｅｖｉｌ．ｅｘａｍｐｌｅ", "wide ｅｖｉｌ[.]ｅｘａｍｐｌｅ"},
		{"St. Louis, U.S.A.", "St. Louis, U.S.A."}, // not domains: left alone
		{"Montréal", "Montréal"},
		{"\u202eCanada\u202c", "Canada"},
		{strings.Repeat("a", 100), strings.Repeat("a", 9) + "…"},
	} {
		max := 0
		if len(tc.in) == 100 {
			max = 10
		}
		got := Echo(tc.in, max)
		if got != tc.want {
			t.Errorf("Echo(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if autolinked.MatchString(got) {
			t.Errorf("Echo(%q) = %q can still be linked", tc.in, got)
		}
	}
}

// FuzzEcho checks Echo's promises on any input: nothing a client would
// link, no control, format or bidi characters, at most max runes before
// defanging, and the same as Echo of its own cleaning.
func FuzzEcho(f *testing.F) {
	for _, s := range []string{"https://inpud.net@evil.example", "evil.example", "a\u202eb", "x@y.zz", "@user", "ｅｖｉｌ．ｅｘａｍｐｌｅ", "St. Louis"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Echo(s, 80)
		if autolinked.MatchString(got) {
			t.Fatalf("Echo(%q) = %q can be linked", s, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Echo(%q) = %q keeps %U", s, got, r)
			}
		}
		if Echo(Text(s), 80) != got {
			t.Fatalf("Echo of the cleaned text differs for %q", s)
		}
	})
}

// TestCleanFastPath: text that clean passes as it is, Text leaves
// unchanged, over every string of up to four bytes drawn from the bytes
// that matter to it.
func TestCleanFastPath(t *testing.T) {
	alphabet := []byte{' ', 'a', 'Z', '<', '@', '#', '~', 0x7f, '\t', '\n', 0xc3, 0xa9, 0}
	var walk func(s []byte)
	walk = func(s []byte) {
		if clean(string(s)) && text(string(s)) != string(s) {
			t.Errorf("clean(%q) but text gives %q", s, text(string(s)))
		}
		if len(s) == 4 {
			return
		}
		for _, c := range alphabet {
			walk(append(s, c))
		}
	}
	walk(nil)
	for _, s := range []string{"Canada", "Victoria, BC", "/find Vancouver"} {
		if !clean(s) {
			t.Errorf("clean(%q) = false", s)
		}
	}
}
