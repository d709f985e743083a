package main

import (
	"context"
	"net"
	"net/http"

	"github.com/unionbot/unionbot/directory/linkcheck"
)

// offlineLinks makes every link check in a test fail at once, as if the
// host did not exist, so that no test reaches the network; and leaves
// suggested websites unchecked, so that cards change only as each test
// expects (moderation's TestSuggestedWebsiteChecked covers the check).
func offlineLinks() option {
	return option{noProbe: true, linkcheck: func(o *linkcheck.Options) {
		o.Transport = &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host (offline test)", Name: addr, IsNotFound: true}}
		}}
	}}
}
