package directory

import (
	"math/bits"
	"sync"
)

// scratch is one search's working memory, reused through a pool so that a
// search allocates only what its answer keeps. Its arrays are indexed by
// organisation and sized for the Index whose pool made it.
type scratch struct {
	// acc and touched are name ranking's accumulators (rankNames): a dense
	// array reset through the list of those touched. An organisation's
	// score and cover sit side by side, so a vague query's pass over
	// 100,000 postings touches one cache line per posting rather than two.
	acc     []accum
	touched []int32
	// marks is a set of organisations: id is in it when marks[id] == gen.
	// Emptying it is one increment (resetMarks).
	marks []uint32
	gen   uint32
	// near collects a city's nearby groups before they are ordered.
	near []nearCand
	// excl is a bitset of the organisations exclIDs lists, which the
	// dense ranking leaves out of its combinations (dense.go).
	excl    []uint64
	exclIDs []int32
	// served is a bitset of the organisations a place named beside a
	// name serves (servedSet), to which the name ranking keeps
	// (rankNamesServing), set since servedUsed; servedIDs lists them when
	// they are few (servedList).
	served     []uint64
	servedUsed bool
	servedIDs  []int32
	// cover, lows and and are the dense ranking's arrays of a word per
	// block of 64 organisations (dense.go), made at its first search.
	cover, lows, and []uint64
	// hits are the names offered to the dense ranking's heap.
	hits []denseHit
	// picks hold a match's lists while it is made (hitLists).
	picks []pick
}

type accum struct{ score, cover float32 }

// scratchPool hands out scratch for an Index of n organisations.
// It is shared by the indexes With derives, as long as they have no more
// than n slots.
type scratchPool struct {
	p sync.Pool
	n int
}

func newScratchPool(n int) *scratchPool {
	sp := &scratchPool{n: n}
	sp.p.New = func() any {
		return &scratch{acc: make([]accum, n), marks: make([]uint32, n), excl: make([]uint64, (n+63)/64),
			served: make([]uint64, (n+63)/64)}
	}
	return sp
}

func (x *Index) getScratch() *scratch { return x.work.p.Get().(*scratch) }

// putScratch returns s to the pool; the accumulators must be clear.
func (x *Index) putScratch(s *scratch) {
	s.near = s.near[:0]
	for _, id := range s.exclIDs {
		s.excl[id>>6] = 0
	}
	s.exclIDs = s.exclIDs[:0]
	s.clearServed()
	x.work.p.Put(s)
}

// resetMarks empties the set of marked organisations.
func (s *scratch) resetMarks() {
	s.gen++
	if s.gen == 0 { // wrapped: stale marks could equal the new generation
		clear(s.marks)
		s.gen = 1
	}
}

// mark adds id to the set and reports whether it was not in it yet.
func (s *scratch) mark(id int32) bool {
	if s.marks[id] == s.gen {
		return false
	}
	s.marks[id] = s.gen
	return true
}

// clearServed empties the set of organisations served.
func (s *scratch) clearServed() {
	if s.servedUsed {
		clear(s.served) // a memclr: a few kilobytes at 100,000 organisations
		s.servedUsed = false
	}
	s.servedIDs = s.servedIDs[:0]
}

// servedList lists the organisations served, in slot order.
func (s *scratch) servedList() []int32 {
	ids := s.servedIDs[:0]
	for w, b := range s.served {
		for ; b != 0; b &= b - 1 {
			ids = append(ids, int32(w<<6|bits.TrailingZeros64(b)))
		}
	}
	s.servedIDs = ids
	return ids
}
