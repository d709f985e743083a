package moderation

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store"
)

// TestSuggestedWebsiteChecked: a suggestion's website is checked once, by
// the link checker, in the background. The suggester's reply does not wait
// for a slow site; the card, posted before the answer came, is edited to
// show it; a dead site and a redirect show as such.
func TestSuggestedWebsiteChecked(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		release := make(chan struct{})
		slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		defer slow.Close()
		defer close(release)
		dead := httptest.NewServer(http.NotFoundHandler())
		defer dead.Close()
		moved := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Host == "old.example.org" {
				http.Redirect(w, r, "http://new.example.net/home", http.StatusMovedPermanently)
			}
		}))
		defer moved.Close()
		// The checker refuses private addresses; here each test host name
		// leads to its local server instead.
		hosts := map[string]string{
			"slow.example.org:80": slow.Listener.Addr().String(),
			"dead.example.org:80": dead.Listener.Addr().String(),
			"old.example.org:80":  moved.Listener.Addr().String(),
			"new.example.net:80":  moved.Listener.Addr().String(),
		}
		var d net.Dialer
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if to, ok := hosts[addr]; ok {
				return d.DialContext(ctx, network, to)
			}
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: addr, IsNotFound: true}}
		}}
		checker := linkcheck.New(nil, nil, nil, linkcheck.Options{Transport: tr, Timeout: 10 * time.Second, Pause: time.Millisecond})
		h := newHarness(t, st, Options{Prober: checker})
		mods := newRecorder()
		h.svc.AddChannel(Channel{Key: "a", To: bot.Address{Platform: "test", ChatID: "mods"}, Sender: mods})
		h.run()

		// The slow site holds its answer: the reply and the card come first.
		mustContain(t, h.say("u1", "/suggest Slow Site Union | Lisbon, Portugal | http://slow.example.org"), "S-1")
		mods.waitFor(t, "the card", func() bool { return len(mods.texts()) == 1 })
		if c := mods.texts()[0]; strings.Contains(c, "Website check") {
			t.Errorf("card claims a check the site has not answered: %q", c)
		}
		release <- struct{}{}
		mods.waitFor(t, "the card edited with the check", func() bool {
			mods.mu.Lock()
			defer mods.mu.Unlock()
			e := mods.edits["1"]
			return len(e) > 0 && strings.Contains(render(e[len(e)-1]), "Website check: reachable")
		})

		mustContain(t, h.say("u2", "/suggest Dead Site Union | Porto, Portugal | http://dead.example.org"), "S-2")
		mustContain(t, h.say("u3", "/suggest Moved Site Union | Braga, Portugal | http://old.example.org"), "S-3")
		mustContain(t, h.say("u4", "/suggest No Site Union | Faro, Portugal"), "S-4")
		for ref, want := range map[string]string{
			"S-2": "Website check: unreachable (http 404)",
			"S-3": "Website check: redirects to http://new.example.net/home",
		} {
			it := h.item(ref)
			for deadline := time.Now().Add(10 * time.Second); it.LinkCheck == nil; it = h.item(ref) {
				if time.Now().After(deadline) {
					t.Fatalf("%s: website not checked within 10 s", ref)
				}
				runtime.Gosched()
			}
			mustContain(t, render(h.svc.card(h.dir.Index(), it, "en")), want)
		}
		mods.waitFor(t, "four cards", func() bool { return len(mods.texts()) == 4 })
		if it := h.item("S-4"); it.LinkCheck != nil {
			t.Errorf("a suggestion with no website was checked: %+v", it.LinkCheck)
		}
	})
}
