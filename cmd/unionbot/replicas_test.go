package main

// Several replicas of the real binary on one Redis, in front of one fake
// Telegram: one long-polls at a time, a killed poller is replaced within
// seconds, an approval made through one is in the others' index within a
// second, a card in flight when its process is killed is delivered once,
// and SIGTERM stops a process cleanly within 10 seconds.

import (
	"bufio"
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
	"github.com/unionbot/unionbot/internal/benchtest"
	"github.com/unionbot/unionbot/store/redisstore/redistest"
)

const (
	replicaToken   = "123456:REPLICA-secret-token"
	replicaModChat = int64(-1002000000001)
	replicaModUser = int64(7070707070)
	// replicaTakeover bounds how long a waiting replica may take to start
	// polling after the poller dies: the lease's ttl (2 s here) plus one
	// retry (200 ms), with room for a slow machine.
	replicaTakeover = 10 * time.Second
)

// buildUnionbot builds the real binary for the test.
func buildUnionbot(t *testing.T) string {
	t.Helper()
	return benchtest.BuildBinary(t, ".")
}

// ---- a proxy in front of the fake Telegram ----

// tgProxy forwards each process's Bot API calls to the fake, telling the
// processes apart by a path prefix (/p1/bot<token>/<method>). Like
// Telegram, it answers 409 Conflict to a getUpdates while another process
// has one in flight, and counts those conflicts. It can hold back the first
// moderator card, to kill the process that sends it.
type tgProxy struct {
	srv   *httptest.Server
	proxy *httputil.ReverseProxy

	mu        sync.Mutex
	changed   chan struct{}
	inflight  map[string]int // process → getUpdates in flight
	polls     map[string]int // process → getUpdates calls
	conflicts []string
	holdCard  bool
	heldBy    string // the process whose card is held
	sent      []proxySend
}

type proxySend struct {
	proc string
	chat int64
	text string
}

func newTGProxy(t *testing.T, tg *telegramtest.Server) *tgProxy {
	target, err := url.Parse(tg.URL())
	if err != nil {
		t.Fatal(err)
	}
	p := &tgProxy{changed: make(chan struct{}), inflight: map[string]int{}, polls: map[string]int{}}
	p.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			_, rest, _ := strings.Cut(strings.TrimPrefix(r.In.URL.Path, "/"), "/")
			r.Out.URL.Path, r.Out.URL.RawPath = "/"+rest, ""
		},
		FlushInterval: -1,
		// A killed process's long poll ends in "context canceled": expected.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

// endpoint is the UNIONBOT_TELEGRAM_API_ENDPOINT for process proc.
func (p *tgProxy) endpoint(proc string) string { return p.srv.URL + "/" + proc + "/bot%s/%s" }

func (p *tgProxy) notifyLocked() {
	close(p.changed)
	p.changed = make(chan struct{})
}

func (p *tgProxy) serve(w http.ResponseWriter, r *http.Request) {
	proc, _, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	switch method {
	case "getUpdates":
		p.mu.Lock()
		for other, n := range p.inflight {
			if other != proc && n > 0 {
				p.conflicts = append(p.conflicts, proc+" while "+other+" polls")
				p.notifyLocked()
				p.mu.Unlock()
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusConflict)
				io.WriteString(w, `{"ok":false,"error_code":409,"description":"Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}`)
				return
			}
		}
		p.inflight[proc]++
		p.polls[proc]++
		p.notifyLocked()
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inflight[proc]--
			p.notifyLocked()
			p.mu.Unlock()
		}()
	case "sendMessage":
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		vals := telegramtest.Params(r, body)
		chat, _ := strconv.ParseInt(vals.Get("chat_id"), 10, 64)
		text := vals.Get("text")
		p.mu.Lock()
		p.sent = append(p.sent, proxySend{proc: proc, chat: chat, text: text})
		hold := p.holdCard && p.heldBy == "" && chat == replicaModChat && strings.Contains(text, "New suggestion")
		if hold {
			p.heldBy = proc
		}
		p.notifyLocked()
		p.mu.Unlock()
		if hold {
			// The card never reaches Telegram: its process dies first.
			<-r.Context().Done()
			return
		}
	}
	p.proxy.ServeHTTP(w, r)
}

// wait calls cond on every change until it is true, failing after timeout.
func (p *tgProxy) wait(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		p.mu.Lock()
		ch := p.changed
		ok := cond()
		p.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
	}
}

// waitPoller waits for a process other than those in not to hold a
// getUpdates, and returns it.
func (p *tgProxy) waitPoller(t *testing.T, timeout time.Duration, not ...string) string {
	t.Helper()
	var who string
	p.wait(t, timeout, "a process to long-poll", func() bool {
		for proc, n := range p.inflight {
			if n > 0 && !strings.Contains(" "+strings.Join(not, " ")+" ", " "+proc+" ") {
				who = proc
				return true
			}
		}
		return false
	})
	return who
}

func (p *tgProxy) pollers() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := map[string]int{}
	for k, v := range p.polls {
		out[k] = v
	}
	return out
}

// ---- a process ----

type replica struct {
	name string
	cmd  *exec.Cmd
	logs *opsBuffer
	addr chan string // the HTTP address, once logged
	base string
	done chan struct{}
	err  error // Wait's, once done
}

var listening = regexp.MustCompile(`"msg":"serving /healthz, /readyz and /metrics".*"addr":"([^"]+)"`)

func startReplica(t *testing.T, bin, name string, env map[string]string) *replica {
	t.Helper()
	r := &replica{name: name, logs: &opsBuffer{}, addr: make(chan string, 1), done: make(chan struct{})}
	r.cmd = exec.Command(bin)
	r.cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		r.cmd.Env = append(r.cmd.Env, k+"="+v)
	}
	stderr, err := r.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	r.cmd.Stdout = r.logs
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			r.logs.Write([]byte(line + "\n"))
			if m := listening.FindStringSubmatch(line); m != nil {
				r.addr <- m[1]
			}
		}
		r.err = r.cmd.Wait()
		close(r.done)
	}()
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		<-r.done
		if t.Failed() {
			t.Logf("log of %s:\n%s", name, r.logs.String())
		}
	})
	select {
	case a := <-r.addr:
		r.base = "http://" + a
	case <-r.done:
		t.Fatalf("%s exited at start: %v\n%s", name, r.err, r.logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not start serving HTTP within 30s:\n%s", name, r.logs.String())
	}
	return r
}

func (r *replica) kill(t *testing.T) {
	t.Helper()
	r.cmd.Process.Kill()
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s did not die", r.name)
	}
}

// metric returns the value of a sample of the process's /metrics, or -1.
func (r *replica) metric(t *testing.T, sample string) float64 {
	t.Helper()
	_, body := opsGet(t, r.base+"/metrics")
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err == nil {
				return f
			}
		}
	}
	return -1
}

func TestReplicas(t *testing.T) {
	st := redistest.MustOpen(t) // skips without Redis, fails under CI=true
	redisURL := redistest.URL()
	bin := buildUnionbot(t)
	tg := telegramtest.New(t, replicaToken)
	px := newTGProxy(t, tg)
	started := time.Now()

	procs := map[string]*replica{} // the live ones
	var all []*replica
	start := func(name string) *replica {
		r := startReplica(t, bin, name, map[string]string{
			"UNIONBOT_REDIS_URL":             redisURL,
			"UNIONBOT_REDIS_PREFIX":          st.Prefix(),
			"UNIONBOT_HTTP_ADDR":             "127.0.0.1:0",
			"UNIONBOT_LOG_FORMAT":            "json",
			"UNIONBOT_LOG_LEVEL":             "info",
			"UNIONBOT_TELEGRAM_TOKEN":        replicaToken,
			"UNIONBOT_TELEGRAM_API_ENDPOINT": px.endpoint(name),
			"UNIONBOT_TELEGRAM_MOD_CHAT":     strconv.FormatInt(replicaModChat, 10),
			"UNIONBOT_TELEGRAM_MODERATORS":   strconv.FormatInt(replicaModUser, 10),
			"UNIONBOT_LINKCHECK":             "off", // the suggested websites are not real
			"UNIONBOT_LEASE_TTL":             "2s",
			"UNIONBOT_LEASE_RENEW":           "200ms",
			"UNIONBOT_QUEUE_CLAIM_IDLE":      "2s",
		})
		procs[name] = r
		all = append(all, r)
		return r
	}
	start("p1")
	start("p2")

	// 1. One process polls; the other stands by.
	poller := px.waitPoller(t, replicaTakeover)
	other := "p2"
	if poller == "p2" {
		other = "p1"
	}
	opsEventually(t, "the standby to have tried the lease", func() bool {
		return procs[other].metric(t, `unionbot_lease_held{lease="telegram-poller"}`) == 0
	})
	if v := procs[poller].metric(t, `unionbot_lease_held{lease="telegram-poller"}`); v != 1 {
		t.Errorf("the poller %s reports lease_held %v", poller, v)
	}
	for _, r := range procs {
		if code, body := opsGet(t, r.base+"/readyz"); code != 200 {
			t.Errorf("%s /readyz = %d %q", r.name, code, body)
		}
	}

	// 2. A suggestion, whose card the proxy holds in flight; the process
	// sending it is killed before the card reaches Telegram.
	px.mu.Lock()
	px.holdCard = true
	px.mu.Unlock()
	alice := telegramtest.User{ID: 4242424242, FirstName: "Alice"}
	id := tg.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice),
		"/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | peer-run union"))
	tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(alice.ID), telegramtest.TextContains("Your suggestion is S-1")), opsWait)
	tg.WaitAcked(t, id, opsWait)
	var victim string
	px.wait(t, opsWait, "the card to be sent", func() bool { victim = px.heldBy; return victim != "" })
	killedAt := time.Now()
	procs[victim].kill(t)
	delete(procs, victim)
	start("p3") // as a supervisor would
	if victim == poller {
		poller = px.waitPoller(t, replicaTakeover, victim)
		t.Logf("%s killed while polling; %s took over in %v", victim, poller, time.Since(killedAt).Round(time.Millisecond))
	}

	// 3. The card is delivered by a survivor (after UNIONBOT_QUEUE_CLAIM_IDLE).
	card := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(replicaModChat),
		telegramtest.TextContains("New suggestion S-1"), telegramtest.Succeeded), 3*opsWait)
	t.Logf("the card held by %s was delivered %v after the kill", victim, card.At.Sub(killedAt).Round(time.Millisecond))

	// 4. Approved through the poller, found through the others within a
	// second.
	var others []*replica
	before := map[string]float64{}
	for name, r := range procs {
		if name != poller {
			others = append(others, r)
			before[name] = r.metric(t, "unionbot_directory_organisations")
		}
	}
	mod := telegramtest.User{ID: replicaModUser, FirstName: "Modesta"}
	tg.PushUpdate(telegramtest.TextUpdate(mod, telegramtest.GroupChat(replicaModChat, "mods"), "/approve S-1"))
	approved := tg.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.ToChat(replicaModChat), telegramtest.TextContains("S-1 approved")), opsWait)
	for _, r := range others {
		for r.metric(t, "unionbot_directory_organisations") != before[r.name]+1 {
			if time.Since(approved.At) > time.Second {
				t.Fatalf("%s's index did not have the approved entry within a second of the approval (%v organisations, had %v)",
					r.name, r.metric(t, "unionbot_directory_organisations"), before[r.name])
			}
			time.Sleep(10 * time.Millisecond) // polling another process, within the second
		}
		t.Logf("%s had the approved entry %v after the approval", r.name, time.Since(approved.At).Round(time.Millisecond))
	}

	// 5. The poller is killed: another takes over within seconds, and
	// finds the approved entry.
	killedAt = time.Now()
	procs[poller].kill(t)
	delete(procs, poller)
	old := poller
	poller = px.waitPoller(t, replicaTakeover, old, victim)
	took := time.Since(killedAt)
	t.Logf("%s killed while polling; %s took over in %v", old, poller, took.Round(time.Millisecond))
	bob := telegramtest.User{ID: 4343434343, FirstName: "Bob"}
	tg.PushUpdate(telegramtest.TextUpdate(bob, telegramtest.PrivateChat(bob), "/find LDUU"))
	found := tg.WaitFor(t, "sendMessage", telegramtest.ToChat(bob.ID), opsWait)
	if !strings.Contains(telegramtest.PlainText(found.Text()), "Lisbon Drug Users Union") {
		t.Errorf("/find LDUU through %s: %q", poller, found.Text())
	}
	px.mu.Lock()
	for _, s := range px.sent {
		if s.chat == bob.ID && s.proc != poller {
			t.Errorf("/find LDUU was answered by %s, not by the poller %s", s.proc, poller)
		}
	}
	px.mu.Unlock()

	// 6. SIGTERM stops each remaining process within 10 s, with status 0.
	for name, r := range procs {
		stopAt := time.Now()
		r.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-r.done:
		case <-time.After(10 * time.Second):
			t.Fatalf("%s did not exit within 10 s of SIGTERM", name)
		}
		if r.err != nil {
			t.Errorf("%s exited with %v after SIGTERM; want status 0", name, r.err)
		}
		t.Logf("%s stopped %v after SIGTERM", name, time.Since(stopAt).Round(time.Millisecond))
	}

	// Throughout: never two pollers at once, the card posted once, and no
	// token, message text or user id in the info logs.
	px.mu.Lock()
	if len(px.conflicts) > 0 {
		t.Errorf("two processes long-polled at once: %q", px.conflicts)
	}
	px.mu.Unlock()
	t.Logf("getUpdates calls by process: %v", px.pollers())
	cards := 0
	for _, c := range tg.Calls("sendMessage") {
		if c.OK() && c.ChatID() == replicaModChat && strings.Contains(telegramtest.PlainText(c.Text()), "New suggestion S-1") {
			cards++
		}
	}
	if cards != 1 {
		t.Errorf("the card of S-1 was posted %d times; want once", cards)
	}
	for _, r := range all {
		log := r.logs.String()
		for _, secret := range []string{"REPLICA-secret-token", "Lisbon", "LDUU", "4242424242", "4343434343", strconv.FormatInt(replicaModUser, 10)} {
			if strings.Contains(log, secret) {
				t.Errorf("the info log of %s holds %q", r.name, secret)
			}
		}
	}
	t.Logf("replica test took %v", time.Since(started).Round(time.Millisecond))
}
