package directory

import (
	"math/bits"
	"slices"
	"sort"
)

// A vague query ("drug users union" over 100,000 names) has words that
// thousands of names hold. Adding up their postings one by one is what made
// it cost half a millisecond, so the common words also get a bitset over
// the organisations: the names holding a given combination of them are the
// AND of their bitsets, counted 64 at a time by popcount, so the count of
// matches stays exact without visiting each one. The ranking stays exact
// too: combinations are taken best bound first, and a block of 64 names is
// scored only if the bound of its best impacts could still beat the worst
// of the MaxPerTier kept (block-max pruning).

// A word is dense when at least one organisation in denseShare has it (and
// the directory is large enough for that to matter): its bitset and block
// maxima then cost less than its postings (16 bytes per 64 organisations,
// against 8 bytes a posting).
const (
	denseShare   = 32
	denseMinDocs = 512
)

// maxDenseTerms bounds the dense words a query combines (2^n combinations,
// at most 64 so that a uint64 can flag them);
// a query with more is ranked by adding up postings.
const maxDenseTerms = 6

// denseTerm is a common word's bitset over the organisations.
type denseTerm struct {
	postings []posting // the word's postings, which rank indexes
	bits     []uint64  // bit i of word w: organisation 64w+i has the word
	rank     []int32   // word w → how many postings come before it
	max      []float32 // word w → the greatest impact among its organisations
	top      float32   // the greatest impact of all
	// low are the organisations whose impact is at most lowTop, most of
	// them: a block's names whose words are all low are bounded by the
	// lowTops, which is usually too little to enter the best kept, so
	// they are counted without being scored.
	low    []uint64
	lowTop float32
}

// lowTier is the impact at or below which about nine in ten of the
// postings lie.
func lowTier(p []posting) float32 {
	imp := make([]float32, len(p))
	for i, q := range p {
		imp[i] = q.impact
	}
	slices.Sort(imp)
	return imp[len(imp)*9/10]
}

// buildDense gives the common words their bitsets.
func (ni *nameIndex) buildDense(n int) {
	if n < denseMinDocs*denseShare/4 {
		return
	}
	words := (n + 63) / 64
	for t, p := range ni.postings {
		if len(p) < denseMinDocs || len(p)*denseShare < n {
			continue
		}
		d := &denseTerm{postings: p, bits: make([]uint64, words), rank: make([]int32, words), max: make([]float32, words)}
		d.lowTop = lowTier(p)
		d.low = make([]uint64, words)
		for j, q := range p {
			if q.impact <= d.lowTop {
				d.low[q.org>>6] |= 1 << (q.org & 63)
			}
			w := q.org >> 6
			if d.bits[w] == 0 {
				d.rank[w] = int32(j)
			}
			d.bits[w] |= 1 << (q.org & 63)
			d.max[w] = max(d.max[w], q.impact)
			d.top = max(d.top, q.impact)
		}
		if ni.dense == nil {
			ni.dense = map[int32]*denseTerm{}
		}
		ni.dense[int32(t)] = d
	}
}

// impact is term t's impact for organisation id, and whether id has t; d
// is t's bitset, or nil for a word that has none.
func (ni *nameIndex) impact(t int32, d *denseTerm, id int32) (float32, bool) {
	if d != nil {
		w, b := id>>6, uint(id&63)
		m := d.bits[w]
		if m>>b&1 == 0 {
			return 0, false
		}
		return ni.postings[t][int(d.rank[w])+bits.OnesCount64(m&(1<<b-1))].impact, true
	}
	p := ni.postings[t]
	j := sort.Search(len(p), func(j int) bool { return p[j].org >= id })
	if j < len(p) && p[j].org == id {
		return p[j].impact, true
	}
	return 0, false
}

// termTop is the greatest impact term t has.
func (ni *nameIndex) termTop(t int32) float32 {
	if d := ni.dense[t]; d != nil {
		return d.top
	}
	var top float32
	for _, p := range ni.postings[t] {
		top = max(top, p.impact)
	}
	return top
}

// scoreOf is organisation id's score and cover, added up in the order
// accumulate adds them, so that the float32 sums are the same.
func (r *denseRanker) scoreOf(id int32) accum {
	var a accum
	for i, t := range r.q.terms {
		if v, ok := r.ni.impact(t, r.termBits[i], id); ok {
			a.score += v
			a.cover += float32(r.ni.idf[t])
		}
	}
	if a.cover == 0 {
		return a
	}
	for i, t := range r.q.extra {
		if v, ok := r.ni.impact(t, r.extraBits[i], id); ok {
			a.score += v
		}
	}
	return a
}

// denseRanker ranks one query by its dense words' bitsets (see above).
type denseRanker struct {
	ni    *nameIndex
	s     *scratch
	q     nameQuery
	need  float32
	dense []*denseTerm // the query's dense words' bitsets, in query order
	idf   []float32    // their idf
	// termBits and extraBits are the bitsets of q.terms and q.extra (nil
	// for a word that has none).
	termBits, extraBits []*denseTerm
	heap                topK
	isFull              bool    // MaxPerTier are kept
	worst               float32 // then, the worst kept score
	total               int
	extras              float32 // the bound of the bonus words' impacts
}

// rankDense ranks as accumulate and best do when keep is nil, and reports
// false when the query has no dense word (or too many) to do it with.
func (ni *nameIndex) rankDense(s *scratch, q nameQuery, need float32) ([]int32, int, bool) {
	r := denseRanker{ni: ni, s: s, q: q, need: need}
	for _, t := range q.terms {
		d := ni.dense[t]
		r.termBits = append(r.termBits, d)
		if d != nil {
			r.dense = append(r.dense, d)
			r.idf = append(r.idf, float32(ni.idf[t]))
		}
	}
	if len(r.dense) == 0 || len(r.dense) > maxDenseTerms {
		return nil, 0, false
	}
	r.heap.better = func(a, b int32) bool {
		if sa, sb := s.acc[a].score, s.acc[b].score; sa != sb {
			return sa > sb
		}
		return ni.nameOrder[a] < ni.nameOrder[b]
	}
	for _, t := range q.extra {
		r.extraBits = append(r.extraBits, ni.dense[t])
		r.extras += ni.termTop(t)
	}
	r.rankSparse()
	r.rankCombinations(r.combinations())
	out := r.heap.ids
	sort.Slice(out, func(i, j int) bool { return r.heap.better(out[i], out[j]) })
	return out, r.total, true
}

// offer keeps id if it is among the best so far, and keeps worst, the
// score a name must reach once MaxPerTier are kept, current.
func (r *denseRanker) offer(id int32, a accum) {
	h := &r.heap
	if r.isFull && a.score < r.worst {
		return
	}
	if r.s.acc[id] == (accum{}) {
		r.s.touched = append(r.s.touched, id)
	}
	r.s.acc[id] = a
	h.offer(id, MaxPerTier)
	if len(h.ids) == MaxPerTier {
		r.isFull, r.worst = true, r.s.acc[h.ids[0]].score
	}
}

// rankSparse scores the names holding one of the query's rarer words
// through their postings, and marks them so that the combinations of
// dense words leave them out.
func (r *denseRanker) rankSparse() {
	s := r.s
	s.resetMarks()
	ids := s.exclIDs[:0]
	for i, t := range r.q.terms {
		if r.termBits[i] != nil {
			continue
		}
		for _, p := range r.ni.postings[t] {
			if s.mark(p.org) {
				ids = append(ids, p.org)
			}
		}
	}
	for _, id := range ids {
		s.excl[id>>6] |= 1 << (id & 63)
		if a := r.scoreOf(id); a.cover >= r.need {
			r.total++
			r.offer(id, a)
		}
	}
	s.exclIDs = ids
}

// combination is a set of the query's dense words (bit i: r.dense[i])
// that covers enough of the query, with the bound of its names' scores.
type combination struct {
	set      uint32
	bound    float32
	lowBound float32 // the bound of its names whose words are all low
	// flip[i] is 0 when r.dense[i] is in the set, all ones when it is not:
	// a block's names of exactly the set are the AND of bits[i]^flip[i].
	flip [maxDenseTerms]uint64
}

// combinations lists the sets of dense words that cover need, best bound
// first. Sums are in query order, as scoreOf adds them.
func (r *denseRanker) combinations() []combination {
	var out []combination
	for set := uint32(1); set < 1<<len(r.dense); set++ {
		var cover, bound, low float32
		for i, d := range r.dense {
			if set&(1<<i) != 0 {
				cover += r.idf[i]
				bound += d.top
				low += d.lowTop
			}
		}
		if cover >= r.need {
			c := combination{set: set, bound: slack(bound + r.extras), lowBound: slack(low + r.extras)}
			for i := range r.dense {
				if set&(1<<i) == 0 {
					c.flip[i] = ^uint64(0)
				}
			}
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b combination) int {
		switch {
		case a.bound > b.bound:
			return -1
		case a.bound < b.bound:
			return 1
		}
		return 0
	})
	return out
}

// rankCombinations counts, block of 64 by block, the names (not marked by
// rankSparse) that hold exactly the dense words of each combination, and
// scores those with a word in its top tier whose block's bound could still
// beat the worst kept. The names whose words are all low come second, and
// only if their bound could still beat the worst kept by then, which the
// first pass has usually raised above it.
func (r *denseRanker) rankCombinations(combos []combination) {
	n := len(r.dense)
	var bitsOf, lowOf [maxDenseTerms][]uint64
	for i, d := range r.dense {
		bitsOf[i], lowOf[i] = d.bits, d.low
	}
	excl := r.s.excl
	var in, low [maxDenseTerms]uint64
	var lowLeft uint64 // bit ci: combination ci has names whose words are all low
	total := 0
	for w := range bitsOf[0] {
		var any uint64
		for i := range n {
			in[i], low[i] = bitsOf[i][w], lowOf[i][w]
			any |= in[i]
		}
		if any &^= excl[w]; any == 0 {
			continue
		}
		for ci := range combos {
			c := &combos[ci]
			m := any
			for i := range n {
				m &= in[i] ^ c.flip[i]
			}
			if m == 0 {
				continue
			}
			total += bits.OnesCount64(m)
			lows := m
			for i := range n {
				lows &= low[i] | c.flip[i]
			}
			if lows != 0 {
				lowLeft |= 1 << ci
			}
			if m &^= lows; m != 0 {
				r.scoreBlock(c, w, m)
			}
		}
	}
	r.total += total
	for ci := range combos {
		if c := &combos[ci]; lowLeft&(1<<ci) != 0 && (!r.isFull || c.lowBound >= r.worst) {
			r.rankLows(c)
		}
	}
}

// scoreBlock scores the names m of block w, of combination c, unless the
// block's bound shows none can be kept.
func (r *denseRanker) scoreBlock(c *combination, w int, m uint64) {
	if r.isFull && (c.bound < r.worst || r.blockBound(c, w) < r.worst) {
		return
	}
	for ; m != 0; m &= m - 1 {
		r.offerDense(c, int32(w<<6+bits.TrailingZeros64(m)))
	}
}

// rankLows scores combination c's names whose words are all low.
func (r *denseRanker) rankLows(c *combination) {
	for w := range r.dense[0].bits {
		if r.isFull && c.lowBound < r.worst {
			return
		}
		m := ^r.s.excl[w]
		for i, d := range r.dense {
			m &= d.bits[w] ^ c.flip[i]
			m &= d.low[w] | c.flip[i]
		}
		if m != 0 {
			r.scoreBlock(c, w, m)
		}
	}
}

// offerDense scores a name that holds exactly c's dense words (and no
// rarer word of the query) and offers it.
func (r *denseRanker) offerDense(c *combination, id int32) {
	var a accum
	w, b := id>>6, uint(id&63)
	for set := c.set; set != 0; set &= set - 1 {
		i := bits.TrailingZeros32(set)
		d := r.dense[i]
		a.score += d.postings[int(d.rank[w])+bits.OnesCount64(d.bits[w]&(1<<b-1))].impact
		a.cover += r.idf[i]
	}
	if r.isFull && slack(a.score+r.extras) < r.worst {
		return
	}
	for i, t := range r.q.extra {
		if v, ok := r.ni.impact(t, r.extraBits[i], id); ok {
			a.score += v
		}
	}
	r.offer(id, a)
}

// blockBound bounds the score of c's names in block w.
func (r *denseRanker) blockBound(c *combination, w int) float32 {
	var b float32
	for set := c.set; set != 0; set &= set - 1 {
		b += r.dense[bits.TrailingZeros32(set)].max[w]
	}
	return slack(b + r.extras)
}

// slack widens a bound by more than the rounding that adding the same
// impacts in another order could make (a few float32 ulps), so that a
// bound is never below a score it bounds.
func slack(b float32) float32 { return b * (1 + 1e-5) }
