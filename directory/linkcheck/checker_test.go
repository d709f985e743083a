package linkcheck_test

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/bothstores"
)

// eachStore runs a test against both stores.
func eachStore(t *testing.T, fn func(t *testing.T, st store.Store)) { bothstores.Run(t, fn) }

// clock is simulated time: Sleep records the pause and returns at once,
// and time moves only when a test advances it, so no test waits for real
// and every pause the checker asks for is exactly what it computed.
type clock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps []time.Duration
}

func newClock() *clock { return &clock{t: time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// dir is a directory of the given entries.
type dir struct{ x *directory.Index }

func (d dir) Index() *directory.Index { return d.x }

func mustDir(t *testing.T, orgs ...directory.Organisation) dir {
	t.Helper()
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range orgs {
		orgs[i].Kind = directory.KindNational
		orgs[i].Countries = []string{"CA"}
		orgs[i].Source = "test"
	}
	x := directory.Build(seed, orgs)
	if p := x.Problems(); len(p) > 0 {
		t.Fatalf("test directory has problems: %v", p)
	}
	return dir{x}
}

// sites maps made-up host names to local servers, so that every kind of
// site has a host of its own with no DNS.
type sites struct {
	t     *testing.T
	mu    sync.Mutex
	addrs map[string]string // "ok.test" -> "127.0.0.1:port"
	// seen records the requests that reached a server: method, host and
	// User-Agent, and whether anything about a user was sent.
	seen []seenReq
}

type seenReq struct {
	method, host, ua, referer, cookie string
}

func newSites(t *testing.T) *sites { return &sites{t: t, addrs: map[string]string{}} }

// serve starts a server for host; tls makes it an HTTPS server whose
// certificate no client trusts.
func (s *sites) serve(host string, h http.HandlerFunc, tls bool) {
	wrapped := func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen = append(s.seen, seenReq{r.Method, host, r.UserAgent(), r.Referer(), r.Header.Get("Cookie")})
		s.mu.Unlock()
		h(w, r)
	}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewUnstartedServer(http.HandlerFunc(wrapped))
		// The handshake failing is the point; keep it out of the output.
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.StartTLS()
	} else {
		srv = httptest.NewServer(http.HandlerFunc(wrapped))
	}
	s.t.Cleanup(srv.Close)
	s.mu.Lock()
	s.addrs[host] = srv.Listener.Addr().String()
	s.mu.Unlock()
}

// refuse maps host to a port where nothing listens.
func (s *sites) refuse(host string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s.mu.Lock()
	s.addrs[host] = addr
	s.mu.Unlock()
}

func (s *sites) transport() *http.Transport {
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			s.mu.Lock()
			to, ok := s.addrs[host]
			s.mu.Unlock()
			if !ok {
				return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
			}
			var d net.Dialer
			return d.DialContext(ctx, network, to)
		},
		DisableKeepAlives: true,
	}
}

func (s *sites) requests() []seenReq {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seenReq(nil), s.seen...)
}

// raiser records what the checker raises; it is idempotent like the
// moderation service's.
type raiser struct {
	mu     sync.Mutex
	raised []linkcheck.Problem
}

func (r *raiser) RaiseLink(ctx context.Context, p linkcheck.Problem) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.raised = append(r.raised, p)
	return "R-" + string(rune('0'+len(r.raised))), nil
}

func (r *raiser) all() []linkcheck.Problem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]linkcheck.Problem(nil), r.raised...)
}

func record(t *testing.T, st store.Store, url string) linkcheck.Record {
	t.Helper()
	b, err := st.Get(t.Context(), linkcheck.Collection, linkcheck.Key(url))
	if err != nil {
		t.Fatalf("no record for %s: %v", url, err)
	}
	var r linkcheck.Record
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

const day = 24 * time.Hour

// fixture is every kind of site the issue names, one entry each. The slow
// one costs a real timeout per check, so only the test of what is recorded
// has it.
func fixture(t *testing.T, slow bool) (*sites, dir, map[string]string) {
	s := newSites(t)
	ok := func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) }
	s.serve("ok.test", ok, false)
	s.serve("new.test", ok, false)
	s.serve("moved.test", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://new.test/home", http.StatusMovedPermanently)
	}, false)
	s.serve("www.same.test", ok, false)
	s.serve("same.test", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://www.same.test/", http.StatusMovedPermanently)
	}, false)
	s.serve("notfound.test", http.NotFound, false)
	s.serve("gone.test", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusGone) }, false)
	s.serve("broken.test", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusInternalServerError) }, false)
	s.serve("nohead.test", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Write([]byte("<html>hello</html>"))
	}, false)
	s.serve("slow.test", func(w http.ResponseWriter, r *http.Request) {
		// Answers only when the client gives up.
		<-r.Context().Done()
	}, false)
	s.serve("badtls.test", ok, true)
	s.refuse("refused.test")
	urls := map[string]string{
		"ok":       "http://ok.test/",
		"moved":    "http://moved.test/",
		"same":     "http://same.test/",
		"notfound": "http://notfound.test/page",
		"gone":     "http://gone.test/",
		"broken":   "http://broken.test/",
		"nohead":   "http://nohead.test/",
		"slow":     "http://slow.test/",
		"badtls":   "https://badtls.test/",
		"refused":  "http://refused.test/",
		"nodns":    "http://nodns.test/",
	}
	if !slow {
		delete(urls, "slow")
	}
	var orgs []directory.Organisation
	for id, u := range urls {
		orgs = append(orgs, directory.Organisation{ID: id, Name: "Group " + id, Websites: []string{u}})
	}
	return s, mustDir(t, orgs...), urls
}

// newChecker returns a checker of d's links on s, recording in st, with
// the simulated clock it runs on and the raiser it reports problems to.
func newChecker(s *sites, d dir, st store.Store) (*linkcheck.Checker, *clock, *raiser) {
	c, r := newClock(), &raiser{}
	return linkcheck.New(d, st, r, linkcheck.Options{
		Transport: s.transport(),
		// Real time, for the slow server alone: far above what a local
		// answer needs even on a loaded machine.
		Timeout: 3 * time.Second,
		Pause:   2 * time.Second,
		Now:     c.Now,
		Sleep:   c.Sleep,
	}), c, r
}

func TestRecordsEveryKindOfAnswer(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		s, d, urls := fixture(t, true)
		ch, c, r := newChecker(s, d, st)
		sum, err := ch.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if sum.Checked != len(urls) {
			t.Fatalf("checked %d links, want %d", sum.Checked, len(urls))
		}
		start := c.Now()
		want := map[string]struct {
			status string
			code   int
			ok     bool
			redir  string
		}{
			"ok":       {"ok", 200, true, ""},
			"moved":    {"ok", 200, true, "http://new.test/home"},
			"same":     {"ok", 200, true, "http://www.same.test/"},
			"notfound": {"http 404", 404, false, ""},
			"gone":     {"http 410", 410, false, ""},
			"broken":   {"http 500", 500, false, ""},
			"nohead":   {"ok", 200, true, ""},
			"slow":     {"timeout", 0, false, ""},
			"badtls":   {"tls", 0, false, ""},
			"refused":  {"refused", 0, false, ""},
			"nodns":    {"dns", 0, false, ""},
		}
		for id, w := range want {
			rec := record(t, st, urls[id])
			if rec.Status != w.status || rec.Code != w.code || rec.OK() != w.ok || rec.RedirectTo != w.redir {
				t.Errorf("%s: status %q code %d ok %v redirect %q; want %q %d %v %q", id, rec.Status, rec.Code, rec.OK(), rec.RedirectTo, w.status, w.code, w.ok, w.redir)
			}
			if !rec.Checked.Equal(start) {
				t.Errorf("%s: checked at %v, want %v", id, rec.Checked, start)
			}
			if w.ok {
				if rec.Failures != 0 || !rec.LastOK.Equal(start) || !rec.FailingSince.IsZero() {
					t.Errorf("%s: failures %d, last OK %v, failing since %v; want 0, %v, zero", id, rec.Failures, rec.LastOK, rec.FailingSince, start)
				}
			} else if rec.Failures != 1 || !rec.LastOK.IsZero() || !rec.FailingSince.Equal(start) {
				t.Errorf("%s: failures %d, last OK %v, failing since %v; want 1, zero, %v", id, rec.Failures, rec.LastOK, rec.FailingSince, start)
			}
			if len(rec.Entries) != 1 || rec.Entries[0] != id {
				t.Errorf("%s: entries %v", id, rec.Entries)
			}
		}
		if !record(t, st, urls["moved"]).Permanent {
			t.Error("a 301 was not recorded as permanent")
		}
		// The move to another domain is a suggested edit at once; the
		// move from same.test to www.same.test is not.
		got := r.all()
		if len(got) != 1 || got[0].Entry != "moved" || got[0].MovedTo != "http://new.test/home" || got[0].Dead {
			t.Fatalf("raised %+v, want one move of moved to http://new.test/home", got)
		}
		if rec := record(t, st, urls["moved"]); rec.MovedRef == "" || rec.MovedTo != "http://new.test/home" {
			t.Errorf("move not marked raised: %+v", rec)
		}
		// HEAD first, then GET where HEAD is refused; the User-Agent names
		// the bot and the project; nothing about anyone is sent.
		var methods []string
		for _, q := range s.requests() {
			if q.host == "nohead.test" {
				methods = append(methods, q.method)
			}
			if !strings.Contains(q.ua, "unionbot") || !strings.Contains(q.ua, "https://github.com/unionbot/unionbot") {
				t.Errorf("%s got User-Agent %q", q.host, q.ua)
			}
			if q.referer != "" || q.cookie != "" {
				t.Errorf("%s got Referer %q, Cookie %q", q.host, q.referer, q.cookie)
			}
		}
		if strings.Join(methods, ",") != "HEAD,GET" {
			t.Errorf("nohead.test saw %v, want HEAD then GET", methods)
		}
		for _, q := range s.requests() {
			if q.host != "nohead.test" && q.method != http.MethodHead {
				t.Errorf("%s was asked with %s; HEAD works there", q.host, q.method)
			}
		}
	})
}

func TestDeadLinkRaisedOnceAfterTwoWeeks(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		s, d, urls := fixture(t, false)
		ch, c, r := newChecker(s, d, st)
		t0 := c.Now()
		deadRaised := func() []linkcheck.Problem {
			var out []linkcheck.Problem
			for _, p := range r.all() {
				if p.Dead {
					out = append(out, p)
				}
			}
			return out
		}
		// Passes every 3 days for 5 weeks: a link is checked only once a
		// week (on days 0, 9, 18 and 27), and raised when it has failed
		// for 14 days across 3 checks: on day 18.
		checks := map[int]int{}
		for dd := 0; dd <= 35; dd += 3 {
			c.Advance(t0.Add(time.Duration(dd) * day).Sub(c.Now()))
			sum, err := ch.RunOnce(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			checks[dd] = sum.Checked
			if dd < 18 && len(deadRaised()) > 0 {
				t.Fatalf("day %d: raised %+v before two weeks", dd, deadRaised())
			}
		}
		// The days links were due: 0, then a week after each check.
		for dd, n := range checks {
			due := dd == 0 || dd == 9 || dd == 18 || dd == 27
			if due != (n > 0) {
				t.Errorf("day %d: checked %d links", dd, n)
			}
		}
		dead := map[string]int{}
		for _, p := range deadRaised() {
			dead[p.Entry]++
			if p.Failures < 3 || p.URL != urls[p.Entry] {
				t.Errorf("raised %+v", p)
			}
		}
		for _, id := range []string{"notfound", "gone", "broken", "badtls", "refused", "nodns"} {
			if dead[id] != 1 {
				t.Errorf("%s raised %d times, want once", id, dead[id])
			}
		}
		for _, id := range []string{"ok", "moved", "same", "nohead"} {
			if dead[id] != 0 {
				t.Errorf("%s raised as dead", id)
			}
		}
		rec := record(t, st, urls["gone"])
		if rec.Failures != 4 || !rec.FailingSince.Equal(t0) || rec.DeadRef == "" {
			t.Errorf("gone after 4 checks: %+v", rec)
		}
		moves := len(r.all()) - len(deadRaised())
		if moves != 1 {
			t.Errorf("the move was raised %d times, want once", moves)
		}
	})
}

// TestRecoveryResetsFailures: a link that answers again starts afresh.
func TestRecoveryResetsFailures(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		s := newSites(t)
		var mu sync.Mutex
		code := http.StatusInternalServerError
		s.serve("flaky.test", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			w.WriteHeader(code)
		}, false)
		d := mustDir(t, directory.Organisation{ID: "flaky", Name: "Flaky group", Websites: []string{"http://flaky.test/"}})
		ch, c, r := newChecker(s, d, st)
		for range 2 {
			if _, err := ch.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
			c.Advance(7 * day)
		}
		if rec := record(t, st, "http://flaky.test/"); rec.Failures != 2 {
			t.Fatalf("failures = %d, want 2", rec.Failures)
		}
		mu.Lock()
		code = http.StatusOK
		mu.Unlock()
		okAt := c.Now()
		if _, err := ch.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		rec := record(t, st, "http://flaky.test/")
		if rec.Failures != 0 || !rec.FailingSince.IsZero() || !rec.LastOK.Equal(okAt) || rec.Status != "ok" {
			t.Fatalf("after recovery: %+v", rec)
		}
		if len(r.all()) != 0 {
			t.Fatalf("raised %+v", r.all())
		}
	})
}

// TestOneRequestPerHostWithPause: links on one host are asked one at a
// time, with the pause between them; other hosts go on in parallel.
func TestOneRequestPerHostWithPause(t *testing.T) {
	st := bothstores.Bolt(t)
	s := newSites(t)
	var mu sync.Mutex
	inFlight, most := map[string]int{}, map[string]int{}
	// Each request to busy.test holds until a second request could have
	// arrived: the handler waits for the other host's requests to start,
	// which proves the hosts run in parallel, while busy.test itself
	// must see one at a time.
	otherStarted := make(chan struct{})
	var once sync.Once
	count := func(h string) func() {
		mu.Lock()
		inFlight[h]++
		most[h] = max(most[h], inFlight[h])
		mu.Unlock()
		return func() { mu.Lock(); inFlight[h]--; mu.Unlock() }
	}
	s.serve("busy.test", func(w http.ResponseWriter, r *http.Request) {
		defer count("busy.test")()
		select {
		case <-otherStarted:
		case <-time.After(30 * time.Second): // a deadline, not a wait
			t.Error("the other host was not checked while busy.test was")
		}
	}, false)
	s.serve("other.test", func(w http.ResponseWriter, r *http.Request) {
		defer count("other.test")()
		once.Do(func() { close(otherStarted) })
	}, false)
	var orgs []directory.Organisation
	for _, p := range []string{"a", "b", "c"} {
		orgs = append(orgs, directory.Organisation{ID: "busy-" + p, Name: "Busy " + p,
			Websites: []string{"http://busy.test/" + p}, Social: []string{"http://other.test/" + p}})
	}
	d := mustDir(t, orgs...)
	c := newClock()
	ch := linkcheck.New(d, st, nil, linkcheck.Options{Transport: s.transport(), Timeout: 10 * time.Second,
		Pause: 3 * time.Second, Hosts: 4, Now: c.Now, Sleep: c.Sleep})
	sum, err := ch.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Checked != 6 || sum.OK != 6 {
		t.Fatalf("summary %+v", sum)
	}
	if most["busy.test"] != 1 || most["other.test"] != 1 {
		t.Fatalf("most requests at once per host: %v, want 1 each", most)
	}
	// Two pauses per host: between its first and second, second and third.
	sleeps := c.Sleeps()
	if len(sleeps) != 4 {
		t.Fatalf("slept %v, want four pauses", sleeps)
	}
	for _, d := range sleeps {
		if d != 3*time.Second {
			t.Errorf("paused %v, want the 3s pause", d)
		}
	}
	var busy []string
	for _, q := range s.requests() {
		if q.host == "busy.test" {
			busy = append(busy, q.method)
		}
	}
	if len(busy) != 3 {
		t.Errorf("busy.test saw %v", busy)
	}
}

// TestPauseBetweenRequestsToOneHost checks the pause exactly: with a
// single host, every request after the first waits the whole pause.
func TestPauseBetweenRequestsToOneHost(t *testing.T) {
	st := bothstores.Bolt(t)
	s := newSites(t)
	s.serve("one.test", func(w http.ResponseWriter, r *http.Request) {}, false)
	var orgs []directory.Organisation
	for _, p := range []string{"a", "b", "c"} {
		orgs = append(orgs, directory.Organisation{ID: "one-" + p, Name: "One " + p, Websites: []string{"http://one.test/" + p}})
	}
	c := newClock()
	ch := linkcheck.New(mustDir(t, orgs...), st, nil, linkcheck.Options{Transport: s.transport(), Timeout: 10 * time.Second,
		Pause: 3 * time.Second, Now: c.Now, Sleep: c.Sleep})
	if _, err := ch.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	sleeps := c.Sleeps()
	if len(sleeps) != 2 || sleeps[0] != 3*time.Second || sleeps[1] != 3*time.Second {
		t.Fatalf("slept %v, want [3s 3s]", sleeps)
	}
}

// TestRunWaitsThenChecksEveryTick: Run waits Delay before its first pass,
// then passes every Tick, and stops when ctx ends.
func TestRunWaitsThenChecksEveryTick(t *testing.T) {
	st := bothstores.Bolt(t)
	s := newSites(t)
	s.serve("ok.test", func(w http.ResponseWriter, r *http.Request) {}, false)
	d := mustDir(t, directory.Organisation{ID: "ok", Name: "OK group", Websites: []string{"http://ok.test/"}})
	c := newClock()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var mu sync.Mutex
	var slept []time.Duration
	passesAtSleep := []int{}
	sleep := func(ctx context.Context, dur time.Duration) error {
		mu.Lock()
		defer mu.Unlock()
		slept = append(slept, dur)
		passesAtSleep = append(passesAtSleep, len(s.requests()))
		// Simulated time moves on by the sleep; after four, stop.
		c.Advance(dur)
		if len(slept) == 4 {
			cancel()
		}
		return ctx.Err()
	}
	ch := linkcheck.New(d, st, nil, linkcheck.Options{Transport: s.transport(), Timeout: 10 * time.Second,
		Delay: 10 * time.Minute, Tick: 4 * day, Now: c.Now, Sleep: sleep})
	if err := ch.Run(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{10 * time.Minute, 4 * day, 4 * day, 4 * day}
	for i := range want {
		if i >= len(slept) || slept[i] != want[i] {
			t.Fatalf("slept %v, want %v", slept, want)
		}
	}
	// Nothing before the delay; one check after it; none 4 days later
	// (not due within the week); one more 8 days after the first.
	if got := passesAtSleep; len(got) != 4 || got[0] != 0 || got[1] != 1 || got[2] != 1 || got[3] != 2 {
		t.Fatalf("requests seen at each sleep: %v, want [0 1 1 2]", got)
	}
}

// TestClosedEntriesAreNotChecked: a closed group's links are history.
func TestClosedEntriesAreNotChecked(t *testing.T) {
	st := bothstores.Bolt(t)
	s := newSites(t)
	s.serve("open.test", func(w http.ResponseWriter, r *http.Request) {}, false)
	s.serve("closed.test", func(w http.ResponseWriter, r *http.Request) {}, false)
	d := mustDir(t,
		directory.Organisation{ID: "open", Name: "Open group", Websites: []string{"http://open.test/"}},
		directory.Organisation{ID: "shut", Name: "Shut group", Websites: []string{"http://closed.test/"}, Status: directory.StatusClosed})
	c := newClock()
	sum, err := linkcheck.New(d, st, nil, linkcheck.Options{Transport: s.transport(), Now: c.Now, Sleep: c.Sleep}).RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sum.Checked != 1 {
		t.Errorf("checked %d links, want 1", sum.Checked)
	}
	for _, q := range s.requests() {
		if q.host == "closed.test" {
			t.Errorf("the closed group's site was asked")
		}
	}
	if recs, _ := linkcheck.Records(t.Context(), st); len(recs) != 1 || recs[0].URL != "http://open.test/" {
		t.Errorf("records %+v", recs)
	}
}

// TestPrivateAddressesAreRefused: with its own transport, the checker
// connects to public addresses only, so neither a link nor a redirect can
// point it at the deployment's network.
func TestPrivateAddressesAreRefused(t *testing.T) {
	st := bothstores.Bolt(t)
	var asked atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { asked.Add(1) }))
	t.Cleanup(srv.Close)
	u := srv.URL + "/"
	d := mustDir(t, directory.Organisation{ID: "inside", Name: "Inside group", Websites: []string{u}})
	c := newClock()
	if _, err := linkcheck.New(d, st, nil, linkcheck.Options{Now: c.Now, Sleep: c.Sleep}).RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
	if rec := record(t, st, u); rec.Status != linkcheck.StatusBlocked || rec.OK() {
		t.Errorf("a loopback link: %+v, want blocked", rec)
	}
	if n := asked.Load(); n != 0 {
		t.Errorf("the loopback server was asked %d times", n)
	}
}
