package directory

import (
	"cmp"
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
// too: a name is scored only if the bound of its words' best impacts in its
// block of 64 could still beat the worst of the MaxPerTier kept (block-max
// pruning). The names of a block that cover the query are found as the OR,
// over the fewest sets of words that cover it, of the AND of their bits,
// so that the per-block work does not grow with the 2^n sets of words.

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
	// maxG, topG and lowG are max, top and lowTop in normalised
	// frequencies (nameIndex.gs), of which an impact is a multiple by the
	// word's idf: rounding keeps the order of products, so max and top
	// are maxG's and topG's times the idf, and an approval that moves the
	// idf re-makes them a block at a time rather than a posting at a time
	// (with); low, chosen by lowG, does not move at all.
	maxG       []float32
	topG, lowG float32
}

// lowTier is the normalised frequency at or below which about nine in
// ten of a word's postings lie (g are theirs).
func lowTier(g []float32) float32 {
	s := slices.Clone(g)
	slices.Sort(s)
	return s[len(s)*9/10]
}

// buildDense gives the common words their bitsets, of ni.words words
// each. n is the number of organisations; gs and idf are the postings'
// normalised frequencies and the words' idf.
func (ni *nameIndex) buildDense(postings [][]posting, gs [][]float32, idf []float64, n int) {
	if n < denseMinDocs*denseShare/4 {
		return
	}
	for t, p := range postings {
		if len(p) < denseMinDocs || len(p)*denseShare < n {
			continue
		}
		if ni.dense == nil {
			ni.dense = map[int32]*denseTerm{}
		}
		d := &denseTerm{postings: p, bits: make([]uint64, ni.words), low: make([]uint64, ni.words),
			maxG: make([]float32, ni.words), lowG: lowTier(gs[t])}
		for j, q := range p {
			w := q.org >> 6
			d.bits[w] |= 1 << (q.org & 63)
			if g := gs[t][j]; g <= d.lowG {
				d.low[w] |= 1 << (q.org & 63)
			}
			d.maxG[w] = max(d.maxG[w], gs[t][j])
		}
		d.ranks()
		d.weigh(idf[t])
		ni.dense[int32(t)] = d
	}
}

// ranks computes rank from bits.
func (d *denseTerm) ranks() {
	d.rank = make([]int32, len(d.bits))
	n := int32(0)
	for w, b := range d.bits {
		d.rank[w] = n
		n += int32(bits.OnesCount64(b))
	}
}

// weigh computes the impacts' bounds, max, top and lowTop, for the word's
// idf.
func (d *denseTerm) weigh(idf float64) {
	d.max = make([]float32, len(d.maxG))
	d.topG = 0
	for w, g := range d.maxG {
		d.max[w] = float32(idf * float64(g))
		d.topG = max(d.topG, g)
	}
	d.top = float32(idf * float64(d.topG))
	d.lowTop = float32(idf * float64(d.lowG))
}

// with is d for the word's postings p (normalised frequencies g, idf)
// after the organisations in slots changed: their bits set or cleared,
// their blocks' maxima computed again, the rest copied.
func (d *denseTerm) with(p []posting, g []float32, idf float64, slots map[int32]bool) *denseTerm {
	e := &denseTerm{postings: p, bits: slices.Clone(d.bits), low: slices.Clone(d.low), maxG: slices.Clone(d.maxG), lowG: d.lowG}
	has := func(s int32) (int, bool) {
		return slices.BinarySearchFunc(p, s, func(q posting, s int32) int { return cmp.Compare(q.org, s) })
	}
	for s := range slots {
		w, bit := s>>6, uint64(1)<<(s&63)
		e.bits[w] &^= bit
		e.low[w] &^= bit
		if j, ok := has(s); ok {
			e.bits[w] |= bit
			if g[j] <= e.lowG {
				e.low[w] |= bit
			}
		}
	}
	e.ranks()
	for s := range slots {
		w := s >> 6
		e.maxG[w] = 0
		for j, end := int(e.rank[w]), int(e.rank[w])+bits.OnesCount64(e.bits[w]); j < end; j++ {
			e.maxG[w] = max(e.maxG[w], g[j])
		}
	}
	e.weigh(idf)
	return e
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
		return d.postings[int(d.rank[w])+bits.OnesCount64(m&(1<<b-1))].impact, true
	}
	p := ni.post(t)
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
	for _, p := range ni.post(t) {
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
			a.cover += float32(r.ni.idfOf(t))
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
	// bitsOf and lowOf are their bits and low, at hand for the passes
	// along whole arrays (rankBlocks, cover) and the blocks read to be
	// scored (read).
	bitsOf, lowOf [maxDenseTerms][]uint64
	idf           []float32 // their idf
	// termBits and extraBits are the bitsets of q.terms and q.extra (nil
	// for a word that has none).
	termBits, extraBits []*denseTerm
	isFull              bool    // MaxPerTier are kept (in s.hits, a heap)
	worst               float32 // then, the worst kept score
	total               int
	extras              float32  // the bound of the bonus words' impacts
	allow               []uint64 // the organisations ranked (nil: all), a bitset
}

// rankDense ranks as accumulate and best do when keep is nil, and reports
// false when the query has no dense word (or too many) to do it with.
func (ni *nameIndex) rankDense(s *scratch, q nameQuery, need float32) ([]int32, int, bool) {
	return ni.rankDenseIn(s, q, need, nil)
}

// rankDenseIn is rankDense over the organisations of the bitset allow
// alone (all when allow is nil): as accumulate and best do with a keep
// that accepts those. Leaving the others out is one more AND of each
// block's covered names, and a test of each rarer word's posting, so a
// query narrowed by a place costs what the same query does unnarrowed.
func (ni *nameIndex) rankDenseIn(s *scratch, q nameQuery, need float32, allow []uint64) ([]int32, int, bool) {
	r := denseRanker{ni: ni, s: s, q: q, need: need, allow: allow}
	for _, t := range q.terms {
		d := ni.dense[t]
		r.termBits = append(r.termBits, d)
		if d != nil {
			r.dense = append(r.dense, d)
			r.idf = append(r.idf, float32(ni.idfOf(t)))
		}
	}
	if len(r.dense) == 0 || len(r.dense) > maxDenseTerms {
		return nil, 0, false
	}
	for i, d := range r.dense {
		r.bitsOf[i], r.lowOf[i] = d.bits, d.low
	}
	// The heap is s.hits itself: the names kept, each with what it is
	// compared by, worst at the root, compared inline rather than through
	// a function value or looked up in arrays of all organisations.
	s.hits = s.hits[:0]
	for _, t := range q.extra {
		r.extraBits = append(r.extraBits, ni.dense[t])
		r.extras += ni.termTop(t)
	}
	r.rankSparse()
	r.rankBlocks()
	slices.SortFunc(s.hits, func(a, b denseHit) int {
		if hitBetter(&a, &b) {
			return -1
		}
		if hitBetter(&b, &a) {
			return 1
		}
		return 0
	})
	out := make([]int32, len(s.hits))
	for i := range s.hits {
		out[i] = s.hits[i].id
	}
	return out, r.total, true
}

// hitBetter orders the dense ranking's names as best does: the higher
// score first, then the earlier in name order (each name has its own key,
// so no two names tie).
func hitBetter(x, y *denseHit) bool {
	if x.score != y.score {
		return x.score > y.score
	}
	return x.order < y.order
}

// denseHit is a name offered to the dense ranking's heap.
type denseHit struct {
	score float32
	order uint32 // the name's key in name order, which breaks ties
	id    int32
}

// offer keeps id if it is among the best so far, and keeps worst, the
// score a name must reach once MaxPerTier are kept, current.
func (r *denseRanker) offer(id int32, a accum) {
	if r.isFull && a.score < r.worst {
		return
	}
	x := denseHit{a.score, *r.ni.nameOrder.at(id), id}
	h := r.s.hits
	if len(h) < MaxPerTier {
		h = append(h, x)
		for i := len(h) - 1; i > 0; { // up
			p := (i - 1) / 2
			if !hitBetter(&h[p], &h[i]) {
				break
			}
			h[i], h[p] = h[p], h[i]
			i = p
		}
		r.s.hits = h
		if len(h) == MaxPerTier {
			r.isFull, r.worst = true, h[0].score
		}
		return
	}
	if !hitBetter(&x, &h[0]) {
		return
	}
	h[0] = x
	for i, n := 0, len(h); ; { // down
		m := i
		if l := 2*i + 1; l < n && hitBetter(&h[m], &h[l]) {
			m = l
		}
		if rr := 2*i + 2; rr < n && hitBetter(&h[m], &h[rr]) {
			m = rr
		}
		if m == i {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	r.worst = h[0].score
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
		for _, p := range r.ni.post(t) {
			if (r.allow == nil || bitIsSet(r.allow, p.org)) && s.mark(p.org) {
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

// sets describes the subsets of the query's dense words (bit i:
// r.dense[i]), each a uint32 below 1<<len(r.dense).
type sets struct {
	// covers has bit S set when set S covers need; a name's set covers
	// need when one of the minimal covering sets, mins, is inside it.
	covers uint64
	mins   []uint32
	// lowBound[S] bounds the score of a name of set S whose words are
	// all low.
	lowBound [1 << maxDenseTerms]float32
}

// sets lists which sets of dense words cover need. Sums are in query
// order, as scoreOf adds them.
func (r *denseRanker) sets() sets {
	var ss sets
	for set := uint32(1); set < 1<<len(r.dense); set++ {
		var cover, low float32
		for i, d := range r.dense {
			if set&(1<<i) != 0 {
				cover += r.idf[i]
				low += d.lowTop
			}
		}
		if cover >= r.need {
			ss.covers |= 1 << set
			ss.lowBound[set] = slack(low + r.extras)
		}
	}
	ss.mins = minimal(ss.covers, nil)
	return ss
}

// minimal lists, appending them to out, the minimal sets of up, a family
// of sets (bit S: set S) that holds every superset of each of its sets:
// bounds and covers only grow with a set.
func minimal(up uint64, out []uint32) []uint32 {
	for rest := up; rest != 0; rest &= rest - 1 {
		set := uint32(bits.TrailingZeros64(rest))
		isMin := true
		for in := set; in != 0; in &= in - 1 {
			if up>>(set&^(1<<bits.TrailingZeros32(in)))&1 != 0 {
				isMin = false
			}
		}
		if isMin {
			out = append(out, set)
		}
	}
	return out
}

// lowsAbove lists the minimal sets of the covering sets whose names with
// all their words low could still beat the worst kept.
func (ss *sets) lowsAbove(worst float32, out []uint32) []uint32 {
	var up uint64
	for rest := ss.covers; rest != 0; rest &= rest - 1 {
		if set := bits.TrailingZeros64(rest); ss.lowBound[set] >= worst {
			up |= 1 << set
		}
	}
	return minimal(up, out)
}

// block is one block of 64 names as the dense words see it.
type block struct {
	w  int
	in [maxDenseTerms]uint64 // in[i]: the names holding r.dense[i]
}

// read reads the dense words' bits of block w into b.in.
func (r *denseRanker) read(b *block, w int) {
	b.w = w
	for i := range len(r.dense) {
		b.in[i] = r.bitsOf[i][w]
	}
}

// cover sets dst[w], for every block w, to the names of the sets mins are
// the minimal sets of: the OR, over mins, of the AND of their words' bits,
// a few word operations whatever the number of sets. It runs along whole
// arrays, one simple loop at a time (tmp holds the AND of more than two
// words), rather than block by block through loops over the words, whose
// overhead was most of the cost.
func (r *denseRanker) cover(dst, tmp []uint64, mins []uint32) {
	n := len(dst)
	clear(dst)
	for _, set := range mins {
		and := r.bitsOf[bits.TrailingZeros32(set)][:n]
		set &= set - 1
		for ; set&(set-1) != 0; set &= set - 1 { // more than one word left
			src := r.bitsOf[bits.TrailingZeros32(set)][:n]
			for w := range tmp[:n] {
				tmp[w] = and[w] & src[w]
			}
			and = tmp[:n]
		}
		if set == 0 {
			for w := range dst {
				dst[w] |= and[w]
			}
			continue
		}
		last := r.bitsOf[bits.TrailingZeros32(set)][:n]
		for w := range dst {
			dst[w] |= and[w] & last[w]
		}
	}
}

// rankBlocks counts the names (not marked by rankSparse) whose dense words
// cover need, and scores, block of 64 by block, those with a word in its
// top tier whose bound could still beat the worst kept. The names whose
// words are all low come second, and only if their bound could still
// beat the worst kept by then, which the first pass has usually raised
// above it. The blocks' names are found along whole arrays (cover), which
// the second pass reuses.
func (r *denseRanker) rankBlocks() {
	ss := r.sets()
	if len(ss.mins) == 0 {
		return // no set of dense words alone covers need (rankSparse did it all)
	}
	s := r.s
	words := r.ni.blocks // the bitsets have room for more (slotCap)
	if len(s.cover) < words {
		s.cover, s.lows, s.and = make([]uint64, words), make([]uint64, words), make([]uint64, words)
	}
	cov, lows, tmp := s.cover[:words], s.lows[:words], s.and[:words]
	r.cover(cov, tmp, ss.mins)
	excl := s.excl[:words]
	total := 0
	if r.allow != nil {
		// The names not allowed are out of every pass below, which all
		// start from cov.
		allow := r.allow[:words]
		for w := range cov {
			c := cov[w] &^ excl[w] & allow[w]
			cov[w] = c
			total += bits.OnesCount64(c)
		}
	} else {
		for w := range cov {
			c := cov[w] &^ excl[w]
			cov[w] = c
			total += bits.OnesCount64(c)
		}
	}
	r.total += total
	if total == 0 {
		return
	}
	// lows: the covered names whose dense words are all low.
	copy(lows, cov)
	for i := range len(r.dense) {
		low, in := r.lowOf[i][:words], r.bitsOf[i][:words]
		for w := range lows {
			lows[w] &= low[w] | ^in[w]
		}
	}
	var b block // reused: one block's bits are read into it at a time
	for w, c := range cov {
		if m := c &^ lows[w]; m != 0 {
			r.read(&b, w)
			r.scoreBlock(&b, m, nil)
		}
	}
	// Only the names of the sets whose low bound could beat the worst
	// kept need be scored (all of them while fewer than MaxPerTier are
	// kept).
	if r.isFull {
		mins := ss.lowsAbove(r.worst, nil)
		if len(mins) == 0 {
			return
		}
		r.cover(cov, tmp, mins)
		for w := range lows {
			lows[w] &= cov[w]
		}
	}
	for w, m := range lows {
		if m != 0 {
			r.read(&b, w)
			r.scoreBlock(&b, m, &ss)
		}
	}
}

// scoreBlock scores the names m of block b, but not those whose bound
// shows they cannot be kept: the block's maxima of their words, and for
// names whose words are all low (ss not nil), their set's low tier.
func (r *denseRanker) scoreBlock(b *block, m uint64, ss *sets) {
	if r.isFull {
		// Bound the whole block first, by all the words some of m hold.
		var all float32
		for i, d := range r.dense {
			if b.in[i]&m != 0 {
				all += d.max[b.w]
			}
		}
		if slack(all+r.extras) < r.worst {
			return
		}
	}
	for ; m != 0; m &= m - 1 {
		bit := uint(bits.TrailingZeros64(m))
		var set uint32
		for i := range r.dense {
			set |= uint32(b.in[i]>>bit&1) << i
		}
		if r.isFull && (r.blockBound(set, b.w) < r.worst || ss != nil && ss.lowBound[set] < r.worst) {
			continue
		}
		r.offerDense(set, int32(b.w<<6)+int32(bit))
	}
}

// offerDense scores a name that holds exactly the dense words of set
// (and no rarer word of the query) and offers it.
func (r *denseRanker) offerDense(set uint32, id int32) {
	var a accum
	w, b := id>>6, uint(id&63)
	for ; set != 0; set &= set - 1 {
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

// blockBound bounds the score of the names of set in block w.
func (r *denseRanker) blockBound(set uint32, w int) float32 {
	var b float32
	for ; set != 0; set &= set - 1 {
		b += r.dense[bits.TrailingZeros32(set)].max[w]
	}
	return slack(b + r.extras)
}

// slack widens a bound by more than the rounding that adding the same
// impacts in another order could make (a few float32 ulps), so that a
// bound is never below a score it bounds.
func slack(b float32) float32 { return b * (1 + 1e-5) }
