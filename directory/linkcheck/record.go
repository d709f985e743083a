// Package linkcheck checks that the directory's websites and social links
// still answer, records what it finds in the store, and hands links that
// look dead or moved to moderators.
//
// It lives under directory/ because it serves the directory's data, but in
// a package of its own because it does what package directory must not:
// network I/O (net/http) and the store. directory stays pure domain with no
// internal imports; linkcheck depends on directory and on the store's
// interfaces, and reaches moderation only through the small Raiser
// interface below, so neither moderation nor the core (bot/) is imported
// here and the core never imports this package (it reads link states
// through its own bot.LinkStatus interface, which Snapshot satisfies).
//
// The checker sends nothing about users: its requests carry the link, a
// User-Agent naming the bot and the project, and nothing else (no cookies,
// no referrer, no query of its own).
package linkcheck

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"time"

	"github.com/unionbot/unionbot/directory"
)

// Collection is the store collection of link records, one document per
// link, keyed by Key(url). Records hold links and dates only, never
// anything about a user.
const Collection = "links"

// Record is what the store keeps about one link.
type Record struct {
	URL string `json:"url"`
	// Entries are the ids of the directory entries that list the link, as
	// of the last check.
	Entries []string `json:"entries,omitempty"`
	// Checked is when the link was last checked; LastOK when it last
	// answered (zero: never since records began).
	Checked time.Time `json:"checked"`
	LastOK  time.Time `json:"last_ok,omitzero"`
	// Status is the outcome of the last check: "ok", "http 404",
	// "timeout", "tls", "refused", "dns", "redirects", "blocked" (a
	// private address) or "error".
	Status string `json:"status"`
	// Code is the last HTTP status code received (0: no answer).
	Code int `json:"code,omitempty"`
	// Failures counts the checks in a row that failed; FailingSince is the
	// first of them (zero while the link answers).
	Failures     int       `json:"failures"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	// RedirectTo is where the link now leads when it redirects elsewhere;
	// Permanent is true when every hop was a 301 or 308.
	RedirectTo string `json:"redirect_to,omitempty"`
	Permanent  bool   `json:"permanent,omitempty"`
	// DeadRef is the moderation item raised because the link looked dead,
	// MovedRef the suggested edit raised for MovedTo. Each is raised once
	// and never again for the same link (and target).
	DeadRef  string `json:"dead_ref,omitempty"`
	MovedRef string `json:"moved_ref,omitempty"`
	MovedTo  string `json:"moved_to,omitempty"`
}

// OK reports whether the last check got an answer.
func (r *Record) OK() bool { return r.Status == StatusOK }

// State is the record as the core shows it.
func (r *Record) State() directory.LinkState {
	return directory.LinkState{Checked: r.Checked, OK: r.OK(), LastOK: r.LastOK, DownSince: r.FailingSince}
}

// Key is the document id of a link's record: a hash, because links are
// long and may hold characters some stores dislike in keys.
func Key(url string) string {
	h := sha256.Sum256([]byte(url))
	return hex.EncodeToString(h[:12])
}

// Docs is what records need from the store: store.Docs satisfies it.
type Docs interface {
	Get(ctx context.Context, coll, id string) ([]byte, error)
	Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) ([]byte, error)
	List(ctx context.Context, coll string) (map[string][]byte, error)
	Version(ctx context.Context, coll string) (int64, error)
}

// Records returns every record in the store, sorted by URL. Unreadable
// documents are skipped.
func Records(ctx context.Context, st Docs) ([]Record, error) {
	docs, err := st.List(ctx, Collection)
	if err != nil {
		return nil, err
	}
	out := make([]Record, 0, len(docs))
	for _, b := range docs {
		var r Record
		if json.Unmarshal(b, &r) == nil && r.URL != "" {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}
