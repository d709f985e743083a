package directory

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sortNearFirst must give the same head as sortNear, whatever the ties in
// order and distance, for heads shorter and longer than the list.
func TestSortNearFirstIsSortNearsHead(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	for trial := range 300 {
		n := r.IntN(400)
		cands := make([]nearCand, n)
		for i := range cands {
			// Few distinct distances and orders, so that ties are common.
			cands[i] = nearCand{id: int32(i), d: float64(r.IntN(20)) / 7, order: uint8(r.IntN(4))}
		}
		want := slices.Clone(cands)
		sortNear(want)
		k := r.IntN(n + 10)
		got := slices.Clone(cands)
		sortNearFirst(got, k)
		k = min(k, n)
		for i := range k {
			if got[i].id != want[i].id {
				t.Fatalf("trial %d (n %d, k %d): position %d is %d, sortNear has %d", trial, n, k, i, got[i].id, want[i].id)
			}
		}
		ids := func(c []nearCand) []int32 {
			out := make([]int32, len(c))
			for i, x := range c {
				out[i] = x.id
			}
			slices.Sort(out)
			return out
		}
		if !slices.Equal(ids(got), ids(want)) {
			t.Fatalf("trial %d: the list lost or duplicated groups", trial)
		}
	}
}
