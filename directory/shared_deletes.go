package directory

import (
	"encoding/binary"
	"slices"
	"strings"
)

// The misspelling index of places (every deletion of every place word, some
// 170,000 keys with the GeoNames cities) is built once per seed and shared:
// an Index built after a moderator's change keeps its own deletion index for
// the organisations' words alone, instead of copying the places' one on
// every rebuild (issue 15: an approval should cost the organisations only).

// deletionIndex is the places' layer of the misspelling index, frozen once
// built into a compact form: deletion hash → the ids of the words it comes
// from. The map and per-key slices it is built from cost about 15 MB for
// the 170,000 keys; this form, the hashes sorted with their word lists laid
// end to end in the same order, under 3 MB (issue 15: heap after start).
//
// The hashes and the directory into them are strings of fixed-width
// little-endian numbers, so that the index decoded from the generated
// place file (places_codec.go) reads that file's bytes where they lie, in
// the binary's read-only data, instead of copying them onto the heap at
// every start. They are sorted rather than hashed into a table so that
// the file holds no empty slots, and the directory (the first 16 or so
// bits of a hash → where such hashes begin) leaves a lookup a few
// neighbours to compare.
type deletionIndex struct {
	hashes string  // key k's hash is bytes 8k to 8k+8; ascending
	dir    string  // 1<<bits + 1 uint32s: bucket b's keys are dir[b] to dir[b+1]
	shift  uint    // 64 - bits: a hash's bucket is h >> shift
	start  []int32 // key k's words are ids[start[k]:start[k+1]]
	ids    []int32
}

// dirBits is the size of the directory for n keys: about four keys a
// bucket.
func dirBits(n int) uint {
	bits := uint(0)
	for 1<<bits < n/4 {
		bits++
	}
	return bits
}

// freezeDeletions builds the compact form of a deletion map and its lists.
// One map always freezes into the same bytes, whatever its iteration
// order: the generated place file must change only when its sources do.
func freezeDeletions(deletes map[uint64]int32, lists [][]int32) *deletionIndex {
	hashes := make([]uint64, 0, len(deletes))
	for h := range deletes {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	bits := dirBits(len(hashes))
	d := &deletionIndex{shift: 64 - bits, start: make([]int32, 1, len(hashes)+1), ids: make([]int32, 0, total)}
	hb := make([]byte, 0, 8*len(hashes))
	dir := make([]byte, 0, 4*(1<<bits+1))
	for k, h := range hashes {
		for b := h >> d.shift; len(dir) <= 4*int(b); {
			dir = binary.LittleEndian.AppendUint32(dir, uint32(k))
		}
		hb = binary.LittleEndian.AppendUint64(hb, h)
		d.ids = append(d.ids, lists[deletes[h]]...)
		d.start = append(d.start, int32(len(d.ids)))
	}
	for len(dir) < cap(dir) {
		dir = binary.LittleEndian.AppendUint32(dir, uint32(len(hashes)))
	}
	d.hashes, d.dir = string(hb), string(dir)
	return d
}

// buildDeletions makes the compact form of the deletion index of n words
// (word i is id and runes), the same as freezeDeletions makes of the map
// and lists addDeletions fills with them in that order, without that map
// of lists: at 100,000 organisations, some 400,000 keys and 3 million
// ids, the lists (a slice and its growth for each key) and a map sized
// for them were 150 MB alive at once, the peak of a start (issue 15: the
// process under 250 MB). It reads the words three times instead: to list
// the keys (their hashes, sorted a batch at a time and merged), to count
// each key's words, and to lay them out where they go, finding a key in
// the sorted hashes through the directory, as a lookup does.
func buildDeletions(n int, word func(i int) (id int32, runes []rune)) *deletionIndex {
	var keys []uint64 // sorted, each once
	batch := make([]uint64, 0, 1<<15)
	merge := func() {
		slices.Sort(batch)
		keys = mergeKeys(keys, slices.Compact(batch))
		batch = batch[:0]
	}
	for i := range n {
		_, rw := word(i)
		indexedDeletions(rw, func(h uint64) { batch = append(batch, h) })
		if len(batch) >= cap(batch)*3/4 {
			merge()
		}
	}
	merge()
	bits := dirBits(len(keys))
	d := &deletionIndex{shift: 64 - bits, start: make([]int32, len(keys)+1)}
	dir := make([]uint32, 0, 1<<bits+1)
	for p, h := range keys {
		for b := h >> d.shift; len(dir) <= int(b); {
			dir = append(dir, uint32(p))
		}
	}
	for len(dir) < cap(dir) {
		dir = append(dir, uint32(len(keys)))
	}
	find := func(h uint64) int {
		b := h >> d.shift
		p, _ := slices.BinarySearch(keys[dir[b]:dir[b+1]], h)
		return int(dir[b]) + p
	}
	// By key: its words counted, then where its next goes; and the last
	// word listed, since a word yields a deletion once per way of making
	// it ("aab" yields "ab" twice), and lists it once.
	count, last := make([]int32, len(keys)), make([]int32, len(keys))
	each := func(fn func(k int, id int32)) {
		for i := range last {
			last[i] = -1
		}
		for i := range n {
			id, rw := word(i)
			indexedDeletions(rw, func(h uint64) {
				if k := find(h); last[k] != id {
					last[k] = id
					fn(k, id)
				}
			})
		}
	}
	each(func(k int, _ int32) { count[k]++ })
	total := int32(0)
	for k, c := range count {
		count[k], total = total, total+c
		d.start[k+1] = total
	}
	d.ids = make([]int32, total)
	each(func(k int, id int32) {
		d.ids[count[k]] = id
		count[k]++
	})
	var hb, db strings.Builder
	hb.Grow(8 * len(keys))
	db.Grow(4 * len(dir))
	var buf [8]byte
	for _, h := range keys {
		hb.Write(binary.LittleEndian.AppendUint64(buf[:0], h))
	}
	for _, v := range dir {
		db.Write(binary.LittleEndian.AppendUint32(buf[:0], v))
	}
	d.hashes, d.dir = hb.String(), db.String()
	return d
}

// mergeKeys merges the sorted hashes b, each once, into the sorted hashes
// a, each once, in a's array when it has room (it grows by doubling).
func mergeKeys(a, b []uint64) []uint64 {
	if len(b) == 0 {
		return a
	}
	n := len(a)
	if cap(a) < n+len(b) {
		a = slices.Grow(a, max(n, len(b)))
	}
	a = a[:n+len(b)]
	// From the back, so that nothing of a is overwritten before it is
	// read; a hash in both is written once, which leaves room at the
	// front, closed after.
	i, j, w := n-1, len(b)-1, len(a)
	for j >= 0 {
		w--
		switch {
		case i >= 0 && a[i] > b[j]:
			a[w] = a[i]
			i--
		case i >= 0 && a[i] == b[j]:
			a[w] = a[i]
			i--
			j--
		default:
			a[w] = b[j]
			j--
		}
	}
	if w > i+1 {
		// a[:i+1] is in place; close the gap between it and a[w:].
		m := copy(a[i+1:], a[w:])
		a = a[:i+1+m]
	}
	return a
}

func le32(s string, i int) uint32 {
	t := s[i : i+4]
	return uint32(t[0]) | uint32(t[1])<<8 | uint32(t[2])<<16 | uint32(t[3])<<24
}

func le64(s string, i int) uint64 {
	t := s[i : i+8]
	return uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
		uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
}

// words returns the ids of the words deletion h comes from, or nil. It
// checks what it reads against the lists' bounds (the directory comes from
// a file): a corrupt entry is a miss, not a panic.
func (d *deletionIndex) words(h uint64) []int32 {
	b := int(h >> d.shift)
	if 4*b+8 > len(d.dir) {
		return nil
	}
	n := len(d.hashes) / 8
	lo, hi := int(le32(d.dir, 4*b)), int(le32(d.dir, 4*b+4))
	if hi > n || hi > len(d.start)-1 {
		return nil
	}
	for k := lo; k < hi; k++ {
		switch kh := le64(d.hashes, 8*k); {
		case kh == h:
			from, to := d.start[k], d.start[k+1]
			if from < 0 || from > to || int(to) > len(d.ids) {
				return nil
			}
			return d.ids[from:to:to]
		case kh > h:
			return nil
		}
	}
	return nil
}

// deletionWords returns the ids of the words deletion d comes from: the
// places' (shared) and the organisations' (this index's own). Word ids are
// given in order, places first, so places come before organisations as they
// did when the index was one layer.
//
// since are the words indexed since the build (orgSpelling). Not every
// word listed is in use (fuzzyLive).
func (x *Index) deletionWords(d uint64) (places, orgs, since []int32) {
	if p := x.placeDels; p != nil {
		places = p.words(d)
	}
	if x.orgDels != nil {
		orgs = x.orgDeletionIndex().words(d)
	}
	if x.spell != nil {
		since = x.spell.delta.at(d)
	}
	return places, orgs, since
}
