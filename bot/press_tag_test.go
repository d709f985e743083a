package bot

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"strings"
	"sync"
	"testing"
)

// The pooled MAC states must give the very version 1 tag the scheme
// defines (so buttons signed before version 2 still open), computed here from
// scratch with a fresh hmac.New, also when tags are made concurrently and
// after a long payload has grown a pooled buffer.
func TestTagV1IsTheDefinedHMAC(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	p := newPresses(key, nil, nil)
	want := func(kind byte, b binding, payload string) string {
		var in []byte
		in = append(in, "unionbot press v1"...)
		for _, f := range []string{string(kind), b.platform, b.chat, b.user, payload} {
			in = binary.AppendUvarint(in, uint64(len(f)))
			in = append(in, f...)
		}
		m := hmac.New(sha256.New, key)
		m.Write(in)
		return b64.EncodeToString(m.Sum(nil)[:tagBytes])
	}
	cases := []struct {
		kind    byte
		b       binding
		payload string
	}{
		{pressAnswer, binding{"telegram", "42", "42"}, "/org vandu"},
		{pressPager, binding{"discord", "c", "u"}, "/page 2 /find Canada"},
		{pressChat, binding{"telegram", "-100", ""}, "/approve S-1"},
		{'D', binding{"console", "", "7"}, strings.Repeat("x", 700)},
		{pressAnswer, binding{"telegram", "42", "42"}, "/org vandu"},
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for _, c := range cases {
				if got, w := p.tagV1(c.kind, c.b, c.payload), want(c.kind, c.b, c.payload); got != w {
					t.Errorf("tag(%c, %v, %.20q) = %q, want %q", c.kind, c.b, c.payload, got, w)
				}
			}
		})
	}
	wg.Wait()
}

// BenchmarkTagV1 is one button's tag as version 1 made it (HMAC-SHA256).
func BenchmarkTagV1(b *testing.B) {
	p := newPresses(nil, nil, nil)
	bd := binding{"telegram", "123456789", "123456789"}
	dst := make([]byte, 0, headLen)
	b.ReportAllocs()
	for b.Loop() {
		dst = p.appendTagV1(dst[:0], pressAnswer, bd, "/org vandu")
	}
}
