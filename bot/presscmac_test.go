package bot

import (
	"context"
	"crypto/aes"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The CMAC is RFC 4493's (AES-128 test vectors, section 4), whole and
// when the message is split between absorb and finish at any block
// boundary that leaves finish the last block.
func TestCMACIsRFC4493(t *testing.T) {
	b, err := aes.NewCipher(unhex(t, "2b7e1516 28aed2a6 abf71588 09cf4f3c"))
	if err != nil {
		t.Fatal(err)
	}
	c := newCMACBlock(b)
	if got, want := hex.EncodeToString(c.k1[:]), "fbeed618357133667c85e08f7236a8de"; got != want {
		t.Errorf("K1 = %s, want %s", got, want)
	}
	if got, want := hex.EncodeToString(c.k2[:]), "f7ddac306ae266ccf90bc11ee46d513b"; got != want {
		t.Errorf("K2 = %s, want %s", got, want)
	}
	msg := unhex(t, "6bc1bee2 2e409f96 e93d7e11 7393172a ae2d8a57 1e03ac9c 9eb76fac 45af8e51 30c81c46 a35ce411 e5fbc119 1a0a52ef f69f2445 df4f9b17 ad2b417b e66c3710")
	for _, v := range []struct {
		n    int
		want string
	}{
		{0, "bb1d6929 e9593728 7fa37d12 9b756746"},
		{16, "070a16b4 6b4d4144 f79bdd9d d04a287c"},
		{40, "dfa66747 de9ae630 30ca3261 1497c827"},
		{64, "51f0bebf 7e3b9d92 fc497417 79363cfe"},
	} {
		want := hex.EncodeToString(unhex(t, v.want))
		for split := 0; split == 0 || split < v.n; split += aes.BlockSize {
			var x [aes.BlockSize]byte
			c.absorb(&x, msg[:split])
			c.finish(&x, msg[split:v.n])
			if got := hex.EncodeToString(x[:]); got != want {
				t.Errorf("CMAC of %d bytes, %d absorbed = %s, want %s", v.n, split, got, want)
			}
		}
	}
}

// A signer reused across bindings gives each button the tag a fresh one
// gives, and the tag depends on every field bound.
func TestTagV2BindsEveryField(t *testing.T) {
	p := newPresses([]byte("0123456789abcdef0123456789abcdef"), nil, nil)
	base := binding{"telegram", "42", "42"}
	cases := []struct {
		kind    byte
		b       binding
		payload string
	}{
		{pressAnswer, base, "/org vandu"},
		{pressPager, base, "/org vandu"},
		{pressAnswer, binding{"discord", "42", "42"}, "/org vandu"},
		{pressAnswer, binding{"telegram", "43", "42"}, "/org vandu"},
		{pressAnswer, binding{"telegram", "42", "43"}, "/org vandu"},
		{pressAnswer, binding{"telegram", "424", "2"}, "/org vandu"},
		{pressAnswer, base, "/org vandv"},
		{pressAnswer, base, strings.Repeat("/org vandu ", 9)},
		{pressChat, binding{"telegram", "-100", ""}, "/approve S-1"},
	}
	s := p.getSigner()
	defer p.putSigner(s)
	seen := map[string]int{}
	for i, c := range cases {
		got := string(p.appendTag(nil, s, c.kind, c.b, c.payload))
		if fresh := p.tag(c.kind, c.b, c.payload); got != fresh || len(got) != tagLen {
			t.Errorf("case %d: reused signer gives %q, a fresh one %q", i, got, fresh)
		}
		if j, ok := seen[got]; ok {
			t.Errorf("cases %d and %d share the tag %q", j, i, got)
		}
		seen[got] = i
	}
	if q := newPresses([]byte("another key, another deployment!"), nil, nil); q.tag(pressAnswer, base, "/org vandu") == p.tag(pressAnswer, base, "/org vandu") {
		t.Error("two keys give the same tag")
	}
}

// A button signed before version 2 (an HMAC tag) still opens for the
// person it was offered to, and for no one else.
func TestVersion1ButtonsStillOpen(t *testing.T) {
	p := newPresses(nil, nil, nil)
	b := bindingFor(pressAnswer, "telegram", "42", "42")
	data := "~a" + p.tagV1(pressAnswer, b, "/org vandu") + "/org vandu"
	m := &Message{Platform: "telegram", Text: data, Pressed: true, User: User{ID: "42"}, Chat: Chat{ID: "42", Private: true}}
	if got, kind, err := p.open(context.Background(), m); err != nil || got != "/org vandu" || kind != pressAnswer {
		t.Fatalf("open(v1 data) = %q, %c, %v", got, kind, err)
	}
	other := *m
	other.User.ID, other.Chat.ID = "43", "43"
	if _, _, err := p.open(context.Background(), &other); err == nil {
		t.Fatal("a version 1 button opened for someone else")
	}
}

// BenchmarkTag is one button's tag in a reply, the binding absorbed once.
func BenchmarkTag(b *testing.B) {
	p := newPresses(nil, nil, nil)
	bd := binding{"telegram", "123456789", "123456789"}
	s := p.getSigner()
	dst := make([]byte, 0, headLen)
	b.ReportAllocs()
	for b.Loop() {
		dst = p.appendTag(dst[:0], s, pressAnswer, bd, "/org vandu")
	}
}

// BenchmarkSignReply signs the buttons of a country's first page: a row
// of page buttons and twenty buttons that open a group's card.
func BenchmarkSignReply(b *testing.B) {
	p := newPresses(nil, nil, func(string) bool { return false })
	rep := &Reply{Buttons: [][]Button{{{Label: "Next ▶", Data: "/page 2 /find Canada"}}}}
	for row := range 4 {
		var r []Button
		for i := range 5 {
			id := "group-" + strings.Repeat("x", row+i)
			r = append(r, Button{Label: "ℹ " + id, Data: "/org " + id})
		}
		rep.Buttons = append(rep.Buttons, r)
	}
	m := &Message{Platform: "telegram", User: User{ID: "123456789"}, Chat: Chat{ID: "123456789", Private: true}}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out := *rep
		p.signReply(ctx, &out, m, nil)
	}
}

// TestAppendTag64 checks the written-out encoding of a tag against b64's
// over random blocks and the extreme ones.
func TestAppendTag64(t *testing.T) {
	blocks := [][16]byte{{}, {0: 0xff, 1: 0xff, 2: 0xff, 3: 0xff, 4: 0xff, 5: 0xff, 6: 0xff, 7: 0xff}}
	for range 1000 {
		var x [16]byte
		if _, err := rand.Read(x[:]); err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, x)
	}
	for _, x := range blocks {
		if got, want := string(appendTag64([]byte("~a"), &x)), "~a"+b64.EncodeToString(x[:tagBytes]); got != want {
			t.Fatalf("appendTag64(%x) = %q, want %q", x[:tagBytes], got, want)
		}
	}
}
