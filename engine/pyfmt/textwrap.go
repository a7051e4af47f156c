package pyfmt

import (
	"strings"
	"unicode"
)

// TextWrap is Python's textwrap.wrap(text, width,
// drop_whitespace=dropWhitespace) with the other options at their
// defaults: tabs expanded to 8-column stops, other whitespace characters
// turned into spaces, breaks at whitespace and after hyphens inside
// words, words longer than a line broken (after a hyphen where one
// fits), and (with dropWhitespace) whitespace dropped at line edges.
func TextWrap(text string, width int, dropWhitespace bool) []string {
	chunks := wrapChunks([]rune(expandTabs(text)))
	var lines []string
	for len(chunks) > 0 {
		var cur [][]rune
		curLen := 0
		if dropWhitespace && len(lines) > 0 && isBlank(chunks[0]) {
			chunks = chunks[1:]
		}
		for len(chunks) > 0 && curLen+len(chunks[0]) <= width {
			cur = append(cur, chunks[0])
			curLen += len(chunks[0])
			chunks = chunks[1:]
		}
		if len(chunks) > 0 && len(chunks[0]) > width {
			// textwrap's _handle_long_word
			end := width - curLen
			if width < 1 {
				end = 1
			}
			c := chunks[0]
			if h := lastHyphen(c, end); h > 0 && strings.Trim(string(c[:h]), "-") != "" {
				end = h + 1
			}
			cur = append(cur, c[:end])
			chunks[0] = c[end:]
		}
		if dropWhitespace && len(cur) > 0 && isBlank(cur[len(cur)-1]) {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			var b strings.Builder
			for _, c := range cur {
				b.WriteString(string(c))
			}
			lines = append(lines, b.String())
		}
	}
	return lines
}

// isBlank is Python's chunk.strip() == "".
func isBlank(r []rune) bool {
	for _, c := range r {
		if !unicode.IsSpace(c) && (c < 0x1c || c > 0x1f) {
			return false
		}
	}
	return true
}

// lastHyphen is the index of the last '-' in c[:end], or -1.
func lastHyphen(c []rune, end int) int {
	for i := min(end, len(c)) - 1; i >= 0; i-- {
		if c[i] == '-' {
			return i
		}
	}
	return -1
}

// expandTabsOnly is Python's str.expandtabs(8).
func expandTabsOnly(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch r {
		case '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		case '\n', '\r':
			col = -1
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}

// expandTabs is str.expandtabs(8) followed by textwrap's replacement of
// the other whitespace characters with spaces.
func expandTabs(s string) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune("\n\r\v\f", r) {
			return ' '
		}
		return r
	}, expandTabsOnly(s))
}

// wrapChunks splits text as textwrap's wordsep_re does (the text holds
// no whitespace but spaces by now): runs of spaces; em-dashes ("--" or
// longer between a word character or punctuation and a word character);
// words, which end before a space, before an em-dash, or after a hyphen
// that follows two letters (or letter, hyphen, letter) and precedes a
// letter, an optional hyphen and a letter.
func wrapChunks(r []rune) [][]rune {
	var out [][]rune
	for i := 0; i < len(r); {
		j := i + 1
		switch {
		case r[i] == ' ':
			for j < len(r) && r[j] == ' ' {
				j++
			}
		case i > 0 && isWordPunct(r[i-1]) && emDashAt(r, i) > 0:
			j = i + emDashAt(r, i)
		default:
			for ; j < len(r) && r[j] != ' '; j++ {
				if r[j] == '-' && hyphenBreak(r, j) {
					j++
					break
				}
				if isWordPunct(r[j-1]) && emDashAt(r, j) > 0 {
					break
				}
			}
		}
		out = append(out, r[i:j])
		i = j
	}
	return out
}

// isWord is Python's \w; isLetter is [^\d\W]; isWordPunct is
// [\w!"'&.,?].
func isWord(c rune) bool   { return c == '_' || unicode.IsLetter(c) || unicode.IsNumber(c) }
func isLetter(c rune) bool { return isWord(c) && !unicode.IsDigit(c) }
func isWordPunct(c rune) bool {
	return isWord(c) || strings.ContainsRune(`!"'&.,?`, c)
}

// emDashAt is the length of the em-dash "-{2,}(?=\w)" at i, or 0.
func emDashAt(r []rune, i int) int {
	j := i
	for j < len(r) && r[j] == '-' {
		j++
	}
	if j-i >= 2 && j < len(r) && isWord(r[j]) {
		return j - i
	}
	return 0
}

// hyphenBreak reports whether a word breaks after the hyphen at j (the
// look-behind may reach into the chunk before, as the expression does).
func hyphenBreak(r []rune, j int) bool {
	lt := func(k int) bool { return k >= 0 && k < len(r) && isLetter(r[k]) }
	before := lt(j-1) && lt(j-2) || lt(j-1) && j >= 2 && r[j-2] == '-' && lt(j-3)
	if !before || !lt(j+1) {
		return false
	}
	return lt(j+2) || j+3 < len(r) && r[j+2] == '-' && lt(j+3)
}
