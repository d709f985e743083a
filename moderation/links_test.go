package moderation

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store"
)

func TestRaiseDeadLinkOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		ctx := context.Background()
		vandu, ok := h.dir.Index().Org("vandu")
		if !ok || len(vandu.Websites) == 0 {
			t.Fatal("the seed has no vandu with a website")
		}
		u := vandu.Websites[0]
		p := linkcheck.Problem{Entry: "vandu", URL: u, Dead: true, Since: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), Failures: 3, Status: "http 404"}
		// Raised from several processes at once, and again later: one item.
		var wg sync.WaitGroup
		refs := make([]string, 4)
		errs := make([]error, 4)
		for i := range refs {
			wg.Add(1)
			go func() { defer wg.Done(); refs[i], errs[i] = h.svc.RaiseLink(ctx, p) }()
		}
		wg.Wait()
		for i := range refs {
			if errs[i] != nil || refs[i] != refs[0] {
				t.Fatalf("RaiseLink gave %v, %v; want one reference for all", refs, errs)
			}
		}
		if again, err := h.svc.RaiseLink(ctx, p); err != nil || again != refs[0] {
			t.Fatalf("raised again: %q, %v; want %q", again, err, refs[0])
		}
		pend, err := h.svc.pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pend) != 1 {
			t.Fatalf("%d pending items, want 1", len(pend))
		}
		it := pend[0]
		if it.Ref != refs[0] || it.Kind != KindReport || it.Target != "vandu" || it.Submitter != nil || it.Edited {
			t.Fatalf("item %+v", it)
		}
		mustContain(t, it.Problem, "Website looks dead", u, "2026-10-02", "3", "http 404")
		// Moderators see it like any report, and decide it as usual.
		mustContain(t, h.say("mod1", "/queue"), refs[0], "Website looks dead")
		mustContain(t, h.say("mod1", "/reject "+refs[0]+" still up, checked by hand"), refs[0])
		if it := h.item(refs[0]); it.Status != Rejected {
			t.Fatalf("status %s after /reject", it.Status)
		}
		// Decided, it is still never raised again.
		if again, err := h.svc.RaiseLink(ctx, p); err != nil || again != refs[0] {
			t.Fatalf("raised after the decision: %q, %v", again, err)
		}
		if pend, _ := h.svc.pending(ctx); len(pend) != 0 {
			t.Fatalf("pending after the decision: %d", len(pend))
		}
		audit, err := h.svc.Audit(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		raised := 0
		for _, e := range audit {
			if e.Actor == linkActor {
				raised++
			}
		}
		if raised != 1 {
			t.Errorf("audit has %d link-checker entries, want 1: %+v", raised, audit)
		}
	})
}

func TestRaiseMovedLinkIsSuggestedEdit(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		ctx := context.Background()
		vandu, _ := h.dir.Index().Org("vandu")
		old := vandu.Websites[0]
		const moved = "https://vandu.example.net/"
		ref, err := h.svc.RaiseLink(ctx, linkcheck.Problem{Entry: "vandu", URL: old, MovedTo: moved})
		if err != nil {
			t.Fatal(err)
		}
		it := h.item(ref)
		if !it.Edited || it.Org.Websites[0] != moved {
			t.Fatalf("suggested edit %+v", it.Org)
		}
		mustContain(t, it.Problem, old, moved)
		if n := len(it.Org.Sources); n != len(vandu.Sources)+1 || it.Org.Sources[n-1].URL != moved || !strings.Contains(it.Org.Sources[n-1].Title, old) {
			t.Errorf("the edit's sources %+v, want the entry's plus the redirect", it.Org.Sources)
		}
		if len(vandu.Sources) > 0 && it.Org.Sources[0] != vandu.Sources[0] {
			t.Errorf("the main source changed: %+v", it.Org.Sources[0])
		}
		// Another target for the same link is a new suggestion; the same
		// target is not.
		if again, _ := h.svc.RaiseLink(ctx, linkcheck.Problem{Entry: "vandu", URL: old, MovedTo: moved}); again != ref {
			t.Fatalf("same move raised again as %s", again)
		}
		mustContain(t, h.say("mod1", "/approve "+ref), ref)
		cur, _ := h.dir.Index().Org("vandu")
		if cur.Websites[0] != moved {
			t.Fatalf("after approval the website is %v, want %s", cur.Websites, moved)
		}
	})
}
