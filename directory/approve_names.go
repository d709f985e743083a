package directory

import (
	"slices"
	"sort"
)

// nameList is the live organisations' slots in name order (then by slot),
// as With keeps it from one index to the next: Build's flat list
// (nameIndex.byName) in chunks, of which a With copies the few its changes
// insert into or delete from, and shares the rest. Copying the flat list
// whole was some 400 kB an approval at 100,000 organisations, a quarter of
// what one allocated, into pages the process had mostly never touched
// (issue 15: an approval in under 2 ms; BenchmarkApprovalChain).
//
// Like cvec, it is changed only through a clone no Index serves yet.
type nameList struct {
	ok     bool      // made (a Build's index has only byName)
	chunks [][]int32 // none empty, each at most 2·chunkLen long
	owned  map[*int32]bool
}

// newNameList is the list over byName, sharing its array (which must not
// change).
func newNameList(byName []int32) nameList {
	l := nameList{ok: true, chunks: make([][]int32, 0, (len(byName)+chunkMask)/chunkLen)}
	for i := 0; i < len(byName); i += chunkLen {
		end := min(i+chunkLen, len(byName))
		l.chunks = append(l.chunks, byName[i:end:end])
	}
	return l
}

// orderedNames is x's list of slots in name order, made from Build's if
// x was built rather than derived (without changing x).
func (x *Index) orderedNames() nameList {
	if x.nameSeq.ok {
		return x.nameSeq
	}
	return newNameList(x.bm.byName)
}

func (l nameList) clone() nameList {
	return nameList{ok: true, chunks: slices.Clone(l.chunks)}
}

func (l nameList) len() int {
	n := 0
	for _, c := range l.chunks {
		n += len(c)
	}
	return n
}

// flat is the list as one slice.
func (l nameList) flat() []int32 {
	out := make([]int32, 0, l.len())
	for _, c := range l.chunks {
		out = append(out, c...)
	}
	return out
}

// search is where s is or would go by order: chunk c, index i in it.
func (l *nameList) search(s int32, order func(a, b int32) int) (c, i int, found bool) {
	if len(l.chunks) == 0 {
		return 0, 0, false
	}
	c = sort.Search(len(l.chunks), func(c int) bool {
		ch := l.chunks[c]
		return order(ch[len(ch)-1], s) >= 0
	})
	if c == len(l.chunks) {
		c--
		return c, len(l.chunks[c]), false
	}
	i, found = slices.BinarySearchFunc(l.chunks[c], s, order)
	return c, i, found
}

// own makes chunk c this list's to change, copied with room to grow.
func (l *nameList) own(c int) []int32 {
	ch := l.chunks[c]
	if !l.owned[&ch[:1][0]] {
		ch = append(make([]int32, 0, 2*chunkLen+1), ch...)
		l.chunks[c] = ch
		l.mark(ch)
	}
	return ch
}

func (l *nameList) mark(ch []int32) {
	if l.owned == nil {
		l.owned = map[*int32]bool{}
	}
	l.owned[&ch[:1][0]] = true
}

// delete takes out the element at c, i.
func (l *nameList) delete(c, i int) {
	ch := slices.Delete(l.own(c), i, i+1)
	if len(ch) == 0 {
		l.chunks = slices.Delete(l.chunks, c, c+1)
		return
	}
	l.chunks[c] = ch
}

// insert puts s at c, i (as search found it), splitting a chunk grown
// past 2·chunkLen in two.
func (l *nameList) insert(c, i int, s int32) {
	if len(l.chunks) == 0 {
		ch := append(make([]int32, 0, 2*chunkLen+1), s)
		l.mark(ch)
		l.chunks = append(l.chunks, ch)
		return
	}
	ch := slices.Insert(l.own(c), i, s)
	l.chunks[c] = ch
	if len(ch) > 2*chunkLen {
		tail := append(make([]int32, 0, 2*chunkLen+1), ch[chunkLen:]...)
		l.mark(tail)
		l.chunks[c] = ch[:chunkLen]
		l.chunks = slices.Insert(l.chunks, c+1, tail)
	}
}

// neighbours are the slots before and after the one at c, i, if any.
func (l *nameList) neighbours(c, i int) (prev, next int32, hasPrev, hasNext bool) {
	ch := l.chunks[c]
	switch {
	case i > 0:
		prev, hasPrev = ch[i-1], true
	case c > 0:
		p := l.chunks[c-1]
		prev, hasPrev = p[len(p)-1], true
	}
	switch {
	case i+1 < len(ch):
		next, hasNext = ch[i+1], true
	case c+1 < len(l.chunks):
		next, hasNext = l.chunks[c+1][0], true
	}
	return
}
