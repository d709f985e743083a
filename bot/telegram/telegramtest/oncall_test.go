package telegramtest

import (
	"net/url"
	"sync"
	"testing"
)

// OnCall sees every call, refused ones included, with its parameters and
// its place in the order; KeepCalls(false) stops Calls from growing but
// not OnCall's reports nor the numbering.
func TestOnCallAndKeepCalls(t *testing.T) {
	s := New(t, "123456:TEST-token")
	var mu sync.Mutex
	var seen []Call
	s.OnCall(func(c Call) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, c)
	})
	send := func(chat string) {
		t.Helper()
		call(t, s, "sendMessage", url.Values{"chat_id": {chat}, "text": {"<b>hi</b>"}, "parse_mode": {"HTML"}})
	}
	send("42")
	s.KeepCalls(false)
	send("43")
	send("0") // refused: chat not found
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 {
		t.Fatalf("OnCall saw %d calls, want 3", len(seen))
	}
	for i, c := range seen {
		if c.Seq != i+1 || c.Method != "sendMessage" {
			t.Errorf("call %d: seq %d, method %q", i, c.Seq, c.Method)
		}
	}
	if seen[1].ChatID() != 43 || !seen[1].OK() || seen[1].Text() != "<b>hi</b>" {
		t.Errorf("second call: chat %d, ok %v, text %q", seen[1].ChatID(), seen[1].OK(), seen[1].Text())
	}
	if seen[2].OK() {
		t.Errorf("a send to chat 0 was reported as answered")
	}
	if kept := s.Calls("sendMessage"); len(kept) != 1 || kept[0].ChatID() != 42 {
		t.Errorf("Calls kept %d calls after KeepCalls(false), want only the first", len(kept))
	}
}
