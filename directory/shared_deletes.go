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
// process under 250 MB). It reads the words twice instead: once to count
// each key's words, once to lay them out where they go.
func buildDeletions(n int, word func(i int) (id int32, runes []rune)) *deletionIndex {
	key := make(map[uint64]int32, 2*n) // hash → key, in the order keys come
	// By key: its words counted, then where its next goes; and the last
	// word listed, since a word yields a deletion once per way of making
	// it ("aab" yields "ab" twice), and lists it once.
	var count, last []int32
	for i := range n {
		id, rw := word(i)
		indexedDeletions(rw, func(h uint64) {
			k, ok := key[h]
			if !ok {
				k = int32(len(count))
				key[h] = k
				count, last = push(count, 0), push(last, -1)
			}
			if last[k] != id {
				last[k] = id
				count[k]++
			}
		})
	}
	hashes := make([]uint64, 0, len(key))
	for h := range key {
		hashes = append(hashes, h)
	}
	slices.Sort(hashes)
	bits := dirBits(len(hashes))
	d := &deletionIndex{shift: 64 - bits, start: make([]int32, len(hashes)+1)}
	var hb, dir strings.Builder
	hb.Grow(8 * len(hashes))
	dir.Grow(4 * (1<<bits + 1))
	var buf [8]byte
	total, dirLen := int32(0), 0
	for p, h := range hashes {
		for b := h >> d.shift; dirLen <= int(b); dirLen++ {
			dir.Write(binary.LittleEndian.AppendUint32(buf[:0], uint32(p)))
		}
		hb.Write(binary.LittleEndian.AppendUint64(buf[:0], h))
		k := key[h]
		count[k], total = total, total+count[k]
		d.start[p+1] = total
		last[k] = -1
	}
	for ; dirLen < 1<<bits+1; dirLen++ {
		dir.Write(binary.LittleEndian.AppendUint32(buf[:0], uint32(len(hashes))))
	}
	d.hashes, d.dir = hb.String(), dir.String()
	d.ids = make([]int32, total)
	for i := range n {
		id, rw := word(i)
		indexedDeletions(rw, func(h uint64) {
			if k := key[h]; last[k] != id {
				last[k] = id
				d.ids[count[k]] = id
				count[k]++
			}
		})
	}
	return d
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
