package discord

import (
	"sync"
	"weak"

	"github.com/unionbot/unionbot/bot"
)

// A memo of rendered pages, so that a popular answer is rendered for
// Discord once rather than once per interaction (rendering was a seventh
// of the bot's CPU per interaction in a burst, and much of its garbage).
//
// The core hands out its cached answers as shallow copies that share one
// array of blocks (bot/answers.go), and blocks are never changed once a
// handler has returned them: the same blocks give the same pages. The
// pages depend only on the blocks, on Compact and, when a reply has share
// buttons or a notice, on those; such replies are not memoized. The key
// is a weak pointer to the first block, so the memo keeps no reply alive
// and cannot mistake a new array for a dead one at the same address.
//
// What it holds: a reply's pages are kept only the second time its blocks
// are seen, that is for answers the core shares between interactions;
// blocks seen once (an answer made for one person) leave a key and
// nothing of their text. At most memoEntries keys, the oldest going first.

const memoEntries = 64

type memoKey struct {
	first   weak.Pointer[bot.Block]
	n       int
	compact bool
}

type renderMemo struct {
	mu    sync.Mutex
	pages map[memoKey][]page // nil: seen once
	order [memoEntries]memoKey
	next  int // the slot of order to reuse next
}

// memoizable reports whether r's pages depend on its blocks and Compact
// alone.
func memoizable(r *bot.Reply) bool {
	if r == nil || len(r.Blocks) == 0 || r.Notice != "" {
		return false
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			if b.Share != "" {
				return false
			}
		}
	}
	return true
}

// rendered is render(r), the pages from the memo when r's blocks were
// rendered before.
func (m *renderMemo) rendered(r *bot.Reply) output {
	if !memoizable(r) {
		return render(r)
	}
	k := memoKey{first: weak.Make(&r.Blocks[0]), n: len(r.Blocks), compact: r.Compact}
	m.mu.Lock()
	if m.pages == nil {
		m.pages = make(map[memoKey][]page, memoEntries)
	}
	pages, seen := m.pages[k]
	if !seen {
		m.add(k, nil)
	}
	m.mu.Unlock()
	if pages != nil {
		return withButtons(pages, r)
	}
	out := render(r)
	if seen {
		m.mu.Lock()
		if _, still := m.pages[k]; still {
			m.pages[k] = out.pages
		}
		m.mu.Unlock()
	}
	return out
}

// add keeps k, forgetting the oldest key when the memo is full. m.mu is held.
func (m *renderMemo) add(k memoKey, pages []page) {
	if old := m.order[m.next]; old != (memoKey{}) {
		delete(m.pages, old)
	}
	m.order[m.next] = k
	m.next = (m.next + 1) % memoEntries
	m.pages[k] = pages
}
