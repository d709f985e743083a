package telegram

import (
	"html"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/directorytest"
)

// fitsOneMessage is how many groups a country may have and still be
// promised whole in its first message (issue 10: a country with 17 groups
// fits one Telegram message).
const fitsOneMessage = 17

// TestEveryCountryFirstMessage: for every country in the directory, the
// first Telegram message of /find <country>, as this adapter renders it
// with its page size, holds every national body, and every local group
// when the country has no more than fitsOneMessage groups.
func TestEveryCountryFirstMessage(t *testing.T) {
	core := MustCore(t)
	directorytest.EachCountry(t, directorytest.MustSeedIndex(t), func(t *testing.T, name string, groups []*directory.Organisation) {
		r := bottest.Find(t, core, "telegram", DefaultPageSize, name)
		parts := renderParts(r, MaxText)
		first := parts[0]
		if len(first) > MaxText {
			t.Fatalf("first message has %d bytes", len(first))
		}
		if !strings.Contains(first, html.EscapeString(name)) {
			t.Fatalf("first message is not about %s:\n%s", name, first)
		}
		for _, o := range groups {
			if o.Kind != directory.KindNational && len(groups) > fitsOneMessage {
				continue
			}
			if !strings.Contains(first, html.EscapeString(o.Name)) {
				t.Errorf("the first message misses %s (%s, %d groups):\n%s", o.Name, o.Kind, len(groups), first)
			}
		}
	})
}

// TestFindCanadaOnTelegram is issue 10's test of done: CAPUD first, with
// VANDU, TDUU and every other Canadian group in the same first message,
// and a button to each one's card.
func TestFindCanadaOnTelegram(t *testing.T) {
	r := bottest.Find(t, MustCore(t), "telegram", DefaultPageSize, "Canada")
	first := renderParts(r, MaxText)[0]
	capud := strings.Index(first, "Canadian Association of People Who Use Drugs")
	if capud < 0 {
		t.Fatalf("no CAPUD in:\n%s", first)
	}
	for _, name := range []string{"Vancouver Area Network of Drug Users", "Toronto Drug Users Union", "Méta d&#39;Âme", "Society of Living Illicit Drug Users"} {
		if i := strings.Index(first, name); i < capud {
			t.Errorf("%s not after CAPUD in the first message (at %d, CAPUD at %d)", name, i, capud)
		}
	}
	x := directorytest.MustSeedIndex(t)
	for _, o := range directorytest.GroupsByCountry(x)["CA"] {
		if !strings.Contains(first, html.EscapeString(o.Name)) {
			t.Errorf("the first message misses %s", o.Name)
		}
	}
	if data := bottest.ButtonData(r); !containsAll(data, "/org capud", "/org vandu", "/org tduu") {
		t.Errorf("buttons = %v, want one per group opening its card", data)
	}
}

// containsAll reports whether every want is one of have, or the command
// a signed button's data carries (the core may sign button data).
func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			if h == w || strings.HasSuffix(h, w) || strings.Contains(h, w+" ") {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
