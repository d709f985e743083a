package config

import (
	"strings"
	"testing"
)

func TestLinkCheck(t *testing.T) {
	for _, tc := range []struct {
		val  string
		want bool
	}{{"", true}, {"on", true}, {"OFF", false}, {"off", false}, {"false", false}, {"true", true}, {"no", false}} {
		c, err := Load(env(map[string]string{"HOME": "/home/x", "UNIONBOT_LINKCHECK": tc.val}))
		if err != nil {
			t.Fatalf("UNIONBOT_LINKCHECK=%q: %v", tc.val, err)
		}
		if c.LinkCheck != tc.want {
			t.Errorf("UNIONBOT_LINKCHECK=%q: LinkCheck = %v, want %v", tc.val, c.LinkCheck, tc.want)
		}
	}
	_, err := Load(env(map[string]string{"HOME": "/home/x", "UNIONBOT_LINKCHECK": "sometimes"}))
	if err == nil || !strings.Contains(err.Error(), "UNIONBOT_LINKCHECK must be on or off") {
		t.Errorf("UNIONBOT_LINKCHECK=sometimes: error %v", err)
	}
}
