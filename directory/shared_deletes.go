package directory

// The misspelling index of places (every deletion of every place word, some
// 170,000 keys with the GeoNames cities) is built once per seed and shared:
// an Index built after a moderator's change keeps its own deletion index for
// the organisations' words alone, instead of copying the places' one on
// every rebuild (issue 15: an approval should cost the organisations only).

// deletionIndex is the places' layer of the misspelling index, frozen once
// built into a compact form: deletion hash → the ids of the words it comes
// from. The map and per-key slices it is built from cost about 15 MB for
// the 170,000 keys; this form, an open-addressing table over the hashes and
// the word lists laid end to end, about a third of that (issue 15: heap
// after start).
type deletionIndex struct {
	keys  []uint64 // open addressing, len a power of two; slot i empty if list[i] == 0
	list  []int32  // slot → 1 + the key's number in starts
	start []int32  // key number → its words are ids[start[k]:start[k+1]]
	ids   []int32
	mask  uint64
}

// freezeDeletions builds the compact form of a deletion map and its lists.
func freezeDeletions(deletes map[uint64]int32, lists [][]int32) *deletionIndex {
	size := 1
	for size < len(deletes)*4/3+1 { // load at most 3/4
		size *= 2
	}
	d := &deletionIndex{keys: make([]uint64, size), list: make([]int32, size), mask: uint64(size - 1)}
	total := 0
	for _, l := range lists {
		total += len(l)
	}
	d.start = make([]int32, 1, len(lists)+1)
	d.ids = make([]int32, 0, total)
	for h, i := range deletes {
		d.ids = append(d.ids, lists[i]...)
		d.start = append(d.start, int32(len(d.ids)))
		k := int32(len(d.start) - 1) // 1 + this key's number
		for s := d.slot(h); ; s = (s + 1) & d.mask {
			if d.list[s] == 0 {
				d.keys[s], d.list[s] = h, k
				break
			}
		}
	}
	return d
}

// slot is where the probe for h begins. The hashes are already well mixed
// (see deletions); the multiply spreads their low bits further.
func (d *deletionIndex) slot(h uint64) uint64 { return (h * 0x9e3779b97f4a7c15 >> 20) & d.mask }

// words returns the ids of the words deletion h comes from, or nil.
func (d *deletionIndex) words(h uint64) []int32 {
	for s := d.slot(h); d.list[s] != 0; s = (s + 1) & d.mask {
		if d.keys[s] == h {
			k := d.list[s] - 1
			return d.ids[d.start[k]:d.start[k+1]:d.start[k+1]]
		}
	}
	return nil
}

// deletionWords returns the ids of the words deletion d comes from: the
// places' (shared) and the organisations' (this index's own). Word ids are
// given in order, places first, so places come before organisations as they
// did when the index was one layer.
func (x *Index) deletionWords(d uint64) (places, orgs []int32) {
	if p := x.placeDels; p != nil {
		places = p.words(d)
	}
	if x.orgDels != nil {
		orgs = x.orgDeletionIndex().words(d)
	}
	return places, orgs
}
