package bot

// Signed button data.
//
// A press arrives as whatever data the platform hands the bot, and a
// modified client can send any data on any message. So the core signs the
// data of every button it emits, binding it to the kind of message it sits
// on and to whom it was offered, and on a press it accepts only data it
// signed for that person and that chat. Adapters pass Data through
// untouched both ways.
//
// The wire form is "~" + kind + tag + payload:
//
//   - kind is one letter (see the press* constants); lowercase when the
//     payload is the command line itself, uppercase when the payload is a
//     token under which the command line is kept in the store, for command
//     lines too long for a button (Telegram allows 64 bytes of data);
//   - tag is the first 8 bytes of a MAC over the kind, the platform, the
//     chat and user it is bound to and the payload, in unpadded base64url
//     (11 characters), under a per-deployment secret kept in the store
//     (ButtonSecret): AES-CMAC since version 2 (presscmac.go), and
//     HMAC-SHA256 before (tagV1), which presses still accept so that the
//     buttons of answers sent before keep working;
//   - payload is the command line ("/approve S-12") or the token.

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/unionbot/unionbot/store"
)

// The kinds of message a button can sit on. The kind decides whom a press
// must come from:
const (
	// pressPager: a page button of an answer; only the person who asked,
	// in the chat they asked in. The only kind that may edit the message.
	pressPager = 'p'
	// pressAnswer: any other button of an answer (an organisation's full
	// card, a language choice); only the person who asked, in that chat.
	pressAnswer = 'a'
	// pressChat: a message sent to a chat rather than to a person, above
	// all a moderators' card; anyone in that chat (the moderation layer
	// still checks who is a moderator).
	pressChat = 'm'
	// pressDirect: a message sent to a person's direct messages, where the
	// chat's id is not known in advance; only that person, in a private
	// chat.
	pressDirect = 'd'
)

const (
	pressMark = '~'
	tagBytes  = 8
	tagLen    = 11 // base64url of tagBytes, unpadded
	headLen   = 2 + tagLen
	tokenLen  = 12 // base64url of 9 random bytes
	// tokenTTL bounds how long a long command line (a page of a long
	// search) is kept for its button: a day, after which the button says
	// it has expired.
	tokenTTL = 24 * time.Hour
	// secretColl and secretID are where ButtonSecret keeps the key.
	secretColl = "secrets"
	secretID   = "buttons"
	secretLen  = 32
)

var b64 = base64.RawURLEncoding

// SecretDocs is the part of store.Docs that ButtonSecret needs.
type SecretDocs interface {
	Update(ctx context.Context, coll, id string, fn func(old []byte) ([]byte, error)) ([]byte, error)
}

type secretDoc struct {
	Key []byte `json:"key"` // base64 in JSON
}

// ButtonSecret returns the deployment's key for signing button data,
// creating it on first use. Creation is set-if-absent inside one atomic
// Update, so every process of a deployment sharing the store ends up with
// the same key, whichever starts first.
func ButtonSecret(ctx context.Context, d SecretDocs) ([]byte, error) {
	fresh := make([]byte, secretLen)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	newDoc, _ := json.Marshal(secretDoc{Key: fresh})
	v, err := d.Update(ctx, secretColl, secretID, func(old []byte) ([]byte, error) {
		var s secretDoc
		if old != nil && json.Unmarshal(old, &s) == nil && len(s.Key) >= secretLen {
			return nil, store.ErrNoChange
		}
		return newDoc, nil
	})
	if err != nil && !errors.Is(err, store.ErrNoChange) {
		return nil, err
	}
	var s secretDoc
	if err := json.Unmarshal(v, &s); err != nil || len(s.Key) < secretLen {
		return nil, fmt.Errorf("the button secret in the store is unreadable")
	}
	return s.Key, nil
}

// presses signs the buttons the core emits and checks the presses that
// come back.
type presses struct {
	key []byte
	// cmac makes the tags of version 2, with signers (*signer) as
	// scratch (presscmac.go).
	cmac    *cmac
	signers sync.Pool
	// macs holds HMAC-SHA256 states keyed with key for checking version
	// 1 tags: Reset returns one to "key absorbed" without hmac.New's
	// hashing of the padded keys.
	macs   sync.Pool
	tokens Prefs
	// moderator reports whether a command is a moderators' command, whose
	// buttons are for anyone in the chat.
	moderator func(name string) bool
}

func newPresses(key []byte, tokens Prefs, moderator func(string) bool) *presses {
	if len(key) == 0 {
		key = make([]byte, secretLen)
		if _, err := rand.Read(key); err != nil {
			panic("bot: no randomness for the button key: " + err.Error())
		}
	}
	if tokens == nil {
		tokens = newMemKV(10000)
	}
	p := &presses{key: key, tokens: tokens, moderator: moderator, cmac: newCMAC(key)}
	p.macs.New = func() any { return &macState{mac: hmac.New(sha256.New, p.key)} }
	return p
}

// binding is what a button is bound to besides its payload.
type binding struct {
	platform, chat, user string
}

// tag is the tag of payload for a button of kind bound to b.
func (p *presses) tag(kind byte, b binding, payload string) string {
	s := p.getSigner()
	defer p.putSigner(s)
	var sum [tagLen]byte
	return string(p.appendTag(sum[:0], s, kind, b, payload))
}

// tagV1 is the tag of version 1, which buttons sent before version 2 carry.
func (p *presses) tagV1(kind byte, b binding, payload string) string {
	var sum [tagLen]byte
	return string(p.appendTagV1(sum[:0], kind, b, payload))
}

// tagPrefix is what every version 1 tag's MAC input starts with.
const tagPrefix = "unionbot press v1"

// appendTagV1 appends the version 1 tag of payload (tagLen characters): the
// first tagBytes of HMAC-SHA256 over tagPrefix, then kind, platform, chat,
// user and payload, each preceded by its length as a uvarint (so no two
// field lists share an input).
func (p *presses) appendTagV1(dst []byte, kind byte, b binding, payload string) []byte {
	st := p.macs.Get().(*macState)
	defer p.macs.Put(st)
	st.mac.Reset()
	buf := append(st.buf[:0], tagPrefix...)
	for _, f := range [...]string{string(kind), b.platform, b.chat, b.user, payload} {
		buf = binary.AppendUvarint(buf, uint64(len(f)))
		buf = append(buf, f...)
	}
	st.mac.Write(buf)
	if cap(buf) <= 512 {
		st.buf = buf // kept for the next tag, unless a rare long one
	}
	return b64.AppendEncode(dst, st.mac.Sum(st.sum[:0])[:tagBytes])
}

// macState is one pooled keyed HMAC with the buffers a version 1 tag
// needs, so that checking one allocates nothing.
type macState struct {
	mac hash.Hash
	buf []byte
	sum [sha256.Size]byte
}

// kindOf is the kind of a button with this command line in a reply to a
// person (direct false) or a message sent outside a reply.
func (p *presses) kindOf(cmdline string, to *Address) byte {
	name := commandName(cmdline)
	if to != nil {
		if to.Direct || to.ChatID == "" {
			return pressDirect
		}
		return pressChat
	}
	switch {
	case name == "page":
		return pressPager
	case p.moderator != nil && p.moderator(name):
		return pressChat
	}
	return pressAnswer
}

// bindingFor is the binding of kind for a press in m, or for a message to
// the address.
func bindingFor(kind byte, platform, chat, user string) binding {
	switch kind {
	case pressChat:
		user = ""
	case pressDirect:
		chat = ""
	}
	return binding{platform: platform, chat: chat, user: user}
}

// seal returns the signed form of cmdline for a button of kind bound to b.
// A command line too long to fit is kept in the store under a random
// token; ok is false when that fails, and the button should be dropped.
func (p *presses) seal(ctx context.Context, kind byte, b binding, cmdline string) (string, bool) {
	s := p.getSigner()
	defer p.putSigner(s)
	out, ok := p.appendSeal(ctx, s, nil, kind, b, cmdline)
	return string(out), ok
}

// appendSeal appends the signed form of cmdline to dst (see seal), with s
// as scratch.
func (p *presses) appendSeal(ctx context.Context, s *signer, dst []byte, kind byte, b binding, cmdline string) ([]byte, bool) {
	if headLen+len(cmdline) <= MaxButtonData {
		dst = append(dst, pressMark, kind)
		return append(p.appendTag(dst, s, kind, b, cmdline), cmdline...), true
	}
	raw := make([]byte, 9)
	if _, err := rand.Read(raw); err != nil {
		return dst, false
	}
	token := b64.EncodeToString(raw)
	if err := p.tokens.Put(ctx, "press:"+token, []byte(cmdline), tokenTTL); err != nil {
		return dst, false
	}
	k := kind - 'a' + 'A'
	dst = append(dst, pressMark, k)
	return append(p.appendTag(dst, s, k, b, token), token...), true
}

// signReply signs every button of r in place (r must be the caller's own
// copy). to is nil for a reply to m, else where r is sent.
//
// The signed data of all the buttons is written into one buffer and
// made one string, each button's data a piece of it, and the buttons of
// every row share one array: signing a reply allocates the same few
// times however many buttons it has. The data are signed first and the
// buttons built after, each written once with its signed data, so that
// a button's fields are copied once (each pointer copied costs a write
// barrier while the collector runs).
func (p *presses) signReply(ctx context.Context, r *Reply, m *Message, to *Address) {
	if r == nil || len(r.Buttons) == 0 {
		return
	}
	n, size := 0, 0
	for _, row := range r.Buttons {
		n += len(row)
		for _, btn := range row {
			size += min(headLen+len(btn.Data), MaxButtonData)
		}
	}
	s := p.getSigner()
	defer p.putSigner(s)
	// ends[i] is where the signed data of the i-th button ends in buf,
	// noData for a button without data, dropped for one whose data could
	// not be sealed.
	const noData, dropped = -1, -2
	var endsAt [32]int
	ends := endsAt[:0]
	// The data are sealed into a buffer on the stack, made a string
	// once: a strings.Builder written once a button would cost a write
	// barrier a button while the collector runs.
	var bufAt [1024]byte
	buf := bufAt[:0]
	if size > len(bufAt) {
		buf = make([]byte, 0, size)
	}
	// The kind follows from the command's name, which a command line
	// starting with "/" shows before its first space: buttons whose data
	// start with that head ("/org ", which ends at that space) share the
	// kind, and most of an answer's buttons do; and the binding follows
	// from the kind.
	var head string
	var headKind, boundKind byte
	var b binding
	kept := 0
	for _, row := range r.Buttons {
		for _, btn := range row {
			if btn.Data == "" {
				ends = append(ends, noData)
				kept++
				continue
			}
			var kind byte
			if head != "" && strings.HasPrefix(btn.Data, head) {
				kind = headKind
			} else {
				kind = p.kindOf(btn.Data, to)
				if i := strings.IndexByte(btn.Data, ' '); i > 0 && btn.Data[0] == '/' {
					head, headKind = btn.Data[:i+1], kind
				}
			}
			if kind != boundKind {
				if to != nil {
					b = bindingFor(kind, to.Platform, to.ChatID, to.UserID)
				} else {
					b = bindingFor(kind, m.Platform, m.Chat.ID, m.User.ID)
				}
				boundKind = kind
			}
			sealed, ok := p.appendSeal(ctx, s, buf, kind, b, btn.Data)
			if !ok {
				ends = append(ends, dropped)
				continue
			}
			buf = sealed
			ends = append(ends, len(buf))
			kept++
		}
	}
	data := string(buf)
	all := make([]Button, kept)
	rows := make([][]Button, 0, len(r.Buttons))
	i, k, at := 0, 0, 0
	for _, row := range r.Buttons {
		from := k
		for _, btn := range row {
			end := ends[i]
			i++
			switch end {
			case dropped:
				continue
			case noData:
				all[k] = btn
			default:
				// Field by field into the zeroed array, and only the
				// fields set: a whole Button assigned moves all four
				// strings through the write barrier, empty ones too.
				nb := &all[k]
				nb.Label, nb.Data, nb.Style = btn.Label, data[at:end], btn.Style
				if btn.URL != "" {
					nb.URL = btn.URL
				}
				if btn.Share != "" {
					nb.Share = btn.Share
				}
				at = end
			}
			k++
		}
		if k > from {
			rows = append(rows, all[from:k:k])
		}
	}
	r.Buttons = rows
}

// open checks the data of a press in m and returns the command line it
// stands for and its kind. Any failure is a NotAllowed error with a short
// kind message, or Unavailable when the store cannot say.
func (p *presses) open(ctx context.Context, m *Message) (string, byte, error) {
	// Made only for a refusal: Errorf translates its message, which is
	// most of what checking a good press would otherwise cost.
	notYours := func() error { return Errorf(NotAllowed, "press.not_yours") }
	data := m.Text
	if m.Offered != nil && !slices.Contains(m.Offered, data) {
		return "", 0, notYours() // not a button of the message it came from
	}
	if len(data) <= headLen || len(data) > MaxButtonData || data[0] != pressMark {
		if name := commandName(data); name != "" && p.moderator != nil && p.moderator(name) {
			// Most likely a card posted before buttons were signed: say
			// how to act without it. Typing it is as good as pressing it,
			// since moderation checks the rights either way.
			return "", 0, Errorf(NotAllowed, "press.old_card", echo(data))
		}
		return "", 0, notYours()
	}
	kind := data[1]
	token := kind >= 'A' && kind <= 'Z'
	base := kind
	if token {
		base = kind - 'A' + 'a'
	}
	switch base {
	case pressPager, pressAnswer, pressChat, pressDirect:
	default:
		return "", 0, notYours()
	}
	if base == pressDirect && !m.Chat.Private {
		return "", 0, notYours()
	}
	tag, payload := data[2:headLen], data[headLen:]
	bound := bindingFor(base, m.Platform, m.Chat.ID, m.User.ID)
	if !hmac.Equal([]byte(tag), []byte(p.tag(kind, bound, payload))) &&
		!hmac.Equal([]byte(tag), []byte(p.tagV1(kind, bound, payload))) {
		return "", 0, notYours()
	}
	cmdline := payload
	if token {
		v, err := p.tokens.Peek(ctx, "press:"+payload)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return "", 0, Errorf(NotFound, "press.expired")
		case err != nil:
			return "", 0, &Error{Code: Unavailable, Key: "press.unavailable", Message: "the store is unavailable", Err: err}
		}
		cmdline = string(v)
	}
	// Belt and braces: the kind follows from the command when signing, so
	// a pager kind without /page (or the reverse) was never issued.
	if (base == pressPager) != (commandName(cmdline) == "page") {
		return "", 0, notYours()
	}
	return cmdline, base, nil
}

// Presses is the middleware that checks every press before any handler
// sees it and signs every button of the reply. A press whose data the core
// did not sign for this person in this chat, or that is not among the
// buttons of the message it came from (Message.Offered), is refused with a
// short private notice and edits nothing.
//
// Reply.Edit survives only for a verified page button, and in a group only
// when the platform said which buttons the pressed message carries: a
// signature cannot tell which message a press came from, so without
// Offered a member could turn the pages of their own answer over another
// message of the chat (a moderators' card). The page then comes as a new
// message instead. In a private chat every message is the person's own.
func (b *Bot) Presses() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
			if m.Pressed {
				cmdline, kind, err := b.press.open(ctx, m)
				if err != nil {
					return nil, err
				}
				m.Text, m.pressKind = cmdline, kind
			}
			rep, err := next.Handle(ctx, m)
			if rep == nil {
				return rep, err
			}
			out := *rep
			if out.Edit && (m.pressKind != pressPager || (m.Offered == nil && !m.Chat.Private)) {
				out.Edit = false
			}
			b.press.signReply(ctx, &out, m, nil)
			return &out, err
		})
	}
}

// Signing returns s with the data of every button it sends or edits in
// signed for where the message goes (see press.go): moderators' cards are
// then pressable by anyone in their chat, and the moderation layer decides
// who may act. The result is also an Editor when s is one.
func (b *Bot) Signing(s Sender) Sender {
	ss := signingSender{s: s, p: b.press}
	if ed, ok := s.(Editor); ok {
		return signingEditor{ss, ed}
	}
	return ss
}

type signingSender struct {
	s Sender
	p *presses
}

func (x signingSender) signed(ctx context.Context, to Address, r *Reply) *Reply {
	if r == nil {
		return nil
	}
	out := *r
	x.p.signReply(ctx, &out, nil, &to)
	return &out
}

func (x signingSender) Send(ctx context.Context, to Address, r *Reply) (string, error) {
	return x.s.Send(ctx, to, x.signed(ctx, to, r))
}

type signingEditor struct {
	signingSender
	ed Editor
}

func (x signingEditor) Edit(ctx context.Context, to Address, id string, r *Reply) error {
	return x.ed.Edit(ctx, to, id, x.signed(ctx, to, r))
}

// ButtonCommand is the command line a button's data stands for, for
// platforms that show buttons as commands to type (the console): the
// signed form's command line, or the data as it is.
func ButtonCommand(data string) string {
	if len(data) > headLen && data[0] == pressMark && data[1] >= 'a' && data[1] <= 'z' {
		return data[headLen:]
	}
	return data
}

// commandName is the lowercase name of the command a command line runs.
func commandName(cmdline string) string {
	m := Message{Text: cmdline}
	name, _, _ := m.Command()
	return name
}

// memKV keeps tokens in memory when no store is given (tests, and the
// console), at most max of them: the oldest go first.
type memKV struct {
	mu    sync.Mutex
	max   int
	order []string
	vals  map[string]memVal
}

type memVal struct {
	v   []byte
	exp time.Time
}

func newMemKV(max int) *memKV { return &memKV{max: max, vals: map[string]memVal{}} }

func (k *memKV) Put(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.vals[key]; !ok {
		k.order = append(k.order, key)
	}
	k.vals[key] = memVal{v: append([]byte(nil), val...), exp: time.Now().Add(ttl)}
	for len(k.order) > k.max {
		delete(k.vals, k.order[0])
		k.order = k.order[1:]
	}
	return nil
}

func (k *memKV) Peek(ctx context.Context, key string) ([]byte, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.vals[key]
	if !ok || time.Now().After(v.exp) {
		return nil, store.ErrNotFound
	}
	return append([]byte(nil), v.v...), nil
}

func (k *memKV) Remove(ctx context.Context, key string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.vals, key)
	return nil
}
