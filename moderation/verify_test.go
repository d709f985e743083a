package moderation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
)

func TestVerify(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
		h := newHarness(t, st, Options{Now: func() time.Time { return now }})
		org := func(id string) *directory.Organisation {
			o, ok := h.dir.Index().Org(id)
			if !ok {
				t.Fatalf("%s not listed", id)
			}
			return o
		}
		before := org("vandu")
		if before.Verified != "2014-08" {
			t.Fatalf("vandu verified %q before, want the seed's 2014-08", before.Verified)
		}

		// Only moderators may verify, and the refusal is audited.
		mustContain(t, h.say("u1", "/verify VANDU"), "moderator")
		if org("vandu").Verified != "2014-08" {
			t.Error("a non-moderator's /verify changed the entry")
		}

		mustContain(t, h.say("mod1", "/verify VANDU called them, still active"), "Vancouver Area Network of Drug Users", "2026-12-01")
		o := org("vandu")
		if o.Verified != "2026-12-01" {
			t.Errorf("verified = %q, want today", o.Verified)
		}
		last := o.Sources[len(o.Sources)-1]
		if last != (directory.Source{Title: ModeratorSource, Date: "2026-12-01", Note: "called them, still active"}) {
			t.Errorf("last source = %+v", last)
		}
		if o.Sources[0] != before.Sources[0] || len(o.Sources) != len(before.Sources)+1 {
			t.Errorf("sources = %+v; want the old ones kept and one added", o.Sources)
		}
		for _, s := range o.Sources {
			if strings.Contains(s.Title+s.Note, "name-mod1") {
				t.Errorf("the entry names the moderator: %+v", s)
			}
		}

		// Verifying again renews the moderator's source instead of adding one.
		now = now.Add(48 * time.Hour)
		mustContain(t, h.say("mod2", "/verify vandu"), "2026-12-03")
		o = org("vandu")
		if len(o.Sources) != len(before.Sources)+1 || o.Verified != "2026-12-03" || o.Sources[len(o.Sources)-1].Note != "" {
			t.Errorf("after a second /verify: verified %q, sources %+v", o.Verified, o.Sources)
		}

		// The audit log records who verified what, in order.
		entries, err := h.svc.Audit(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var who []string
		for _, e := range entries {
			if (e.Ref == "vandu" && e.Action == "verified") || e.Action == "refused verify" {
				who = append(who, e.Actor+" "+e.Action)
			}
		}
		want := []string{"test:someone refused verify", "test:name-mod1 verified", "test:name-mod2 verified"}
		if strings.Join(who, "|") != strings.Join(want, "|") {
			t.Errorf("audit = %q, want %q", who, want)
		}

		// Bad input gets a clear answer and changes nothing.
		mustContain(t, h.say("mod1", "/verify"), "/verify VANDU")
		mustContain(t, h.say("mod1", "/verify Nobody Union At All"), "/verify VANDU")
		mustContain(t, h.say("mod1", "/verify VANDU "+strings.Repeat("x", MaxVerifyNote+1)), "200")
	})
}

// Approving a corrected report counts as verifying the entry.
func TestApprovedReportVerifies(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		now := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
		h := newHarness(t, st, Options{Now: func() time.Time { return now }})
		mustContain(t, h.say("u1", "/report SOLID the website is https://solid.example.org"), "R-1")
		mustContain(t, h.say("mod1", "/edit R-1 website https://solid.example.org"), "R-1 updated")
		// Not verified by the edit alone: only once it is approved.
		if o, _ := h.dir.Index().Org("solid"); o.Verified != "2014-08" {
			t.Errorf("verified %q before approval", o.Verified)
		}
		mustContain(t, h.say("mod1", "/approve R-1"), "R-1 approved")
		o, _ := h.dir.Index().Org("solid")
		if o.Verified != "2026-12-02" || o.Websites[0] != "https://solid.example.org" {
			t.Errorf("after approval: verified %q, websites %v", o.Verified, o.Websites)
		}
		if last := o.Sources[len(o.Sources)-1]; last.Title != ModeratorSource || last.Date != "2026-12-02" || last.Note != "approved R-1" {
			t.Errorf("last source = %+v", last)
		}
	})
}
