package bot

// A cache of rendered /find answers.
//
// Once the query is cleaned, an answer to /find is a pure function of the
// directory snapshot, the link checker's states (an unreachable website is
// passed over and marked), the reader's language and the query: nothing in
// it depends on who asked or where. Paging (router.go) and signing the
// buttons for the asker (press.go) come after it, on a copy. So popular
// queries ("Canada", a big city) are rendered once per snapshot and then
// cost a map lookup. A group's full card (/org, which an inline query
// opens for each of its results) and the list of networks (/network
// without a query) are the same kind of function, and are kept in the
// same cache under keys no cleaned query can take (they start with a NUL).
//
// Privacy and size:
//   - the key is (language, query) and nothing else: no user, no chat;
//   - only answers that found something are kept, so a key is a query that
//     named a place or a group, not arbitrary text someone typed;
//   - it holds at most answerEntries answers and about answerBytes of
//     them (estimated from their text, with the pagesKept pages cut from
//     each, pageMemo), evicting the least recently used; a country's
//     answer, the largest kind, is some 20 to 30 KB by that count;
//   - it empties itself when the directory's snapshot or the link states
//     change, so an approval or a link check shows at once.

import (
	"container/list"
	"slices"
	"sync"

	"github.com/unionbot/unionbot/directory"
)

const (
	answerEntries = 256
	answerBytes   = 2 << 20
)

// pagesKept is how many pages (page and size, for one way of asking) a
// cached answer keeps: the first page on each platform, and one more.
const pagesKept = 3

type pageKey struct {
	size, page int
	text, lang string
}

// pageMemo holds the last pagesKept pages cut from one cached answer;
// safe for concurrent use.
type pageMemo struct {
	mu   sync.Mutex
	keys [pagesKept]pageKey
	reps [pagesKept]*Reply
	next int
}

// get returns the page kept for k, or nil. The page is shared: read
// only (see cachedAnswer).
func (pm *pageMemo) get(k pageKey) *Reply {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	for i, r := range pm.reps {
		if r != nil && pm.keys[i] == k {
			return r
		}
	}
	return nil
}

// put keeps r for k in place of the oldest page kept.
func (pm *pageMemo) put(k pageKey, r *Reply) {
	pm.mu.Lock()
	defer pm.mu.Unlock()
	pm.keys[pm.next], pm.reps[pm.next] = k, r
	pm.next = (pm.next + 1) % pagesKept
}

// linkGenerations is a LinkStatus that says when its states change
// (linkcheck.Snapshot). Answers are cached only with one of these (or
// with no link states at all): another LinkStatus may change at any time.
type linkGenerations interface {
	Generation() uint64
}

type answerKey struct{ lang, query string }

type answerEntry struct {
	key  answerKey
	r    *Reply
	size int
}

// answerCache is safe for concurrent use. Its zero value is not usable:
// newAnswerCache makes one; a nil *answerCache caches nothing.
type answerCache struct {
	mu      sync.Mutex
	entries int // at most this many answers
	budget  int // and about this many bytes
	// x and gen are the snapshot and link generation the answers were
	// rendered from.
	x    *directory.Index
	gen  uint64
	byQ  map[answerKey]*list.Element
	lru  list.List // of *answerEntry, most recent first
	size int
}

// newAnswerCache returns a cache of at most entries answers (0 for the
// default), or nil when entries is negative.
func newAnswerCache(entries int) *answerCache {
	switch {
	case entries < 0:
		return nil
	case entries == 0:
		entries = answerEntries
	}
	return &answerCache{entries: entries, budget: answerBytes, byQ: map[answerKey]*list.Element{}}
}

// get returns the answer kept for k, rendered from x and gen. It is
// shared with every other reader: read only (see cachedAnswer).
func (c *answerCache) get(x *directory.Index, gen uint64, k answerKey) *Reply {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.x != x || c.gen != gen {
		c.reset(x, gen)
		return nil
	}
	el, ok := c.byQ[k]
	if !ok {
		return nil
	}
	c.lru.MoveToFront(el)
	return el.Value.(*answerEntry).r
}

// put keeps r, rendered from x and gen, for k. r must not be changed
// afterwards by the caller; put clips its slices.
func (c *answerCache) put(x *directory.Index, gen uint64, k answerKey, r *Reply) {
	if c == nil || r == nil || r.NotFound {
		return
	}
	size := replySize(r, k)
	if size > c.budget/8 {
		return // one answer may not push out most of the others
	}
	clipReply(r)
	r.pages = &pageMemo{}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.x != x || c.gen != gen {
		c.reset(x, gen)
	}
	if el, ok := c.byQ[k]; ok {
		c.remove(el)
	}
	c.byQ[k] = c.lru.PushFront(&answerEntry{key: k, r: r, size: size})
	c.size += size
	for c.lru.Len() > c.entries || c.size > c.budget {
		c.remove(c.lru.Back())
	}
}

func (c *answerCache) remove(el *list.Element) {
	e := c.lru.Remove(el).(*answerEntry)
	delete(c.byQ, e.key)
	c.size -= e.size
}

func (c *answerCache) reset(x *directory.Index, gen uint64) {
	c.x, c.gen = x, gen
	clear(c.byQ)
	c.lru.Init()
	c.size = 0
}

// clipReply caps every slice of r at its length, so that an append to a
// copy reallocates instead of writing into r's arrays.
func clipReply(r *Reply) {
	r.Blocks = slices.Clip(r.Blocks)
	r.Buttons = slices.Clip(r.Buttons)
	for i := range r.Blocks {
		b := &r.Blocks[i]
		b.Spans = slices.Clip(b.Spans)
		b.Buttons = slices.Clip(b.Buttons)
	}
	for i := range r.Buttons {
		r.Buttons[i] = slices.Clip(r.Buttons[i])
	}
}

// replySize estimates the bytes r and its key hold: the text, and the
// slice and struct headers around it.
func replySize(r *Reply, k answerKey) int {
	n := 256 + len(k.lang) + len(k.query)
	// The pages cut from it share its text: each holds a page's blocks
	// and buttons and the page buttons' command lines.
	n += pagesKept * (256 + 3*len(k.query) + 160*min(len(r.Blocks), 2*MaxCompactPage))
	for _, b := range r.Blocks {
		n += 96
		for _, s := range b.Spans {
			n += 48 + len(s.Text) + len(s.URL)
		}
		for _, btn := range b.Buttons {
			n += 64 + len(btn.Label) + len(btn.Data)
		}
	}
	for _, row := range r.Buttons {
		for _, btn := range row {
			n += 64 + len(btn.Label) + len(btn.Data)
		}
	}
	return n
}

// linkGeneration is the generation of the bot's link states, and whether
// answers may be cached with them.
func (b *Bot) linkGeneration() (uint64, bool) {
	switch l := b.links.(type) {
	case noLinks:
		return 0, true
	case linkGenerations:
		return l.Generation(), true
	}
	return 0, false
}

// cachedAnswer is the answer kept for key, rendered from x and the current
// link states, else render's, which is kept for the next asker when the
// link states allow it (and render did not return nil).
//
// What is returned may be shared with everyone who asks the same, and so
// is read only, as are the pages paging cuts from it: nothing between the
// handler and signing (Presses) writes to a reply. Router.page copies
// the page it marks, and Presses signs the buttons into its own copy,
// the one a reply gets: the one reply struct copied per answer, and
// nothing of the asker's is ever written into what is kept.
func (b *Bot) cachedAnswer(x *directory.Index, key answerKey, render func() *Reply) *Reply {
	gen, cacheable := b.linkGeneration()
	if cacheable {
		if r := b.answers.get(x, gen, key); r != nil {
			return r
		}
	}
	r := render()
	if cacheable && r != nil {
		b.answers.put(x, gen, key, r)
	}
	return r
}
