package moderation

import (
	"strings"
	"testing"

	"github.com/unionbot/unionbot/store"
)

// TestLookalikeNameIsFlagged: "АЅՍᎠ" (Cyrillic А and Ѕ, Armenian Ս,
// Cherokee Ꭰ) reads "ASUD". Suggested in Paris, it is queued with ASUD as a
// likely duplicate and the card warns of the look-alike and of the mixed
// alphabets.
func TestLookalikeNameIsFlagged(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/suggest АЅՍᎠ | Paris, France"), "S-1")
		it := h.item("S-1")
		if len(it.Duplicates) == 0 || it.Duplicates[0] != "asud" {
			t.Errorf("duplicates = %v, want asud first", it.Duplicates)
		}
		card := render(h.svc.card(h.dir.Index(), it, "en"))
		mustContain(t, card, "Possible duplicate of: Auto-Support des Usagers de Drogues (ASUD)",
			"Look-alike: the name “АЅՍᎠ” reads like ASUD, which is listed (/org asud)",
			"Mixed alphabets: “АЅՍᎠ” mixes Armenian, Cherokee, Cyrillic in one word")
		// The same warning in the moderators' language.
		mustContain(t, render(h.svc.card(h.dir.Index(), it, "fr")), "Ressemblance")
	})
}

// TestLookalikeWebsiteIsRefused: a host that mixes a Cyrillic "а" into a
// Latin word is refused without being echoed; a single-script host that
// reads like a listed one is queued with a warning that shows its punycode.
func TestLookalikeWebsiteIsRefused(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 10, PerDay: 10})
		got := h.say("u1", "/suggest Paris Peers | Paris, France | https://www.аsud.org")
		mustContain(t, got, "mixes letters of different alphabets (Cyrillic, Latin)")
		if strings.Contains(got, "аsud") || strings.Contains(got, "S-1") {
			t.Errorf("look-alike host echoed or queued: %q", got)
		}
		// Its punycode form is the same host, and refused the same way.
		mustContain(t, h.say("u1", "/suggest Paris Peers | Paris, France | https://www.xn--sud-5cd.org"), "different alphabets")

		// One script, but read as a listed host: "rn" passes for "m"
		// (marsproject.org, MARS). Queued, with a warning naming it.
		mustContain(t, h.say("u1", "/suggest Other Peers | Lyon, France | https://rnarsproject.org"), "S-1")
		it := h.item("S-1")
		if len(it.Lookalikes) != 1 || it.Lookalikes[0].Field != "website" || it.Lookalikes[0].LikeText != "marsproject.org" {
			t.Fatalf("lookalikes = %+v, want the website like marsproject.org", it.Lookalikes)
		}
		mustContain(t, render(h.svc.card(h.dir.Index(), it, "en")), "the website rnarsproject.org reads like marsproject.org")
		// An unrelated host gets no warning.
		mustContain(t, h.say("u1", "/suggest Third Peers | Lyon, France | https://third.example.net"), "S-2")
		if it := h.item("S-2"); len(it.Lookalikes) != 0 {
			t.Errorf("an unrelated host got look-alike warnings: %+v", it.Lookalikes)
		}
	})
}

func TestMixedScripts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"ASUD", ""},
		{"Союз людей", ""},
		{"Союз PUD", ""},            // two words, one script each
		{"東京ドラッグ", ""},              // Han and Katakana: Japanese
		{"аsud", "Cyrillic, Latin"}, // Cyrillic а in a Latin word
		{"www.аsud.org", "Cyrillic, Latin"},
		{"АЅՍᎠ", "Armenian, Cherokee, Cyrillic"},
		{"3-peers", ""},
	} {
		if got := strings.Join(mixedScripts(tc.in), ", "); got != tc.want {
			t.Errorf("mixedScripts(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDisplayLinkShowsPunycode(t *testing.T) {
	if _, note := displayLink("https://www.аsud.org/x"); note != "www.аsud.org = www.xn--sud-5cd.org" {
		t.Errorf("note = %q", note)
	}
	if _, note := displayLink("https://www.asud.org"); note != "" {
		t.Errorf("ASCII host got a note %q", note)
	}
}
