package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store"
)

// linkItemsColl maps a link problem to the item raised for it, so that the
// same problem is raised once, ever.
const linkItemsColl = "linkitems"

// linkActor is who the audit log says raised a link problem.
const linkActor = "link checker"

// RaiseLink puts a problem the link checker found in the queue, as a
// report on the entry that carries no submitter (no one is told the
// outcome):
//
//   - a dead link becomes "website looks dead", which moderators decide as
//     any report (approving it changes nothing until someone /edits it);
//   - a permanent move to another domain becomes a suggested edit: the
//     report arrives already edited, with the new address in place of the
//     old, so approving it lists the new address.
//
// It is idempotent: asked again for the same entry, link and problem (and
// target, for a move) it returns the reference it gave the first time and
// queues nothing, from any process. (Processes raising the same problem at
// the same moment may each use up a reference number; one item is
// written.) It satisfies linkcheck.Raiser.
func (s *Service) RaiseLink(ctx context.Context, p linkcheck.Problem) (string, error) {
	kind := "dead"
	if p.MovedTo != "" {
		kind = "moved"
	}
	key := kind + ":" + linkcheck.Key(p.Entry+"\n"+p.URL+"\n"+p.MovedTo)
	ref, at, err := s.linkRef(ctx, key)
	if err != nil {
		return "", err
	}
	if ref != "" {
		if _, err := s.Get(ctx, ref); err == nil {
			return ref, nil
		} else if !errors.Is(err, store.ErrNotFound) {
			return "", err
		}
		if s.opts.Now().Sub(at) < linkClaimGrace {
			// Another process is writing it right now.
			return ref, nil
		}
		// The reference was taken but the item never written (the
		// process stopped in between): write it now, under that reference.
	}
	x := s.dir.Index()
	cur, ok := x.Org(p.Entry)
	if !ok {
		return "", fmt.Errorf("moderation: link problem for %q, which is not listed", p.Entry)
	}
	org := *cur
	it := &Item{Kind: KindReport, Org: &org, Target: cur.ID, Lang: s.opts.Lang}
	if kind == "dead" {
		it.Problem = i18n.Tr(s.opts.Lang, "mod.link_dead", p.URL, p.Since.UTC().Format("2006-01-02"), p.Failures, p.Status)
	} else {
		it.Problem = i18n.Tr(s.opts.Lang, "mod.link_moved", p.URL, p.MovedTo)
		org.Websites = replaceLink(cur.Websites, p.URL, p.MovedTo)
		org.Social = replaceLink(cur.Social, p.URL, p.MovedTo)
		// A correction adds a source: the redirect itself.
		org.Sources = append(append([]directory.Source(nil), cur.Sources...), directory.Source{
			Title: "link checker: " + p.URL + " redirects permanently", URL: p.MovedTo,
			Date: s.opts.Now().UTC().Format("2006-01-02"), Note: "website"})
		it.Edited = true
	}
	if ref == "" {
		pend, err := s.pending(ctx)
		if err != nil {
			return "", err
		}
		if len(pend) >= s.opts.MaxPending {
			// Asked again on the next check, when there may be room.
			return "", errorf(limited, "mod.queue_full_report")
		}
		n, err := s.st.Incr(ctx, "seq:R", 0)
		if err != nil {
			return "", err
		}
		mine := fmt.Sprintf("R-%d", n)
		if ref, err = s.claimRef(ctx, linkItemsColl, key, mine); err != nil {
			return "", err
		}
		if ref != mine {
			// Another process raised it at the same moment, and writes it.
			return ref, nil
		}
	}
	it.Ref = ref
	if err := s.enqueue(ctx, it); err != nil {
		return "", err
	}
	action := "reported a dead link"
	if kind == "moved" {
		action = "suggested a moved link"
	}
	s.recordAudit(ctx, AuditEntry{Actor: linkActor, Action: action, Ref: ref, Detail: p.URL})
	return ref, nil
}

// linkClaimGrace is how long a process that took a reference for a link
// problem has to write its item before another may write it instead.
const linkClaimGrace = time.Minute

type linkItem struct {
	Ref string    `json:"ref"`
	At  time.Time `json:"at"`
}

// linkRef is the reference already given to a link problem and when, or "".
func (s *Service) linkRef(ctx context.Context, key string) (string, time.Time, error) {
	b, err := s.st.Get(ctx, linkItemsColl, key)
	if errors.Is(err, store.ErrNotFound) {
		return "", time.Time{}, nil
	}
	if err != nil {
		return "", time.Time{}, err
	}
	var li linkItem
	if err := json.Unmarshal(b, &li); err != nil {
		return "", time.Time{}, err
	}
	return li.Ref, li.At, nil
}

// claimRef gives ref to the record at key of coll (a link problem's or an
// imported lead's queue item) unless another process gave it one first, and
// returns the one that stands.
func (s *Service) claimRef(ctx context.Context, coll, key, ref string) (string, error) {
	var won string
	now := s.opts.Now().UTC()
	_, err := s.st.Update(ctx, coll, key, func(old []byte) ([]byte, error) {
		if old != nil {
			var li linkItem
			if err := json.Unmarshal(old, &li); err == nil && li.Ref != "" {
				won = li.Ref
				return nil, store.ErrNoChange
			}
		}
		won = ref
		return json.Marshal(linkItem{Ref: ref, At: now})
	})
	if err != nil && !errors.Is(err, store.ErrNoChange) {
		return "", err
	}
	return won, nil
}

func replaceLink(list []string, from, to string) []string {
	out := make([]string, 0, len(list))
	for _, u := range list {
		if u == from {
			u = to
		}
		out = append(out, u)
	}
	return out
}

// Compile-time check that the service is what the checker raises through.
var _ linkcheck.Raiser = (*Service)(nil)
