package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
)

// Prefs keeps small values by key with no expiry; store.KV is one. The
// core keeps only the language people choose with /lang in it, under a
// one-way hash of their platform id.
type Prefs interface {
	// Put stores val under key; ttl 0 keeps it until Remove.
	Put(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// Peek returns the value without removing it, or store.ErrNotFound.
	Peek(ctx context.Context, key string) ([]byte, error)
	// Remove deletes the key; a missing key is not an error.
	Remove(ctx context.Context, key string) error
}

// langKey is where a person's language choice is kept: a keyed one-way
// hash of their platform and id (people.go), so no platform id is stored
// for it and no one without the deployment secret can test an id.
func (b *Bot) langKey(m *Message) string {
	return "lang:" + b.people.Key("lang", m.Platform, m.User.ID)
}

// legacyLangKey is where releases before keyed hashes kept the choice: an
// unkeyed SHA-256. Read once, moved under langKey, then deleted.
func legacyLangKey(m *Message) string {
	h := sha256.Sum256([]byte("unionbot:lang:" + m.Platform + ":" + m.User.ID))
	return "lang:" + hex.EncodeToString(h[:12])
}

// peekLang reads the stored choice, moving one kept under the old unkeyed
// key to the keyed one on the way while the upgrade's window lasts
// (Options.LegacyLangUntil): that costs a second read on a person's first
// message, so it ends.
func (b *Bot) peekLang(ctx context.Context, m *Message) ([]byte, error) {
	v, err := b.prefs.Peek(ctx, b.langKey(m))
	if !errors.Is(err, store.ErrNotFound) || !time.Now().Before(b.legacy) {
		return v, err
	}
	old := legacyLangKey(m)
	v, lerr := b.prefs.Peek(ctx, old)
	if lerr != nil {
		return nil, err
	}
	if perr := b.prefs.Put(ctx, b.langKey(m), v, 0); perr == nil {
		_ = b.prefs.Remove(ctx, old)
	}
	return v, nil
}

// Language sets Message.Lang to the language to answer in, before any
// handler runs: the person's choice made with /lang, else the language
// their platform reports, else the default (UNIONBOT_LANG), else English;
// always one of the supported languages. A store that cannot be reached
// costs only the stored choice. The reply is marked with the language, so
// adapters can write their own few words (a button's label) in it.
func (b *Bot) Language() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
			m.platformLang = m.Lang
			m.Lang = b.resolveLang(ctx, m)
			rep, err := next.Handle(ctx, m)
			if rep != nil && rep.Lang == "" {
				rep.Lang = m.Lang
			}
			return rep, err
		})
	}
}

func (b *Bot) resolveLang(ctx context.Context, m *Message) string {
	if b.prefs != nil && m.User.ID != "" {
		v, err := b.peekLang(ctx, m)
		if err == nil {
			if l, ok := i18n.Match(string(v)); ok {
				return l
			}
		} else if !errors.Is(err, store.ErrNotFound) {
			b.log.Debug("language choice unavailable; using the platform's", "platform", m.Platform, "err", err)
		}
	}
	if l, ok := i18n.Match(m.Lang); ok {
		return l
	}
	return b.lang
}

// chooseLang is /lang: with no argument it offers the languages as
// buttons; "/lang fr" keeps the choice; "/lang reset" forgets it.
func (b *Bot) chooseLang(ctx context.Context, m *Message) (*Reply, error) {
	_, arg, _ := m.Command()
	arg = strings.TrimSpace(arg)
	if arg == "" {
		r := &Reply{Private: true}
		r.Add(T(i18n.Tr(m.Lang, "lang.current", i18n.Tr(m.Lang, "lang.name"))))
		r.Add(T(i18n.Tr(m.Lang, "lang.choose")))
		var row []Button
		for _, l := range i18n.Default().Languages() {
			row = append(row, Button{Label: i18n.Tr(l, "lang.name"), Data: "/lang " + l})
			if len(row) == 4 {
				r.Buttons = append(r.Buttons, row)
				row = nil
			}
		}
		row = append(row, Button{Label: i18n.Tr(m.Lang, "lang.auto_button"), Data: "/lang reset"})
		r.Buttons = append(r.Buttons, row)
		return r, nil
	}
	switch strings.ToLower(arg) {
	case "reset", "auto", "default":
		if err := b.prefs.Remove(ctx, b.langKey(m)); err != nil {
			return nil, prefsErr(err)
		}
		if err := b.prefs.Remove(ctx, legacyLangKey(m)); err != nil {
			return nil, prefsErr(err)
		}
		// Answer in the language the platform gives, now that the
		// choice is gone.
		m.Lang = b.resolveLang(ctx, &Message{Platform: m.Platform, Lang: m.platformLang})
		r := Text(i18n.Tr(m.Lang, "lang.reset"))
		r.Private, r.Lang = true, m.Lang
		if m.Pressed {
			r.Notice = r.Blocks[0].Spans[0].Text
		}
		return r, nil
	}
	l, ok := languageNamed(arg)
	if !ok {
		names := make([]string, 0, 7)
		for _, l := range i18n.Default().Languages() {
			names = append(names, l+" ("+i18n.Tr(l, "lang.name")+")")
		}
		return nil, Errorf(Invalid, "lang.unknown", echo(arg), strings.Join(names, ", "))
	}
	if err := b.prefs.Put(ctx, b.langKey(m), []byte(l), 0); err != nil {
		return nil, prefsErr(err)
	}
	m.Lang = l
	r := Text(i18n.Tr(l, "lang.set", i18n.Tr(l, "lang.name")))
	r.Add(T(i18n.Tr(l, "lang.kept")))
	r.Private, r.Lang = true, l
	if m.Pressed {
		r.Notice = r.Blocks[0].Spans[0].Text
	}
	return r, nil
}

// languageNamed finds a supported language by code ("fr", "pt-BR") or by
// its name in any supported language ("Français", "russian", "Deutsch").
func languageNamed(s string) (string, bool) {
	if l, ok := i18n.Match(s); ok {
		return l, true
	}
	f := directory.Fold(s)
	langs := i18n.Default().Languages()
	for _, l := range langs {
		if f == directory.Fold(i18n.Tr(l, "lang.name")) {
			return l, true
		}
		t := language.Make(l)
		for _, in := range langs {
			if f == directory.Fold(display.Languages(language.Make(in)).Name(t)) {
				return l, true
			}
		}
	}
	return "", false
}

func prefsErr(err error) error {
	if errors.Is(err, store.ErrUnavailable) {
		return &Error{Code: Unavailable, Key: "lang.unavailable", Message: i18n.Tr(i18n.Reference, "lang.unavailable"), Err: err}
	}
	return &Error{Code: Internal, Err: err}
}

// Rich returns a catalog message written with light markup (**bold**,
// `code`, [text](link)) as spans, in lang.
func Rich(lang, key string, args ...any) []Span {
	parts := i18n.Rich(lang, key, args...)
	out := make([]Span, 0, len(parts))
	for _, p := range parts {
		s := Span{Text: p.Text, URL: p.URL}
		switch p.Style {
		case i18n.Bold:
			s.Style = Bold
		case i18n.Code:
			s.Style = Mono
		}
		out = append(out, s)
	}
	return out
}

// DescriptionIn is the command's description in lang: the catalog's
// "cmd.<name>" message where there is one, else Description.
func (c Command) DescriptionIn(lang string) string {
	if i18n.Default().Has("cmd." + c.Name) {
		return i18n.Tr(lang, "cmd."+c.Name)
	}
	return c.Description
}

// ArgsIn is the command's argument hint in lang ("cmd.<name>.args"),
// else Args.
func (c Command) ArgsIn(lang string) string {
	if c.Args != "" && i18n.Default().Has("cmd."+c.Name+".args") {
		return i18n.Tr(lang, "cmd."+c.Name+".args")
	}
	return c.Args
}
