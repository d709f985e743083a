package linkcheck

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/unionbot/unionbot/directory"
)

// Directory gives the current directory; *directory.Live is one.
type Directory interface {
	Index() *directory.Index
}

// Problem is a link that moderators should look at.
type Problem struct {
	Entry string // the id of the entry that lists the link
	URL   string
	// Dead: the link has failed Failures checks in a row since Since, the
	// last with Status.
	Dead     bool
	Since    time.Time
	Failures int
	Status   string
	// MovedTo, when set, is where the link permanently redirects: another
	// domain, proposed as the entry's new link.
	MovedTo string
}

// Raiser puts a problem in front of moderators and returns the reference
// of the queue item. It must be idempotent for the same entry, link and
// kind of problem (and target, for a move): the checker may ask again when
// it could not record an earlier answer. moderation.Service's RaiseLink is
// one.
type Raiser interface {
	RaiseLink(ctx context.Context, p Problem) (ref string, err error)
}

// Options tune a Checker; zero values take the defaults in brackets.
type Options struct {
	// Every is how long a link rests between two checks [7 days].
	Every time.Duration
	// Timeout bounds one request, redirects included [20 s].
	Timeout time.Duration
	// Pause is the least time between two requests to one host [5 s].
	Pause time.Duration
	// Hosts is how many hosts are checked at once [4].
	Hosts int
	// DeadAfter and DeadChecks: a link failing for at least DeadAfter,
	// across at least DeadChecks checks, is raised as dead [14 days, 3].
	DeadAfter  time.Duration
	DeadChecks int
	// Tick is how often Run looks for links that are due [1 hour].
	Tick time.Duration
	// Delay is how long Run waits before its first pass, so that a
	// replica that just started (or restarts in a loop) settles first
	// [10 minutes].
	Delay time.Duration
	// UserAgent names the bot and where to learn about it.
	UserAgent string
	// Transport makes the requests [a clone of http.DefaultTransport,
	// keeping one idle connection per host, that connects to public
	// addresses only].
	Transport http.RoundTripper
	// Now and Sleep are the clock; tests make them simulated
	// [time.Now, a timer].
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
	Log   *slog.Logger
}

// DefaultUserAgent is the User-Agent the checker sends.
const DefaultUserAgent = "unionbot-linkcheck/1.0 (+https://github.com/unionbot/unionbot; checks that the directory's links still answer)"

func (o *Options) defaults() {
	if o.Every <= 0 {
		o.Every = 7 * 24 * time.Hour
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	if o.Pause <= 0 {
		o.Pause = 5 * time.Second
	}
	if o.Hosts <= 0 {
		o.Hosts = 4
	}
	if o.DeadAfter <= 0 {
		o.DeadAfter = 14 * 24 * time.Hour
	}
	if o.DeadChecks <= 0 {
		o.DeadChecks = 3
	}
	if o.Tick <= 0 {
		o.Tick = time.Hour
	}
	if o.Delay <= 0 {
		o.Delay = 10 * time.Minute
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	if o.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 1
		t.DialContext = publicDialer().DialContext
		o.Transport = t
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Checker checks the directory's links. Run it in one replica at a time
// (the caller holds a lease): two checkers would not break the records,
// but would double the traffic to every site.
type Checker struct {
	dir       Directory
	st        Docs
	raise     Raiser
	opts      Options
	transport http.RoundTripper
}

// New returns a checker. raise may be nil: problems are then only
// recorded.
func New(dir Directory, st Docs, raise Raiser, opts Options) *Checker {
	opts.defaults()
	c := &Checker{dir: dir, st: st, raise: raise, opts: opts}
	c.transport = newGate(opts.Transport, opts.Pause, opts.Now, opts.Sleep)
	return c
}

// Summary counts what one pass did.
type Summary struct {
	Checked, OK, Failed, Raised int
}

// link is one link to check and the entries that list it.
type link struct {
	url     string
	host    string
	entries []string
}

// links lists every website and social link of the directory's open
// entries once, in a stable order, with the entries that list each.
func (c *Checker) links() []link {
	byURL := map[string]*link{}
	var order []string
	c.dir.Index().Orgs(func(o *directory.Organisation) bool {
		if o.Closed() {
			// Out of answers: its links are history, not a way in.
			return true
		}
		for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
			p, err := url.Parse(u)
			if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || p.User != nil {
				continue
			}
			l, ok := byURL[u]
			if !ok {
				l = &link{url: u, host: hostKey(p)}
				byURL[u] = l
				order = append(order, u)
			}
			if len(l.entries) == 0 || l.entries[len(l.entries)-1] != o.ID {
				l.entries = append(l.entries, o.ID)
			}
		}
		return true
	})
	out := make([]link, 0, len(order))
	for _, u := range order {
		out = append(out, *byURL[u])
	}
	return out
}

// RunOnce checks every link not checked within Every, at most one request
// per host at a time and Hosts hosts at once, records each outcome and
// raises the problems found. It returns when all are done or ctx ends.
func (c *Checker) RunOnce(ctx context.Context) (Summary, error) {
	recs, err := c.st.List(ctx, Collection)
	if err != nil {
		return Summary{}, err
	}
	now := c.opts.Now()
	byHost := map[string][]link{}
	var hosts []string
	for _, l := range c.links() {
		if b, ok := recs[Key(l.url)]; ok {
			var r Record
			if json.Unmarshal(b, &r) == nil && !r.Checked.IsZero() && now.Sub(r.Checked) < c.opts.Every {
				continue
			}
		}
		if _, ok := byHost[l.host]; !ok {
			hosts = append(hosts, l.host)
		}
		byHost[l.host] = append(byHost[l.host], l)
	}
	sort.Strings(hosts)
	var (
		mu   sync.Mutex
		sum  Summary
		errs []error
		wg   sync.WaitGroup
	)
	work := make(chan string)
	for range min(c.opts.Hosts, len(hosts)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for h := range work {
				for _, l := range byHost[h] {
					if ctx.Err() != nil {
						return
					}
					s, err := c.one(ctx, l)
					mu.Lock()
					sum.Checked++
					sum.OK += s.OK
					sum.Failed += s.Failed
					sum.Raised += s.Raised
					if err != nil {
						errs = append(errs, err)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for _, h := range hosts {
		select {
		case work <- h:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	close(work)
	wg.Wait()
	if ctx.Err() != nil {
		return sum, ctx.Err()
	}
	return sum, errors.Join(errs...)
}

// one checks a link, records the outcome and raises what it calls for.
func (c *Checker) one(ctx context.Context, l link) (Summary, error) {
	res := c.check(ctx, l.url)
	if ctx.Err() != nil {
		return Summary{}, ctx.Err()
	}
	now := c.opts.Now().UTC()
	var sum Summary
	if res.ok() {
		sum.OK = 1
	} else {
		sum.Failed = 1
	}
	rec, err := c.record(ctx, l, res, now)
	if err != nil {
		return sum, err
	}
	c.opts.Log.Debug("link checked", "url", l.url, "status", rec.Status, "failures", rec.Failures)
	if c.raise == nil {
		return sum, nil
	}
	var errs []error
	if rec.DeadRef == "" && rec.Failures >= c.opts.DeadChecks && now.Sub(rec.FailingSince) >= c.opts.DeadAfter {
		ref, err := c.raise.RaiseLink(ctx, Problem{Entry: l.entries[0], URL: l.url, Dead: true,
			Since: rec.FailingSince, Failures: rec.Failures, Status: rec.Status})
		if err == nil {
			err = c.mark(ctx, l.url, func(r *Record) { r.DeadRef = ref })
			sum.Raised++
			c.opts.Log.Info("link looks dead; moderators asked", "url", l.url, "ref", ref)
		}
		errs = append(errs, err)
	}
	if rec.OK() && rec.Permanent && rec.RedirectTo != "" && !sameDomain(l.url, rec.RedirectTo) && rec.MovedTo != rec.RedirectTo {
		to := rec.RedirectTo
		ref, err := c.raise.RaiseLink(ctx, Problem{Entry: l.entries[0], URL: l.url, MovedTo: to})
		if err == nil {
			err = c.mark(ctx, l.url, func(r *Record) { r.MovedRef, r.MovedTo = ref, to })
			sum.Raised++
			c.opts.Log.Info("link moved to another domain; edit suggested", "url", l.url, "to", to, "ref", ref)
		}
		errs = append(errs, err)
	}
	return sum, errors.Join(errs...)
}

// record folds a check's outcome into the link's record, atomically.
func (c *Checker) record(ctx context.Context, l link, res result, now time.Time) (*Record, error) {
	var out Record
	_, err := c.st.Update(ctx, Collection, Key(l.url), func(old []byte) ([]byte, error) {
		var r Record
		if old != nil {
			_ = json.Unmarshal(old, &r)
		}
		r.URL, r.Entries, r.Checked = l.url, l.entries, now
		r.Status, r.Code = res.status, res.code
		if res.ok() {
			r.LastOK, r.Failures, r.FailingSince = now, 0, time.Time{}
		} else {
			if r.Failures == 0 {
				r.FailingSince = now
			}
			r.Failures++
		}
		if res.ok() || res.finalURL != "" {
			// A failure with no answer says nothing about redirects:
			// keep the last known one.
			r.RedirectTo, r.Permanent = res.finalURL, res.permanent
		}
		out = r
		return json.Marshal(&r)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// mark changes a record after raising a problem.
func (c *Checker) mark(ctx context.Context, u string, fn func(*Record)) error {
	_, err := c.st.Update(ctx, Collection, Key(u), func(old []byte) ([]byte, error) {
		var r Record
		if old != nil {
			_ = json.Unmarshal(old, &r)
		}
		fn(&r)
		return json.Marshal(&r)
	})
	return err
}

// Run checks links as they fall due until ctx ends: after Delay, then
// every Tick. Errors are logged and retried on the next tick.
func (c *Checker) Run(ctx context.Context) error {
	if err := c.opts.Sleep(ctx, c.opts.Delay); err != nil {
		return nil
	}
	for {
		sum, err := c.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			c.opts.Log.Warn("link check pass had errors; retrying on the next tick", "err", err)
		}
		if sum.Checked > 0 {
			c.opts.Log.Info("links checked", "checked", sum.Checked, "ok", sum.OK, "failed", sum.Failed, "raised", sum.Raised)
		}
		if err := c.opts.Sleep(ctx, c.opts.Tick); err != nil {
			return nil
		}
	}
}
