package bot

// The tag of a button, version 2: AES-CMAC.
//
// Every answer signs one button per entry it shows, two dozen on a
// country's page, and HMAC-SHA256 costs about 300 ns a tag even with the
// keyed state reused (version 1, presses.tagV1), which is more than all
// the rest of a cached answer. CMAC (NIST SP 800-38B, RFC 4493) over
// AES-256 is a standard PRF on messages of any length, like HMAC, so a
// tag truncated to tagBytes is as hard to forge (2^-64 a try). Being a
// CBC chain, it also lets the part every button of a reply shares, the
// binding to platform, chat and person, be absorbed once per reply: each
// button then costs one AES block for its kind and command line.
//
// The input is the binding (platform, chat, user, each preceded by its
// length as a uvarint) padded with zeros to a whole number of blocks, then
// the kind, the payload's length as a uvarint and the payload. The lengths
// and the padding fixed by them make the encoding injective, so distinct
// (kind, binding, payload) never share an input. The key is derived from
// the deployment secret under a label of its own, so it shares nothing
// with version 1's key or with People's records.

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
)

// cmacKeyLabel separates the CMAC key from the other uses of the secret.
const cmacKeyLabel = "unionbot press v2 aes-cmac key"

// cmac is AES-CMAC under one key. It is safe for concurrent use: its
// methods change only the state they are given.
type cmac struct {
	b      cipher.Block
	k1, k2 [aes.BlockSize]byte
}

// newCMAC returns AES-256-CMAC under a key derived from secret.
func newCMAC(secret []byte) *cmac {
	kdf := hmac.New(sha256.New, secret)
	kdf.Write([]byte(cmacKeyLabel))
	b, err := aes.NewCipher(kdf.Sum(nil)) // 32 bytes: AES-256
	if err != nil {
		panic("bot: " + err.Error()) // cannot happen with a 32-byte key
	}
	return newCMACBlock(b)
}

// newCMACBlock returns CMAC over b, deriving the subkeys K1 and K2 from
// L = E(0) by doubling in GF(2^128).
func newCMACBlock(b cipher.Block) *cmac {
	c := &cmac{b: b}
	b.Encrypt(c.k1[:], c.k1[:])
	double(&c.k1)
	c.k2 = c.k1
	double(&c.k2)
	return c
}

// double sets k to k·x in GF(2^128) with CMAC's polynomial
// x^128 + x^7 + x^2 + x + 1.
func double(k *[aes.BlockSize]byte) {
	carry := k[0] >> 7
	for i := 0; i < len(k)-1; i++ {
		k[i] = k[i]<<1 | k[i+1]>>7
	}
	k[len(k)-1] = k[len(k)-1]<<1 ^ carry*0x87
}

// absorb runs the chain x over whole blocks m (len(m) a multiple of the
// block size) that are not the message's last.
func (c *cmac) absorb(x *[aes.BlockSize]byte, m []byte) {
	for ; len(m) > 0; m = m[aes.BlockSize:] {
		xorBlock(x, m[:aes.BlockSize])
		c.b.Encrypt(x[:], x[:])
	}
}

// xorBlock sets x to x XOR m, m a whole block (inlined: a call to
// crypto/subtle for 16 bytes costs more than the XOR).
func xorBlock(x *[aes.BlockSize]byte, m []byte) {
	le := binary.LittleEndian
	le.PutUint64(x[:8], le.Uint64(x[:8])^le.Uint64(m[:8]))
	le.PutUint64(x[8:], le.Uint64(x[8:])^le.Uint64(m[8:16]))
}

// finish runs the chain x over the rest of the message, m, and leaves the
// MAC in x. m holds the last block; it may be empty only when nothing was
// absorbed (the empty message).
func (c *cmac) finish(x *[aes.BlockSize]byte, m []byte) {
	for len(m) > aes.BlockSize {
		c.absorb(x, m[:aes.BlockSize])
		m = m[aes.BlockSize:]
	}
	if len(m) == aes.BlockSize {
		xorBlock(x, m)
		xorBlock(x, c.k1[:])
	} else {
		// Padded in a block of its own: two 8-byte XORs rather than one
		// a byte.
		var last [aes.BlockSize]byte
		copy(last[:], m)
		last[len(m)] = 0x80
		xorBlock(x, last[:])
		xorBlock(x, c.k2[:])
	}
	c.b.Encrypt(x[:], x[:])
}

// b64Alphabet is base64url's (RFC 4648 §5), which b64 uses.
const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// appendTag64 appends b64's encoding of the tagBytes (8) first bytes of
// x, tagLen (11) characters: the 64 bits in groups of 6 from the top, the
// last group the 4 bits left, shifted as the encoding pads them. Written
// out because the general encoder costs more than the rest of a tag but
// the AES block (presscmac_test checks it against b64).
func appendTag64(dst []byte, x *[aes.BlockSize]byte) []byte {
	v := binary.BigEndian.Uint64(x[:tagBytes])
	var out [tagLen]byte
	for i := range tagLen - 1 {
		out[i] = b64Alphabet[v>>(58-6*i)&63]
	}
	out[tagLen-1] = b64Alphabet[v&15<<2]
	return append(dst, out[:]...)
}

// signer is the scratch state of tags made one after another (a reply's
// buttons): the chain after the last binding, kept while the buttons
// share it, and the buffers. Pooled in presses, so signing allocates
// nothing but each button's data.
type signer struct {
	bound bool
	b     binding
	after [aes.BlockSize]byte // the chain after b's blocks
	x     [aes.BlockSize]byte
	buf   []byte
}

// appendTag appends the version 2 tag of payload (tagLen characters) for
// a button of kind bound to b.
func (p *presses) appendTag(dst []byte, s *signer, kind byte, b binding, payload string) []byte {
	if !s.bound || s.b != b {
		buf := s.buf[:0]
		for _, f := range [...]string{b.platform, b.chat, b.user} {
			buf = binary.AppendUvarint(buf, uint64(len(f)))
			buf = append(buf, f...)
		}
		for len(buf)%aes.BlockSize != 0 {
			buf = append(buf, 0)
		}
		s.after = [aes.BlockSize]byte{}
		p.cmac.absorb(&s.after, buf)
		s.b, s.bound, s.buf = b, true, buf
	}
	buf := append(s.buf[:0], kind)
	buf = binary.AppendUvarint(buf, uint64(len(payload)))
	buf = append(buf, payload...)
	s.x = s.after
	p.cmac.finish(&s.x, buf)
	if cap(buf) <= 512 {
		s.buf = buf // kept for the next tag, unless a rare long one
	}
	return appendTag64(dst, &s.x)
}

func (p *presses) getSigner() *signer {
	s, _ := p.signers.Get().(*signer)
	if s == nil {
		s = &signer{}
	}
	s.bound = false
	return s
}

func (p *presses) putSigner(s *signer) {
	// Keep no one's ids in the pool: the binding, and its encoding left
	// in the buffer.
	s.b = binding{}
	clear(s.buf[:cap(s.buf)])
	p.signers.Put(s)
}
