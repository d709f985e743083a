package bot

import (
	"strings"
	"testing"
)

// TestRepliesEchoCleanText: every reply that repeats what someone typed
// shows it without bidi overrides or invisible characters, and with web
// addresses defanged so that no client links them (issue 12, defect 3).
func TestRepliesEchoCleanText(t *testing.T) {
	b := MustBot(t)
	lb := langBot(t, newMemPrefs(), "")
	evil := "https://inpud.net@evil.example"
	for _, tc := range []struct {
		bot  *Bot
		in   string
		want string
	}{
		{b, "/find \u202eadnagU\u202c zzqx", "couldn't find anything for “adnagU zzqx”"},
		{b, "/find " + evil, "https[:]//inpud[.]net[@]evil[.]example"},
		{b, "/find near " + evil, "https[:]//inpud[.]net[@]evil[.]example"},
		{b, "/network \u2067" + evil, "https[:]//inpud[.]net[@]evil[.]example"},
		{lb, "/lang \u200b" + evil, "https[:]//inpud[.]net[@]evil[.]example"},
		{b, "/evil.example", "/evil[.]example"},
	} {
		m := private(tc.in)
		m.Platform = "test"
		got := ask(t, tc.bot, m)
		if !strings.Contains(got, tc.want) {
			t.Errorf("%q → %q; want it to show %q", tc.in, got, tc.want)
		}
		if strings.ContainsAny(got, "\u202e\u202c\u2067\u200b") {
			t.Errorf("%q → %q keeps a bidi or invisible character", tc.in, got)
		}
		if strings.Contains(got, "://") || strings.Contains(got, "evil.example") || strings.Contains(got, "inpud.net@") {
			t.Errorf("%q → %q echoes a linkable address", tc.in, got)
		}
	}
}
