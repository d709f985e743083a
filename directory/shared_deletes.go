package directory

// The misspelling index of places (every deletion of every place word, some
// 170,000 keys with the GeoNames cities) is built once per seed and shared:
// an Index built after a moderator's change keeps its own deletion index for
// the organisations' words alone, instead of copying the places' one on
// every rebuild (issue 15: an approval should cost the organisations only).

// deletionIndex is one layer of the misspelling index: deletion hash →
// the ids of the words it comes from.
type deletionIndex struct {
	deletes  map[uint64]int32
	delLists [][]int32
}

// ownDeletions is x's own layer, for an Index extending x to share. A place
// index has no shared layer below its own; an Index with one (built from an
// extended index) is never extended again.
func (x *Index) ownDeletions() *deletionIndex {
	if x.placeDels != nil {
		panic("directory: extending an index that already extends another")
	}
	return &deletionIndex{deletes: x.deletes, delLists: x.delLists}
}

// deletionWords returns the ids of the words deletion d comes from: the
// places' (shared) and the organisations' (this index's own). Word ids are
// given in order, places first, so places come before organisations as they
// did when the index was one layer.
func (x *Index) deletionWords(d uint64) (places, orgs []int32) {
	if p := x.placeDels; p != nil {
		if i, ok := p.deletes[d]; ok {
			places = p.delLists[i]
		}
	}
	if i, ok := x.deletes[d]; ok {
		orgs = x.delLists[i]
	}
	return places, orgs
}
