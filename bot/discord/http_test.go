package discord

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

// MustKeyedAdapter is an adapter with a fresh ed25519 key, talking to a
// fake Discord for the edits and follow-ups.
func MustKeyedAdapter(t testing.TB) (*Adapter, ed25519.PrivateKey, *discordtest.Server) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t)
	a, err := New(Config{Token: testToken, APIBase: fake.APIBase(), PublicKey: hex.EncodeToString(pub)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return a, priv, fake
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestInteractionsEndpointSecurity(t *testing.T) {
	t.Parallel()
	a, key, fake := MustKeyedAdapter(t)
	h := a.InteractionsHandler(MustBot(t))
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	ping := []byte(`{"id":"1","application_id":"` + discordtest.AppID + `","type":1,"token":"t","version":1}`)
	now := time.Now()

	w := serve(h, discordtest.SignedRequest("/interactions", ping, key, now))
	if w.Code != 200 || strings.TrimSpace(w.Body.String()) != `{"type":1}` {
		t.Errorf("PING = %d %s, want PONG", w.Code, w.Body)
	}
	cases := map[string]*http.Request{
		"bad signature":    discordtest.SignedRequest("/interactions", ping, other, now),
		"stale timestamp":  discordtest.SignedRequest("/interactions", ping, key, now.Add(-6*time.Minute)),
		"future timestamp": discordtest.SignedRequest("/interactions", ping, key, now.Add(6*time.Minute)),
		"no signature":     httptest.NewRequest("POST", "/interactions", strings.NewReader(string(ping))),
	}
	tampered := discordtest.SignedRequest("/interactions", ping, key, now)
	tampered.Body = http.NoBody
	cases["tampered body"] = tampered
	garbled := discordtest.SignedRequest("/interactions", ping, key, now)
	garbled.Header.Set("X-Signature-Timestamp", "yesterday")
	cases["bad timestamp"] = garbled
	for name, r := range cases {
		if w := serve(h, r); w.Code != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", name, w.Code)
		}
	}
	if w := serve(h, httptest.NewRequest("GET", "/interactions", nil)); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("GET: %d", w.Code)
	}

	// A valid command, answered in the HTTP response; the same request
	// replayed is refused.
	in := discordtest.Command("find", discordtest.String("place", "Vancouver"))
	fake.Prepare(in)
	body := in.JSON()
	w = serve(h, discordtest.SignedRequest("/interactions", body, key, now))
	if w.Code != 200 {
		t.Fatalf("command: %d %s", w.Code, w.Body)
	}
	var resp discordtest.Response
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != discordtest.ChannelMessage || !strings.Contains(shown(resp.Data), "VANDU") || flagsOf(resp.Data) != discordtest.EphemeralFlag {
		t.Errorf("answer = %s", w.Body)
	}
	if w := serve(h, discordtest.SignedRequest("/interactions", body, key, now)); w.Code != http.StatusUnauthorized {
		t.Errorf("replay: %d, want 401", w.Code)
	}
	if len(fake.Calls()) != 0 {
		t.Errorf("a quick answer made REST calls: %v", fake.Calls())
	}

	// Without a key the endpoint is off.
	plain, err := New(Config{Token: testToken}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if w := serve(plain.InteractionsHandler(MustBot(t)), discordtest.SignedRequest("/interactions", ping, key, now)); w.Code != http.StatusServiceUnavailable {
		t.Errorf("no key: %d", w.Code)
	}
}

func TestInteractionsEndpointDeferredAndAutocomplete(t *testing.T) {
	t.Parallel()
	a, key, fake := MustKeyedAdapter(t)
	a.deferAfter = 20 * time.Millisecond
	gate := make(chan struct{})
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	defer open()
	b := MustBot(t)
	h := a.InteractionsHandler(bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		<-gate
		return b.Handle(ctx, m)
	}))
	srv := httptest.NewServer(h)
	defer srv.Close()

	in := discordtest.Command("find", discordtest.String("place", "Vancouver"))
	_, token := fake.Prepare(in)
	body := in.JSON()
	req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(string(body)))
	discordtest.Sign(req, key, body, time.Now())
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var resp discordtest.Response
	json.NewDecoder(res.Body).Decode(&resp)
	res.Body.Close()
	if resp.Type != discordtest.DeferredMessage || flagsOf(resp.Data) != discordtest.EphemeralFlag {
		t.Fatalf("slow answer: type %d flags %d, want a deferred ephemeral message", resp.Type, flagsOf(resp.Data))
	}
	fake.Acknowledge(token)
	open()
	edit := fake.WaitFor(t, discordtest.EditOriginal(token), wait)
	if edit.Status != 200 || !strings.Contains(shown(edit.JSON(t)), "VANDU") {
		t.Errorf("edit = %d %s", edit.Status, edit.Body)
	}
	noMentionsIn(t, edit.Body, "allowed_mentions")

	// Autocomplete goes to the handler's Completer.
	ac := discordtest.Autocomplete("find", discordtest.Focused("place", "Vanc"))
	fake.Prepare(ac)
	body = ac.JSON()
	w := serve(a.InteractionsHandler(b), discordtest.SignedRequest("/interactions", body, key, time.Now()))
	if w.Code != 200 || !strings.Contains(w.Body.String(), "Vancouver") || !strings.Contains(w.Body.String(), `"type":8`) {
		t.Errorf("autocomplete = %d %s", w.Code, w.Body)
	}
}

// TestFreshForgetsOldIds: an id is refused the second time while it could
// still pass the timestamp check, and forgotten afterwards, oldest first,
// so the record stays as small as the traffic of ten minutes.
func TestFreshForgetsOldIds(t *testing.T) {
	a, _, _ := MustKeyedAdapter(t)
	now := time.Unix(1_700_000_000, 0)
	a.now = func() time.Time { return now }
	for k := range 3000 {
		if !a.fresh(fmt.Sprint("id", k)) {
			t.Fatalf("id%d refused the first time", k)
		}
	}
	if a.fresh("id7") {
		t.Error("a replayed id was accepted")
	}
	now = now.Add(2*maxSkew + time.Second)
	if !a.fresh("new") {
		t.Fatal("a new id was refused")
	}
	if len(a.seen) != 1 || len(a.seenOrder) != 1 {
		t.Errorf("%d ids kept (%d queued) after they expired, want only the new one", len(a.seen), len(a.seenOrder))
	}
	if !a.fresh("id7") {
		t.Error("an expired id is still refused; the timestamp check refuses its replay")
	}
}
