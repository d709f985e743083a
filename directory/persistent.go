package directory

import (
	"hash/maphash"
	"maps"
)

// An approval makes the next Index from the previous one (Index.With), and
// both serve at once for a while: the old one answers the searches already
// under way. So the organisation layer is held in persistent structures,
// which a change copies only a small part of and otherwise shares: a
// chunked vector (cvec) for what is indexed by organisation, place or word,
// and a sharded map (smap) for what is keyed by string. At 100,000
// organisations a change then copies a few chunks and shards (some hundred
// kilobytes) instead of the whole layer (issue 15: an approval in under
// 2 ms, the process under 250 MB with two indexes alive).
//
// Both are built once from plain slices and maps (Build) and changed only
// through a value that no Index serves yet: clone, then set. A clone owns
// nothing; set copies a chunk or shard the first time it writes to it
// (owned), so later writes in the same With go to the copy.

const (
	chunkBits = 8
	chunkLen  = 1 << chunkBits
	chunkMask = chunkLen - 1
)

// cvec is a persistent vector of T in chunks of chunkLen.
type cvec[T any] struct {
	chunks [][]T
	n      int
	owned  map[int]bool // chunks this value copied, so may write to
}

// newCvec makes a vector over s, sharing its array (s must not change).
func newCvec[T any](s []T) cvec[T] {
	v := cvec[T]{n: len(s), chunks: make([][]T, 0, (len(s)+chunkMask)/chunkLen)}
	for i := 0; i < len(s); i += chunkLen {
		end := min(i+chunkLen, len(s))
		v.chunks = append(v.chunks, s[i:end:end])
	}
	return v
}

func (v *cvec[T]) len() int { return v.n }

// at is element i; it must not be written through.
func (v *cvec[T]) at(i int32) *T { return &v.chunks[i>>chunkBits][i&chunkMask] }

// clone is a copy of v that set may change without changing v.
func (v *cvec[T]) clone() cvec[T] {
	return cvec[T]{chunks: append([][]T(nil), v.chunks...), n: v.n}
}

// set replaces element i (i < len, or i == len to append).
func (v *cvec[T]) set(i int32, t T) {
	if int(i) == v.n {
		v.push(t)
		return
	}
	c := int(i >> chunkBits)
	if !v.owned[c] {
		v.chunks[c] = append(make([]T, 0, chunkLen), v.chunks[c]...)
		if v.owned == nil {
			v.owned = map[int]bool{}
		}
		v.owned[c] = true
	}
	v.chunks[c][i&chunkMask] = t
}

// push appends t.
func (v *cvec[T]) push(t T) {
	c := v.n >> chunkBits
	if c == len(v.chunks) {
		v.chunks = append(v.chunks, make([]T, 0, chunkLen))
		if v.owned == nil {
			v.owned = map[int]bool{}
		}
		v.owned[c] = true
	} else if !v.owned[c] {
		v.chunks[c] = append(make([]T, 0, chunkLen), v.chunks[c]...)
		if v.owned == nil {
			v.owned = map[int]bool{}
		}
		v.owned[c] = true
	}
	v.chunks[c] = append(v.chunks[c], t)
	v.n++
}

// pmap is a persistent map from K to V, in shards by hash.
type pmap[K comparable, V any] struct {
	hash   func(K) uint64
	shards []map[K]V
	shift  uint // a key's shard is its hash >> shift
	n      int
	owned  map[int]bool
	fresh  bool // all its shards are its own (newPmapSized), so set writes in place
}

// smap is a pmap keyed by strings.
type smap[V any] = pmap[string, V]

// stringHash hashes strings with one seed per seed's place index, so that
// every Index derived from a Build finds a key in the same shard.
func stringHash(seed maphash.Seed) func(string) uint64 {
	return func(k string) uint64 { return maphash.String(seed, k) }
}

// fnvHash is the hash of a deletion, which already is one (deletions).
func fnvHash(k uint64) uint64 { return k * 0x9E3779B97F4A7C15 }

// newPmap makes a map with m's entries, about 256 a shard: few enough
// that copying one is quick (With), and so few shards for a small map that
// the seed's have one, which no lookup hashes for.
func newPmap[K comparable, V any](hash func(K) uint64, m map[K]V) pmap[K, V] {
	b := 0
	for 1<<b < len(m)/256 && b < 14 {
		b++
	}
	s := pmap[K, V]{hash: hash, shards: make([]map[K]V, 1<<b), shift: uint(64 - b), n: len(m)}
	// Each shard made at its size: made at the average, half of them
	// would grow to twice it (issue 15: heap at 100,000 organisations).
	sizes := make([]int, len(s.shards))
	for k := range m {
		sizes[s.shard(k)]++
	}
	for i := range s.shards {
		s.shards[i] = make(map[K]V, sizes[i])
	}
	for k, v := range m {
		s.shards[s.shard(k)][k] = v
	}
	return s
}

// newPmapSized makes an empty map for about n entries, to be filled by
// set in place (Build), before any clone.
func newPmapSized[K comparable, V any](hash func(K) uint64, n int) pmap[K, V] {
	b := 0
	for 1<<b < n/256 && b < 14 {
		b++
	}
	s := pmap[K, V]{hash: hash, shards: make([]map[K]V, 1<<b), shift: uint(64 - b), fresh: true}
	for i := range s.shards {
		s.shards[i] = make(map[K]V, n>>b)
	}
	return s
}

func (s *pmap[K, V]) shard(k K) int {
	if s.shift >= 64 {
		return 0
	}
	return int(s.hash(k) >> s.shift)
}

func (s *pmap[K, V]) get(k K) (V, bool) {
	if len(s.shards) == 0 {
		var zero V
		return zero, false
	}
	v, ok := s.shards[s.shard(k)][k]
	return v, ok
}

// at is get without the flag.
func (s *pmap[K, V]) at(k K) V {
	v, _ := s.get(k)
	return v
}

func (s *pmap[K, V]) len() int { return s.n }

func (s *pmap[K, V]) clone() pmap[K, V] {
	return pmap[K, V]{hash: s.hash, shards: append([]map[K]V(nil), s.shards...), shift: s.shift, n: s.n}
}

func (s *pmap[K, V]) own(i int) map[K]V {
	if !s.fresh && !s.owned[i] {
		// maps.Clone copies the shard's groups as they are, where
		// inserting its entries one by one into a new map hashed each
		// again: a third of an approval's time at 100,000 organisations,
		// which copies a shard of the misspelling table for each of a new
		// word's deletions (BenchmarkApprovalChain).
		s.shards[i] = maps.Clone(s.shards[i])
		if s.owned == nil {
			s.owned = map[int]bool{}
		}
		s.owned[i] = true
	}
	return s.shards[i]
}

func (s *pmap[K, V]) set(k K, v V) {
	m := s.own(s.shard(k))
	if _, ok := m[k]; !ok {
		s.n++
	}
	m[k] = v
}

func (s *pmap[K, V]) del(k K) {
	i := s.shard(k)
	if _, ok := s.shards[i][k]; !ok {
		return
	}
	delete(s.own(i), k)
	s.n--
}

// all calls fn for every entry, in no particular order.
func (s *pmap[K, V]) all(fn func(K, V)) {
	for _, m := range s.shards {
		for k, v := range m {
			fn(k, v)
		}
	}
}

// bitsetWith is a copy of b with bit i set to on, grown to hold it.
func bitsetWith(b []uint64, i int32, on bool) []uint64 {
	w := int(i >> 6)
	out := make([]uint64, max(len(b), w+1))
	copy(out, b)
	if on {
		out[w] |= 1 << (i & 63)
	} else {
		out[w] &^= 1 << (i & 63)
	}
	return out
}

func bitIsSet(b []uint64, i int32) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]>>(i&63)&1 != 0
}

// org is the organisation in slot id; it must not be changed.
func (x *Index) org(id int32) *Organisation { return x.orgs.at(id) }

// cityList is city ci's ranked list (see rank).
func (x *Index) cityList(ci int32) []int32 { return *x.cityIn.at(ci) }
