package directory

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestNameListKeepsOrderAndItsOrigin drives a chain of nameLists, each a
// clone of the one before changed by a few inserts and deletes (as With
// makes them), against a plain sorted slice: each must list what the
// slice does, chunks splitting and emptying on the way, and every earlier
// list must still list what it did when it was made (an index that served
// keeps serving unchanged).
func TestNameListKeepsOrderAndItsOrigin(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 256))
	// Slots ordered by a key that is not their number, as names are not.
	key := func(s int32) int32 { return (s * 7919) % 1000 }
	order := func(a, b int32) int {
		if c := cmp.Compare(key(a), key(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	}
	var want []int32
	for s := range int32(700) {
		want = append(want, s)
	}
	slices.SortFunc(want, order)
	l := newNameList(slices.Clone(want))
	type kept struct {
		l    nameList
		want []int32
	}
	var history []kept
	next := int32(700)
	for step := range 400 {
		l = l.clone()
		for range 1 + r.IntN(4) {
			if len(want) > 0 && r.IntN(3) == 0 {
				s := want[r.IntN(len(want))]
				c, i, ok := l.search(s, order)
				if !ok {
					t.Fatalf("step %d: slot %d not found", step, s)
				}
				l.delete(c, i)
				j, _ := slices.BinarySearchFunc(want, s, order)
				want = slices.Delete(want, j, j+1)
				continue
			}
			// Many in a narrow band of keys, so that one chunk grows
			// past its bound and splits.
			s := next
			for key(s) > 50 {
				s++
			}
			next = s + 1
			c, i, _ := l.search(s, order)
			l.insert(c, i, s)
			if c, i, ok := l.search(s, order); !ok || l.chunks[c][i] != s {
				t.Fatalf("step %d: slot %d not where it was put", step, s)
			}
			j, _ := slices.BinarySearchFunc(want, s, order)
			want = slices.Insert(want, j, s)
		}
		if got := l.flat(); !slices.Equal(got, want) {
			t.Fatalf("step %d: list %v, want %v", step, got, want)
		}
		for _, c := range l.chunks {
			if len(c) == 0 || len(c) > 2*chunkLen {
				t.Fatalf("step %d: a chunk of %d", step, len(c))
			}
		}
		history = append(history, kept{l, slices.Clone(want)})
	}
	if len(l.chunks) <= 3 {
		t.Errorf("%d chunks at the end: no chunk split", len(l.chunks))
	}
	for i, h := range history {
		if got := h.l.flat(); !slices.Equal(got, h.want) {
			t.Fatalf("list %d changed after it was made", i)
		}
	}
}

// TestWithKeepsNamesInOrder runs a chain of approvals (BenchmarkApprovalChain's)
// over an index of several name chunks and checks after each that the
// slots With keeps in name order are every live slot, by name then slot,
// with their name keys increasing, and that the index each was derived
// from still lists what it did.
func TestWithKeepsNamesInOrder(t *testing.T) {
	seed, approved := approvalBench(t)
	orgs := append(append([]Organisation(nil), seed.Organisations...), syntheticOrgs(seed, 1500)...)
	x := Build(seed, orgs)
	x.orgDeletionIndex()
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	var earlier []*Index
	var earlierNames [][]int32
	for i := range 60 {
		y, ok := x.With([]Change{chainChange(seed, orgs, approved, i, start)})
		if !ok {
			t.Fatalf("approval %d: With could not derive the index", i)
		}
		x = y
		got := x.orderedNames().flat()
		var want []int32
		for s := range int32(x.orgs.len()) {
			if !x.info.at(s).dead {
				want = append(want, s)
			}
		}
		slices.SortFunc(want, byNameOf(x))
		if !slices.Equal(got, want) {
			t.Fatalf("approval %d: %d slots in name order differ from the live slots sorted by name (%d)", i, len(got), len(want))
		}
		for j := 1; j < len(got); j++ {
			if a, b := *x.bm.nameOrder.at(got[j-1]), *x.bm.nameOrder.at(got[j]); a >= b {
				t.Fatalf("approval %d: name keys %d and %d out of order", i, a, b)
			}
		}
		earlier, earlierNames = append(earlier, x), append(earlierNames, got)
	}
	if n := len(x.nameSeq.chunks); n < 4 {
		t.Errorf("%d chunks of names: the test does not cross chunks", n)
	}
	for i, e := range earlier {
		if !slices.Equal(e.orderedNames().flat(), earlierNames[i]) {
			t.Fatalf("the index of approval %d changed after it was derived", i)
		}
	}
}
