package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/linkcheck"
)

// leaseLinkCheck is held by the replica that checks links: two checkers
// would double the traffic to every listed site.
const leaseLinkCheck = "link-checker"

// loadLinks makes the in-memory link states that cards read, in every
// mode; a store that does not answer leaves them empty until it does.
func (a *App) loadLinks(ctx context.Context) {
	a.links = linkcheck.NewSnapshot(a.store, time.Minute, a.log)
	if err := a.links.Refresh(ctx); err != nil {
		a.log.Warn("could not load the link states; cards show none until the store answers", "err", err)
	}
}

// setupLinks makes the checker (only when the bot runs on a platform and
// UNIONBOT_LINKCHECK is on: never in ask, console, export or import, nor
// in a terminal session). It runs after the platforms are connected.
func (a *App) setupLinks(opts []option) {
	if !a.cfg.LinkCheck || a.io.ConsoleOnly || len(a.platforms) == 0 {
		return
	}
	a.checker = a.newChecker(opts)
}

func (a *App) newChecker(opts []option) *linkcheck.Checker {
	lo := linkcheck.Options{Log: a.log}
	for _, o := range opts {
		if o.linkcheck != nil {
			o.linkcheck(&lo)
		}
	}
	return linkcheck.New(a.dir, a.store, a.mod, lo)
}

// runLinks keeps the link states current and, when this replica checks
// links, runs the checker while it holds the lease. It returns when ctx ends.
func (a *App) runLinks(ctx context.Context) {
	done := make(chan struct{})
	go func() { defer close(done); a.links.Run(ctx) }()
	defer func() { <-done }()
	if a.checker == nil {
		return
	}
	a.ops.setHeld(leaseLinkCheck, false)
	l := &leaseRunner{
		leases: a.store, name: leaseLinkCheck, holder: a.ops.holder,
		ttl: a.cfg.LeaseTTL, renew: a.cfg.LeaseRenew, log: a.log,
		held: func(h bool) { a.ops.setHeld(leaseLinkCheck, h) },
	}
	if l.ttl <= 0 {
		l.ttl = 10 * time.Second
	}
	if l.renew <= 0 || l.renew >= l.ttl {
		l.renew = l.ttl / 3
	}
	_ = l.run(ctx, a.checker.Run)
}

// linkRow is one line of `unionbot links`.
type linkRow struct {
	Entry        string    `json:"entry"`
	Name         string    `json:"name"`
	URL          string    `json:"url"`
	Status       string    `json:"status"` // "unchecked" until the first check
	Code         int       `json:"code,omitempty"`
	Checked      time.Time `json:"checked,omitzero"`
	LastOK       time.Time `json:"last_ok,omitzero"`
	Failures     int       `json:"failures"`
	FailingSince time.Time `json:"failing_since,omitzero"`
	RedirectTo   string    `json:"redirect_to,omitempty"`
	// Raised names the moderation items raised for the link.
	Raised []string `json:"raised,omitempty"`
}

// linksArgs parses `links [-json] [-check]`.
func linksArgs(args []string, stderr io.Writer) (jsonOut, check bool, err error) {
	fs := flag.NewFlagSet("unionbot links", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&jsonOut, "json", false, "write JSON, one array of links, for scripts")
	fs.BoolVar(&check, "check", false, "first check the links that are due (taking the checker's lease)")
	if err := fs.Parse(args); err != nil {
		return false, false, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintln(stderr, "unionbot: links takes only -json and -check")
		return false, false, errors.New("usage")
	}
	return jsonOut, check, nil
}

// Links writes the operators' report: every link of every entry, in the
// directory's order, with what the checker last found. With check it
// first checks the links that are due, when no other replica is.
func (a *App) Links(ctx context.Context, w, errw io.Writer, jsonOut, check bool) error {
	if check {
		if err := a.checkLinksNow(ctx, errw); err != nil {
			return err
		}
	}
	rows, err := a.linkRows(ctx)
	if err != nil {
		return err
	}
	if jsonOut {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ENTRY\tLINK\tSTATUS\tLAST OK\tFAILURES IN A ROW")
	day := func(t time.Time, none string) string {
		if t.IsZero() {
			return none
		}
		return t.UTC().Format("2006-01-02")
	}
	for _, r := range rows {
		status := r.Status
		if r.RedirectTo != "" {
			status += " → " + r.RedirectTo
		}
		for _, ref := range r.Raised {
			status += " (" + ref + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", r.Entry, r.URL, status, day(r.LastOK, "never"), r.Failures)
	}
	return tw.Flush()
}

func (a *App) linkRows(ctx context.Context) ([]linkRow, error) {
	recs, err := linkcheck.Records(ctx, a.store)
	if err != nil {
		return nil, fmt.Errorf("cannot read the link records: %w", err)
	}
	byURL := make(map[string]*linkcheck.Record, len(recs))
	for i := range recs {
		byURL[recs[i].URL] = &recs[i]
	}
	rows := []linkRow{}
	a.dir.Index().Orgs(func(o *directory.Organisation) bool {
		for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
			row := linkRow{Entry: o.ID, Name: o.Name, URL: u, Status: "unchecked"}
			if r, ok := byURL[u]; ok {
				row.Status, row.Code, row.Checked, row.LastOK = r.Status, r.Code, r.Checked, r.LastOK
				row.Failures, row.FailingSince, row.RedirectTo = r.Failures, r.FailingSince, r.RedirectTo
				for _, ref := range []string{r.DeadRef, r.MovedRef} {
					if ref != "" {
						row.Raised = append(row.Raised, ref)
					}
				}
			}
			rows = append(rows, row)
		}
		return true
	})
	return rows, nil
}

// checkLinksNow runs one pass of the checker if this process can take the
// lease and the checker is on; otherwise the report shows what was
// recorded before.
func (a *App) checkLinksNow(ctx context.Context, errw io.Writer) error {
	if !a.cfg.LinkCheck {
		fmt.Fprintln(errw, "unionbot: the link checker is off (UNIONBOT_LINKCHECK=off); showing what it recorded before")
		return nil
	}
	ttl := max(a.cfg.LeaseTTL, 10*time.Second)
	ok, err := a.store.Acquire(ctx, leaseLinkCheck, a.ops.holder, ttl)
	if err != nil {
		return fmt.Errorf("cannot take the link checker's lease: %w", err)
	}
	if !ok {
		fmt.Fprintln(errw, "unionbot: another replica is checking links; showing what it recorded")
		return nil
	}
	defer func() { _ = a.store.Release(context.WithoutCancel(ctx), leaseLinkCheck, a.ops.holder) }()
	// Renew the lease while the pass runs, which can take minutes.
	pctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-pctx.Done():
				return
			case <-t.C:
				_, _ = a.store.Acquire(pctx, leaseLinkCheck, a.ops.holder, ttl)
			}
		}
	}()
	sum, err := a.newChecker(a.opts).RunOnce(pctx)
	fmt.Fprintf(errw, "unionbot: checked %d links: %d answered, %d failed, %d raised to moderators\n", sum.Checked, sum.OK, sum.Failed, sum.Raised)
	return err
}
