package linkcheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Outcomes of a check, as recorded in Record.Status.
const (
	StatusOK        = "ok"
	StatusTimeout   = "timeout"
	StatusTLS       = "tls"
	StatusRefused   = "refused"
	StatusDNS       = "dns"
	StatusRedirects = "redirects"
	StatusBlocked   = "blocked" // the link or a redirect leads to a private address
	StatusError     = "error"
)

// maxRedirects bounds the hops followed, as browsers do.
const maxRedirects = 10

// maxBody is how much of a GET's body is read before the connection is
// dropped: the status is all the checker wants.
const maxBody = 64 << 10

// result is what one check found.
type result struct {
	status    string
	code      int
	finalURL  string // where the last hop landed, when not the link itself
	permanent bool   // every hop was 301 or 308
}

func (r result) ok() bool { return r.status == StatusOK }

// check asks for u: HEAD first, and GET when the server refuses HEAD.
func (c *Checker) check(ctx context.Context, u string) result {
	r := c.request(ctx, http.MethodHead, u)
	if refusesHead(r.code) {
		r = c.request(ctx, http.MethodGet, u)
	}
	return r
}

// refusesHead reports whether a status answering HEAD may only mean that
// the server does not do HEAD (405 Method Not Allowed, 501 Not
// Implemented), or is one that some servers give HEAD alone (400, 403,
// 406): GET decides.
func refusesHead(code int) bool {
	switch code {
	case http.StatusMethodNotAllowed, http.StatusNotImplemented, http.StatusBadRequest,
		http.StatusForbidden, http.StatusNotAcceptable:
		return true
	}
	return false
}

// answered reports whether a final status means the site is there: 2xx,
// or a server that is up but will not show the page to a bot (401, 403,
// 429), which a person with a browser may still reach.
func answered(code int) bool {
	return (code >= 200 && code < 300) || code == http.StatusUnauthorized ||
		code == http.StatusForbidden || code == http.StatusTooManyRequests
}

func (c *Checker) request(ctx context.Context, method, u string) result {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return result{status: StatusError}
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept", "text/html,*/*;q=0.8")
	permanent, hops := true, 0
	client := &http.Client{
		Transport: c.transport,
		// No cookie jar: nothing is kept between requests.
		CheckRedirect: func(next *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errTooManyRedirects
			}
			hops++
			if rc := next.Response.StatusCode; rc != http.StatusMovedPermanently && rc != http.StatusPermanentRedirect {
				permanent = false
			}
			// The client copies headers on redirects, Referer aside;
			// make sure none is added.
			next.Header.Del("Referer")
			return nil
		},
	}
	resp, err := client.Do(req)
	if err != nil {
		return result{status: classify(err)}
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	r := result{code: resp.StatusCode, status: "http " + strconv.Itoa(resp.StatusCode)}
	if answered(resp.StatusCode) {
		r.status = StatusOK
	}
	if hops > 0 {
		if final := resp.Request.URL.String(); final != u {
			r.finalURL = final
			r.permanent = permanent
		}
	}
	return r
}

var errTooManyRedirects = errors.New("too many redirects")

// classify names a failure to get an answer.
func classify(err error) string {
	var (
		dnsErr  *net.DNSError
		certErr *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		recErr  tls.RecordHeaderError
		alert   tls.AlertError
	)
	switch {
	case errors.Is(err, errNotPublic):
		return StatusBlocked
	case errors.Is(err, errTooManyRedirects):
		return StatusRedirects
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return StatusTimeout
	case errors.As(err, &dnsErr):
		return StatusDNS
	case errors.As(err, &certErr), errors.As(err, &unknown), errors.As(err, &host),
		errors.As(err, &invalid), errors.As(err, &recErr), errors.As(err, &alert):
		return StatusTLS
	case errors.Is(err, syscall.ECONNREFUSED):
		return StatusRefused
	}
	// Some TLS failures reach us as text only: a plain HTTP server on the
	// https port, for one.
	if msg := err.Error(); strings.Contains(msg, "tls:") || strings.Contains(msg, "HTTP response to HTTPS client") {
		return StatusTLS
	}
	return StatusError
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// sameDomain reports whether two links are on one site: the same host
// once "www." is dropped, or one a subdomain of the other
// ("blog.vandu.org" and "vandu.org"). Without the public suffix list this
// errs towards "another domain" for sibling subdomains, which only means a
// moderator looks at a suggested edit.
func sameDomain(a, b string) bool {
	ha, hb := hostOf(a), hostOf(b)
	if ha == "" || hb == "" {
		return false
	}
	return ha == hb || strings.HasSuffix(ha, "."+hb) || strings.HasSuffix(hb, "."+ha)
}

// hostOf is a link's host, lower-case, without "www." and port.
func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(p.Hostname()), "www.")
}

// hostKey is what at most one request at a time may go to: the host name,
// port aside.
func hostKey(u *url.URL) string { return strings.ToLower(u.Hostname()) }

// gate lets one request at a time go to a host, and makes the next one
// wait Pause after the previous one ended. It is a RoundTripper, so every
// hop of a redirect passes it too; a request holds its host until its
// response body is closed (http.Client closes it before following a
// redirect).
type gate struct {
	next  http.RoundTripper
	pause time.Duration
	now   func() time.Time
	sleep func(context.Context, time.Duration) error

	slots chan map[string]*hostSlot // the map, passed as a lock
}

type hostSlot struct {
	busy chan struct{} // capacity 1: held while a request is in flight
	last time.Time     // when the last request to the host ended
}

func newGate(next http.RoundTripper, pause time.Duration, now func() time.Time, sleep func(context.Context, time.Duration) error) *gate {
	g := &gate{next: next, pause: pause, now: now, sleep: sleep, slots: make(chan map[string]*hostSlot, 1)}
	g.slots <- map[string]*hostSlot{}
	return g
}

func (g *gate) slot(host string) *hostSlot {
	m := <-g.slots
	defer func() { g.slots <- m }()
	s, ok := m[host]
	if !ok {
		s = &hostSlot{busy: make(chan struct{}, 1)}
		m[host] = s
	}
	return s
}

func (g *gate) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	s := g.slot(hostKey(req.URL))
	select {
	case s.busy <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// s.last is guarded by holding busy.
	if !s.last.IsZero() {
		if wait := s.last.Add(g.pause).Sub(g.now()); wait > 0 {
			if err := g.sleep(ctx, wait); err != nil {
				g.release(s)
				return nil, err
			}
		}
	}
	resp, err := g.next.RoundTrip(req)
	if err != nil {
		g.release(s)
		return nil, err
	}
	resp.Body = &releaseBody{ReadCloser: resp.Body, done: func() { g.release(s) }}
	return resp, nil
}

func (g *gate) release(s *hostSlot) {
	s.last = g.now()
	<-s.busy
}

// releaseBody frees the host when the body is closed, once.
type releaseBody struct {
	io.ReadCloser
	done func()
	shut bool
}

func (b *releaseBody) Close() error {
	err := b.ReadCloser.Close()
	if !b.shut {
		b.shut = true
		b.done()
	}
	return err
}

// errNotPublic refuses a connection to an address that is not on the
// public internet.
var errNotPublic = errors.New("not a public address")

// publicDialer connects to public addresses only. The links come from the
// directory, but a listed site (or a redirect from it) could point the
// checker at the deployment's own network: loopback, private ranges, link
// local (cloud metadata), and the like. It checks the address actually
// dialled, after DNS, so a name that resolves inside is refused too.
func publicDialer() *net.Dialer {
	return &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			ip := net.ParseIP(host)
			if ip == nil || !public(ip) {
				return fmt.Errorf("%w: %s", errNotPublic, host)
			}
			return nil
		},
	}
}

func public(ip net.IP) bool {
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() &&
		!ip.IsLinkLocalUnicast() && !ip.IsInterfaceLocalMulticast() && !ip.IsUnspecified()
}
