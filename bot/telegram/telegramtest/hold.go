package telegramtest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Hold is one call the fake keeps unanswered, so that a test can kill the
// process that made it at that exact point: the process has done all it
// does before the call, and the platform never takes what it sent.
type Hold struct {
	method  string
	match   func(Call) bool
	arrived chan struct{}
	call    Call
}

// HoldNext holds the next call of method that match accepts (match sees
// the call's method and parameters): it is never answered, and never
// takes effect, until the client gives up on it (its process dies) or the
// server closes. It is then recorded with status 499.
func (s *Server) HoldNext(method string, match func(Call) bool) *Hold {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := &Hold{method: strings.ToLower(method), match: match, arrived: make(chan struct{})}
	s.holds = append(s.holds, h)
	return h
}

// Wait waits until the held call has arrived and returns it.
func (h *Hold) Wait(t testing.TB, timeout time.Duration) Call {
	t.Helper()
	select {
	case <-h.arrived:
		return h.call
	case <-time.After(timeout):
		t.Fatalf("telegramtest: no %s to hold within %v", h.method, timeout)
		return Call{}
	}
}

// takeHoldLocked removes and returns the hold that this call meets.
func (s *Server) takeHoldLocked(name string, params url.Values) *Hold {
	for i, h := range s.holds {
		c := Call{Method: name, Params: params}
		if h.method == strings.ToLower(name) && h.match(c) {
			s.holds = append(s.holds[:i:i], s.holds[i+1:]...)
			h.call = c
			close(h.arrived)
			return h
		}
	}
	return nil
}

// hold keeps r unanswered until its client goes or the server closes.
func (s *Server) hold(w http.ResponseWriter, r *http.Request, name string, params url.Values, ct string) {
	select {
	case <-r.Context().Done():
	case <-s.closed:
	}
	aerr := &apiError{code: 499, description: "held by the test until the client went away"}
	writeAnswer(w, nil, aerr)
	s.record(name, params, ct, nil, aerr)
}
