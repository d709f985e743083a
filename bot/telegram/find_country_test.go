package telegram

import (
	"context"
	"html"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
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
	x := directorytest.MustSeedIndex(t)
	byCountry := directorytest.GroupsByCountry(x)
	codes := slices.Sorted(maps.Keys(byCountry))
	if len(codes) < 20 {
		t.Fatalf("%d countries with groups; the seed has more", len(codes))
	}
	for _, code := range codes {
		name := x.CountryName(code, "en")
		t.Run(name, func(t *testing.T) {
			m := &bot.Message{Platform: "telegram", Text: "/find " + name, Lang: "en", PageSize: DefaultPageSize,
				User: bot.User{ID: "1"}, Chat: bot.Chat{ID: "1", Private: true}}
			r, err := core.Handle(context.Background(), m)
			if err != nil || r == nil {
				t.Fatalf("no answer: %v", err)
			}
			parts := renderParts(r, MaxText)
			first := parts[0]
			if len(first) > MaxText {
				t.Fatalf("first message has %d bytes", len(first))
			}
			if !strings.Contains(first, html.EscapeString(name)) {
				t.Fatalf("first message is not about %s:\n%s", name, first)
			}
			groups := byCountry[code]
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
}

// TestFindCanadaOnTelegram is issue 10's test of done: CAPUD first, with
// VANDU, TDUU and every other Canadian group in the same first message,
// and a button to each one's card.
func TestFindCanadaOnTelegram(t *testing.T) {
	core := MustCore(t)
	m := &bot.Message{Platform: "telegram", Text: "/find Canada", Lang: "en", PageSize: DefaultPageSize,
		User: bot.User{ID: "1"}, Chat: bot.Chat{ID: "1", Private: true}}
	r, err := core.Handle(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
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
	var data []string
	for _, row := range r.Buttons {
		for _, b := range row {
			data = append(data, b.Data)
		}
	}
	if !containsAll(data, "/org capud", "/org vandu", "/org tduu") {
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
