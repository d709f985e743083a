package main

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/unionbot/unionbot/bot/i18n"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/config"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/linkcheck"
)

// localWeb answers for every host name, by the Host header, so that the
// checker can visit the seed's real links with all traffic on 127.0.0.1.
type localWeb struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string // hosts asked
}

// movedTo is where the "moved" site now leads: another domain.
const movedTo = "http://moved-away.example/"

// newLocalWeb answers 404, 410 or a permanent redirect to movedTo for the
// hosts named so in how, and 200 for every other.
func newLocalWeb(t *testing.T, how map[string]string) *localWeb {
	w := &localWeb{}
	w.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		host, _, _ := strings.Cut(r.Host, ":")
		w.mu.Lock()
		w.seen = append(w.seen, host)
		w.mu.Unlock()
		switch how[host] {
		case "404":
			http.NotFound(rw, r)
		case "410":
			rw.WriteHeader(http.StatusGone)
		case "moved":
			http.Redirect(rw, r, movedTo, http.StatusMovedPermanently)
		}
	}))
	t.Cleanup(w.srv.Close)
	return w
}

// seedPicks chooses seed entries whose only link is a website on a host
// no other link uses: plain http ones for ok, 404, 410 and moved, and an
// https one (which fails its handshake against the plain local server).
func seedPicks(t *testing.T) (ids map[string]string, urls map[string]string, how map[string]string) {
	t.Helper()
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	hostUse := map[string]int{}
	host := func(u string) string {
		h, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://"), "/")
		return strings.ToLower(h)
	}
	for _, o := range seed.Organisations {
		for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
			hostUse[host(u)]++
		}
	}
	ids, urls, how = map[string]string{}, map[string]string{}, map[string]string{}
	plain := []string{"ok", "404", "410", "moved"}
	for _, o := range seed.Organisations {
		if len(o.Websites) != 1 || len(o.Social) != 0 || o.Closed() || hostUse[host(o.Websites[0])] != 1 {
			continue
		}
		u := o.Websites[0]
		kind := ""
		if strings.HasPrefix(u, "https://") {
			if _, done := ids["tls"]; !done {
				kind = "tls"
			}
		} else if len(plain) > 0 {
			kind, plain = plain[0], plain[1:]
		}
		if kind != "" {
			ids[kind], urls[kind], how[host(u)] = o.ID, u, kind
		}
	}
	if len(ids) != 5 {
		t.Fatalf("the seed has too few entries with a link of their own: %v", ids)
	}
	return ids, urls, how
}

// option sends the checker's requests to the local web and makes its
// pauses return at once.
func (w *localWeb) option() option {
	return option{linkcheck: func(o *linkcheck.Options) {
		addr := w.srv.Listener.Addr().String()
		o.Transport = &http.Transport{DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				var d net.Dialer
				return d.DialContext(ctx, network, addr)
			}}
		o.Timeout = 5 * time.Second
		o.Sleep = func(ctx context.Context, d time.Duration) error { return ctx.Err() }
	}}
}

func newTestApp(t *testing.T, env map[string]string, s Streams, opts ...option) *App {
	t.Helper()
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if s.In == nil {
		s.In, s.Out, s.Err = strings.NewReader(""), io.Discard, io.Discard
	}
	app, err := NewApp(t.Context(), cfg, s, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { app.Close() })
	return app
}

func seedLinks(t *testing.T) int {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range seed.Organisations {
		n += len(o.Websites) + len(o.Social)
	}
	return n
}

func TestLinksReportAfterACheck(t *testing.T) {
	ids, urls, how := seedPicks(t)
	web := newLocalWeb(t, how)
	app := newTestApp(t, embeddedEnv(t), Streams{ConsoleOnly: true}, web.option())
	var out, errs bytes.Buffer
	if err := app.Links(t.Context(), &out, &errs, false, true); err != nil {
		t.Fatalf("links -check: %v (%s)", err, errs.String())
	}
	if !strings.Contains(errs.String(), "checked ") {
		t.Errorf("no summary on standard error: %q", errs.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != seedLinks(t)+1 {
		t.Fatalf("%d lines, want a header and %d links:\n%s", len(lines), seedLinks(t), out.String())
	}
	if h := strings.Fields(lines[0]); strings.Join(h, " ") != "ENTRY LINK STATUS LAST OK FAILURES IN A ROW" {
		t.Errorf("header %q", lines[0])
	}
	today := time.Now().UTC().Format("2006-01-02")
	want := map[string][]string{
		ids["ok"]:  {urls["ok"], "ok", today, "0"},
		ids["404"]: {urls["404"], "http 404", "never", "1"},
		ids["410"]: {urls["410"], "http 410", "never", "1"},
		// https against a plain server: the TLS handshake fails.
		ids["tls"]:   {urls["tls"], "tls", "never", "1"},
		ids["moved"]: {urls["moved"], "ok → " + movedTo + " (R-1)", today, "0"},
	}
	for _, l := range lines[1:] {
		id := strings.Fields(l)[0]
		w, ok := want[id]
		if !ok {
			continue
		}
		delete(want, id)
		for _, part := range w {
			if !strings.Contains(l, part) {
				t.Errorf("%s: line %q lacks %q", id, l, part)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("no lines for %v", want)
	}
	// The move to another domain reached the moderators, as an edit.
	it, err := app.mod.Get(t.Context(), "R-1")
	if err != nil {
		t.Fatal(err)
	}
	if it.Target != ids["moved"] || !it.Edited || it.Org.Websites[0] != movedTo {
		t.Errorf("R-1 is %+v", it)
	}

	// -json has the same links, for scripts.
	out.Reset()
	if err := app.Links(t.Context(), &out, &errs, true, false); err != nil {
		t.Fatal(err)
	}
	var rows []linkRow
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil {
		t.Fatalf("-json output is not JSON: %v\n%s", err, out.String())
	}
	if len(rows) != seedLinks(t) || strings.Fields(lines[1])[0] != rows[0].Entry {
		t.Fatalf("%d rows starting with %+v", len(rows), rows[0])
	}
	for _, r := range rows {
		if r.Entry == ids["404"] && (r.Status != "http 404" || r.Code != 404 || r.Failures != 1 || !r.LastOK.IsZero() || r.Checked.IsZero()) {
			t.Errorf("%s row %+v", ids["404"], r)
		}
	}

	// A second -check within the week asks no site again.
	web.mu.Lock()
	asked := len(web.seen)
	web.mu.Unlock()
	errs.Reset()
	if err := app.Links(t.Context(), io.Discard, &errs, false, true); err != nil {
		t.Fatal(err)
	}
	web.mu.Lock()
	defer web.mu.Unlock()
	if len(web.seen) != asked || !strings.Contains(errs.String(), "checked 0 links") {
		t.Errorf("a second check within the week asked %d more times: %s", len(web.seen)-asked, errs.String())
	}
}

func TestLinksCommand(t *testing.T) {
	env := embeddedEnv(t)
	code, out, errs := runBot(t, env, "", "links", "-json")
	if code != 0 {
		t.Fatalf("links -json: exit %d: %s", code, errs)
	}
	var rows []linkRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatal(err)
	}
	if len(rows) != seedLinks(t) {
		t.Fatalf("%d rows, want %d", len(rows), seedLinks(t))
	}
	for _, r := range rows {
		if r.Status != "unchecked" || r.Failures != 0 {
			t.Fatalf("before any check: %+v", r)
		}
	}
	code, out, _ = runBot(t, env, "", "links")
	if code != 0 || !strings.HasPrefix(out, "ENTRY") || !strings.Contains(out, rows[0].URL) || !strings.Contains(out, rows[len(rows)-1].URL) {
		t.Fatalf("links: exit %d:\n%s", code, out)
	}
	// -check with the checker off asks no site and says why.
	env["UNIONBOT_LINKCHECK"] = "off"
	if code, out, errs := runBot(t, env, "", "links", "-check"); code != 0 || !strings.Contains(errs, "UNIONBOT_LINKCHECK=off") || !strings.Contains(out, "unchecked") {
		t.Errorf("links -check with the checker off: exit %d, %q", code, errs)
	}
	delete(env, "UNIONBOT_LINKCHECK")
	if code, _, errs := runBot(t, env, "", "links", "extra"); code != 2 || !strings.Contains(errs, "links takes only") {
		t.Errorf("links extra: exit %d, %q", code, errs)
	}
	if code, _, _ := runBot(t, env, "", "links", "-nope"); code != 2 {
		t.Errorf("links -nope: exit %d", code)
	}
}

// TestLinkCheckerRunsOnlyWithPlatforms: off in ask, console, export and
// the other one-shot modes, off with UNIONBOT_LINKCHECK=off, on when the
// bot serves a platform.
func TestLinkCheckerRunsOnlyWithPlatforms(t *testing.T) {
	tg := telegramtest.New(t, "123456:LINKS-token")
	for _, tc := range []struct {
		name        string
		consoleOnly bool
		platform    bool
		linkcheck   string
		want        bool
	}{
		{"platform", false, true, "", true},
		{"platform, off", false, true, "off", false},
		{"ask, console, export", true, true, "on", false},
		{"terminal", false, false, "on", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := embeddedEnv(t)
			if tc.platform {
				env = opsTelegramEnv(tg, env)
			}
			env["UNIONBOT_LINKCHECK"] = tc.linkcheck
			app := newTestApp(t, env, Streams{ConsoleOnly: tc.consoleOnly}, opsNoPacing())
			if got := app.checker != nil; got != tc.want {
				t.Errorf("checker on = %v, want %v", got, tc.want)
			}
			if app.links == nil {
				t.Error("no link states for the cards")
			}
		})
	}
}

// TestLinkCheckerHoldsItsLease: the checker runs only while its replica
// holds the lease, and gives it up when it stops.
func TestLinkCheckerHoldsItsLease(t *testing.T) {
	tg := telegramtest.New(t, "123456:LEASE-token")
	started := make(chan struct{})
	var once sync.Once
	app := newTestApp(t, opsTelegramEnv(tg, embeddedEnv(t)), Streams{}, opsNoPacing(), option{linkcheck: func(o *linkcheck.Options) {
		// The first wait (the start delay) tells the test the checker
		// runs, and lasts until the test stops it.
		o.Sleep = func(ctx context.Context, d time.Duration) error {
			once.Do(func() { close(started) })
			<-ctx.Done()
			return ctx.Err()
		}
	}})
	if app.checker == nil {
		t.Fatal("no checker")
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { defer close(done); app.runLinks(ctx) }()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("the checker did not start")
	}
	if !app.ops.isHeld(leaseLinkCheck) {
		t.Error("the checker runs without holding its lease")
	}
	if ok, err := app.store.Acquire(t.Context(), leaseLinkCheck, "another-replica", time.Minute); err != nil || ok {
		t.Errorf("another replica took the lease while the checker runs: %v, %v", ok, err)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("runLinks did not return")
	}
	if ok, err := app.store.Acquire(t.Context(), leaseLinkCheck, "another-replica", time.Minute); err != nil || !ok {
		t.Errorf("the lease was not released: %v, %v", ok, err)
	}
}
