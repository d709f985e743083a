package linkcheck_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store/bothstores"
)

// Generation moves when a refresh loads changed records, and only then:
// the core empties its answer cache on it (bot/answers.go).
func TestGenerationMovesWithTheRecords(t *testing.T) {
	st := bothstores.Bolt(t)
	ctx := context.Background()
	s := linkcheck.NewSnapshot(st, time.Minute, nil)
	put := func(url string) {
		t.Helper()
		doc, _ := json.Marshal(linkcheck.Record{URL: url, Checked: time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)})
		if _, err := st.Update(ctx, linkcheck.Collection, url, func([]byte) ([]byte, error) { return doc, nil }); err != nil {
			t.Fatal(err)
		}
	}
	refresh := func() uint64 {
		t.Helper()
		if err := s.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		return s.Generation()
	}
	put("https://vandu.org")
	g1 := refresh()
	if g2 := refresh(); g2 != g1 {
		t.Errorf("generation moved from %d to %d with no change", g1, g2)
	}
	put("https://inpud.net")
	if g3 := refresh(); g3 == g1 {
		t.Errorf("generation stayed %d after a record changed", g3)
	}
	if _, ok := s.Link("https://inpud.net"); !ok {
		t.Error("the new record is not in the snapshot")
	}
}
