package badgescan

import (
	"unicode/utf8"

	"golang.org/x/text/transform"
)

// windows1252 decodes Windows-1252, the code page Excel on Windows saves
// "CSV" in, to UTF-8. It does what golang.org/x/text's
// charmap.Windows1252 decoder does (TestWindows1252MatchesCharmap holds
// the two together); it is here rather than imported because that package
// holds every code page x/text knows and builds them at package init, in
// every binary that links this one.
type windows1252 struct{ transform.NopResetter }

// windows1252C1 is what the bytes 0x80-0x9F stand for; the five the code
// page leaves undefined decode to U+FFFD. Bytes below 0x80 are ASCII and
// 0xA0-0xFF are Latin-1, the code points of the same number.
var windows1252C1 = [32]rune{
	'€', '\uFFFD', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\uFFFD', 'Ž', '\uFFFD',
	'\uFFFD', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\uFFFD', 'ž', 'Ÿ',
}

// Transform decodes src into dst, a byte at a time, stopping with
// ErrShortDst where dst has no room for a whole character.
func (windows1252) Transform(dst, src []byte, _ bool) (nDst, nSrc int, err error) {
	for ; nSrc < len(src); nSrc++ {
		c := src[nSrc]
		if c < utf8.RuneSelf {
			if nDst == len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			dst[nDst] = c
			nDst++
			continue
		}
		r := rune(c)
		if c < 0xA0 {
			r = windows1252C1[c-0x80]
		}
		if nDst+utf8.RuneLen(r) > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		nDst += utf8.EncodeRune(dst[nDst:], r)
	}
	return nDst, nSrc, nil
}
