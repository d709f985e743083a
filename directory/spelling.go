package directory

import "slices"

// orgSpelling is what With changed in the organisations' vocabulary since
// the Build whose orgDeletions it shares: how many of the organisations'
// keys use each word (and fuzzily, so that a misspelling is corrected to
// it), the words added since, and the deletions of the words that became
// fuzzy since. A word no key uses any more stays in the tables but is
// passed over (wordID, fuzzyLive), so that an Index derived by a chain of
// changes knows and corrects to exactly the words a fresh build of its
// organisations would, without rebuilding the misspelling table of 100,000
// names at each approval.
type orgSpelling struct {
	uses  cvec[wordUse]         // organisation word id-base → its use
	extra cvec[[]rune]          // words added since the build: id-base-len(orgDels.names) → the word
	place pmap[int32, wordUse]  // place words the organisations' names use fuzzily
	delta pmap[uint64, []int32] // deletions (see deletions) of the words indexed since the build
}

// wordUse counts the keys using a word; indexed says its deletions are
// in the organisations' misspelling table (Build's or delta).
type wordUse struct {
	refs, fuzzy int32
	indexed     bool
}

func int32Hash(k int32) uint64 { return uint64(uint32(k)) * 0x9E3779B97F4A7C15 }

func newOrgSpelling(d *orgDeletions) *orgSpelling {
	uses := make([]wordUse, len(d.names))
	for i := range uses {
		uses[i] = wordUse{refs: d.refs[i], fuzzy: d.fuzzy[i], indexed: d.fuzzed[i]}
	}
	place := make(map[int32]wordUse, len(d.placeUse))
	for id, n := range d.placeUse {
		place[id] = wordUse{fuzzy: n, indexed: d.placeFuzzed[id]}
	}
	return &orgSpelling{
		uses:  newCvec(uses),
		place: newPmap(int32Hash, place),
		delta: newPmap[uint64, []int32](fnvHash, nil),
	}
}

func (sp *orgSpelling) clone() *orgSpelling {
	return &orgSpelling{uses: sp.uses.clone(), extra: sp.extra.clone(), place: sp.place.clone(), delta: sp.delta.clone()}
}

// use is organisation word id's use.
func (sp *orgSpelling) use(d *orgDeletions, id int32) wordUse { return *sp.uses.at(id - d.base) }

// fuzzyLive reports whether word id is one a misspelling may be corrected
// to: a place's that the places index, or one some organisation's key
// uses fuzzily.
func (x *Index) fuzzyLive(id int32) bool {
	d := x.orgDels
	if d == nil || id < d.base {
		if x.fuzzed[id] {
			return true
		}
		if x.spell == nil {
			return d != nil && d.placeFuzzed[id]
		}
		u, _ := x.spell.place.get(id)
		return u.fuzzy > 0
	}
	if x.spell == nil {
		return d.fuzzed[id-d.base]
	}
	return x.spell.use(d, id).fuzzy > 0
}

// useWord counts one more (by +1) or one fewer (-1) use of word w by an
// organisation's key, in y, whose spell and ovocab it may change (With
// cloned them), indexing the word's deletions the first time it is used
// fuzzily.
func (y *Index) useWord(w string, fuzzy bool, by int32) {
	d, sp := y.orgDels, y.spell
	if id, ok := y.placeVocab[w]; ok {
		if !fuzzy {
			return
		}
		u, _ := sp.place.get(id)
		u.fuzzy += by
		if u.fuzzy > 0 && !u.indexed && !y.fuzzed[id] {
			sp.index(id, y.words[id])
			u.indexed = true
		}
		sp.place.set(id, u)
		return
	}
	id, ok := y.ovocab.get(w)
	if !ok {
		if by < 0 {
			return
		}
		id = d.base + int32(len(d.names)+sp.extra.len())
		y.ovocab.set(w, id)
		sp.extra.push([]rune(w))
		sp.uses.push(wordUse{})
	}
	u := sp.use(d, id)
	u.refs += by
	if fuzzy {
		u.fuzzy += by
	}
	if u.fuzzy > 0 && !u.indexed {
		sp.index(id, y.wordRunes(id))
		u.indexed = true
	}
	sp.uses.set(id-d.base, u)
}

// index adds word id's deletions (rw) to delta, as addDeletions does.
func (sp *orgSpelling) index(id int32, rw []rune) {
	if len(rw) < 3 {
		return
	}
	depth := 2
	if len(rw) < 6 {
		depth = 1
	}
	deletions(rw, depth, func(h uint64) {
		l := sp.delta.at(h)
		if len(l) > 0 && l[len(l)-1] == id {
			return
		}
		// Clipped: the list may be an older Index's too.
		sp.delta.set(h, append(slices.Clip(l), id))
	})
}
